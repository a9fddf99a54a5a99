"""In the browser: every websocket frame a 晋安区 viewer's Chromium receives.

The same probe as tests/test_scope_leak.py (the 鼓楼区 probe ≈ 9.9 亿, 泄露探针, a 鼓楼区 account
and display link; a few 晋安区 rows instead of the demo city, to keep the test near a minute)
behind a real ``streamlit run`` with auth on. The viewer signs in through the login form and opens
every dashboard page from the navigation (meeting mode last: it hides the sidebar). Every frame
the server sends is a ForwardMsg protobuf: each is decoded and read by the same walker as the
AppTest variant (Vega-Lite datasets, Arrow tables, deck.gl JSON, widget options …) and also
searched byte-wise for the probe's decimal spellings, 鼓楼区's code and the probe's names (what a
decoder might miss, the raw bytes still show).
"""
from __future__ import annotations

import datetime as dt
import time

from lib.i18n import t
from tests import leak_util as L
from tests.browser_util import browser_page, require_browser, streamlit_process
from tests.test_auth import PW

TODAY = dt.date(2026, 11, 30)
USERS = {"vera": ("viewer", L.JINAN)}
# navigation titles of the dashboard pages, meeting mode last (its CSS hides the sidebar)
PAGES = [("page_coverage", "coverage"), ("page_training", "training"),
         ("page_employment", "employment"), ("page_screening", "screening"),
         ("page_targets", "targets"), ("page_account", "account"), ("page_meeting", "meeting")]
RAW_NEEDLES = [form.encode() for form in L.PROBE_FORMS] + [
    L.GULOU.encode(), L.PROBE_ORG.encode(), L.PROBE_ACCOUNT.encode(), L.PROBE_LINK.encode(),
    "鼓楼".encode()]


def _idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script run finished (Streamlit's running indicator gone for a moment)."""
    deadline = time.time() + timeout_ms / 1000
    calm_since = None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since > 1.2:
            return
        page.wait_for_timeout(200)
    raise TimeoutError("the page kept running")


def _frames_report(frames: list[bytes], rules: L.ScopeRules) -> tuple[list[str], L.Harvest]:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    problems: list[str] = []
    harvest = L.Harvest()
    for i, payload in enumerate(frames):
        for needle in RAW_NEEDLES:
            if needle in payload:
                at = payload.index(needle)
                problems.append(f"frame {i}: raw bytes contain {needle.decode()!r}: "
                                f"…{payload[max(0, at - 60):at + 60]!r}…")
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception as exc:  # noqa: BLE001 - an undecodable frame is itself reported
            problems.append(f"frame {i}: not a ForwardMsg ({exc})")
            continue
        L.walk_proto(msg, f"frame{i}:{msg.WhichOneof('type')}", harvest)
    problems += harvest.unread
    problems += [str(x) for x in L.find_leaks(harvest.items, rules)]
    return problems, harvest


def test_jinan_viewer_websocket_frames_carry_nothing_outside_scope(tmp_path):
    require_browser()
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from lib.warehouse.queries import regions_table

    url = f"duckdb:///{tmp_path / 'leak.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    # Without the demo city: a few 晋安区 rows draw every chart of the district (the probe and the
    # pages' code paths are the same), and the cold page runs stay short enough for ~60 s.
    L.plant(engine, USERS, PW, today=TODAY, gulou_village="350102001001", demo=False)
    rules = L.rules_for(regions_table(engine), L.SCOPE)
    dispose_engine(url)  # the server process opens the file
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "", "HALFSKY_TODAY": TODAY.isoformat()}
    frames: list[bytes] = []
    visited: list[str] = []
    with streamlit_process(env) as server, browser_page() as page:
        def on_ws(ws) -> None:
            ws.on("framereceived", lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()))
        page.on("websocket", on_ws)
        page.goto(server.url)
        page.get_by_label("用户名", exact=True).fill("vera", timeout=60_000)
        page.get_by_label("密码", exact=True).fill(PW)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
        _idle(page)
        assert page.get_by_text("页面出错了").count() == 0, server.log()[-3000:]
        visited.append("overview")
        for key, path in PAGES:
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
            page.wait_for_url(f"**/{path}*", timeout=30_000)
            # meeting mode's heading is the slide's title; every other page's is its own title
            page.wait_for_selector(".m-count" if path == "meeting" else
                                   f'h1:has-text("{t(key, "zh")}")', timeout=60_000)
            _idle(page)
            visited.append(path)
            # a failing page shows a plain message (lib/ui/page_errors), not a leak-free page
            assert page.get_by_text("页面出错了").count() == 0, (path, server.log()[-3000:])
        assert page.locator('[data-testid="stException"]').count() == 0, server.log()[-3000:]
    assert len(visited) == len(PAGES) + 1
    problems, harvest = _frames_report(frames, rules)
    # the decoder reads what the district's pages really show: its name, its fairs' 800 positions
    # (a KPI and Arrow data), so a clean result is not a blind one
    assert len(harvest.items) > 1000, f"only {len(harvest.items)} values read from {len(frames)}"
    assert any("晋安区" in (x.text or "") for x in harvest.items)
    assert any(x.number == 800 for x in harvest.items)
    assert any("晋安区".encode() in f for f in frames)
    assert not problems, f"{len(problems)} leak(s) in the frames a 晋安区 viewer received:\n" + \
        "\n".join(problems[:40])
