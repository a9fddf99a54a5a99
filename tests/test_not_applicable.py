"""不适用 instead of 0 where a figure is not defined, and no coloured change without a base:
the pure rules of lib/metrics/cards, without Streamlit."""
import pandas as pd
import pytest

from lib.metrics.cards import APPLIES, card, change, figure_applies, share_applies
from lib.metrics.compute import villages
from lib.metrics.overview import headlines


@pytest.mark.parametrize("dataset, level, area, rows, applies, reason", [
    # job fairs are held by districts: a township without fairs of its own has no such figure
    ("job_fair", "township", None, 0, False, "na_held_above"),
    ("job_fair", "village", None, 0, False, "na_held_above"),
    # a township that did hold a fair shows it
    ("job_fair", "township", None, 3, True, ""),
    # fairs carry no urban/rural class: under a filter, with nothing left, not a zero
    ("job_fair", "district", "rural", 0, False, "na_not_split"),
    ("job_fair", "city", "urban", 0, False, "na_not_split"),
    # a district with no fairs in the period: a real zero
    ("job_fair", "district", None, 0, True, ""),
    # township-level datasets are split urban/rural and exist at every view
    ("screening", "township", "rural", 0, True, ""),
    ("training", "township", None, 0, True, ""),
])
def test_figure_applies(dataset, level, area, rows, applies, reason):
    a = figure_applies(dataset, level=level, area=area, rows=rows)
    assert (a.applies, a.reason) == (applies, reason)


def test_share_applies_only_with_a_denominator():
    assert share_applies(12) == APPLIES
    for units in (0, 0.0, None, float("nan")):
        a = share_applies(units)
        assert not a.applies and a.reason == "na_no_units"


def test_not_applicable_card_says_so_without_colour_or_arrow():
    na = figure_applies("job_fair", level="township", area=None, rows=0)
    c = card("提供岗位数", 0.0, 0.0, "count", "zh", applies=na)
    assert c.value == "不适用" and c.delta == "由区（县）举办"
    assert (c.delta_color, c.delta_arrow) == ("off", "off")
    assert card("Positions offered", 0.0, 0.0, "count", "en", applies=na).value == "n/a"


@pytest.mark.parametrize("now, before, unit", [
    (0.0, 0.0, "count"),        # zeros: no base for a relative change
    (120.0, 0.0, "count"),      # nothing last year
    (0.5, float("nan"), "percent"),
    (float("nan"), 0.4, "percent"),
    (10.0, None, "count"),
])
def test_change_without_a_base_is_a_grey_dash(now, before, unit):
    c = card("x", now, before, unit, "zh")
    assert c.delta == "— 较上年同期"
    assert (c.delta_color, c.delta_arrow) == ("off", "off")


def test_zero_change_is_grey_and_real_changes_keep_their_colour():
    flat = card("覆盖率", 0.91, 0.91, "percent", "zh")
    assert flat.delta == "0.0 pp 较上年同期" and flat.delta_color == "off"
    assert card("人次", 1000.0, 1000.2, "count", "zh").delta_color == "off"  # rounds to 0.0%
    up = card("人次", 1200.0, 1000.0, "count", "zh")
    assert up.delta == "+20.0% 较上年同期" and (up.delta_color, up.delta_arrow) == ("normal", "auto")
    # a falling abnormal rate is good news: inverse colour
    down = card("异常检出率", 0.04, 0.05, "percent", "en", direction="down")
    assert down.delta == "-1.0 pp vs last year" and down.delta_color == "inverse"
    assert card("x", 0.5, None, "percent", "zh", compare=False).delta is None


def test_change_units():
    assert change(0.6, 0.5, "percent") == pytest.approx(0.1)
    assert change(150, 100, "count") == pytest.approx(0.5)
    assert pd.isna(change(1, 0, "count"))


def _cov(rows):
    return pd.DataFrame(rows, columns=["child", "area", "org_type", "villages", "with_org",
                                       "effective"])


def test_villages_counts_each_village_class_once():
    cov = _cov([("", "rural", "village_federation", 8, 8, 5),
                ("", "rural", "community_federation", 8, 0, 0)])
    assert villages(cov) == 8 and villages(cov, "rural") == 8 and villages(cov, "urban") == 0
    assert villages(_cov([])) == 0


def _facts(n, positions):
    return pd.DataFrame({"child": [""] * (1 if n else 0), "n": [n] * (1 if n else 0),
                         "positions": [positions] * (1 if n else 0),
                         "participants": [positions] * (1 if n else 0),
                         "screened": [positions] * (1 if n else 0)})


def test_headlines_at_a_township_mark_fairs_not_applicable():
    cov = _cov([("", "rural", "village_federation", 8, 8, 5),
                ("", "rural", "community_federation", 8, 0, 0)])
    some, none = (_facts(3, 100), _facts(3, 90)), (_facts(0, 0), _facts(0, 0))
    heads = {h.code: h for h in headlines(cov, cov, some, none, some, level="township")}
    assert not heads["employment.positions"].applies.applies
    assert heads["training.participants"].applies.applies
    assert heads["screening.screened"].applies.applies
    assert heads["coverage.federation"].applies.applies
    # urban filter in a township of villages only: the coverage share has no denominator
    urban = {h.code: h for h in headlines(cov, cov, some, none, some, area="urban",
                                          level="township")}
    assert urban["coverage.federation"].applies.reason == "na_no_units"
    # without a level (older callers) every headline applies, as before
    assert all(h.applies.applies for h in headlines(cov, cov, some, none, some))


def test_an_empty_roster_is_no_data_not_zero_coverage():
    """Villages but not one organisation in the view: the roster was not uploaded there."""
    a = share_applies(12, 0)
    assert (a.applies, a.reason, a.shown) == (False, "na_no_roster", "no_data")
    assert share_applies(12, 3) == APPLIES and share_applies(12, None) == APPLIES
    assert share_applies(0, 0).reason == "na_no_units"  # no villages at all: still 不适用
    c = card("村（社区）妇联覆盖率", 0.0, 0.0, "percent", "zh", applies=a)
    assert (c.value, c.delta) == ("暂无数据", "尚未上传组织名册")
    assert (c.delta_color, c.delta_arrow) == ("off", "off")
    assert card("x", 0.0, 0.0, "percent", "en", applies=a).value == "No data"
    empty = _cov([("", "rural", "village_federation", 8, 0, 0),
                  ("", "urban", "community_federation", 4, 0, 0)])
    some = (_facts(3, 100), _facts(3, 90))
    heads = {h.code: h for h in headlines(empty, empty, some, some, some, level="district")}
    assert heads["coverage.federation"].applies.reason == "na_no_roster"
    # one organisation anywhere in the view: a real (low) coverage, shown as a number
    one = _cov([("", "rural", "village_federation", 8, 1, 0),
                ("", "urban", "community_federation", 4, 0, 0)])
    heads = {h.code: h for h in headlines(one, one, some, some, some, area="urban",
                                          level="district")}
    assert heads["coverage.federation"].applies.applies


def test_pages_without_a_roster_say_no_data(engine):
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        for page in ("views/overview.py", "views/coverage.py"):
            at = run_page(page, query={"region": "350111000000"})
            assert not at.exception, at.exception
            cards = {m.label: m.value for m in at.metric}
            shares = [v for k, v in cards.items() if "覆盖率" in k]
            assert shares and all(v == "暂无数据" for v in shares), (page, cards)
            if page == "views/coverage.py":  # no ranking of nine townships without a roster
                assert any("暂无可排名的数据" in c.value for c in at.caption)
                assert not [d for d in at.dataframe if "排名" in d.value.columns]


def test_a_child_without_a_roster_has_no_coverage_value():
    from lib.metrics.compute import coverage

    cov = _cov([("A", "rural", "village_federation", 8, 6, 5),
                ("A", "rural", "womens_home", 8, 0, 0),
                ("B", "rural", "village_federation", 5, 0, 0),
                ("B", "rural", "womens_home", 5, 0, 0),
                ("C", "rural", "village_federation", 4, 0, 0),
                ("C", "rural", "womens_home", 4, 2, 2)])
    per = coverage(cov, ("village_federation",), by_child=True).set_index("child")
    assert per.at["A", "value"] == pytest.approx(6 / 8)
    assert pd.isna(per.at["B", "value"])            # nothing at all in B's roster
    assert per.at["C", "value"] == 0.0               # C has a roster: 0 federations is a finding
    assert coverage(cov, ("village_federation",)) == pytest.approx(6 / 17)


def test_a_dataset_never_uploaded_is_no_data_not_zero():
    a = figure_applies("training", level="district", area=None, rows=0, uploaded=False)
    assert (a.applies, a.reason, a.shown) == (False, "na_not_uploaded", "no_data")
    assert card("参训人次", 0.0, 0.0, "count", "zh", applies=a).value == "暂无数据"
    # rows in the period: uploaded or not is never asked
    assert figure_applies("training", level="district", area=None, rows=4, uploaded=False) == APPLIES
    # structural reasons come first: a township's fairs are held above it
    assert figure_applies("job_fair", level="township", area=None, rows=0,
                          uploaded=False).reason == "na_held_above"
    some, none = (_facts(3, 100), _facts(3, 90)), (_facts(0, 0), _facts(0, 0))
    cov = _cov([("", "rural", "village_federation", 8, 8, 5)])
    heads = {h.code: h for h in headlines(cov, cov, some, none, none, level="district",
                                          never_uploaded=frozenset({"screening"}))}
    assert heads["screening.screened"].applies.reason == "na_not_uploaded"
    assert heads["employment.positions"].applies.applies  # none this period, but uploaded: a 0


def test_pages_without_any_ledger_say_no_data_and_with_one_show_it(engine):
    import datetime as dt

    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url
    from tests.test_completeness import _load

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/overview.py", query={"region": "350111000000"})
        cards = {m.label: m.value for m in at.metric}
        assert cards["参训人次"] == cards["筛查人数"] == "暂无数据", cards
    _load(engine, "茶园,2025-10,宫颈癌筛查,300", "茶园,2026-07,宫颈癌筛查,200",
          at=dt.datetime(2026, 8, 8, 10, 0))
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/overview.py", query={"region": "350111000000", "from": "2026-01",
                                                  "to": "2026-06"})
        cards = {m.label: m.value for m in at.metric}
        assert cards["筛查人数"] == "0", cards        # uploaded before: none this period is a 0
        assert cards["参训人次"] == "暂无数据", cards  # still never uploaded
        at = run_page("views/screening.py", query={"region": "350111000000", "from": "2026-01",
                                                   "to": "2026-06"})
        assert {m.label: m.value for m in at.metric}["筛查人数"] == "0"
        at = run_page("views/training.py", query={"region": "350111000000"})
        assert all(m.value == "暂无数据" for m in at.metric), [m.value for m in at.metric]
