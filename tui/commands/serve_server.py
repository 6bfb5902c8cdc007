"""The web server of ``redline serve``: textual-serve, made safe to leave running.

textual-serve on its own answers anyone who can reach the port, lets any web
page open its WebSocket (so a page on another site could drive redline), and
lists its static directory. :class:`RedlineServer` keeps its machinery (the
template, the app processes, downloads) and adds, as an aiohttp middleware:

- a random token, required on the page (``/?token=…``, printed on start, as
  Jupyter does); the page sets a same-site cookie holding it, for downloads;
- the WebSocket only for a ticket the page was just given (one use), and only
  from a page of this server (``Origin`` must be this server's own address);
- a ``Host`` check when bound to one address (no DNS-rebinding trick);
- no directory listing of the static files;
- ``?annotator=NAME`` on the page: that tab's app runs as NAME (default: the
  server's annotator).

Binding anything but a loopback address prints a loud warning: anyone who can
reach the port and learns the URL can read and change the database.
"""

from __future__ import annotations

import contextvars
import hmac
import ipaddress
import secrets
import shlex
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from rich.console import Console
from rich.text import Text
from textual_serve.server import Server, to_int

from tui.literal import visible, visible_line

TICKET_SECONDS = 120.0
"""How long a page's WebSocket ticket stays valid (the page connects at once)."""
MAX_ANNOTATOR = 64
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
WILDCARDS = ("0.0.0.0", "::", "")

_session_annotator: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "redline_serve_annotator", default=None
)
"""The annotator of the WebSocket being handled (each request runs in its own task)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning to print when ``host`` is not a loopback address, else None."""
    if is_loopback(host):
        return None
    where = "every network interface" if host in WILDCARDS else host
    return (
        f"WARNING: redline serve is listening on {where}, not only this computer. "
        "Anyone who can reach this port and learns the URL can read and change the "
        "whole database. Use --host 127.0.0.1 unless you mean it."
    )


def annotator_problem(name: str) -> str | None:
    """Why ``name`` cannot be an annotator name from a URL, or None when it can."""
    if not name.strip():
        return "the annotator name is empty"
    if len(name) > MAX_ANNOTATOR:
        return f"the annotator name is longer than {MAX_ANNOTATOR} characters"
    if visible_line(name) != name:
        return "the annotator name has control characters"
    return None


class RedlineServer(Server):
    """textual-serve with a token, an Origin check, per-tab annotators, no listing."""

    def __init__(
        self,
        command_for: Callable[[str], Sequence[str]],
        annotator: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        token: str | None = None,
        console: Console | None = None,
    ) -> None:
        """``command_for(annotator)`` is the argv of one tab's app; ``token`` None: no token."""
        self._command_for = command_for
        self.default_annotator = annotator
        super().__init__(shlex.join(command_for(annotator)), host=host, port=port, title="redline")
        self.token = token
        self.cookie_name = f"redline-token-{port}"  # cookies are per host, not per port
        self._tickets: dict[str, tuple[str, float]] = {}
        self.live_sessions = 0
        """Tabs whose app process is running (or shutting down)."""
        if console is not None:
            self.console = console

    # -- what runs for a tab ------------------------------------------------------------

    @property  # type: ignore[override]
    def command(self) -> str:
        """The shell command of the tab being connected (textual-serve reads this)."""
        annotator = _session_annotator.get()
        if annotator is None:
            return self._default_command
        return shlex.join(self._command_for(annotator))

    @command.setter
    def command(self, value: str) -> None:
        self._default_command = value

    @property
    def url(self) -> str:
        """The address to open, with the token."""
        query = f"/?token={self.token}" if self.token else "/"
        return f"{self.public_url}{query}"

    # -- the aiohttp application --------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{ticket}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every request: the right Host; the page and downloads need the token."""
        if not self._host_allowed(request.host):
            raise web.HTTPForbidden(text=f"redline serve: unexpected Host {request.host!r}\n")
        path = request.path
        if path == "/" or path.startswith("/download/"):
            if not self._has_token(request, from_query=path == "/"):
                raise web.HTTPForbidden(
                    text="redline serve: open the address printed on start (it has ?token=…)\n"
                )
        elif path.startswith("/ws/") and not self._origin_allowed(request):
            origin = request.headers.get("Origin")
            raise web.HTTPForbidden(text=f"redline serve: WebSocket from origin {origin!r}\n")
        return await handler(request)

    def _host_allowed(self, host: str) -> bool:
        """Bound to one address, only that name (or, on loopback, a loopback name) is served."""
        if self.host in WILDCARDS:
            return True
        names = {self.host.lower(), *(LOOPBACK_NAMES if is_loopback(self.host) else ())}
        names = {f"[{name}]" if ":" in name and "[" not in name else name for name in names}
        allowed = {f"{name}:{self.port}" for name in names}
        if self.port in (80, 443):  # browsers leave the default port out of Host
            allowed |= names
        return host.lower() in allowed

    def _has_token(self, request: web.Request, *, from_query: bool) -> bool:
        if self.token is None:
            return True
        offered = [request.cookies.get(self.cookie_name, "")]
        if from_query:
            offered.append(request.query.get("token", ""))
        return any(hmac.compare_digest(value.encode(), self.token.encode()) for value in offered)

    def _origin_allowed(self, request: web.Request) -> bool:
        """A browser sends Origin with every WebSocket; it must be this server's page."""
        origin = request.headers.get("Origin")
        return origin is not None and origin.lower() == f"{request.scheme}://{request.host}".lower()

    # -- the page -------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """The page, with a one-use WebSocket ticket for this tab's annotator."""
        annotator = request.query.get("annotator", self.default_annotator)
        problem = annotator_problem(annotator)
        if problem is not None:
            raise web.HTTPBadRequest(text=f"redline serve: {problem}\n")
        ticket = self._issue_ticket(annotator)
        base = f"{request.scheme}://{request.host}"
        websocket = f"{'wss' if request.scheme == 'https' else 'ws'}://{request.host}"
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket}/ws/{ticket}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": f"redline · {annotator}"},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of Referer
        if self.token is not None:
            response.set_cookie(
                self.cookie_name, self.token, httponly=True, samesite="Strict", path="/"
            )
        return response

    def _issue_ticket(self, annotator: str) -> str:
        now = time.monotonic()
        for ticket, (_, issued) in list(self._tickets.items()):
            if now - issued > TICKET_SECONDS:
                del self._tickets[ticket]
        ticket = secrets.token_urlsafe(24)
        self._tickets[ticket] = (annotator, now)
        return ticket

    def _redeem_ticket(self, ticket: str) -> str | None:
        """The annotator of a fresh ticket (used up now), or None."""
        entry = self._tickets.pop(ticket, None)
        if entry is None or time.monotonic() - entry[1] > TICKET_SECONDS:
            return None
        return entry[0]

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        annotator = self._redeem_ticket(request.match_info["ticket"])
        if annotator is None:
            raise web.HTTPForbidden(text="redline serve: reload the page to start a session\n")
        reset = _session_annotator.set(annotator)
        self.live_sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.live_sessions -= 1
            _session_annotator.reset(reset)

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(Text(visible(f"redline serving on {self.url}"), style="bold"))
        if self.token is None:
            self.console.print(
                Text("WARNING: --no-token: anyone who can reach the port can use redline.",
                     style="bold red")
            )  # fmt: skip
        warning = exposure_warning(self.host)
        if warning is not None:
            self.console.print(Text(warning, style="bold red"))
        self.console.print("Press Ctrl+C to quit.", markup=False, highlight=False)
