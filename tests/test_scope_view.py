"""The scope travels with the view (Filters.scope) and is bound to the query boundary.

A 晋安区 viewer's trend charts used to carry the city's 'parent average' (in the chart data and the
PNG download) because the parent prefix was looked up without the user's scope. Now the comparison is
left out with a caption saying why, a query for a region outside the session's scope raises instead
of answering, and the freshness footer only counts batches with rows inside the scope.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest

from lib.i18n import t
from lib.warehouse import queries as q
from lib.warehouse.loading import load_batch
from lib.warehouse.scope import Scope
from tests.conftest import BACKENDS
from tests.test_scope_app import engine, session, users_  # noqa: F401  (fixtures: the city demo)

PARENT_AVG = t("parent_avg", "zh")
NOTE = t("parent_out_of_scope", "zh")
TREND_PAGES = ["views/training.py", "views/screening.py", "views/coverage.py"]


def chart_series(at) -> set[str]:
    """Every value of a 'series' field in the chart data the browser receives (inline spec
    datasets and Arrow data sets alike)."""
    found: set[str] = set()
    for el in at.get("vega_lite_chart"):
        proto = el.proto
        spec = json.loads(proto.spec)
        for rows in (spec.get("datasets") or {}).values():
            found |= {str(r["series"]) for r in rows if "series" in r}
        if isinstance(spec.get("data"), dict):
            found |= {str(r["series"]) for r in spec["data"].get("values", []) if "series" in r}
        blobs = [d.data.data for d in proto.datasets]
        if proto.HasField("data"):
            blobs.append(proto.data.data)
        for blob in blobs:
            if blob:
                frame = pa.ipc.open_stream(blob).read_pandas()
                if "series" in frame.columns:
                    found |= set(frame["series"].astype(str))
    return found


@pytest.mark.parametrize("page", TREND_PAGES)
def test_district_user_gets_no_city_average(engine, users_, session, page):  # noqa: F811
    vera = session("vera")
    at = vera.switch(page)
    assert not at.exception, at.exception
    assert vera.filters.region_code == "350111000000" and vera.filters.scope == "350111"
    series = chart_series(at)
    assert t("this_region", "zh") in series  # the trend is drawn, and read here
    assert PARENT_AVG not in series and not any("福州" in s for s in series)
    assert any(NOTE in c.value for c in at.caption)


@pytest.mark.parametrize("page", TREND_PAGES)
def test_city_admin_and_township_view_keep_the_comparison(engine, users_, session, page):  # noqa: F811
    # the same district view for the city's admin carries the city average: the check above can fail
    root = session("root", query={"region": "350111000000"})
    at = root.switch(page)
    assert not at.exception
    assert PARENT_AVG in chart_series(at) or "福州市" in chart_series(at)
    assert not any(NOTE in c.value for c in at.caption)
    # a township of the viewer's own district is compared with the district (inside the scope)
    vera = session("vera", query={"region": "350111100000"})
    at = vera.switch(page)
    assert not at.exception
    if page != "views/coverage.py":
        assert PARENT_AVG in chart_series(at)
    assert not any(NOTE in c.value for c in at.caption)


def test_a_query_outside_the_bound_scope_raises():
    """The query boundary refuses a region outside the session's scope, whatever a page passes."""
    from streamlit.testing.v1 import AppTest

    def app():
        import datetime as dt

        import streamlit as st

        from lib.ui import data
        from lib.warehouse.scope import Scope, ScopeError

        data.bind_scope(Scope("350111"))
        for name, args in (("facts", ("training", "3501", dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
                           ("org_counts", ("350102", dt.date(2024, 1, 1))),
                           ("freshness", (Scope.everything(),)),
                           ("targets_assess", ("350100000000",)),
                           ("targets_children", (("350111100000", "350102001000"),))):
            try:
                data.check_scope(name, args)
                st.write(f"ALLOWED {name}")
            except ScopeError:
                st.write(f"REFUSED {name}")
        data.check_scope("facts", ("training", "350111001", dt.date(2024, 1, 1), dt.date(2024, 1, 2)))
        data.check_scope("targets_children", (("350111100000",),))
        st.write("INSIDE OK")

    at = AppTest.from_function(app).run()
    assert not at.exception, at.exception
    said = [m.value for m in at.markdown]
    assert said == [f"REFUSED {n}" for n in ("facts", "org_counts", "freshness", "targets_assess",
                                             "targets_children")] + ["INSIDE OK"]


def test_a_query_before_any_scope_is_bound_fails_closed():
    from streamlit.testing.v1 import AppTest

    def app():
        import datetime as dt

        import streamlit as st

        from lib.ui import data
        from lib.warehouse.scope import ScopeError

        try:
            data.check_scope("facts", ("training", "350111", dt.date(2024, 1, 1),
                                       dt.date(2024, 1, 2)))
            st.write("ALLOWED")
        except ScopeError as exc:
            st.write(f"REFUSED {exc}")

    at = AppTest.from_function(app).run()
    assert [m.value for m in at.markdown] == ["REFUSED query facts ran before a scope was bound"]


def _training(session_id: str, region: str, participants: int) -> pd.DataFrame:
    return pd.DataFrame([{"session_id": session_id, "region_code": region,
                          "held_on": dt.date(2026, 3, 5), "topic": "policy",
                          "audience": "exec_member", "mode": "offline",
                          "participants": participants, "hours": 2.0}])


@pytest.fixture(params=BACKENDS)
def empty(request, tmp_path, _templates):
    """A warehouse with regions and no facts (``engine`` here is the city demo's)."""
    eng, _url, drop = _templates.open(request.param, tmp_path)
    yield eng
    drop()


def test_freshness_counts_only_batches_inside_the_scope(empty):
    load_batch(empty, {"training": _training("GL-1", "350102001000", 30)}, user="gl",
               filename="gulou.csv", scope=Scope.everything())
    assert set(q.freshness(empty, Scope("350102"))["dataset"]) == {"training"}
    assert q.freshness(empty, Scope("350111")).empty  # 鼓楼区's upload is not 晋安区's news
    assert len(q.freshness(empty, Scope.everything())) == 1
    load_batch(empty, {"training": _training("JA-1", "350111100000", 12)}, user="ja",
               filename="jinan.csv", scope=Scope.everything())
    mine = q.freshness(empty, Scope("350111"))
    assert list(mine["dataset"]) == ["training"] and len(mine) == 1
