"""The sign-in cookie against other pages, in Chromium: a page on another port of the same host
(same-site, so the browser sends it the cookie) can neither read the dashboard through the app's
websocket nor sign the browser out, and someone's own one-time sign-in code sent to another
browser signs nobody in. The app's own pages keep working."""
from __future__ import annotations

import base64
import functools
import http.server
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from lib.auth import accounts
from lib.warehouse import bootstrap
from lib.warehouse.engine import dispose_engine
from tests.browser_util import browser_page, free_port, require_browser, streamlit_server
from tests.test_auth import PW

JINAN = "350111000000"
SIGNED_IN = "退出登录"  # the sidebar's button, drawn only for a signed-in account


def _fill_login(page, username: str) -> None:
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PW)
    page.get_by_role("button", name="登录").click()


def _signed_in(page) -> None:
    page.get_by_role("button", name=SIGNED_IN).wait_for(timeout=60_000)


def _at_login(page) -> None:
    page.get_by_label("密码", exact=True).wait_for(timeout=60_000)
    page.get_by_role("button", name=SIGNED_IN).wait_for(state="detached", timeout=15_000)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base)
    _at_login(page)
    _fill_login(page, username)
    _signed_in(page)
    page.wait_for_timeout(1500)  # the hand-off image has fetched the cookie


@contextmanager
def other_port_site(files: dict[str, str], folder: Path) -> Iterator[str]:
    """``files`` served by a plain HTTP server on another port of 127.0.0.1 (an attacker's page)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def warehouse(tmp_path):
    url = f"duckdb:///{tmp_path / 'origin.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "vera", PW, "viewer", JINAN)
    accounts.create_user(engine, "gulou", PW, "viewer", "350102000000")
    dispose_engine(url)  # the server process opens the file
    return url


ENV = {"HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1", "HALFSKY_AUTH": "",
       "HALFSKY_ALLOWED_ORIGINS": ""}


def _rerun_message() -> list[int]:
    """What Streamlit's own page sends first on its websocket: run the script."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    return list(msg.SerializeToString())


SOCKET_PAGE = """<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<script>
window.frames_in = []; window.socket_closed = null;
const ws = new WebSocket("ws://127.0.0.1:%(port)s/_stcore/stream", ["streamlit"]);
ws.binaryType = "arraybuffer";
ws.onopen = () => ws.send(new Uint8Array(%(rerun)s));
ws.onmessage = (e) => {
  const bytes = new Uint8Array(e.data); let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  window.frames_in.push(btoa(s));
};
ws.onclose = (e) => { window.socket_closed = e.code; };
</script>"""


def _texts(frames: list[str]) -> str:
    """Everything the server's messages carry, as readable text."""
    from google.protobuf import text_format

    return "\n".join(text_format.MessageToString(m, as_utf8=True) for m in _messages(frames))


def _messages(frames: list[str]) -> list:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for frame in frames:
        msg = ForwardMsg()
        msg.ParseFromString(base64.b64decode(frame))
        out.append(msg)
    return out


def _read_through_socket(page, site: str) -> str:
    """Everything the server sent the foreign page: read once the socket closed or the script's
    run finished (its elements stream until then), at most 60 s."""
    page.goto(f"{site}/socket.html")
    page.wait_for_function("window.frames_in.length > 0 || window.socket_closed !== null",
                           timeout=60_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if page.evaluate("window.socket_closed") is not None:
            break
        kinds = {m.WhichOneof("type") for m in _messages(page.evaluate("window.frames_in"))}
        if "script_finished" in kinds:
            break
        page.wait_for_timeout(200)
    return _texts(page.evaluate("window.frames_in"))


def test_a_page_on_another_port_cannot_read_the_dashboard(warehouse, tmp_path):
    require_browser()
    with streamlit_server({**ENV, "HALFSKY_DB_URL": warehouse}) as base, browser_page() as page:
        port = base.rsplit(":", 1)[1]
        _sign_in(page, base, "vera")
        files = {"socket.html": SOCKET_PAGE % {"port": port, "rerun": _rerun_message()}}
        with other_port_site(files, tmp_path / "site") as site:
            evil = page.context.new_page()
            seen = _read_through_socket(evil, site)
        for signed_in_only in (SIGNED_IN, "当前用户", "查看者", "组织覆盖"):  # account, menu
            assert signed_in_only not in seen, seen[max(0, seen.find(signed_in_only) - 600):][:1200]
        assert "用户名" in seen and "密码" in seen, seen[:2000]  # it got the login form only
        # the app's own pages still use the cookie: a new tab is signed in
        tab = page.context.new_page()
        tab.goto(base)
        _signed_in(tab)



def _caption_names(page, username: str) -> bool:
    return page.get_by_text(f"当前用户：{username}").count() > 0


def test_someone_elses_sign_in_code_signs_nobody_in(warehouse, tmp_path):
    """gulou keeps his own code (his browser never fetches it) and sends vera to it: from a page on
    another port, from another site, or as a link she pastes. Her browser stays hers; a browser
    signed in to nobody stays signed out."""
    require_browser()
    with streamlit_server({**ENV, "HALFSKY_DB_URL": warehouse}) as base, browser_page() as page:
        attacker = page.context.browser.new_context().new_page()
        codes: list[str] = []

        def keep_code(route) -> None:
            codes.append(route.request.url)
            route.abort()

        attacker.route("**/halfsky/session/start*", keep_code)
        _sign_in(attacker, base, "gulou")
        assert codes, "the sign-in asked for no cookie"
        code_url = codes[0]

        _sign_in(page, base, "vera")
        assert _caption_names(page, "vera")
        port = base.rsplit(":", 1)[1]
        go = f'<!doctype html><script>location.href = "{code_url}";</script>'
        with other_port_site({"go.html": go}, tmp_path / "site") as site:
            other_port = site
            other_site = site.replace("127.0.0.1", "localhost")  # another site altogether
            for start in (f"{other_port}/go.html", f"{other_site}/go.html", code_url):
                visit = page.context.new_page()
                visit.goto(start)
                visit.wait_for_url(lambda u: f":{port}/" in u, timeout=30_000)
                visit.wait_for_timeout(1000)
                visit.close()
                page.goto(base)
                _signed_in(page)
                assert _caption_names(page, "vera") and not _caption_names(page, "gulou"), start

            fresh = page.context.browser.new_context().new_page()
            fresh.goto(f"{other_port}/go.html")
            fresh.wait_for_url(lambda u: f":{port}/" in u, timeout=30_000)
            fresh.wait_for_timeout(1000)
            fresh.goto(base)
            _at_login(fresh)


def test_another_page_cannot_sign_the_browser_out(warehouse, tmp_path):
    """An image or a link to the sign-out route on another page changes nothing; the app's own
    退出登录 still signs out for good (a reload stays signed out)."""
    require_browser()
    with streamlit_server({**ENV, "HALFSKY_DB_URL": warehouse}) as base, browser_page() as page:
        _sign_in(page, base, "vera")
        end = f"{base}/halfsky/session/end"
        files = {"img.html": f'<!doctype html><img src="{end}"><p>hello</p>',
                 "go.html": f'<!doctype html><script>location.href = "{end}";</script>'}
        with other_port_site(files, tmp_path / "site") as site:
            for name in ("img.html", "go.html"):
                for origin in (site, site.replace("127.0.0.1", "localhost")):
                    visit = page.context.new_page()
                    visit.goto(f"{origin}/{name}")
                    visit.wait_for_timeout(1500)
                    visit.close()
                    page.reload()
                    _signed_in(page)
        page.get_by_role("button", name=SIGNED_IN).click()
        _at_login(page)
        page.reload()
        _at_login(page)
