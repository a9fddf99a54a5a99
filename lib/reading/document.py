"""The monthly 通报 as a Word document (python-docx), in the usual official layout.

A blank 文号 line for the office to fill in, the title and period, the 主送 line, 一、二、三 sections
(the overview; each area with its reading, ranking table and chart; the plan targets with their
warning table; the open follow-up items, overdue first), the signature and date, and a closing
note with the data source and data version.
While demo data is shown the document says 示例数据 at the top of every page and under the title.
Page layout, fonts and tables are those of every document the app writes (lib/docx_style).
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lib import clock, export, fmt
from lib.charts import common as charts, targets as TC
from lib.docx_style import (BODY_FONT, HEAD_FONT, NUMERALS, RED, SUB_FONT, TITLE_FONT, a4_document,
                            demo_header, para, picture, table)
from lib.followup.model import Item, sort_key
from lib.i18n import t
from lib.reading.bulletin import Brief, Section

DOC_NUMBER = "________〔______〕______号"
AREA_ORDER = ("coverage", "training", "employment", "screening")

WORDS = {
    "zh": {"title": "{region}妇联重点工作情况通报", "to_city": "各区县妇联：",
           "to_district": "各乡镇（街道）妇联：", "to_township": "各村（社区）妇联：",
           "intro": "现将{period}{region}妇联重点工作数据情况通报如下：",
           "overview": "总体情况", "areas": "重点工作进展", "targets": "规划目标监测",
           "rank": "排名", "region": "地区", "change": "排名变化", "nothing": "本期数据不足，未作解读。",
           "warn_table": "预警指标", "sign": "{region}妇联", "note": "数据说明",
           "source": "数据来源：巾帼数据驾驶舱数据仓库（{items}）。",
           "source_none": "数据来源：巾帼数据驾驶舱数据仓库。",
           "version": "数据版本：{v}；生成日期：{d}。",
           "method": "文中数字与驾驶舱页面同口径、同舍入；数据过少的地区不作表述，"
                     "乡镇及以下不报告少于5人的确诊、治疗、救助人数。",
           "demo": "示例数据：本通报数字由程序生成，仅供演示，不是真实统计。", "demo_mark": "示例数据",
           "followup": "督办事项落实情况",
           "fu_open": "截至{day}，{region}未办结的督办事项共{n}项，其中逾期{late}项，列表如下（逾期事项在前）。",
           "fu_none": "截至{day}，{region}无未办结的督办事项。",
           "fu_no": "序号", "fu_region": "地区", "fu_subject": "督办事项", "fu_owner": "责任人（单位）",
           "fu_due": "办理期限", "fu_status": "状态"},
    "en": {"title": "{region}: women's federation work report", "to_city": "To the district federations:",
           "to_district": "To the township federations:", "to_township": "To the village federations:",
           "intro": "This report sets out the figures of {region} for {period}.",
           "overview": "Overview", "areas": "Progress by area", "targets": "Plan targets",
           "rank": "Rank", "region": "Region", "change": "Rank change", "nothing": "Too little data this period.",
           "warn_table": "Warnings", "sign": "{region} Women's Federation", "note": "About the data",
           "source": "Source: the halfsky warehouse ({items}).", "source_none": "Source: the halfsky warehouse.",
           "version": "Data version: {v}; prepared on {d}.",
           "method": "Figures are computed and rounded as on the dashboard pages; regions with too "
                     "little data are not described, and counts under 5 of diagnosed, treated and "
                     "aided women are not reported below district level.",
           "demo": "Demo data: every figure in this report is synthetic, not real statistics.",
           "demo_mark": "Demo data",
           "followup": "Follow-up items",
           "fu_open": "On {day}, {region} has {n} open follow-up item(s), {late} of them overdue "
                      "(listed first).",
           "fu_none": "On {day}, {region} has no open follow-up item.",
           "fu_no": "No.", "fu_region": "Region", "fu_subject": "Item", "fu_owner": "Owner",
           "fu_due": "Due", "fu_status": "Status"},
}


def league_frame(section: Section, lang: str) -> pd.DataFrame:
    """The section's whole ranking as a table: rank, region, value, change in rank."""
    w = WORDS[lang]
    f = section.facts
    rows = [{w["rank"]: r["rank"], w["region"]: r["name"], f.league_label: r["value_text"],
             w["change"]: ("—" if r["rank_change"] is None else
                           f"↑{r['rank_change']}" if r["rank_change"] > 0 else
                           f"↓{-r['rank_change']}" if r["rank_change"] < 0 else "＝")}
            for r in f.league]
    return pd.DataFrame(rows, columns=[w["rank"], w["region"], f.league_label, w["change"]])


def league_png(section: Section, lang: str) -> bytes | None:
    """The ranking as a bar chart (the pages' chart builder, rendered by vl-convert)."""
    f = section.facts
    if len(f.league) < 2:
        return None
    frame = pd.DataFrame({"name": [r["name"] for r in f.league],
                          "value": [r["value"] for r in f.league]}).dropna()
    chart = charts.bars(frame, category="name", value="value", title=f.league_label,
                        value_title="", percent=f.league_unit == "percent", lang=lang)
    return export.chart_png(chart)


def followup_frame(items: Sequence[Item], today: dt.date, lang: str) -> pd.DataFrame:
    """The open items as the 通报 lists them: overdue first, then by due date (closed items are
    left out: the section is about what is still to be done)."""
    w = WORDS[lang]
    still = sorted((i for i in items if i.status != "done"), key=lambda i: sort_key(i, today))
    cols = [w[k] for k in ("fu_no", "fu_region", "fu_subject", "fu_owner", "fu_due", "fu_status")]
    rows = [(n, i.region_name, i.subject, _owner(i, lang), fmt.day(i.due, lang),
             i.status_text(today, lang)) for n, i in enumerate(still, 1)]
    return pd.DataFrame(rows, columns=cols)


def _owner(item: Item, lang: str) -> str:
    """The owning account (said to be disabled when it is: the item needs another owner), or the
    owning unit by its region's name."""
    if item.owner is not None:
        return item.owner + ("" if item.owner_active else t("fu_owner_disabled", lang))
    return item.owner_region_name or "—"


def brief_docx(brief: Brief, *, assessments=None, charts: bool = True,
               followups: Sequence[Item] | None = None, today: dt.date | None = None) -> bytes:
    """The 通报 as .docx bytes. ``assessments`` (the targets assessment of the region) fills the
    warning table of the targets section; ``charts=False`` leaves the chart images out.
    ``followups``, the follow-up items of the region the caller may see (lib.followup.service,
    read by the caller inside its scope), adds a section listing the open ones, overdue first,
    as of ``today`` (default: the brief's date); without it the section is left out."""
    lang = brief.lang
    w = WORDS[lang]
    doc = a4_document()
    if brief.demo:
        demo_header(doc, w["demo_mark"])
    para(doc, DOC_NUMBER, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, w["title"].format(region=brief.region_name), TITLE_FONT, 22,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"（{brief.period_text}）" if lang == "zh" else f"({brief.period_text})", SUB_FONT,
         16, align=WD_ALIGN_PARAGRAPH.CENTER)
    if brief.demo:
        para(doc, w["demo"], HEAD_FONT, 14, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER)
    to = w.get(f"to_{brief.level}")
    if to:
        para(doc, to)
    para(doc, w["intro"].format(period=brief.period_text, region=brief.region_name), indent=True)

    n = 0

    def heading(text: str) -> None:
        nonlocal n
        label = f"{NUMERALS[n]}、{text}" if lang == "zh" else f"{n + 1}. {text}"
        n += 1
        para(doc, label, HEAD_FONT, 16, indent=True)

    def body(s: Section) -> None:
        text = ("" if lang == "zh" else " ").join(s.sentences) or w["nothing"]
        para(doc, text, indent=True)

    heading(w["overview"])
    body(brief.section("overview"))
    areas = [s for s in brief.sections if s.area in AREA_ORDER]
    if areas:
        heading(w["areas"])
        for i, s in enumerate(areas):
            sub = f"（{NUMERALS[i]}）{s.title}" if lang == "zh" else f"{n}.{i + 1} {s.title}"
            para(doc, sub, SUB_FONT, 16, bold=True, indent=True)
            body(s)
            if s.facts.league:
                table(doc, league_frame(s, lang))
                png = league_png(s, lang) if charts else None
                if png:
                    picture(doc, png, 15)
    if any(s.area == "targets" for s in brief.sections):
        heading(w["targets"])
        body(brief.section("targets"))
        if assessments:
            warn = TC.warning_table(assessments, lang)
            if not warn.empty:
                labels = TC.column_labels(lang)
                cols = [c for c in ("name", "latest", "target", "projected", "status") if c in warn]
                para(doc, w["warn_table"], SUB_FONT, 14, bold=True)
                table(doc, warn[cols].rename(columns=labels))
    if followups is not None:
        heading(w["followup"])
        on = today or brief.made_on or clock.today()
        listed = followup_frame(followups, on, lang)
        late = sum(1 for i in followups if i.overdue(on))
        words = dict(day=fmt.day(on, lang), region=brief.region_name, n=len(listed), late=late)
        para(doc, (w["fu_open"] if len(listed) else w["fu_none"]).format(**words), indent=True)
        if len(listed):
            table(doc, listed)
    doc.add_paragraph()
    para(doc, w["sign"].format(region=brief.region_name), align=WD_ALIGN_PARAGRAPH.RIGHT)
    made = brief.made_on
    if made is not None:
        para(doc, f"{made.year}年{made.month}月{made.day}日" if lang == "zh" else made.isoformat(),
             align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.add_paragraph()
    para(doc, w["note"], HEAD_FONT, 14)
    items = ("、" if lang == "zh" else ", ").join(
        f"{s['label']} {s['last_upload']}" for s in brief.sources)
    para(doc, w["source"].format(items=items) if items else w["source_none"], BODY_FONT, 12)
    para(doc, w["version"].format(v="—" if brief.data_version is None else brief.data_version,
                                  d="—" if made is None else made.isoformat()), BODY_FONT, 12)
    para(doc, w["method"], BODY_FONT, 12)
    for text in brief.warnings:
        para(doc, text, BODY_FONT, 12, color=RED if brief.demo and text == brief.warnings[0]
              else None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
