"""Every dashboard page at a township view: no heading with nothing under it (a map
heading where villages have no map, a ranking heading over nothing), no zeros with green arrows
(a change without a base is a grey "—"), 不适用 where the figure is not defined (job fairs)."""
import re

import pytest

from lib.i18n import t
from lib.ui import nav
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

TOWNSHIP = "350111100000"  # 鼓山镇, 晋安区
# every page of the navigation that shows figures (upload, admin and account show none)
PAGES = [p.path for p in nav.PAGES if p.url_path not in ("upload", "admin", "account")]
HEADINGS = {"header", "subheader"}
NO_CHANGE = re.compile(r"^(—|0\.0 ?(pp|%))")


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


def flat(node) -> list:
    """The main area's elements in page order (containers and columns opened)."""
    out = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", "") in ("flex_container", "column", "vertical", "horizontal",
                                          "expandable", "tab", "form") or \
                type(child).__name__ in ("Block", "Column", "Tab", "Expander", "Form"):
            out += flat(child)
        else:
            out.append(child)
    return out


def check_page(at, page: str) -> None:
    assert not at.exception, at.exception
    elements = flat(at.main)
    kinds = [getattr(e, "type", type(e).__name__) for e in elements]
    for i, kind in enumerate(kinds):
        if kind in HEADINGS:
            after = kinds[i + 1] if i + 1 < len(kinds) else None
            # the frame's divider and footer follow every page: a heading just before them is empty
            assert after not in HEADINGS | {"divider", None}, \
                f"{page}: heading {elements[i].value!r} has nothing under it"
    for m in at.metric:
        p = m.proto
        if NO_CHANGE.match(p.delta) or p.body == t("not_applicable", "zh"):
            # grey and without an arrow: no green ↑ beside "—" or "0.0 pp"
            assert p.color == p.MetricColor.GRAY and p.direction == p.MetricDirection.NONE, \
                f"{page}: {p.label} {p.body} {p.delta} coloured {p.color} {p.direction}"


@pytest.mark.parametrize("page", PAGES)
def test_township_view_has_no_empty_headings_or_green_zeros(demo_engine, page):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(page, query={"region": TOWNSHIP})
        check_page(at, page)
        heads = [h.value for h in at.subheader]
        name = at.session_state["_filters"].region_name
        # villages have no geometry: no map heading at a township view
        assert t("map_title_township", "zh") not in heads and t("map_title", "zh") not in heads
        if page == "views/overview.py":
            cards = {m.label: m.value for m in at.metric}
            assert cards["提供岗位数"] == "不适用"  # fairs are held by districts
            assert any(c.value == t("villages_no_map", "zh") for c in at.caption)
        if page == "views/employment.py":
            assert {m.value for m in at.metric} == {"不适用"}
            assert any(c.value == t("fairs_held_above", "zh") for c in at.caption)
        if page == "views/screening.py":
            # screening is recorded per township: no map metric picker over nothing
            assert not [r for r in at.radio if r.key == "sc_metric"]
        # no one-row ranking of the township itself
        for frame in (d.value for d in at.dataframe):
            if t("col_region", "zh") in frame.columns:
                assert list(frame[t("col_region", "zh")]) != [name]


def test_rural_filter_job_fairs_not_applicable(demo_engine):
    """农村: fairs carry no urban/rural class, so the employment cards say 不适用, not 0."""
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page("views/employment.py", query={"region": "350111000000", "area": "rural"})
        check_page(at, "employment rural")
        assert {m.value for m in at.metric} == {"不适用"}
        assert any(c.value == t("fairs_not_split", "zh") for c in at.caption)
        # the same district without the filter shows its fairs
        at = run_page("views/employment.py", query={"region": "350111000000"})
        check_page(at, "employment")
        assert "不适用" not in {m.value for m in at.metric}
        assert int(at.metric[0].value.replace(",", "")) > 0
