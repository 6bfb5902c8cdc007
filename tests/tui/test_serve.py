"""``redline serve``: token, Origin check, no listing, loud warning, per-tab annotator.

The server runs in this process on 127.0.0.1 and a free port (aiohttp's test
server); the annotator test lets it spawn a real redline app process and reads
what that app draws through the WebSocket. The browser tests drive Debian's
headless Chromium over the DevTools protocol: one reads the library, one tags a
span by keyboard and finds it stored under the tab's annotator.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from rich.console import Console

from storage import queries
from storage.db import open_db
from tests.tui.app_fixtures import ROOT, sample_database
from tui.commands.serve_cmd import app_command
from tui.commands.serve_server import RedlineServer, annotator_problem, exposure_warning

TOKEN = "test-token-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_server(db_path: Path, *, token: str | None = TOKEN, port: int = 0) -> RedlineServer:
    def command_for(annotator: str) -> list[str]:
        return app_command(str(db_path), annotator, None)

    console = Console(file=io.StringIO(), width=200)
    return RedlineServer(command_for, "server-ann", port=port, token=token, console=console)


@pytest.fixture
async def started(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Start a RedlineServer on 127.0.0.1:<free port>; returns (server, client)."""
    database = sample_database(tmp_path / "redline.db")
    database.dispose()
    clients: list[TestClient] = []

    async def start(token: str | None = TOKEN) -> tuple[RedlineServer, TestClient]:
        port = free_port()
        server = make_server(tmp_path / "redline.db", token=token, port=port)
        client = TestClient(TestServer(await server._make_app(), host="127.0.0.1", port=port))
        await client.start_server()
        clients.append(client)
        return server, client

    yield start
    for client in clients:
        await client.close()


def origin(client: TestClient) -> str:
    return f"http://127.0.0.1:{client.port}"


async def ticket_url(client: TestClient, query: str = f"?token={TOKEN}") -> str:
    """Load the page and return the WebSocket path it tells the browser to open."""
    response = await client.get(f"/{query}")
    assert response.status == 200, await response.text()
    page = await response.text()
    match = re.search(r'data-session-websocket-url="ws://127\.0\.0\.1:\d+(/ws/[^"]+)"', page)
    assert match is not None, page
    return match.group(1)


async def test_the_page_needs_the_token(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    assert (await client.get("/")).status == 403
    assert (await client.get("/?token=wrong")).status == 403
    response = await client.get(f"/?token={TOKEN}")
    assert response.status == 200
    assert "redline" in await response.text()
    assert response.cookies[f"redline-token-{client.port}"].value == TOKEN
    assert response.cookies[f"redline-token-{client.port}"]["httponly"]
    # The cookie the page set lets the same browser reload without the query.
    assert (await client.get("/")).status == 200


async def test_downloads_need_the_token_cookie(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    assert (await client.get("/download/some-key")).status == 403
    assert (await client.get(f"/?token={TOKEN}")).status == 200  # sets the cookie
    assert (await client.get("/download/some-key")).status == 404  # past the guard: no such file


async def test_no_token_opt_out_serves_and_warns(started) -> None:  # type: ignore[no-untyped-def]
    server, client = await started(token=None)
    assert (await client.get("/")).status == 200
    await server.on_startup(None)  # type: ignore[arg-type]
    printed = server.console.file.getvalue()  # type: ignore[attr-defined]
    assert "--no-token" in printed and "WARNING" in printed


async def test_startup_prints_the_tokenized_url(started) -> None:  # type: ignore[no-untyped-def]
    server, client = await started()
    await server.on_startup(None)  # type: ignore[arg-type]
    printed = server.console.file.getvalue()  # type: ignore[attr-defined]
    assert f"http://127.0.0.1:{client.port}/?token={TOKEN}" in printed
    assert "WARNING" not in printed


async def test_static_files_are_served_without_a_directory_listing(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    assert (await client.get("/static/js/textual.js")).status == 200
    for path in ("/static/", "/static/js/", "/static/js"):
        response = await client.get(path)
        assert response.status in (403, 404), path
        assert "textual.js" not in await response.text()


async def test_a_foreign_host_header_is_refused(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    response = await client.get(f"/?token={TOKEN}", headers={"Host": f"evil.example:{client.port}"})
    assert response.status == 403


async def test_websocket_from_a_foreign_origin_is_refused(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {}):
        path = await ticket_url(client)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(f"{path}?width=80&height=24", headers=headers)
        assert refused.value.status == 403, headers


async def test_websocket_needs_a_fresh_ticket(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/made-up", headers={"Origin": origin(client)})
    assert refused.value.status == 403


def test_host_header_names_that_are_served(tmp_path: Path) -> None:
    server = make_server(tmp_path / "redline.db", port=8123)
    for host in ("127.0.0.1:8123", "localhost:8123", "[::1]:8123", "LOCALHOST:8123"):
        assert server._host_allowed(host), host
    for host in ("evil.example:8123", "127.0.0.1:9999", "127.0.0.1", "10.0.0.1:8123"):
        assert not server._host_allowed(host), host
    server.host, server.port = "192.0.2.7", 80
    assert server._host_allowed("192.0.2.7") and server._host_allowed("192.0.2.7:80")
    assert not server._host_allowed("localhost")
    server.host = "0.0.0.0"  # every interface: any name (the token still guards)
    assert server._host_allowed("whatever.example:80")


def test_non_loopback_hosts_get_a_loud_warning() -> None:
    for host in ("127.0.0.1", "127.8.0.1", "localhost", "::1", "[::1]"):
        assert exposure_warning(host) is None, host
    for host in ("0.0.0.0", "::", "192.168.1.20", "example.org"):
        warning = exposure_warning(host)
        assert warning is not None and "WARNING" in warning, host
    assert "every network interface" in (exposure_warning("0.0.0.0") or "")


async def test_binding_everywhere_prints_the_warning_on_start(tmp_path: Path) -> None:
    """What ``--host 0.0.0.0`` prints, without binding anything but loopback."""
    server = make_server(tmp_path / "redline.db")
    server.host = "0.0.0.0"
    await server.on_startup(None)  # type: ignore[arg-type]
    printed = server.console.file.getvalue()  # type: ignore[attr-defined]
    assert "WARNING: redline serve is listening on every network interface" in printed


def test_annotator_names_from_urls_are_checked() -> None:
    assert annotator_problem("bob") is None
    assert annotator_problem("") is not None
    assert annotator_problem("a\x1b[2J") is not None
    assert annotator_problem("x" * 65) is not None


async def test_bad_annotator_in_the_url_is_refused(started) -> None:  # type: ignore[no-untyped-def]
    _, client = await started()
    assert (await client.get(f"/?token={TOKEN}&annotator=%1b%5b2J")).status == 400


def test_the_app_command_keeps_a_dashed_name_as_the_annotator() -> None:
    command = app_command("r.db", "--db=/etc/passwd", None)
    assert command[:3] == [sys.executable, "-m", "tui.cli"]
    assert command[-1] == "--annotator=--db=/etc/passwd"
    assert command.count("--db") == 1


async def _screen_bytes(websocket: aiohttp.ClientWebSocketResponse, wanted: bytes) -> bytes:
    """Read what the tab's app draws until ``wanted`` shows up (or 60 s pass)."""
    seen = b""
    async with asyncio.timeout(60):
        while wanted not in seen:
            message = await websocket.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                seen += message.data.encode()
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                break
    return seen


@contextlib.contextmanager
def serve_process(
    db_path: Path, *extra: str, schema: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``redline serve`` in its own process on 127.0.0.1:<free port>; yields the printed URL.

    A real process, so the app processes it spawns for tabs are its children,
    not this test's event loop's.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    if schema is not None:
        env["REDLINE_SCHEMA"] = str(schema)  # the tabs' app processes inherit it
    command = [sys.executable, "-m", "tui.cli", "--db", str(db_path), "--annotator", "server-ann"]
    command += ["serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", line)
        assert match is not None, line + (process.stdout.read() if process.poll() else "")
        deadline = time.monotonic() + 30  # the URL is printed just before the port opens
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        yield match.group(0), process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def served_database(tmp_path: Path) -> Path:
    sample_database(tmp_path / "redline.db").dispose()
    return tmp_path / "redline.db"


@pytest.mark.slow
async def test_each_tab_runs_as_its_own_annotator(served_database: Path) -> None:
    with serve_process(served_database) as (url, _):
        base = url.split("/?", 1)[0]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}&annotator=tab-zoe") as response:
                assert response.status == 200
                page = await response.text()
            match = re.search(r'data-session-websocket-url="([^"]+)"', page)
            assert match is not None
            socket_url = match.group(1)
            async with session.ws_connect(
                f"{socket_url}?width=120&height=30", headers={"Origin": base}
            ) as websocket:
                seen = await _screen_bytes(websocket, b"tab-zoe")
            assert b"tab-zoe" in seen  # the app's header: "redline — tab-zoe · redline.db"
            assert b"server-ann" not in seen
            with pytest.raises(aiohttp.WSServerHandshakeError):  # a ticket is good once
                await session.ws_connect(socket_url, headers={"Origin": base})


CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # loopback only
    "--remote-debugging-port=0",
    "--window-size=1280,800",
]


class DevTools:
    """A minimal Chrome DevTools Protocol client over aiohttp (no extra dependency)."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.next_id = 0
        self.events: list[dict[str, object]] = []

    async def call(self, method: str, **params: object) -> dict[str, object]:
        self.next_id += 1
        ident = self.next_id
        await self.websocket.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await self.websocket.receive_json()
            if message.get("id") == ident:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    async def wait_for(self, found: Callable[[], bool], seconds: float = 60) -> None:
        """Collect events until ``found()`` holds."""
        async with asyncio.timeout(seconds):
            while not found():
                self.events.append(await self.websocket.receive_json())

    def frames(self) -> bytes:
        """Everything the page's WebSockets received so far."""
        data = b""
        for event in self.events:
            if event.get("method") == "Network.webSocketFrameReceived":
                response = event["params"]["response"]  # type: ignore[index]
                payload = response["payloadData"]
                data += base64.b64decode(payload) if response["opcode"] == 2 else payload.encode()
        return data

    def drawn(self) -> str:
        """The text the page's terminal was sent, without escape sequences."""
        return TERMINAL_CODES.sub(b"", self.frames()).decode("utf-8", "replace")


TERMINAL_CODES = re.compile(rb"\x1b\[[0-9;?$<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[int]:
    """Headless Chromium with a DevTools port on 127.0.0.1; yields the port."""
    assert CHROMIUM is not None
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and active.read_text().strip()):
            assert time.monotonic() < deadline and process.poll() is None, "chromium did not start"
            time.sleep(0.1)
        yield int(active.read_text().split()[0])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _page(session: aiohttp.ClientSession, port: int) -> DevTools:
    async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
        targets = await response.json()
    page = next(target for target in targets if target["type"] == "page")
    devtools = DevTools(await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0))
    await devtools.call("Network.enable")
    await devtools.call("Page.enable")
    return devtools


async def _body_text(devtools: DevTools) -> str:
    result = await devtools.call(
        "Runtime.evaluate", expression="document.body ? document.body.innerText : ''"
    )
    return str(result["result"]["value"])  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_a_browser_opens_the_tokenized_url_and_sees_the_library(
    served_database: Path, tmp_path: Path
) -> None:
    with serve_process(served_database) as (url, _), chromium(tmp_path / "profile") as port:
        async with aiohttp.ClientSession() as session:
            devtools = await _page(session, port)
            await devtools.call("Page.navigate", url=url.split("?", 1)[0])  # no token
            await devtools.wait_for(lambda: any(
                event.get("method") == "Page.loadEventFired" for event in devtools.events
            ))  # fmt: skip
            assert "printed on start" in await _body_text(devtools)

            await devtools.call("Page.navigate", url=f"{url}&annotator=browser-bea")
            # The library of the sample article, drawn by the tab's own app (as browser-bea).
            await devtools.wait_for(
                lambda: "browser-bea" in devtools.drawn() and "Kazakhstan" in devtools.drawn()
            )
            connected = await devtools.call(
                "Runtime.evaluate",
                expression="document.querySelector('#terminal').classList.contains('-connected')",
            )
            assert connected["result"]["value"] is True  # type: ignore[index]
            shot = await devtools.call("Page.captureScreenshot", format="png")
            (tmp_path / "browser.png").write_bytes(base64.b64decode(str(shot["data"])))
            await devtools.websocket.close()


KEYS = {
    "enter": {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
    "1": {"key": "1", "code": "Digit1", "windowsVirtualKeyCode": 49, "text": "1"},
}


async def _press(devtools: DevTools, key: str) -> None:
    """One key press in the page, as the keyboard would send it (CDP Input.dispatchKeyEvent)."""
    event = KEYS[key]
    await devtools.call("Input.dispatchKeyEvent", type="keyDown", **event)
    await devtools.call(
        "Input.dispatchKeyEvent", type="keyUp", **{k: v for k, v in event.items() if k != "text"}
    )


def _stored_spans(db_path: Path, annotator: str) -> list[tuple[str, str, str]]:
    database = open_db(str(db_path))
    try:
        return [
            (span.text, span.label, span.status)
            for article in queries.article_ids(database)
            for span in queries.spans_for(database, article, annotator)
        ]
    finally:
        database.dispose()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
async def test_a_browser_tags_a_span_by_keyboard_as_its_annotator(
    served_database: Path, tmp_path: Path
) -> None:
    # Suggestions off: the span the test finds is the one typed in the page, nothing else.
    schema = tmp_path / "redline.toml"
    schema.write_text("[suggest]\non_open = false\n", encoding="utf-8")
    served = serve_process(served_database, schema=schema)
    with served as (url, _), chromium(tmp_path / "profile") as port:
        async with aiohttp.ClientSession() as session:
            devtools = await _page(session, port)
            await devtools.call("Page.navigate", url=f"{url}&annotator=web-wen")
            await devtools.wait_for(
                lambda: "web-wen" in devtools.drawn() and "Kazakhstan" in devtools.drawn()
            )
            focus = "document.querySelector('#terminal textarea').focus()"
            await devtools.call("Runtime.evaluate", expression=focus)
            await _press(devtools, "enter")  # open the article under the cursor
            await devtools.wait_for(lambda: "ASTANA" in devtools.drawn())
            await devtools.wait_for(lambda: "web-wen" in devtools.drawn().rsplit("ASTANA", 1)[1])
            await _press(devtools, "1")  # label the word under the cursor PERSON
            deadline = time.monotonic() + 30
            while not _stored_spans(served_database, "web-wen"):
                assert time.monotonic() < deadline, devtools.drawn()[-2000:]
                await asyncio.sleep(0.3)
            assert _stored_spans(served_database, "web-wen") == [("ASTANA", "PERSON", "accepted")]
            assert _stored_spans(served_database, "server-ann") == []  # not the server's name
            await devtools.websocket.close()
