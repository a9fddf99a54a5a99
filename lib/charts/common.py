"""Altair builders shared by the dashboards: trend lines, breakdown bars, the screening funnel."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.memo import memoised

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


def _base(chart: alt.Chart, title: str, lang: str = "zh") -> alt.Chart:
    out = chart.properties(title=title, height=300)
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
          percent: bool = False, x_title: str = "", lang: str = "zh") -> alt.Chart:
    """Lines of ``y`` over ``x`` per ``series`` (e.g. the region and its parent)."""
    fmt = ".1%" if percent else ",.0f"
    x_type = "T" if pd.api.types.is_datetime64_any_dtype(frame[x]) else "O"
    time_fmt = "%Y年%-m月" if lang == "zh" else "%b %Y"
    x_tip = (alt.Tooltip(f"{x}:T", title=x_title, format=time_fmt) if x_type == "T"
             else alt.Tooltip(f"{x}:O", title=x_title))
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{x}:{x_type}", title=x_title),
        y=alt.Y(f"{y}:Q", title=y_title, axis=_value_axis(fmt, percent)),
        color=alt.Color(f"{series}:N", title="", scale=_series_scale(frame, series)),
        tooltip=[alt.Tooltip(f"{series}:N", title=""), x_tip,
                 alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)])
    return _base(chart, title, lang)


@memoised
def bars(frame: pd.DataFrame, *, category: str, value: str, title: str, value_title: str,
         color: str | None = None, percent: bool = False, lang: str = "zh") -> alt.Chart:
    """Horizontal bars, sorted by value; ``color`` splits them (e.g. urban/rural) side by side."""
    fmt = ".1%" if percent else ",.0f"
    enc = dict(
        y=alt.Y(f"{category}:N", title="", sort="-x"),
        x=alt.X(f"{value}:Q", title=value_title, axis=_value_axis(fmt, percent)),
        tooltip=[alt.Tooltip(f"{category}:N", title="")]
        + ([alt.Tooltip(f"{color}:N", title="")] if color else [])
        + [alt.Tooltip(f"{value}:Q", title=value_title, format=fmt)])
    if color:
        enc["color"] = alt.Color(f"{color}:N", title="", scale=alt.Scale(range=PALETTE))
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
