"""The meeting slides as data: headline KPIs, one slide per area of work, the target warnings.

Built from the same frames the overview reads; the screen (lib/ui/meeting_ui) and the PPTX brief
(lib/meeting/powerpoint) draw the same list, so the brief always matches what was projected: a chart's
points travel with the slide as numbers (``ChartData``), the brief draws them as an editable chart
and writes every figure of the slide into its speaker notes (``speaker_notes``). While demo rows
are in the warehouse every slide says so (``Slide.demo``): made-up figures must never reach a
meeting as real ones.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import pandas as pd

from lib import fmt
from lib.charts import targets as TC
from lib.charts.months import month_labels
from lib.i18n import t
from lib.meeting import charts
from lib.meeting import followup as FU
from lib.metrics import metric
from lib.metrics.cards import APPLIES, card, no_last_year
from lib.metrics.overview import Headline
from lib.reading import followup as follow_reading
from lib.targets.assess import Assessment

AREA_TITLES = {
    "coverage": {"zh": "组织覆盖", "en": "Organisation coverage"},
    "training": {"zh": "培训", "en": "Training"},
    "employment": {"zh": "就业", "en": "Employment"},
    "screening": {"zh": "两癌筛查", "en": "Two-cancer screening"},
}
# area → (headline metric code, dataset of facts, measure drawn per month); coverage draws bars.
AREAS = {
    "coverage": ("coverage.federation", None, None),
    "training": ("training.participants", "training", "participants"),
    "employment": ("employment.positions", "job_fair", "positions"),
    "screening": ("screening.screened", "screening", "screened"),
}
# Why an area has no chart, said in full on its slide (lib/metrics/cards reasons).
NOT_APPLICABLE_NOTE = {"na_held_above": "fairs_held_above", "na_not_split": "fairs_not_split",
                       "na_no_units": "na_no_units", "na_no_roster": "na_no_roster",
                       "na_not_uploaded": "na_not_uploaded"}
WARNING_ROWS = 8
WARNING_COLUMNS = ["name", "latest", "target", "projected", "status"]


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str = ""
    delta_color: str = "normal"  # "off": no base, no change or not applicable (grey, no arrow)
    delta_arrow: str = "auto"


@dataclass(frozen=True)
class ChartData:
    """The points a slide's chart shows, as numbers: what the brief draws and reads out.

    One measure is ``values``; a grouped chart (several measures per region, side by side) leaves
    ``values`` empty and holds each measure's label and values in ``series``."""
    kind: str                        # "line" (per month), "bar" (per child region) or "grouped"
    name: str                        # the measure's label (a grouped chart: its title)
    unit: str                        # "count" or "percent" (a share 0–1)
    categories: tuple[str, ...]
    values: tuple[float, ...]
    partial_index: int | None = None  # first incomplete month (drawn dashed, hollow, labelled)
    partial_label: str = ""           # 截至12月3日
    series: tuple[tuple[str, tuple[float, ...]], ...] = ()  # grouped: (label, one value a category)

    def category_text(self, i: int, lang: str = "zh") -> str:
        """A category as read out: an incomplete month says so (2026-12（截至12月3日）)."""
        cat = self.categories[i]
        if self.partial_index is None or i < self.partial_index or not self.partial_label:
            return cat
        return f"{cat}（{self.partial_label}）" if lang == "zh" else f"{cat} ({self.partial_label})"


@dataclass(frozen=True)
class Slide:
    key: str                 # "kpis", "area:<area>", "warnings", "followup"
    title: str
    as_of: str               # "数据截至 2024年12月31日"
    subtitle: str = ""
    kpis: tuple[Kpi, ...] = ()
    chart: Any = field(default=None, compare=False)             # Altair chart, unthemed
    table: pd.DataFrame | None = field(default=None, compare=False)  # already labelled
    note: str = ""
    chart_data: ChartData | None = None                         # the chart's points as numbers
    demo: bool = False                                          # figures from the demo data
    reading: tuple[str, ...] = ()                               # the written reading


@dataclass(frozen=True)
class MeetingData:
    region_name: str
    period: str
    as_of: dt.date | None
    headlines: list[Headline]
    monthly: Mapping[str, pd.DataFrame]          # dataset → facts(by_month=True)
    child_coverage: pd.DataFrame                 # child, num, den, value
    child_names: Mapping[str, str]               # 12-digit code → name
    assessments: list[Assessment]
    demo: bool = False                           # demo rows in the warehouse (has_demo_rows)
    partial_from: dt.date | None = None          # the period's last month is incomplete from here
    partial_label: str = ""                      # 截至12月3日 (lib/fmt.until_label)
    readings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # slide key → sentences
    last_year: bool = True   # the period a year earlier lies within the data (else 无上年同期数据)
    last_year_day: bool = True  # its last day does (for a coverage, a figure on that day)
    followup: FU.FollowupSummary | None = None  # 督办事项 since the last meeting (None: none read)


def as_of_text(d: dt.date | None, lang: str = "zh") -> str:
    if d is None:
        return f"{t('as_of', lang)} —"
    day = f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()
    return f"{t('as_of', lang)} {day}"


def _kpi(h: Headline, lang: str, d: MeetingData | None = None) -> Kpi:
    """The dashboards' card rules (lib/metrics/cards): 不适用 where the figure is not defined, a
    grey "—" without a base. The change compares the period with the same days of last year, and
    says 无上年同期数据 when those began before the data."""
    at_date = metric(h.code).domain == "coverage"
    c = card(metric(h.code).label(lang), h.value, h.previous, h.unit, lang,
             applies=getattr(h, "applies", APPLIES), at_date=at_date)
    if d is not None and not (d.last_year_day if at_date else d.last_year):
        c = no_last_year(c, lang)
    return Kpi(c.label, c.value, c.delta or "", c.delta_color, c.delta_arrow)


def _trend_data(frame: pd.DataFrame, measure: str, label: str, lang: str,
                d: MeetingData | None = None) -> ChartData:
    points = charts.trend_points(frame, measure)
    i = charts.partial_index(points["month"], d.partial_from if d else None)
    return ChartData("line", label, "count", tuple(month_labels(points["month"], lang)),
                     tuple(float(v) for v in points["value"]), partial_index=i,
                     partial_label=d.partial_label if (d and i is not None) else "")


def _bar_data(frame: pd.DataFrame, names: Mapping[str, str], label: str) -> ChartData:
    points = charts.child_points(frame, names)
    return ChartData("bar", label, "percent", tuple(str(r) for r in points["region"]),
                     tuple(float(v) for v in points["value"]))


def deck_title(d: MeetingData, lang: str = "zh") -> str:
    return f"{d.region_name} {t('meeting_title', lang)}"


def build_slides(d: MeetingData, lang: str = "zh") -> list[Slide]:
    """Headline KPIs, one slide per area, the warnings, then the follow-up items: 7 slides."""
    as_of = as_of_text(d.as_of, lang)
    heads = {h.code: h for h in d.headlines}
    slides = [Slide("kpis", deck_title(d, lang), as_of, subtitle=f"{t('meeting_kpis', lang)} · "
                    f"{d.period}", kpis=tuple(_kpi(h, lang, d) for h in d.headlines),
                    demo=d.demo)]
    for area, (code, dataset, measure) in AREAS.items():
        label = metric(code).label(lang)
        if dataset is None:
            chart = charts.child_bars(d.child_coverage, d.child_names, label, lang)
            points = _bar_data(d.child_coverage, d.child_names, label)
        else:
            frame = d.monthly.get(dataset, pd.DataFrame())
            chart = charts.monthly_trend(frame, measure, label, lang, partial_from=d.partial_from,
                                         partial_label=d.partial_label)
            points = _trend_data(frame, measure, label, lang, d)
        kpis = (_kpi(heads[code], lang, d),) if code in heads else ()
        note = ""
        applies = getattr(heads.get(code), "applies", APPLIES)
        if not applies.applies or not points.categories:
            # no empty axes on a projector: the card and one line saying why there is no chart
            note = (t(NOT_APPLICABLE_NOTE[applies.reason], lang)
                    if applies.reason in NOT_APPLICABLE_NOTE
                    else f"{label}{t('colon', lang)}{t('meeting_chart_empty', lang)}")
            chart, points = None, None
        slides.append(Slide(f"area:{area}", AREA_TITLES[area][lang], as_of, subtitle=d.period,
                            kpis=kpis, chart=chart, chart_data=points, note=note, demo=d.demo))
    warn = TC.warning_table(d.assessments, lang)
    labels = TC.column_labels(lang)
    table = warn[WARNING_COLUMNS].head(WARNING_ROWS).rename(columns=labels)
    note = "" if len(warn) else t("targets_no_warnings", lang)
    slides.append(Slide("warnings", t("meeting_warnings", lang), as_of, subtitle=d.region_name,
                        table=table, note=note, demo=d.demo))
    slides.append(followup_slide(d, lang))
    return [with_reading(s, d.readings.get(s.key, ()), lang) for s in slides]


def followup_slide(d: MeetingData, lang: str = "zh") -> Slide:
    """督办事项落实情况: new, closed and overdue items by region since the last meeting, with its
    reading. Three counts and a grouped chart; a region with no item at all gets one calm line
    (本期无督办事项) instead of zeros and empty axes."""
    title = t("mfu_title", lang)
    fu = d.followup
    if fu is None or fu.empty:
        return Slide("followup", title, as_of_text(fu.today if fu else d.as_of, lang),
                     subtitle=_since_text(fu, lang), note=t("mfu_none", lang), demo=d.demo)
    totals = fu.totals
    kpis = tuple(Kpi(t(f"mfu_{k}", lang), fmt.exact(totals[k]), delta_color="off")
                 for k in FU.MEASURES)
    drawn = FU.chart_rows(fu.rows)
    chart, points, note = None, None, ""
    if len(drawn):
        measures = {k: FU.LABELS[k][lang] for k in FU.MEASURES}
        name = t("mfu_chart", lang)
        chart = charts.grouped_bars(drawn, measures, name, lang)
        points = ChartData("grouped", name, "count", tuple(drawn["region_name"]), (),
                           series=tuple((label, tuple(float(v) for v in drawn[k]))
                                        for k, label in measures.items()))
    else:
        note = t("mfu_nothing_moved", lang)  # only older items, still open and not yet due
    slide = Slide("followup", title, as_of_text(fu.today, lang), subtitle=_since_text(fu, lang),
                  kpis=kpis, chart=chart, chart_data=points, note=note, demo=d.demo)
    said = follow_reading.sentences(fu.rows, region_name=d.region_name, since=fu.since, lang=lang)
    return with_reading(slide, tuple(said), lang)


def _since_text(fu: FU.FollowupSummary | None, lang: str) -> str:
    return t("mfu_since", lang).format(day=fmt.day(fu.since, lang)) if fu else ""


SUBTITLE_SENTENCES = 1  # the screen has room for one; the notes hold them all


def with_reading(slide: Slide, reading: tuple[str, ...], lang: str = "zh") -> Slide:
    """The slide with its written reading (lib/reading): the first sentence as its subtitle, all
    of them in the speaker notes. Without a reading (too little data) the slide is unchanged."""
    if not reading:
        return slide
    subtitle = ("" if lang == "zh" else " ").join(reading[:SUBTITLE_SENTENCES])
    return replace(slide, subtitle=subtitle, reading=tuple(reading))


def chart_value(value: float, unit: str, lang: str = "zh") -> str:
    """A chart point as read out: a share as 85.0%, a count in full (1,234, not 0.1万)."""
    if unit == "percent":
        return fmt.rate(value)
    return f"{value:,.0f}"


def speaker_notes(slide: Slide, lang: str = "zh") -> str:
    """Every figure on the slide as plain lines, for the presenter's notes in the brief: the
    headline values with their change, each chart point and each table row."""
    sep, join = ("：", "；") if lang == "zh" else (": ", "; ")
    lines = [slide.title]
    if slide.demo:
        lines.append(f"{t('meeting_demo', lang)}{sep}{t('meeting_demo_note', lang)}")
    lines += [x for x in ("" if slide.reading else slide.subtitle, slide.as_of) if x]
    if slide.reading:
        lines.append(t("reading_title", lang) + sep)
        lines += [f"  {x}" for x in slide.reading]
    for k in slide.kpis:
        lines.append(f"{k.label}{sep}{k.value}" + (f" ({k.delta})" if k.delta else ""))
    c = slide.chart_data
    if c is not None:
        lines.append(f"{c.name}{sep}" + ("" if c.categories else t("meeting_chart_empty", lang)))
        lines += [f"  {c.category_text(i, lang)}{sep}{chart_value(v, c.unit, lang)}"
                  for i, v in enumerate(c.values)]
        if c.series:  # a grouped chart: one line a category, every measure on it
            lines += [f"  {cat}{sep}" + join.join(f"{label} {chart_value(vals[i], c.unit, lang)}"
                                                  for label, vals in c.series)
                      for i, cat in enumerate(c.categories)]
    if slide.table is not None and not slide.table.empty:
        for row in slide.table.itertuples(index=False):
            lines.append(join.join(f"{col}{sep}{val}" for col, val in zip(slide.table.columns, row)))
    if slide.note:
        lines.append(slide.note)
    return "\n".join(lines)
