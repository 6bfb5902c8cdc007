"""``redline serve``: the app in a browser, one app process per tab.

The server itself (token, Origin check, per-tab annotators) is
:mod:`tui.commands.serve_server`; it is imported only when ``serve`` runs, so
other commands do not load aiohttp.
"""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer


def app_command(db_location: str, annotator: str, schema: str | None) -> list[str]:
    """The argv of one browser tab's app process."""
    # --annotator=NAME in one word: a name starting with "-" stays the option's value.
    command = [sys.executable, "-m", "tui.cli", "--db", db_location, f"--annotator={annotator}"]
    return command + (["--schema", schema] if schema is not None else [])


def register(app: typer.Typer) -> None:
    """Add ``redline serve`` to ``app`` (its callback sets ``ctx.obj`` to the CLI Context)."""

    @app.command("serve")
    def serve_command(
        ctx: typer.Context,
        host: Annotated[
            str, typer.Option("--host", help="Interface to listen on (loopback by default).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
        no_token: Annotated[
            bool,
            typer.Option("--no-token", help="Serve without the URL token (anyone may connect)."),
        ] = False,
    ) -> None:
        """Serve the app in a browser: open the printed URL (it carries a token).

        Add &annotator=NAME to the URL to annotate as NAME in that tab.
        """
        from tui.cli import out
        from tui.commands.serve_server import RedlineServer

        context = ctx.obj
        context.open_db()  # fail now, with one line, rather than in every browser tab
        schema = str(context.schema_path) if context.schema_path is not None else None
        server = RedlineServer(
            lambda name: app_command(context.db_location, name, schema),
            context.annotator,
            host=host,
            port=port,
            token=None if no_token else secrets.token_urlsafe(24),
            console=out,
        )
        server.serve()
