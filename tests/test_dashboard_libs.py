"""Pure pieces behind the dashboards: league tables, screening metrics, charts, exports, labels."""
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from lib import export
from lib.charts import common as charts
from lib.i18n import TEXT, enum_label
from lib.metrics import METRICS
from lib.metrics import screening as sm
from lib.metrics.compute import coverage, ratio
from lib.metrics.league import league


def test_league_ranks_and_flags_bottom():
    cur = pd.DataFrame({"region_code": list("abcde"), "name": list("ABCDE"),
                        "value": [0.9, 0.5, 0.7, None, 0.95]})
    prev = pd.DataFrame({"region_code": list("abcde"), "value": [0.95, 0.6, 0.4, 0.3, 0.8]})
    out = league(cur, prev, bottom=2)
    assert list(out["region_code"]) == ["e", "a", "c", "b", "d"]
    assert out.set_index("region_code")["rank_change"].to_dict()["e"] == 1  # 2nd → 1st
    assert out.set_index("region_code")["rank_change"].to_dict()["a"] == -1
    assert set(out.loc[out["bottom"], "region_code"]) == {"c", "b"}  # no data is never 'bottom'


def test_league_down_direction():
    cur = pd.DataFrame({"region_code": ["a", "b"], "name": ["A", "B"], "value": [1.0, 2.0]})
    assert list(league(cur, None, direction="down")["region_code"]) == ["a", "b"]
    assert list(league(cur, None, direction="up")["region_code"]) == ["b", "a"]


@pytest.mark.parametrize("end,start", [(dt.date(2025, 12, 31), dt.date(2023, 1, 1)),
                                       (dt.date(2025, 3, 15), dt.date(2022, 4, 1))])
def test_cycle_start_is_36_months(end, start):
    assert sm.cycle_start(end) == start


def test_screening_rates_from_sums_not_averages():
    year = pd.DataFrame({"child": ["a", "b"], "screened": [90, 10]})
    cyc = pd.DataFrame({"child": ["a", "b"], "screened": [270, 30]})
    tg = pd.DataFrame({"child": ["a", "b"], "quota": [100, 100], "eligible_women": [300, 300]})
    per = sm.per_child(year, cyc, tg).set_index("child")
    assert per.loc["a", "completion"] == pytest.approx(0.9)
    assert per.loc["b", "coverage"] == pytest.approx(0.1)
    period = pd.DataFrame({"kind": ["cervical", "breast"], "screened": [100, 0],
                           "abnormal": [5, 0], "diagnosed": [4, 0], "treated": [3, 0],
                           "aided": [1, 0], "aid_amount_10k_yuan": [0.5, 0]})
    s = sm.summary(period, year, cyc, tg)
    assert s["completion"] == pytest.approx(100 / 200)  # not the mean of 0.9 and 0.1 … by chance equal
    assert s["treatment_rate"] == pytest.approx(0.75)
    uneven = sm.summary(period, year, cyc, tg.assign(quota=[100, 900]))
    assert uneven["completion"] == pytest.approx(100 / 1000)


def test_coverage_caps_and_splits():
    cov = pd.DataFrame({"child": ["", "", "", ""], "area": ["urban", "urban", "rural", "rural"],
                        "org_type": ["community_federation", "village_federation"] * 2,
                        "villages": [10, 10, 30, 30], "with_org": [9, 0, 0, 15],
                        "effective": [8, 0, 0, 12]})
    assert coverage(cov) == pytest.approx(24 / 40)
    assert coverage(cov, area="rural") == pytest.approx(0.5)
    assert coverage(cov, effective=True) == pytest.approx(20 / 40)
    assert pd.isna(ratio(1, 0))


def test_csv_has_bom_and_is_neutralised():
    frame = pd.DataFrame({"名称": ["=HYPERLINK(\"x\")", "鼓楼区妇联", "@SUM(A1)"], "n": [1, -2, 3]})
    raw = export.csv_bytes(frame)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and "鼓楼区妇联" in text and ",-2" in text


def test_xlsx_roundtrip_neutralised():
    frame = pd.DataFrame({"a": ["+cmd", "ok"]})
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(frame, "表")))
    assert wb.active["A2"].value == "'+cmd" and wb.active.title == "表"


def test_trend_chart_spec():
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "v": [0.5, 0.6],
                          "s": ["本地区", "本地区"]})
    spec = charts.trend(frame, x="month", y="v", series="s", title="趋势", y_title="覆盖率",
                        percent=True).to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["y"]["axis"]["format"] == ".1%"
    assert spec["encoding"]["x"]["type"] == "temporal"


def test_every_chart_builder_passes_the_vega_lite_schema():
    """Pages skip Altair's per-rerun validation (dashboard.altair): the builders are checked here."""
    frame = pd.DataFrame({"x": ["2024", "2025"], "v": [3, 4], "s": ["甲", "乙"], "label": ["3", "4"]})
    built = [charts.trend(frame, x="x", y="v", series="s", title="t", y_title="y"),
             charts.bars(frame, category="x", value="v", title="t", value_title="", color="s",
                         percent=True),
             charts.bars(frame, category="x", value="v", title="t", value_title=""),
             charts.stacked_area(frame, x="x", y="v", series="s", title="t", y_title="y"),
             charts.funnel(frame, stage="x", value="v", title="t", label="label")]
    for chart in built:
        chart.to_dict(validate=True)  # raises on a schema violation


def test_chart_png_renders_chinese():
    frame = pd.DataFrame({"cat": ["宫颈癌", "乳腺癌"], "v": [3, 4]})
    png = export.chart_png(charts.bars(frame, category="cat", value="v", title="筛查",
                                       value_title="人数"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


@pytest.mark.parametrize("ident,zh,en", [("village_federation", "村妇联", "Village federation"),
                                         ("exec_duty", "执委履职", "Exec duties"),
                                         ("cervical", "宫颈癌", "Cervical"),
                                         ("spring_breeze", "春风行动", "Spring Breeze")])
def test_enum_labels(ident, zh, en):
    assert enum_label(ident, "zh") == zh and enum_label(ident, "en") == en


def test_every_text_and_metric_has_both_languages():
    for key, entry in TEXT.items():
        assert entry.get("zh") and entry.get("en"), key
    for m in METRICS.values():
        assert m.label_zh and m.label_en and m.description_zh and m.description_en
        assert m.unit in ("percent", "count", "10k_yuan", "ratio")


def test_lib_does_not_import_streamlit():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "lib"
    # lib/ui is the app's Streamlit layer; lib/bench measures pages by running them under AppTest.
    offenders = [str(p) for p in root.rglob("*.py")
                 if p.relative_to(root).parts[0] not in ("ui", "bench")
                 and ("import streamlit" in p.read_text() or "from streamlit" in p.read_text())]
    assert offenders == []


def test_pages_hold_no_sql():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "views"
    for p in root.glob("*.py"):
        text = p.read_text()
        assert "sqlalchemy" not in text and "SELECT " not in text.upper().replace("SELECTBOX", ""), p


def test_no_auto_discovered_pages_folder():
    """Streamlit runs files in a ``pages/`` folder beside app.py directly on a fresh server's first
    request (old pages-directory mode), bypassing the login gate; views/ is not auto-discovered."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert not (root / "pages").exists()
    assert sorted(p.name for p in (root / "views").glob("*.py"))


def test_every_registered_page_exists():
    from pathlib import Path

    from lib.ui.nav import PAGES
    root = Path(__file__).resolve().parents[1]
    assert all((root / spec.path).exists() for spec in PAGES)


def test_coverage_totals_equal_the_sum_over_children():
    """The coverage page reads one child-split frame for its cards and its map."""
    from lib.metrics.compute import coverage

    per_child = pd.DataFrame({
        "child": ["a", "a", "a", "a", "b", "b", "b", "b"],
        "area": ["rural", "rural", "urban", "urban"] * 2,
        "org_type": ["village_federation", "womens_home"] * 4,
        "villages": [10, 10, 4, 4, 6, 6, 2, 2],
        "with_org": [9, 3, 0, 4, 6, 1, 0, 2], "effective": [7, 2, 0, 3, 5, 1, 0, 1]})
    total = (per_child.groupby(["area", "org_type"], as_index=False)
             [["villages", "with_org", "effective"]].sum().assign(child=""))
    for types in (("village_federation",), ("womens_home",), ("village_federation", "womens_home")):
        for area in (None, "urban", "rural"):
            for eff in (False, True):
                assert coverage(per_child, types, area=area, effective=eff) == pytest.approx(
                    coverage(total, types, area=area, effective=eff))


def test_league_table_is_tall_enough_to_show_the_bottom_three():
    """13 districts (and a header) fit without scrolling; a national list scrolls past 60 rows."""
    from lib.ui.dashboard import MAX_FULL_ROWS, ROW_PX, league_height

    assert league_height(13) >= 14 * ROW_PX
    assert league_height(20) > league_height(13)
    assert league_height(95) == league_height(MAX_FULL_ROWS)
