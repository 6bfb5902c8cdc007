"""Reusable widgets of the redline app (attributes down, messages up)."""
