"""Two app processes on one PostgreSQL warehouse (the multi-process deployment): a ledger
uploaded through process A's upload page shows on process B's training page on B's next rerun —
B is not restarted and nobody clears a cache, because every cache key holds the data version.

Needs PostgreSQL (HALFSKY_TEST_PG_URL; a fresh schema per run, dropped afterwards) and Debian's
Chromium (skipped without it, except under HALFSKY_REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil
import pytest
from sqlalchemy import Engine, func, select

from tests.browser_util import Server, browser_page, require_browser, streamlit_process
from tests.conftest import BACKENDS, PG_URL, _open

LEDGER = Path(__file__).parent / "fixtures_ingest" / "training_gbk_title_total.csv"
NO_EXCEPTION = '[data-testid="stException"]'
SESSIONS, PARTICIPANTS = "Training sessions", "Participants (visits)"  # KPI labels with lang=en
METRIC_JS = """
(olds) => {
  const shown = {};
  for (const m of document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')) {
    const name = m.querySelector('[data-testid="stMetricLabel"]');
    const value = m.querySelector('[data-testid="stMetricValue"]');
    if (name && value) shown[name.innerText.trim()] = value.innerText.trim();
  }
  return Object.entries(olds).every(([label, old]) => label in shown && shown[label] !== old);
}"""


@dataclass(frozen=True)
class Ledger:
    """What the fixture ledger adds, read without lib.ingest so the check does not trust it."""
    month: str  # YYYY-MM, the one month all its rows fall in
    sessions: int
    participants: int


@pytest.fixture
def pg_demo(tmp_path) -> Iterator[tuple[Engine, str]]:
    """The demo warehouse (seed 7) in a fresh PostgreSQL schema: (engine, schema), dropped after."""
    from lib import demo

    if "postgresql" not in BACKENDS:
        pytest.skip("HALFSKY_TEST_PG_URL is not set")
    engine, url, drop = _open("postgresql", tmp_path)
    demo.build_demo(engine, seed=7)
    yield engine, url.split("#schema=", 1)[1]
    drop()


def read_ledger(path: Path) -> Ledger:
    """The data rows between the header line and the 合计 row of the GBK training ledger."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"))))
    start = next(i for i, row in enumerate(rows) if "参训人次" in row)
    header = rows[start]
    body = []
    for row in rows[start + 1:]:
        if row[0].startswith("合计"):
            break
        body.append(dict(zip(header, row)))
    months = {_month_of(row["培训日期"]) for row in body}
    assert len(months) == 1, f"the ledger spans several months: {months}"
    return Ledger(month=months.pop(), sessions=len(body),
                  participants=sum(int(row["参训人次"].replace(",", "")) for row in body))


def _month_of(text: str) -> str:
    """2024/3/5, 2024年3月6日 and 2024-03-18 all name a year and a month first."""
    year, month = re.match(r"(\d{4})\D+(\d{1,2})", text).groups()
    return f"{year}-{int(month):02d}"


def sessions_in_month(engine: Engine, month: str) -> int:
    """Training sessions the warehouse holds for ``month`` (the whole city): B's KPI must match."""
    from lib.warehouse import schema as s

    first = dt.date.fromisoformat(f"{month}-01")
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    held = s.training_session.c.held_on
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(s.training_session)
                            .where(held >= first, held < nxt)).scalar_one()


def kpi(page, label: str) -> int:
    """The KPI card's value (lang=en shows counts below a million in full, e.g. 12,345)."""
    card = page.locator('[data-testid="stMain"] [data-testid="stMetric"]').filter(
        has=page.get_by_text(label, exact=True))
    return int(card.locator('[data-testid="stMetricValue"]').inner_text().strip().replace(",", ""))


def wait_until_changed(page, olds: dict[str, int], timeout_ms: int = 60_000) -> dict[str, int]:
    """Wait until every KPI named in ``olds`` shows something other than its old value and return
    what they show; when that never happens, return what they show then and leave the verdict to
    the caller's assertion."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(METRIC_JS, arg={k: f"{v:,}" for k, v in olds.items()},
                               timeout=timeout_ms)
    except PlaywrightTimeout:
        pass
    return {label: kpi(page, label) for label in olds}


def listening_pid(server: Server) -> int | None:
    """The PID of the process that listens on the server's port (None when nobody does)."""
    for proc in psutil.process_iter():
        try:
            conns = proc.net_connections(kind="tcp")
        except (psutil.AccessDenied, psutil.NoSuchProcess):
            continue
        if any(c.status == psutil.CONN_LISTEN and c.laddr.port == server.port for c in conns):
            return proc.pid
    return None


def upload_through(page, ledger_path: Path, ledger: Ledger) -> None:
    """Preview → dry run → confirm on the upload page (already open), as test_upload_browser does."""
    page.wait_for_selector("text=导入批次", timeout=60_000)
    page.locator(".st-key-up_file input[type=file]").set_input_files(str(ledger_path))
    # all rows new: the increase on B is exactly the ledger's rows, not an update of demo rows
    page.wait_for_selector(f"text=试运行：新增 {ledger.sessions} 行", timeout=60_000)
    page.locator(".st-key-up_confirm button").click()
    success = page.locator('[data-testid="stAlertContentSuccess"]').first
    success.wait_for(timeout=60_000)
    assert "已写入批次" in success.inner_text()


def test_upload_on_one_process_shows_on_the_other(pg_demo):
    require_browser()
    engine, schema = pg_demo
    ledger = read_ledger(LEDGER)
    assert ledger.sessions > 0 and ledger.participants > 0  # else "changed" could never show
    env = {"HALFSKY_DB_URL": PG_URL, "HALFSKY_DB_SCHEMA": schema, "HALFSKY_NO_DEMO": "1",
           "HALFSKY_AUTH": "off"}
    with ExitStack() as stack:
        a = stack.enter_context(streamlit_process(env))
        b = stack.enter_context(streamlit_process(env))
        page_b = stack.enter_context(browser_page(height=1400))
        page_a = page_b.context.browser.new_page(viewport={"width": 1400, "height": 2000})
        errors: list[str] = []
        for page in (page_a, page_b):
            page.on("pageerror", lambda e: errors.append(str(e)))

        page_a.goto(f"{a.url}/upload")  # A draws its first page while B draws its own
        page_b.goto(f"{b.url}/training?from={ledger.month}&to={ledger.month}&lang=en")
        page_b.wait_for_selector(f"text={SESSIONS}", timeout=90_000)
        sessions_before, participants_before = kpi(page_b, SESSIONS), kpi(page_b, PARTICIPANTS)
        assert sessions_before == sessions_in_month(engine, ledger.month)
        pid_b = listening_pid(b)
        assert pid_b == b.proc.pid

        upload_through(page_a, LEDGER, ledger)
        assert sessions_in_month(engine, ledger.month) == sessions_before + ledger.sessions

        # B, untouched so far, still shows the old figures; its next rerun shows the new ones
        assert kpi(page_b, SESSIONS) == sessions_before
        page_b.locator("body").press("r")  # Streamlit's rerun key: same session, same process
        after = wait_until_changed(page_b, {SESSIONS: sessions_before,
                                            PARTICIPANTS: participants_before})
        assert after == {SESSIONS: sessions_before + ledger.sessions,
                         PARTICIPANTS: participants_before + ledger.participants}, b.log()[-4000:]
        assert b.proc.poll() is None and listening_pid(b) == pid_b  # B was never restarted
        assert page_a.locator(NO_EXCEPTION).count() == 0
        assert page_b.locator(NO_EXCEPTION).count() == 0
        assert not errors, errors
