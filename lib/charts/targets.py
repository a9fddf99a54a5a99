"""Charts and display tables of the target assessment (pure: assessments in, Altair / frames out).

The projection chart draws, in the indicator's own units: the observed values, the target line, the
straight-line path from the baseline to the target (规划进度) and the Theil–Sen projection from the
latest year to the target year, with its interval as a band that widens towards the target year.
"""
from __future__ import annotations

import copy
import math
from typing import Iterable, Mapping

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.memo import BoundedCache
from lib.metrics.cards import Card, card
from lib.targets import labels as L
from lib.targets.assess import Assessment, warnings

STATUS_COLORS = {"achieved": "#2e7d32", "on_track": "#1565c0", "at_risk": "#f9a825",
                 "off_track": "#c62828", "insufficient_data": "#9e9e9e"}
CJK_FONT = "Noto Sans CJK SC"

TEXT: dict[str, dict[str, str]] = {
    "observed": {"zh": "观测值", "en": "Observed"},
    "target": {"zh": "目标值", "en": "Target"},
    "pace": {"zh": "规划进度（基线→目标）", "en": "Planned path (baseline → target)"},
    "projection": {"zh": "趋势预测", "en": "Projection"},
    "band": {"zh": "预测区间", "en": "Projection interval"},
    "year": {"zh": "年份", "en": "Year"},
    "series": {"zh": "图例", "en": "Legend"},
    "domain": {"zh": "领域", "en": "Domain"},
    "region": {"zh": "地区", "en": "Region"},
    "warnings": {"zh": "预警指标数", "en": "Warnings"},
    "worst": {"zh": "差距最大的指标", "en": "Largest shortfall"},
    "shortfall_share": {"zh": "预计差距（占目标）", "en": "Shortfall (share of target)"},
}
_SERIES = ("observed", "target", "pace", "projection")
_SERIES_COLORS = {"observed": "#1f77b4", "target": "#c62828", "pace": "#7f7f7f",
                  "projection": "#ff7f0e"}
_SERIES_COLORS_DARK = {"observed": "#4fc3f7", "target": "#ff5252", "pace": "#bdbdbd",
                       "projection": "#ffb74d"}


def tx(key: str, lang: str) -> str:
    return TEXT[key].get(lang) or TEXT[key]["zh"]


def _ok(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def indicator_value(x: float | None, unit: str, lang: str = "zh") -> str:
    """A value in the indicator's own unit: 72.3% · 12.5/10万 · 1,234个."""
    if not _ok(x):
        return "—"
    if unit == "percent":
        return f"{x:.1f}%"
    if unit == "per_100k":
        return f"{x:.1f}{'/10万' if lang == 'zh' else ' per 100k'}"
    if unit == "count":
        return fmt.count(x, lang)
    return f"{x:,.1f}"


def shortfall_value(x: float | None, unit: str, lang: str = "zh") -> str:
    """A projected gap in the indicator's unit; for a percentage it is a difference of two
    percentages, so 个百分点 (pp), not "%"."""
    if unit == "percent":
        return fmt.points(x, lang) if _ok(x) else "—"
    return indicator_value(x, unit, lang)


# Progress columns hold percentages (44.4 for 4/9) drawn with fmt.RATE_PRINTF up to PROGRESS_MAX.
PROGRESS_MAX = 100


def _percent(x: float | None) -> float | None:
    return round(100 * x, 1) if _ok(x) else None


def indicator_name(a: Assessment, lang: str) -> str:
    return (a.name_zh if lang == "zh" else a.name_en) or a.name_zh or a.code


def status_text(a: Assessment, lang: str) -> str:
    text = L.status_label(a.status, lang)
    return f"{text} · {L.VOLATILE_LABEL[lang]}" if a.volatile else text


# --- projection chart --------------------------------------------------------------------------

def projection_frames(a: Assessment, lang: str = "zh") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines, band): lines = (series, label, year, value) for observed / target / pace /
    projection; band = (year, low, high) from the latest year to the target year (empty without a
    projection)."""
    rows: list[tuple[str, int, float]] = [("observed", y, v) for y, v in a.observed]
    years = [y for y, _ in a.observed]
    if _ok(a.target_value):
        x0 = min(years + [a.baseline_year or a.target_year or 0]) if years else a.baseline_year
        x1 = max(years + [a.target_year]) if a.target_year else (max(years) if years else None)
        if x0 is not None and x1 is not None:
            rows += [("target", x0, a.target_value), ("target", x1, a.target_value)]
    if _ok(a.baseline_value) and _ok(a.target_value) and a.target_year and a.baseline_year:
        rows += [("pace", a.baseline_year, a.baseline_value), ("pace", a.target_year, a.target_value)]
    band = pd.DataFrame(columns=["year", "low", "high"])
    has_projection = (_ok(a.projected_value) and _ok(a.slope) and a.target_year
                      and a.latest_year is not None and a.target_year > a.latest_year)
    if has_projection:
        at_latest = a.projected_value - a.slope * (a.target_year - a.latest_year)
        rows += [("projection", a.latest_year, at_latest),
                 ("projection", a.target_year, a.projected_value)]
        band = pd.DataFrame({"year": [a.latest_year, a.target_year],
                             "low": [at_latest, a.projected_low],
                             "high": [at_latest, a.projected_high]})
    lines = pd.DataFrame(rows, columns=["series", "year", "value"])
    lines.insert(1, "label", [tx(s, lang) for s in lines["series"]])
    return lines, band


def projection_chart(a: Assessment, lang: str = "zh", *, theme: str = "light",
                     height: int = 320) -> alt.LayerChart:
    """Observed values, target line, planned path and projection band of one indicator."""
    lines, band = projection_frames(a, lang)
    colors = _SERIES_COLORS_DARK if theme == "dark" else _SERIES_COLORS
    present = [s for s in _SERIES if s in set(lines["series"])] or ["observed"]
    domain = [tx(s, lang) for s in present]
    color = alt.Color("label:N", title=None,
                      scale=alt.Scale(domain=domain, range=[colors[s] for s in present]),
                      legend=alt.Legend(orient="bottom"))
    unit = L.UNIT_LABELS.get(a.unit, {}).get(lang, a.unit)
    x = alt.X("year:Q", title=tx("year", lang), axis=alt.Axis(format="d", tickMinStep=1),
              scale=alt.Scale(zero=False))
    y = alt.Y("value:Q", title=unit, scale=alt.Scale(zero=False))
    base = alt.Chart(lines)
    layers = []
    if not band.empty:
        layers.append(alt.Chart(band).mark_area(opacity=0.25, color=colors["projection"]).encode(
            x=alt.X("year:Q"), y=alt.Y("low:Q"), y2="high:Q"))
    dash = alt.StrokeDash("label:N", legend=None, scale=alt.Scale(
        domain=domain, range=[[1, 0] if s == "observed" else [6, 4] for s in present]))
    layers.append(base.mark_line(strokeWidth=2.5).encode(
        x=x, y=y, color=color, strokeDash=dash, detail="series:N",
        tooltip=[alt.Tooltip("label:N", title=tx("series", lang)),
                 alt.Tooltip("year:Q", title=tx("year", lang), format="d"),
                 alt.Tooltip("value:Q", title=unit, format=".1f")]))
    layers.append(base.transform_filter(alt.datum.series == "observed")
                  .mark_point(filled=True, size=70).encode(x=x, y=y, color=color))
    return alt.layer(*layers, title=indicator_name(a, lang), height=height, width="container",
                     config=theme_config(theme))  # one copy of the layers, not one per setting


DEMO_MARK = {"zh": "示例数据", "en": "Demo data"}


def trend_chart(a: Assessment, lang: str = "zh", *, demo: bool = False, width: int = 440,
                height: int = 130) -> alt.LayerChart:
    """The projection chart small enough to sit under each indicator of a printed report (a fixed
    width: a document has no container), with smaller type and, on demo data, 示例数据 in red
    under the title so the image says so even when copied out of the document."""
    chart = projection_chart(a, lang, height=height)
    title = alt.TitleParams(text=indicator_name(a, lang), anchor="start", fontSize=12,
                            subtitle=DEMO_MARK[lang] if demo else "", subtitleColor="#c00000",
                            subtitleFontSize=11, subtitleFontWeight="bold")
    config = theme_config("light")  # the printed sizes replace the theme's axis and legend
    config["axis"] = alt.AxisConfig(labelFontSize=10, titleFontSize=10)
    config["legend"] = alt.LegendConfig(labelFontSize=10, symbolSize=60, orient="right")
    return chart.properties(title=title, width=width, height=height, config=config)


_SPECS = BoundedCache(512)


def projection_spec(a: Assessment, lang: str = "zh", *, theme: str = "light",
                    height: int = 320) -> dict:
    """projection_chart as a Vega-Lite dict, memoised per assessment: building the layered chart
    costs more than the rest of the targets page, and an assessment changes only with the data.

    Keyed by ``repr(a)`` because assessments arrive as new objects on every rerun (unpickled from
    the query cache) and dataclass equality fails on NaN; callers get their own copy.
    """
    key = (repr(a), lang, theme, height)
    spec = _SPECS.get(key)
    if spec is None:
        spec = projection_chart(a, lang, theme=theme, height=height).to_dict(validate=False)
        _SPECS.put(key, spec)
    return copy.deepcopy(spec)


def theme_config(theme: str = "light", *, font_scale: float = 1.0) -> alt.Config:
    """The configuration ``apply_theme`` gives a chart, as one object."""
    size = lambda s: round(s * font_scale)  # noqa: E731
    fg = "#f5f5f5" if theme == "dark" else "#222222"
    grid = "#444444" if theme == "dark" else "#dddddd"
    return alt.Config(
        font=CJK_FONT, background="#111111" if theme == "dark" else "white",
        axis=alt.AxisConfig(labelColor=fg, titleColor=fg, gridColor=grid, domainColor=fg,
                            tickColor=fg, labelFontSize=size(12), titleFontSize=size(13)),
        legend=alt.LegendConfig(labelColor=fg, titleColor=fg, labelFontSize=size(12),
                                titleFontSize=size(13), labelLimit=0),
        title=alt.TitleConfig(color=fg, fontSize=size(15), anchor="start"),
        view=alt.ViewConfig(stroke=None))


def apply_theme(chart, theme: str = "light", *, font_scale: float = 1.0):
    """Fonts that carry Chinese glyphs (also in vl-convert PNGs) and, for meetings, a dark theme.

    The chart's configuration is replaced whole, in one copy: each copy of a layered chart
    rebuilds and deep-copies every layer, which chained ``configure_*`` calls did five times."""
    return chart.properties(config=theme_config(theme, font_scale=font_scale))


# --- tables ------------------------------------------------------------------------------------

INDICATOR_COLUMNS = ["domain", "code", "name", "latest", "target", "time_progress",
                     "attainment_progress", "projected", "status", "note"]


def indicator_table(assessments: Iterable[Assessment], lang: str = "zh",
                    statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per indicator in catalog-domain order, filtered by status (None: all).

    Progress columns are percentages with one decimal, as the page shows them (attainment may be
    negative when the value moved away)."""
    keep = set(statuses) if statuses is not None else None
    order = list(L.DOMAIN_LABELS)
    rows = []
    for a in assessments:
        if keep is not None and a.status not in keep:
            continue
        rows.append({
            "domain": L.domain_label(a.domain, lang), "_domain_order": order.index(a.domain)
            if a.domain in order else len(order), "code": a.code,
            "name": indicator_name(a, lang),
            "latest": (f"{indicator_value(a.latest_value, a.unit, lang)}（{a.latest_label(lang)}）"
                       if a.latest_year else "—"),
            "target": (f"{indicator_value(a.target_value, a.unit, lang)}（{a.target_year}）"
                       if a.target_year else indicator_value(a.target_value, a.unit, lang)),
            "time_progress": _percent(a.time_progress),
            "attainment_progress": _percent(a.attainment_progress),
            "projected": indicator_value(a.projected_value, a.unit, lang),
            "status": status_text(a, lang), "_status": a.status,
            "note": L.reason_text(a.reason, lang, n=a.n_years),
        })
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS + ["_domain_order", "_status"])
    frame = frame.sort_values(["_domain_order", "code"], kind="stable", ignore_index=True)
    return frame


def column_labels(lang: str = "zh") -> dict[str, str]:
    """Headers of indicator_table / warning_table columns."""
    rc = {k: v[lang] for k, v in L.REPORT_COLUMNS.items()}
    return {"domain": tx("domain", lang), "code": rc["code"], "name": rc["name"],
            "latest": rc["latest_value"], "target": rc["target_value"],
            "time_progress": rc["time_progress"], "attainment_progress": rc["attainment_progress"],
            "projected": rc["projected_value"], "status": rc["status"], "note": rc["reason"],
            "shortfall": rc["shortfall"], "shortfall_share": tx("shortfall_share", lang),
            "region": tx("region", lang), "warnings": tx("warnings", lang),
            "worst": tx("worst", lang), "off_track": L.status_label("off_track", lang),
            "at_risk": L.status_label("at_risk", lang),
            "insufficient": L.status_label("insufficient_data", lang)}


WARNING_COLUMNS = ["code", "name", "latest", "target", "projected", "shortfall", "status"]


def warning_table(assessments: Iterable[Assessment], lang: str = "zh") -> pd.DataFrame:
    """The warning list (at risk, off track, volatile), largest relative shortfall first."""
    rows = [{"code": a.code, "name": indicator_name(a, lang),
             "latest": (f"{indicator_value(a.latest_value, a.unit, lang)}（{a.latest_label(lang)}）"
                        if a.latest_year else "—"),
             "target": indicator_value(a.target_value, a.unit, lang),
             "projected": indicator_value(a.projected_value, a.unit, lang),
             "shortfall": shortfall_value(a.shortfall, a.unit, lang) if a.shortfall else "—",
             "status": status_text(a, lang), "_status": a.status}
            for a in warnings(assessments)]
    return pd.DataFrame(rows, columns=WARNING_COLUMNS + ["_status"])


CHILD_COLUMNS = ["region", "latest", "projected", "shortfall", "status"]


def child_indicator_table(children: Mapping[str, list[Assessment]], names: Mapping[str, str],
                          code: str, lang: str = "zh") -> pd.DataFrame:
    """One indicator across child regions, the ones furthest short of the target first."""
    rows = []
    for region, items in children.items():
        a = next((x for x in items if x.code == code), None)
        if a is None:
            continue
        rows.append({"region": names.get(region, region),
                     "latest": indicator_value(a.latest_value, a.unit, lang),
                     "projected": indicator_value(a.projected_value, a.unit, lang),
                     "shortfall": shortfall_value(a.shortfall, a.unit, lang) if a.shortfall
                     else "—",
                     "status": status_text(a, lang), "_status": a.status,
                     "_key": (-(a.shortfall_share or 0.0), _severity(a.status), region)})
    frame = pd.DataFrame(rows, columns=CHILD_COLUMNS + ["_status", "_key"])
    return frame.sort_values("_key", ignore_index=True).drop(columns="_key")


CHILD_SUMMARY_COLUMNS = ["region", "warnings", "off_track", "at_risk", "insufficient", "worst"]


def child_summary(children: Mapping[str, list[Assessment]], names: Mapping[str, str],
                  lang: str = "zh") -> pd.DataFrame:
    """Per child region: warnings, off-track and at-risk counts, the indicators without enough data
    and the worst indicator; the regions that drag the parent down come first.

    Counts are text: a region none of whose indicators could be assessed reads "—", not 0 (its
    zeros would read as "no problem"), and comes last."""
    rows = []
    for region, items in children.items():
        warn = warnings(items)
        unknown = sum(a.status == "insufficient_data" for a in items)
        known = len(items) > unknown
        rows.append({"region": names.get(region, region), "warnings": len(warn),
                     "off_track": sum(a.status == "off_track" for a in items),
                     "at_risk": sum(a.status == "at_risk" for a in items),
                     "insufficient": unknown,
                     "worst": indicator_name(warn[0], lang) if warn else "",
                     "_known": known,
                     "_share": sum(a.shortfall_share or 0.0 for a in warn), "_code": region})
    frame = pd.DataFrame(rows, columns=CHILD_SUMMARY_COLUMNS + ["_known", "_share", "_code"])
    frame = frame.sort_values(["_known", "off_track", "warnings", "_share", "_code"],
                              ascending=[False, False, False, False, True], ignore_index=True)
    for col in ("warnings", "off_track", "at_risk"):
        frame[col] = [str(n) if known else "—" for n, known in zip(frame[col], frame["_known"])]
    frame["insufficient"] = frame["insufficient"].astype(str)
    return frame.drop(columns=["_share", "_known"])


_SEVERITY = {"off_track": 0, "at_risk": 1, "on_track": 2, "achieved": 3, "insufficient_data": 4}


def _severity(status: str) -> int:
    return _SEVERITY.get(status, 9)


def status_pills(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ``status`` column as lists of labels (the status, and 波动大 when volatile), drawn as
    coloured pills by ``status_column``.

    A pandas Styler did the colouring before, at ~30 ms per table per rerun (Streamlit renders
    every cell of a styled frame); a pill column costs nothing and reads the same at a glance.
    """
    volatile = L.VOLATILE_LABEL[lang]
    pills = [[L.status_label(code, lang)] + ([volatile] if volatile in str(text) else [])
             if isinstance(code, str) else []
             for code, text in zip(frame["_status"], frame["status"])]
    return frame.assign(status=pills)


def status_pill_colors(lang: str) -> dict[str, str]:
    """{pill label: colour} for the status column (st.column_config.MultiselectColumn)."""
    out = {L.status_label(s, lang): c for s, c in STATUS_COLORS.items()}
    out[L.VOLATILE_LABEL[lang]] = STATUS_COLORS["at_risk"]
    return out


SUMMARY_COLUMNS = ["name", "latest", "target", "projected", "status"]


def warning_summary(assessments: Iterable[Assessment], lang: str = "zh") -> pd.DataFrame:
    """The warning list in the columns a slide or a shared picture has room for, headed in
    ``lang``: indicator, latest value, target, projection, status."""
    return warning_table(assessments, lang)[SUMMARY_COLUMNS].rename(columns=column_labels(lang))


def status_cards(assessments: Iterable[Assessment], lang: str = "zh") -> list[Card]:
    """How many indicators stand at each status (达标 3, 按进度 5 …), as KPI cards: the targets
    page's table told at a glance. A status no indicator has is left out."""
    statuses = [a.status for a in assessments]
    return [card(L.status_label(s, lang), float(statuses.count(s)), None, "count", lang,
                 compare=False) for s in L.STATUSES if s in statuses]
