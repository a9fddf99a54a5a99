"""The annual monitoring report as Word (lib/monitoring/evaluation, lib/monitoring/document): opened and
read back with python-docx on DuckDB and PostgreSQL; ``python -m lib.targets report``; the
目标监测 page's download for every role."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image

from lib.charts import targets as TC
from lib.docx_style import numeral
from lib.followup.model import Item
from lib.reading.source import EngineSource
from lib.targets import labels as L
from lib.targets.__main__ import main
from lib.monitoring.document import monitoring_report_docx, title
from lib.monitoring.evaluation import MonitoringReport, build_report, check_year, kind_of
from lib.targets.run import assess_region
from lib.warehouse import data_version
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction
from lib.warehouse.reference import indicators_frame
from lib.warehouse.scope import Scope
from tests.test_app import _url

CITY = "350100000000"
DISTRICT = "350111000000"
TODAY = dt.date(2026, 11, 30)  # conftest pins HALFSKY_TODAY
FIELD_HEADING = re.compile(r"^（[一二三四五六七八九十]+）(.+)$")


# --- reading a document back ----------------------------------------------------------------------

def blocks(data: bytes) -> list[tuple[str, object]]:
    """The body in order: ("p", text), ("pic", None) for a paragraph holding a picture, ("table",
    rows of cell texts)."""
    doc = Document(io.BytesIO(data))
    out: list[tuple[str, object]] = []
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            if el.xpath(".//pic:pic"):
                out.append(("pic", None))
            text = Paragraph(el, doc).text
            if text:
                out.append(("p", text))
        elif tag == "tbl":
            out.append(("table", [[c.text for c in r.cells] for r in Table(el, doc).rows]))
    return out


def header_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return " ".join(p.text for sec in doc.sections for p in sec.header.paragraphs)


def all_text(data: bytes) -> str:
    parts = [header_text(data)]
    for kind, value in blocks(data):
        if kind == "p":
            parts.append(value)
        elif kind == "table":
            parts += [c for row in value for c in row]
    return "\n".join(parts)


def indicator_sections(data: bytes) -> dict[str, list[tuple[str, object]]]:
    """{indicator code: the blocks after its heading ("8. H08 孕产妇贫血患病率") up to the next
    indicator, field (（二）教育) or section (三、数据说明) heading}."""
    out: dict[str, list] = {}
    current = None
    for kind, value in blocks(data):
        if kind == "p" and value.split(". ", 1)[0].isdigit():
            current = value.split(". ", 1)[1].split(" ", 1)[0]
            out[current] = []
        elif kind == "p" and (FIELD_HEADING.match(value) or value[1:2] == "、"):
            current = None
        elif current is not None:
            out[current].append((kind, value))
    return out


def _report(engine, year: int = 2026, *, followups=None, lang: str = "zh",
            region: str = CITY) -> MonitoringReport:
    return build_report(EngineSource(engine), region, year=year, lang=lang,
                        scope=Scope.everything().narrow(region),
                        data_version=data_version(engine), followups=followups)


def _item(id_: int, indicator: str, status: str = "todo", due: dt.date = dt.date(2026, 12, 31),
          subject: str = "孕产妇贫血患病率 有风险", owner: str | None = "ana") -> Item:
    at = dt.datetime(2026, 10, 1, 9, 0)
    return Item(id=id_, region_code=CITY, region_name="福州市", subject_kind="indicator",
                subject=subject, indicator=indicator, ref=None, asked="请说明原因并提出措施",
                owner=owner, owner_region=None if owner else DISTRICT,
                owner_region_name=None if owner else "晋安区", due=due, status=status,
                created_by="root", created_at=at, updated_at=at,
                closed_at=at if status == "done" else None)


# --- the document on the demo city -----------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_docs(demo_engine):
    """The city's 2026 report on the demo (charts included), with 督办 items handed in for one
    indicator at risk and one behind, and the report it was made from."""
    first = _report(demo_engine)
    risky = [a.code for a in first.assessments if a.status in ("at_risk", "off_track")]
    given = {risky[0]: [_item(1, risky[0], due=dt.date(2026, 10, 31)),          # overdue
                        _item(2, risky[0], status="doing", owner=None)],
             risky[1]: []}
    report = _report(demo_engine, followups=lambda codes: {c: given.get(c, []) for c in codes})
    return report, monitoring_report_docx(report)


def test_summary_table_first_with_one_row_per_catalog_indicator(demo_engine, demo_docs):
    report, data = demo_docs
    tables = [v for k, v in blocks(data) if k == "table"]
    summary = tables[0]
    assert summary[0] == ["代码", "指标", "领域", "最新值", "目标值", "状态"]
    catalog = indicators_frame(demo_engine)
    assert sorted(r[0] for r in summary[1:]) == sorted(catalog["code"])
    by_code = {a.code: a for a in report.assessments}
    for code, name, domain, latest, target, status in summary[1:]:
        a = by_code[code]
        assert name == a.name_zh and domain == L.domain_label(a.domain, "zh")
        assert latest == f"{TC.indicator_value(a.latest_value, a.unit)}（{a.latest_label()}）"
        assert TC.indicator_value(a.target_value, a.unit) in target and str(a.target_year) in target
        assert status.split(" · ")[0] == L.status_label(a.status, "zh")
    # before it: only the title block and the overview's counts, which add up to the catalog
    counts = next(v for k, v in blocks(data) if k == "p" and v.startswith("本报告监测"))
    assert f"指标{len(catalog)}项" in counts
    for st in set(a.status for a in report.assessments):
        n = sum(a.status == st for a in report.assessments)
        assert f"{L.status_label(st, 'zh')}{n}项" in counts


def test_every_field_heading_and_every_indicator_with_its_figures(demo_docs):
    report, data = demo_docs
    paragraphs = [v for k, v in blocks(data) if k == "p"]
    fields = list(dict.fromkeys(L.domain_label(a.domain, "zh") for a in report.assessments))
    headings = [m.group(1) for p in paragraphs if (m := FIELD_HEADING.match(p))]
    assert headings == [L.domain_label(d, "zh") for d in L.DOMAIN_LABELS
                        if L.domain_label(d, "zh") in fields]          # the catalog's order
    assert len(headings) == len(fields) == 8
    sections = indicator_sections(data)
    assert set(sections) == {a.code for a in report.assessments}
    for a in report.assessments:
        figures = next(v for k, v in sections[a.code] if k == "table")
        cells = dict(zip([r[0] for r in figures] + [r[2] for r in figures],
                         [r[1] for r in figures] + [r[3] for r in figures]))
        unit = a.unit
        assert cells["最新值"] == f"{TC.indicator_value(a.latest_value, unit)}（{a.latest_label()}）"
        assert cells["基线值"] == f"{TC.indicator_value(a.baseline_value, unit)}（{a.baseline_year}年）"
        assert cells["目标值"].endswith(
            f"{TC.indicator_value(a.target_value, unit)}（{a.target_year}年）")
        assert cells["时间进度"] == f"{a.time_progress * 100:.1f}%"
        assert cells["状态"].split(" · ")[0] == L.status_label(a.status, "zh")
        assert ("波动较大" in cells["状态"]) == a.volatile
        projected = cells[f"预计值（{a.target_year}年）"]
        if a.projected_value is None:
            assert projected == "—"
        else:
            assert projected.startswith(TC.indicator_value(a.projected_value, unit))


def test_a_trend_chart_per_indicator_with_data_and_a_sensible_size(demo_docs):
    report, data = demo_docs
    sections = indicator_sections(data)
    for a in report.assessments:
        pictures = sum(k == "pic" for k, _ in sections[a.code])
        assert pictures == (1 if a.observed else 0), a.code
    doc = Document(io.BytesIO(data))
    images = [r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) == sum(bool(a.observed) for a in report.assessments)
    png = Image.open(io.BytesIO(images[0]))
    assert png.format == "PNG" and 600 < png.width < 1400 and png.height < png.width
    assert len(data) <= 3 * 1024 * 1024


def test_followups_listed_under_indicators_at_risk_or_behind(demo_docs):
    report, data = demo_docs
    sections = indicator_sections(data)
    risky = [a.code for a in report.assessments if a.status in ("at_risk", "off_track")]
    first = sections[risky[0]]
    label = next(v for k, v in first if k == "p" and v.startswith("督办事项"))
    assert label == "督办事项："
    items = next(v for k, v in first[first.index(("p", label)):] if k == "table")
    assert items[0] == ["事项", "地区", "责任人/单位", "办理期限", "状态"]
    assert items[1] == ["孕产妇贫血患病率 有风险", "福州市", "ana", "2026-10-31", "待办 · 逾期"]
    assert items[2][2:] == ["晋安区", "2026-12-31", "进行中"]
    assert ("p", "督办事项：暂无督办事项。") in sections[risky[1]]
    # indicators on track or achieved say nothing of follow-ups
    calm = [a.code for a in report.assessments if a.status in ("achieved", "on_track")]
    assert not any(k == "p" and v.startswith("督办事项") for c in calm for k, v in sections[c])


def test_followups_are_asked_only_for_indicators_at_risk_or_behind(demo_engine):
    asked: list[list[str]] = []
    report = _report(demo_engine, followups=lambda codes: asked.append(codes) or {})
    assert asked == [[a.code for a in report.assessments if a.status in ("at_risk", "off_track")]]
    assert asked[0]


def test_demo_mark_in_header_title_and_charts(demo_docs):
    report, data = demo_docs
    assert report.demo
    assert "示例数据" in header_text(data)
    paragraphs = [v for k, v in blocks(data) if k == "p"]
    assert paragraphs[0] == "福州市妇女发展纲要实施情况2026年度监测报告"
    assert paragraphs[1] == "（数据截至2026年11月30日）"
    assert paragraphs[2].startswith("示例数据：")
    # every chart says so too: drawn under its title, so the image differs from one without it
    from lib.monitoring.document import trend_png

    a = next(a for a in report.assessments if a.observed)
    assert TC.trend_chart(a, "zh", demo=True).to_dict(validate=False)["title"]["subtitle"] == \
        "示例数据"
    assert not TC.trend_chart(a, "zh", demo=False).to_dict(validate=False)["title"]["subtitle"]
    doc = Document(io.BytesIO(data))
    images = {r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype}
    assert trend_png(a, "zh", demo=True) in images
    assert trend_png(a, "zh", demo=False) not in images


def test_source_and_data_version_at_the_end(demo_engine, demo_docs):
    report, data = demo_docs
    paragraphs = [v for k, v in blocks(data) if k == "p"]
    notes = paragraphs[paragraphs.index("三、数据说明"):]
    version = data_version(demo_engine)
    assert any(p.startswith("数据来源：巾帼数据驾驶舱数据仓库（") for p in notes)
    assert f"数据版本：{version}；生成日期：{TODAY.isoformat()}。" in notes
    assert notes[-1].startswith("示例数据：")
    assert report.sources and all(f"{label} {when}" in all_text(data)
                                  for label, when in report.sources)


def test_english_report(demo_engine):
    report = _report(demo_engine, lang="en")
    data = monitoring_report_docx(report, charts=False)
    paragraphs = [v for k, v in blocks(data) if k == "p"]
    assert paragraphs[0] == "福州市: women's development plan, annual monitoring report 2026"
    assert "Demo data" in header_text(data)
    summary = next(v for k, v in blocks(data) if k == "table")
    assert summary[0] == ["Code", "Indicator", "Field", "Latest", "Target", "Status"]
    assert "1. Overview" in paragraphs and "3. About the data" in paragraphs
    assert not any(k == "pic" for k, _ in blocks(data))


# --- the year ------------------------------------------------------------------------------------

def test_year_selection_changes_latest_year_and_title(demo_engine):
    r26, r25, r23 = (_report(demo_engine, y) for y in (2026, 2025, 2023))
    assert max(a.latest_year for a in r26.assessments) == 2026
    assert max(a.latest_year for a in r25.assessments) == 2025
    assert max(a.latest_year for a in r23.assessments) == 2023
    # the same as assessing the region as of that year
    assert list(r23.assessments) == assess_region(demo_engine, CITY, until_year=2023)
    d25, d23 = (monitoring_report_docx(r, charts=False) for r in (r25, r23))
    p25 = [v for k, v in blocks(d25) if k == "p"]
    assert p25[:2] == ["福州市妇女发展纲要实施情况中期评估报告（2025）", "（数据截至2025年末）"]
    assert "截至2025年末，" in next(p for p in p25 if p.startswith("本报告监测"))
    p26 = [v for k, v in blocks(monitoring_report_docx(r26, charts=False)) if k == "p"]
    assert "截至2026年11月30日，" in next(p for p in p26 if p.startswith("本报告监测"))  # running
    summary = next(v for k, v in blocks(d23) if k == "table")
    years = {r[3].split("（")[1][:4] for r in summary[1:] if r[3] != "—"}
    assert years == {"2023"}
    assert [v for k, v in blocks(d23) if k == "p"][0].endswith("2023年度监测报告")


@pytest.mark.parametrize("year, kind, words", [
    (2024, "annual", "2024年度监测报告"), (2025, "midterm", "中期评估报告（2025）"),
    (2026, "annual", "2026年度监测报告"), (2030, "final", "终期评估报告（2030）")])
def test_title_of_each_kind(year, kind, words):
    assert kind_of(year) == kind
    assert title("福州市", year, kind).endswith(words)
    assert ("evaluation" in title("Fuzhou", year, kind, "en")) == (kind != "annual")


@pytest.mark.parametrize("year", [2020, 2027, 2030])
def test_year_outside_the_plan_or_after_today_is_refused(year):
    with pytest.raises(ValueError, match="report year"):
        check_year(year, TODAY)


# --- without demo data ------------------------------------------------------------------------------

def _seed(engine, code: str, values: list[float], region: str = CITY) -> None:
    rows = pd.DataFrame({"indicator_code": code, "region_code": region,
                         "year": list(range(2020, 2020 + len(values))), "value": values,
                         "batch_id": 1})
    with write_transaction(engine) as conn:
        bulk_insert(conn, s.indicator_value, rows)


def test_without_demo_data_no_mark_and_charts_only_where_there_are_values(engine):
    _seed(engine, "H01", [16.0, 15.0, 14.0, 13.0])
    _seed(engine, "H08", [12.5, 12.4, 12.3, 12.2, 12.1, 12.0])   # off track: 9.0 by 2030
    report = _report(engine)
    assert not report.demo
    data = monitoring_report_docx(report, charts=True)
    assert "示例数据" not in all_text(data) and "Demo" not in all_text(data)
    sections = indicator_sections(data)
    with_pictures = {c for c, blocks_ in sections.items() if any(k == "pic" for k, _ in blocks_)}
    assert with_pictures == {"H01", "H08"}
    assert next(a for a in report.assessments if a.code == "H08").status == "off_track"
    d01 = sections["D01"]
    assert ("p", L.reason_text("no_data", "zh")) in d01
    summary = next(v for k, v in blocks(data) if k == "table")
    assert len(summary) - 1 == len(indicators_frame(engine))


# --- the console --------------------------------------------------------------------------------------

@pytest.fixture
def cli_db(demo_copy, monkeypatch):
    url, schema = _url(demo_copy)
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", schema or "")
    return demo_copy, url


def test_cli_writes_the_report_with_the_followups_of_the_warehouse(cli_db, tmp_path, capsys):
    from lib.auth import accounts
    from lib.followup import service as fu
    from tests.test_auth import PW

    engine, url = cli_db
    accounts.create_user(engine, "root", PW, "admin", CITY)
    accounts.create_user(engine, "ana", PW, "analyst", CITY)
    root = accounts.get_user(engine, "root")
    at_risk = [a.code for a in assess_region(engine, CITY, until_year=2025)
               if a.status in ("at_risk", "off_track")]
    fu.create(engine, root, region_code=CITY, subject="说明滞后原因", due=dt.date(2026, 1, 15),
              subject_kind="indicator", indicator=at_risk[0], owner="ana",
              today=dt.date(2026, 1, 5))                      # raised in January, now overdue
    out = tmp_path / "report.docx"
    assert main(["report", "--db", url, "--docx", str(out), "--year", "2025", "--no-charts"]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    data = out.read_bytes()
    assert [v for k, v in blocks(data) if k == "p"][0].endswith("中期评估报告（2025）")
    assert not any(k == "pic" for k, _ in blocks(data))                  # --no-charts
    section = indicator_sections(data)[at_risk[0]]
    items = [v for k, v in section if k == "table"][-1]
    assert items[1][0] == "说明滞后原因" and items[1][-1] == "待办 · 逾期"


@pytest.mark.parametrize("args, message", [
    (["--region", "999999999999"], "unknown region code"),
    (["--region", "35%"], "refused"),
    (["--year", "2031"], "report year"),
    (["--year", "2019"], "report year"),
])
def test_cli_refusals_exit_2(cli_db, tmp_path, capsys, args, message):
    _engine, url = cli_db
    out = tmp_path / "no.docx"
    assert main(["report", "--db", url, "--docx", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("args", [["--year", "20x5"], []])
def test_cli_usage_errors_exit_2(tmp_path, args):
    with pytest.raises(SystemExit) as exc:
        main(["report", *args] + (["--docx", str(tmp_path / "x.docx")] if args else []))
    assert exc.value.code == 2


def test_help_names_the_report(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    shown = capsys.readouterr().out
    assert "python -m lib.targets report --docx FILE [--region CODE] [--year YYYY]" in shown
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    shown = capsys.readouterr().out
    assert "--docx" in shown and "--year" in shown and "--no-charts" in shown
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`python -m lib.targets report --docx FILE [--region CODE] [--year YYYY] [--lang zh|en] " \
           "[--no-charts]`" in readme


@pytest.mark.parametrize("i, text", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"),
                                     (23, "二十三")])
def test_section_numerals(i, text):
    assert numeral(i) == text


@pytest.mark.parametrize("i", [0, 100])
def test_section_numerals_out_of_range(i):
    with pytest.raises(ValueError):
        numeral(i)


# --- the 目标监测 page --------------------------------------------------------------------------------

@pytest.fixture
def district_users(demo_copy):
    from lib.auth import accounts
    from tests.test_auth import PW

    accounts.create_user(demo_copy, "boss", PW, "admin", CITY)
    for role in ("viewer", "analyst", "admin"):
        accounts.create_user(demo_copy, f"d_{role}", PW, role, DISTRICT, by="boss")
    return demo_copy


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_the_page_offers_the_word_report_to_every_role(district_users, role, monkeypatch):
    from lib.ui import data
    from tests.apptest_util import app_env, run_page
    from tests.test_auth import PW

    from tests.test_exports import _recording

    monkeypatch.delenv("HALFSKY_AUTH", raising=False)
    data.clear_cache()
    url, schema = _url(district_users)
    book: dict = {}
    with app_env(url, schema=schema, demo=False, auth=True), _recording(book):
        at = run_page()
        at.text_input(key="login_user").input(f"d_{role}")
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
        at.switch_page("views/targets.py")
        at.run()
        assert not at.exception, at.exception
        labels = [b.proto.label for b in at.get("download_button")]
        assert "下载监测报告（Word）" in labels and "下载年度监测报告（XLSX）" in labels
        years = at.selectbox(key="t_docx_year")
        assert years.value == 2026
        assert years.options[:2] == ["2026年度", "2025（中期评估）"]
        assert years.options[-1] == "2021年度"
        if role != "viewer":
            return
        years.set_value(2025).run()
        button = next(b for b in at.get("download_button")
                      if b.proto.label == "下载监测报告（Word）")
        build, name = book[button.proto.deferred_file_id]
        assert name == f"monitoring_{DISTRICT}_2025.docx"
        doc = build()  # what the click fetches: the signed-in viewer's district, as of 2025
    assert [v for k, v in blocks(doc) if k == "p"][0] == "晋安区妇女发展纲要实施情况中期评估报告（2025）"
    assert "示例数据" in header_text(doc)


def test_the_pages_report_is_the_accounts_own(district_users, monkeypatch):
    """Built when clicked, outside the script run: the account's scope is bound again, so a
    district viewer's report is the district's, and the city is refused."""
    from lib.auth import accounts
    from lib.followup import service as fu
    from lib.ui import data, targets_ui
    from lib.ui.auth_ui import Grant
    from lib.warehouse.scope import ScopeError
    from tests.apptest_util import app_env, run_page

    boss = accounts.get_user(district_users, "boss")
    district_risky = [a.code for a in assess_region(district_users, DISTRICT, until_year=2025)
                      if a.status in ("at_risk", "off_track")]
    fu.create(district_users, boss, region_code=DISTRICT, subject="晋安区的事项",
              due=dt.date(2026, 12, 31), subject_kind="indicator",
              indicator=district_risky[0], owner="d_analyst")
    fu.create(district_users, boss, region_code="350102000000", subject="鼓楼区的事项",
              due=dt.date(2026, 12, 31), subject_kind="indicator",
              indicator=district_risky[0], owner="boss")
    data.clear_cache()
    url, schema = _url(district_users)
    viewer = accounts.get_user(district_users, "d_viewer")
    with app_env(url, schema=schema):
        at = run_page(query={"region": DISTRICT})
        f = at.session_state["_filters"]
        doc = targets_ui.report_docx(f, Grant(viewer), 2025, charts=False)
        city = dataclasses.replace(f, region_code=CITY, region_name="福州市")
        with pytest.raises(ScopeError):
            targets_ui.report_docx(city, Grant(viewer), 2025, charts=False)
    text = all_text(doc)
    assert [v for k, v in blocks(doc) if k == "p"][0].startswith("晋安区")
    assert "晋安区的事项" in text and "鼓楼区的事项" not in text
