"""Modal dialogs of the reader and the entities screen: figure form, pickers, confirm.

Each dialog takes plain data in its constructor and dismisses with a small
result dataclass (or None when cancelled); none of them touches the database,
so the screens that open them own every write.
"""
