"""The dashboards' and meeting slides' monthly trends, as the page hands them to the browser: a
month with no record is a 0 point once the ledger holds a record, never a line drawn across it."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.apptest_util import app_env, run_page
from tests.test_app import _url

TOWN = "350111001000"  # a township of 晋安区


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


def _load_training(engine, days: list[str]) -> None:
    from lib.warehouse.loading import load_batch
    from lib.warehouse.scope import Scope

    frame = pd.DataFrame([{"session_id": f"s-{i}", "region_code": TOWN, "held_on": pd.Timestamp(d),
                           "topic": "policy", "audience": "exec_member", "mode": "offline",
                           "participants": 10 * (i + 1), "hours": 2.0}
                          for i, d in enumerate(days)])
    load_batch(engine, {"training": frame}, filename="training.csv", user="test",
               scope=Scope.everything())


def _rows(el) -> list[dict]:
    """Every data row of a chart as Streamlit sent it (its datasets travel as Arrow tables)."""
    import pyarrow as pa

    out = []
    for d in el.proto.datasets:
        table = pa.ipc.open_stream(d.data.data).read_all().to_pandas()
        out += table.to_dict("records")
    return out


def _points(at, field: str) -> dict[str, float]:
    """month → value of the view's own line in the page's first chart with ``field``."""
    for el in at.get("vega_lite_chart"):
        rows = [r for r in _rows(el) if field in r and r.get("series") in ("本地区", None)]
        if rows:
            return {f"{pd.Timestamp(r['month']):%Y-%m}": r[field] for r in rows}
    raise AssertionError("no chart with " + field)


def test_training_trend_has_a_zero_for_a_month_without_sessions(engine):
    _load_training(engine, ["2026-02-10", "2026-04-12", "2026-06-03"])
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/training.py", query={"region": TOWN[:6] + "000000",
                                                  "from": "2026-02", "to": "2026-06"})
    assert not at.exception, at.exception
    # March and May: the ledger holds records, and none were held those months
    assert _points(at, "participants") == {"2026-02": 10, "2026-03": 0, "2026-04": 20,
                                           "2026-05": 0, "2026-06": 30}


def test_meeting_trend_has_a_zero_for_a_month_without_sessions(engine):
    _load_training(engine, ["2026-02-10", "2026-04-12", "2026-06-03"])
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/meeting.py", query={"region": TOWN[:6] + "000000",
                                                 "from": "2026-02", "to": "2026-06"})
        for _ in range(2):  # headline slide → coverage → training
            at.button(key="m_forward").click().run()
    assert not at.exception, at.exception
    rows = [r for el in at.get("vega_lite_chart") for r in _rows(el) if "value" in r]
    assert [r["value"] for r in rows[:5]] == [10, 0, 20, 0, 30]
