"""Altair builders shared by the dashboards: trend lines, breakdown bars, the screening funnel."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from lib.charts.memo import memoised
from lib.charts.months import headroom, month_tick_step, time_axis_labels

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#C8102E", "#2C7FB8", "#7FCDBB", "#FDAE61", "#756BB1", "#999999"]


# Vega-Lite's time and number locale for the Chinese UI: month names on time axes and in tooltips
# read 1月…12月 (in the browser and in the PNG download alike), not Jan…Dec.
ZH_LOCALE = {
    "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]},
    "time": {"dateTime": "%Y年%-m月%-d日 %A %X", "date": "%Y/%-m/%-d", "time": "%H:%M:%S",
             "periods": ["上午", "下午"],
             "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
             "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
             "months": [f"{m}月" for m in range(1, 13)],
             "shortMonths": [f"{m}月" for m in range(1, 13)]},
}


# A missing value (a rate with no base) breaks a line instead of joining the points either side,
# whatever Vega-Lite's default for the version that draws it.
BREAK = "break-paths-show-domains"

TITLE_LINE = {"zh": 16, "en": 30}  # characters per title line that fit a phone-wide chart


def title_lines(title: str, lang: str = "zh") -> str | list[str]:
    """A long chart title as lines (Vega-Lite draws a list as one line each): Vega cuts a title
    wider than its chart with an ellipsis, as "Coverage by organisation type (urban/…" on a phone.
    English breaks between words, Chinese anywhere."""
    limit = TITLE_LINE.get(lang, 30)
    if not isinstance(title, str) or len(title) <= limit:
        return title
    if lang == "zh":
        return [title[i:i + limit] for i in range(0, len(title), limit)]
    lines: list[str] = []
    for word in title.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _base(chart: alt.Chart, title: str, lang: str = "zh") -> alt.Chart:
    out = chart.properties(title=title_lines(title, lang), height=300)
    if lang == "zh":
        out = out.configure(locale=ZH_LOCALE)
    return out.configure_axis(labelFont=FONT, titleFont=FONT).configure_legend(
        labelFont=FONT, titleFont=FONT).configure_title(font=FONT, anchor="start")


def _value_axis(fmt: str, percent: bool) -> alt.Axis:
    """Counts get whole-number ticks only (no 0 0 0 1 1 1 on a small axis)."""
    return alt.Axis(format=fmt) if percent else alt.Axis(format=fmt, tickMinStep=1)


def _series_scale(frame: pd.DataFrame, series: str) -> alt.Scale:
    """One colour per series in order of appearance: the region itself always comes first, so its
    line keeps the first colour at every level (an alphabetical domain would swap colours)."""
    domain = [str(v) for v in pd.unique(frame[series].astype(str))] if series in frame else []
    return alt.Scale(domain=domain, range=PALETTE[:max(1, len(domain))]) if domain \
        else alt.Scale(range=PALETTE)


@memoised
def trend(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str, y_title: str,
          percent: bool = False, x_title: str = "", lang: str = "zh",
          partial_from: dt.date | None = None, partial_label: str = "") -> alt.Chart:
    """Lines of ``y`` over ``x`` per ``series`` (e.g. the region and its parent).

    ``partial_from`` (a month start, on a time axis) marks the months from there on as incomplete:
    their line is dashed, their points hollow, and ``partial_label`` (截至11月30日) is written above
    them, so two days of December never read as a collapse next to whole months."""
    fmt = ".1%" if percent else ",.0f"
    x_type = "T" if pd.api.types.is_datetime64_any_dtype(frame[x]) else "O"
    time_fmt = "%Y年%-m月" if lang == "zh" else "%b %Y"
    x_tip = (alt.Tooltip(f"{x}:T", title=x_title, format=time_fmt) if x_type == "T"
             else alt.Tooltip(f"{x}:O", title=x_title))
    cut = pd.Timestamp(partial_from) if partial_from is not None and x_type == "T" else None
    labelled = cut is not None and bool((frame[x] >= cut).any())
    x_axis = alt.Axis()
    if x_type == "T":  # 2026年3月 4月 … 2027年1月: one tick a month (or every few), never weeks
        step = month_tick_step(max(1, frame[x].dt.to_period("M").nunique()))
        x_axis = alt.Axis(labelExpr=time_axis_labels(lang), tickCount={"interval": "month",
                                                                       "step": step})
    enc = dict(
        x=alt.X(f"{x}:{x_type}", title=x_title, axis=x_axis),
        y=alt.Y(f"{y}:Q", title=y_title, axis=_value_axis(fmt, percent),
                scale=alt.Scale(domainMax=headroom(frame[y])) if labelled else alt.Undefined),
        # legend below the plot: full series names, and the plot keeps its width on a phone
        color=alt.Color(f"{series}:N", title="", scale=_series_scale(frame, series),
                        legend=alt.Legend(orient="bottom", labelLimit=400, direction="vertical")),
        tooltip=[alt.Tooltip(f"{series}:N", title=""), x_tip,
                 alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)])
    if not labelled:
        return _base(alt.Chart(frame).mark_line(point=True, invalid=BREAK).encode(**enc), title,
                     lang)
    whole = frame[frame[x] < cut]
    # the dashed part starts at each series' last whole month, so the line stays joined
    joins = whole.sort_values(x).groupby(series, sort=False).tail(1)
    tail = pd.concat([joins, frame[frame[x] >= cut]], ignore_index=True)
    part = frame[frame[x] >= cut]
    # one label (on the region), not one per line, written in the band the y scale keeps free
    # above every point: beside a point, the parent's average could be drawn over it
    note = part.head(1).assign(_label=partial_label)
    solid = alt.Chart(whole).mark_line(point=True, invalid=BREAK).encode(**enc)
    dashed = alt.Chart(tail).mark_line(strokeDash=[6, 4], invalid=BREAK).encode(**enc)
    hollow = alt.Chart(part).mark_point(filled=False, size=70, opacity=1).encode(**enc)
    label = alt.Chart(note).mark_text(align="right", baseline="top", dy=2, font=FONT,
                                      fontSize=11).encode(
        x=enc["x"], y=alt.value(0), color=enc["color"], text="_label:N")
    return _base(alt.layer(solid, dashed, hollow, label), title, lang)


@memoised
def bars(frame: pd.DataFrame, *, category: str, value: str, title: str, value_title: str,
         color: str | None = None, percent: bool = False, lang: str = "zh") -> alt.Chart:
    """Horizontal bars, sorted by value; ``color`` splits them (e.g. urban/rural) side by side."""
    fmt = ".1%" if percent else ",.0f"
    enc = dict(
        # category names up to 160 px before an ellipsis (Streamlit's theme cut them near 100)
        y=alt.Y(f"{category}:N", title="", sort="-x", axis=alt.Axis(labelLimit=160)),
        x=alt.X(f"{value}:Q", title=value_title, axis=_value_axis(fmt, percent)),
        tooltip=[alt.Tooltip(f"{category}:N", title="")]
        + ([alt.Tooltip(f"{color}:N", title="")] if color else [])
        + [alt.Tooltip(f"{value}:Q", title=value_title, format=fmt)])
    if color:
        # legend below the bars: at its default right it squeezed the plot on a phone
        enc["color"] = alt.Color(f"{color}:N", title="", scale=alt.Scale(range=PALETTE),
                                 legend=alt.Legend(orient="bottom"))
        enc["yOffset"] = alt.YOffset(f"{color}:N")
    else:
        enc["color"] = alt.value(PALETTE[1])
    return _base(alt.Chart(frame).mark_bar().encode(**enc), title, lang)


@memoised
def stacked_area(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str,
                 y_title: str, lang: str = "zh") -> alt.Chart:
    chart = alt.Chart(frame).mark_area().encode(
        x=alt.X(f"{x}:O", title=""), y=alt.Y(f"{y}:Q", title=y_title, stack=True),
        color=alt.Color(f"{series}:N", title=""),
        tooltip=[f"{series}:N", f"{x}:O", alt.Tooltip(f"{y}:Q", format=",.0f")])
    return _base(chart, title, lang)


@memoised
def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str, label: str,
           lang: str = "zh") -> alt.Chart:
    """Screening funnel (screened → abnormal → diagnosed → treated), in the given stage order.

    A linear axis with every value written on its bar: a log scale made 30 treated women look like
    half of 30,000 screened. The later stages are thin bars; their labels carry the numbers."""
    order = list(frame[stage])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{stage}:N", sort=order, title=""),
        x=alt.X(f"{value}:Q", title="", axis=alt.Axis(format=",.0f", tickMinStep=1),
                scale=alt.Scale(type="linear")))
    bars_ = base.mark_bar(color=PALETTE[0])
    text = base.mark_text(align="left", dx=4, font=FONT).encode(text=f"{label}:N")
    return _base(alt.layer(bars_, text), title, lang)
