"""The annual monitoring report (年度监测 · 中期评估 · 终期评估) as a Word document.

Layout: the title (2026年度监测报告, or 中期评估报告（2025）/ 终期评估报告（2030）), the day the
data run to; 一、总体情况 with the status counts and the summary table (one row per catalog
indicator); 二、分领域监测情况 with a heading per field (领域) and, per indicator, its figures
(baseline, latest value and year, target and target year, time and attainment progress, the
projection with its interval, the yearly change, the status), a small trend chart and, for an
indicator at risk or behind, the 督办 items raised on it with their state; 三、数据说明 with the
method, the data source and the data version. While demo data is shown every page header, the
title block and every chart say 示例数据. Figures are written as the 目标监测 page writes them
(lib.charts.targets), so the document and the page agree.

Charts are rendered by vl-convert, ~0.25 s each whatever their size (the cost is per chart,
not the pixels); a palette PNG keeps one near 15 KB, so the demo city's 31 charts add ~0.5 MB.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lib import clock, export, fmt
from lib.charts import targets as TC
from lib.charts.memo import BoundedCache
from lib.docx_style import (BODY_FONT, HEAD_FONT, RED, SUB_FONT, TITLE_FONT, a4_document,
                            demo_header, numeral, para, picture, table)
from lib.followup.model import Item
from lib.metrics.asof import year_as_of
from lib.monitoring.evaluation import FOLLOWUP_STATUSES, MonitoringReport
from lib.targets import labels as L
from lib.targets.assess import Assessment

CHART_WIDTH_CM = 14.5
SUMMARY_COLUMNS = ("code", "name", "domain", "latest", "target", "status")

WORDS = {
    "zh": {
        "title_annual": "{region}妇女发展纲要实施情况{year}年度监测报告",
        "title_midterm": "{region}妇女发展纲要实施情况中期评估报告（{year}）",
        "title_final": "{region}妇女发展纲要实施情况终期评估报告（{year}）",
        "as_of": "（数据截至{when}）", "year_end": "{year}年末",
        "demo": "示例数据：本报告数字由程序生成，仅供演示，不是真实统计。", "demo_mark": "示例数据",
        "overview": "总体情况", "fields": "分领域监测情况", "notes": "数据说明",
        "counts": "本报告监测{region}妇女发展纲要指标{n}项，分{k}个领域。截至{when}，{parts}。",
        "count_part": "{label}{n}项", "volatile_part": "其中波动较大{n}项",
        "summary_caption": "表1  指标监测汇总",
        "col_code": "代码", "col_name": "指标", "col_domain": "领域", "col_latest": "最新值",
        "col_target": "目标值", "col_status": "状态",
        "baseline": "基线值", "latest": "最新值", "target": "目标值", "time_progress": "时间进度",
        "attainment": "完成进度", "projected": "预计值（{year}年）", "slope": "年均变化",
        "status": "状态", "interval": "{mid}（区间 {low}–{high}）", "in_year": "{value}（{year}年）",
        "followups": "督办事项", "no_followups": "暂无督办事项。",
        "fu_subject": "事项", "fu_owner": "责任人/单位", "fu_due": "办理期限", "fu_status": "状态",
        "fu_region": "地区",
        "source": "数据来源：巾帼数据驾驶舱数据仓库（{items}）。", "source_none": "数据来源：巾帼数据驾驶舱数据仓库。",
        "version": "数据版本：{v}；生成日期：{d}。",
        "list_sep": "、", "part_sep": "，", "colon": "：",
    },
    "en": {
        "title_annual": "{region}: women's development plan, annual monitoring report {year}",
        "title_midterm": "{region}: women's development plan, mid-term evaluation ({year})",
        "title_final": "{region}: women's development plan, final evaluation ({year})",
        "as_of": "(data to {when})", "year_end": "the end of {year}",
        "demo": "Demo data: every figure in this report is synthetic, not real statistics.",
        "demo_mark": "Demo data",
        "overview": "Overview", "fields": "Indicators by field", "notes": "About the data",
        "counts": "This report monitors the {n} indicators of the women's development plan of "
                  "{region} in {k} fields. As of {when}: {parts}.",
        "count_part": "{label} {n}", "volatile_part": "volatile {n}",
        "summary_caption": "Table 1  Indicators at a glance",
        "col_code": "Code", "col_name": "Indicator", "col_domain": "Field", "col_latest": "Latest",
        "col_target": "Target", "col_status": "Status",
        "baseline": "Baseline", "latest": "Latest", "target": "Target",
        "time_progress": "Time progress", "attainment": "Attainment",
        "projected": "Projected ({year})", "slope": "Change per year", "status": "Status",
        "interval": "{mid} (interval {low}–{high})", "in_year": "{value} ({year})",
        "followups": "Follow-up items", "no_followups": "No follow-up items.",
        "fu_subject": "Item", "fu_owner": "Owner", "fu_due": "Due", "fu_status": "Status",
        "fu_region": "Region",
        "source": "Source: the halfsky warehouse ({items}).",
        "source_none": "Source: the halfsky warehouse.",
        "version": "Data version: {v}; prepared on {d}.",
        "list_sep": ", ", "part_sep": ", ", "colon": ": ",
    },
}


def title(region_name: str, year: int, kind: str, lang: str = "zh") -> str:
    """2026年度监测报告 / 中期评估报告（2025）/ 终期评估报告（2030）, with the region."""
    return WORDS[lang][f"title_{kind}"].format(region=region_name, year=year)


def as_of_words(year: int, lang: str = "zh", today: dt.date | None = None) -> str:
    """2025年末, or for the year still running the day its values are read on (2026年11月30日)."""
    day = year_as_of(year, today)
    if day < dt.date(year, 12, 31):
        return fmt.day(day, lang)
    return WORDS[lang]["year_end"].format(year=year)


def as_of_text(year: int, lang: str = "zh", today: dt.date | None = None) -> str:
    """（数据截至2025年末） / （数据截至2026年11月30日）: the line under the title."""
    return WORDS[lang]["as_of"].format(when=as_of_words(year, lang, today))


def _in_year(value: str, year: int | None, lang: str) -> str:
    return WORDS[lang]["in_year"].format(value=value, year=year) if year else value


def latest_text(a: Assessment, lang: str) -> str:
    """72.3%（2025年末）: the latest value with its date as every surface says it."""
    if a.latest_year is None:
        return "—"
    v = TC.indicator_value(a.latest_value, a.unit, lang)
    return f"{v}（{a.latest_label(lang)}）" if lang == "zh" else f"{v} ({a.latest_label(lang)})"


_DIRECTION_SIGN = {"up": "≥", "down": "≤", "keep": "≈"}


def target_text(a: Assessment, lang: str) -> str:
    """≥70.0%（2030年）: the target with the side it is met from (≤ for a rate to bring down)."""
    if a.target_value is None:
        return "—"
    value = _DIRECTION_SIGN.get(a.direction, "") + TC.indicator_value(a.target_value, a.unit, lang)
    return _in_year(value, a.target_year, lang)


def baseline_text(a: Assessment, lang: str) -> str:
    if a.baseline_year is None:
        return "—"
    return _in_year(TC.indicator_value(a.baseline_value, a.unit, lang), a.baseline_year, lang)


def projected_text(a: Assessment, lang: str) -> str:
    """63.2%（区间 60.1%–66.0%）: the projection to the target year with Sen's interval."""
    if a.projected_value is None:
        return "—"
    mid, low, high = (TC.indicator_value(v, a.unit, lang)
                      for v in (a.projected_value, a.projected_low, a.projected_high))
    if a.projected_low is None or low == high:  # no interval, or one the unit's limit closed
        return mid
    return WORDS[lang]["interval"].format(mid=mid, low=low, high=high)


def slope_text(a: Assessment, lang: str) -> str:
    if a.slope is None:
        return "—"
    sign = "+" if a.slope > 0 else "−" if a.slope < 0 else ""
    return sign + TC.shortfall_value(abs(a.slope), a.unit, lang)


def summary_frame(assessments: Sequence[Assessment], lang: str = "zh") -> pd.DataFrame:
    """The summary table: one row per catalog indicator, grouped by field in catalog order."""
    w = WORDS[lang]
    rows = [{"code": a.code, "name": TC.indicator_name(a, lang),
             "domain": L.domain_label(a.domain, lang), "latest": latest_text(a, lang),
             "target": target_text(a, lang), "status": TC.status_text(a, lang)}
            for a in by_field(assessments)]
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return frame.rename(columns={c: w[f"col_{c}"] for c in SUMMARY_COLUMNS})


def detail_frame(a: Assessment, lang: str = "zh") -> pd.DataFrame:
    """One indicator's figures as four columns (label, value, label, value), no header."""
    w = WORDS[lang]
    pairs = [(w["baseline"], baseline_text(a, lang)), (w["latest"], latest_text(a, lang)),
             (w["target"], target_text(a, lang)), (w["time_progress"], fmt.rate(a.time_progress)),
             (w["attainment"], fmt.rate(a.attainment_progress)),
             (w["projected"].format(year=a.target_year or "—"), projected_text(a, lang)),
             (w["slope"], slope_text(a, lang)), (w["status"], TC.status_text(a, lang))]
    rows = [[*pairs[i], *pairs[i + 1]] for i in range(0, len(pairs), 2)]
    return pd.DataFrame(rows, columns=["k1", "v1", "k2", "v2"])


def by_field(assessments: Sequence[Assessment]) -> list[Assessment]:
    """The assessments grouped by field in the catalog's field order, catalog order inside."""
    order = list(L.DOMAIN_LABELS)
    rank = {d: i for i, d in enumerate(order)}
    return sorted(assessments, key=lambda a: rank.get(a.domain, len(order)))


def followup_frame(items: Sequence[Item], today: dt.date, lang: str = "zh") -> pd.DataFrame:
    """The 督办 items of one indicator: subject, region, owner, due date and status (逾期 when an
    open item is past its due date)."""
    w = WORDS[lang]
    rows = []
    for it in items:
        owner = it.owner if it.owner is not None else (it.owner_region_name or it.owner_region)
        rows.append([it.subject, it.region_name, owner or "—", it.due.isoformat(),
                     it.status_text(today, lang)])
    return pd.DataFrame(rows, columns=[w["fu_subject"], w["fu_region"], w["fu_owner"],
                                       w["fu_due"], w["fu_status"]])


def status_counts(assessments: Sequence[Assessment], lang: str = "zh") -> str:
    """达标12项，按进度10项，… ；其中波动较大2项 (statuses with no indicator left out)."""
    w = WORDS[lang]
    parts = [w["count_part"].format(label=L.status_label(s, lang), n=n)
             for s in L.STATUSES if (n := sum(a.status == s for a in assessments))]
    volatile = sum(a.volatile for a in assessments)
    text = w["part_sep"].join(parts)
    if volatile:
        text += ("；" if lang == "zh" else "; ") + w["volatile_part"].format(n=volatile)
    return text


_PNGS = BoundedCache(256)


def trend_png(a: Assessment, lang: str = "zh", *, demo: bool = False) -> bytes:
    """The indicator's small trend chart as a palette PNG (remembered per assessment: a second
    download of the same report draws nothing again)."""
    key = (repr(a), lang, demo)
    png = _PNGS.get(key)
    if png is None:
        from PIL import Image

        raw = export.chart_png(TC.trend_chart(a, lang, demo=demo), scale=2.0)
        image = Image.open(io.BytesIO(raw)).convert("RGB").quantize(colors=64)
        buf = io.BytesIO()
        image.save(buf, "PNG", optimize=True)
        png = buf.getvalue()
        _PNGS.put(key, png)
    return png


def monitoring_report_docx(report: MonitoringReport, *, charts: bool = True) -> bytes:
    """The report as .docx bytes; ``charts=False`` leaves the trend charts out."""
    lang, w = report.lang, WORDS[report.lang]
    today = report.made_on or clock.today()
    doc = a4_document()
    if report.demo:
        demo_header(doc, w["demo_mark"])
    center = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, title(report.region_name, report.year, report.kind, lang), TITLE_FONT, 22,
         align=center)
    para(doc, as_of_text(report.year, lang, today), SUB_FONT, 16, align=center)
    if report.demo:
        para(doc, w["demo"], HEAD_FONT, 14, bold=True, color=RED, align=center)

    n = 0

    def heading(text: str) -> None:
        nonlocal n
        n += 1
        para(doc, f"{numeral(n)}、{text}" if lang == "zh" else f"{n}. {text}", HEAD_FONT, 16,
             indent=True)

    items = report.assessments
    fields = list(dict.fromkeys(a.domain for a in by_field(items)))
    heading(w["overview"])
    para(doc, w["counts"].format(region=report.region_name, n=len(items), k=len(fields),
                                 when=as_of_words(report.year, lang, today),
                                 parts=status_counts(items, lang)), indent=True)
    para(doc, w["summary_caption"], HEAD_FONT, 12, align=center)
    table(doc, summary_frame(items, lang), size=10)

    heading(w["fields"])
    for i, domain in enumerate(fields, start=1):
        name = L.domain_label(domain, lang) or "—"
        para(doc, f"（{numeral(i)}）{name}" if lang == "zh" else f"{n}.{i} {name}", SUB_FONT, 16,
             bold=True, indent=True)
        for j, a in enumerate((a for a in items if a.domain == domain), start=1):
            _indicator(doc, report, a, j, today, charts)

    heading(w["notes"])
    for line in L.REPORT_NOTES[lang][1:]:
        para(doc, line, BODY_FONT, 12)
    sources = w["list_sep"].join(f"{label} {when}" for label, when in report.sources)
    para(doc, w["source"].format(items=sources) if sources else w["source_none"], BODY_FONT, 12)
    version = "—" if report.data_version is None else report.data_version
    para(doc, w["version"].format(v=version, d=today.isoformat()), BODY_FONT, 12)
    if report.demo:
        para(doc, w["demo"], BODY_FONT, 12, color=RED)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _indicator(doc, report: MonitoringReport, a: Assessment, j: int, today: dt.date,
               charts: bool) -> None:
    lang, w = report.lang, WORDS[report.lang]
    para(doc, f"{j}. {a.code} {TC.indicator_name(a, lang)}", HEAD_FONT, 13, indent=True)
    table(doc, detail_frame(a, lang), size=10, header=False, widths_cm=[2.6, 5.2, 2.6, 5.2],
          space_after=False)
    note = L.reason_text(a.reason, lang, n=a.n_years)
    if note:
        para(doc, note, BODY_FONT, 11)
    if charts and a.observed:
        picture(doc, trend_png(a, lang, demo=report.demo), CHART_WIDTH_CM)
    if a.status in FOLLOWUP_STATUSES and a.code in report.followups:
        found = report.followups[a.code]
        para(doc, (w["followups"] + w["colon"] + ("" if found else w["no_followups"])).strip(),
             SUB_FONT, 13, bold=True)
        if found:
            table(doc, followup_frame(found, today, lang), size=10, space_after=False)
