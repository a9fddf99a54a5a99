"""Altair builders shared by the dashboards: trend lines, breakdown bars, the screening funnel."""
from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.memo import memoised

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#C8102E", "#2C7FB8", "#7FCDBB", "#FDAE61", "#756BB1", "#999999"]


def _base(chart: alt.Chart, title: str) -> alt.Chart:
    return chart.properties(title=title, height=300).configure_axis(
        labelFont=FONT, titleFont=FONT).configure_legend(labelFont=FONT, titleFont=FONT
    ).configure_title(font=FONT, anchor="start")


@memoised
def trend(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str, y_title: str,
          percent: bool = False, x_title: str = "") -> alt.Chart:
    """Lines of ``y`` over ``x`` per ``series`` (e.g. the region and its parent)."""
    fmt = ".1%" if percent else ",.0f"
    x_type = "T" if pd.api.types.is_datetime64_any_dtype(frame[x]) else "O"
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{x}:{x_type}", title=x_title),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=fmt)),
        color=alt.Color(f"{series}:N", title="", scale=alt.Scale(range=PALETTE)),
        tooltip=[alt.Tooltip(f"{series}:N", title=""), alt.Tooltip(f"{x}:{x_type}", title=x_title),
                 alt.Tooltip(f"{y}:Q", title=y_title, format=fmt)])
    return _base(chart, title)


@memoised
def bars(frame: pd.DataFrame, *, category: str, value: str, title: str, value_title: str,
         color: str | None = None, percent: bool = False) -> alt.Chart:
    """Horizontal bars, sorted by value; ``color`` splits them (e.g. urban/rural) side by side."""
    fmt = ".1%" if percent else ",.0f"
    enc = dict(
        y=alt.Y(f"{category}:N", title="", sort="-x"),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=fmt)),
        tooltip=[alt.Tooltip(f"{category}:N", title="")]
        + ([alt.Tooltip(f"{color}:N", title="")] if color else [])
        + [alt.Tooltip(f"{value}:Q", title=value_title, format=fmt)])
    if color:
        enc["color"] = alt.Color(f"{color}:N", title="", scale=alt.Scale(range=PALETTE))
        enc["yOffset"] = alt.YOffset(f"{color}:N")
    else:
        enc["color"] = alt.value(PALETTE[1])
    return _base(alt.Chart(frame).mark_bar().encode(**enc), title)


@memoised
def stacked_area(frame: pd.DataFrame, *, x: str, y: str, series: str, title: str,
                 y_title: str) -> alt.Chart:
    chart = alt.Chart(frame).mark_area().encode(
        x=alt.X(f"{x}:O", title=""), y=alt.Y(f"{y}:Q", title=y_title, stack=True),
        color=alt.Color(f"{series}:N", title=""),
        tooltip=[f"{series}:N", f"{x}:O", alt.Tooltip(f"{y}:Q", format=",.0f")])
    return _base(chart, title)


@memoised
def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str, label: str) -> alt.Chart:
    """Screening funnel (screened → abnormal → diagnosed → treated), in the given stage order."""
    order = list(frame[stage])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{stage}:N", sort=order, title=""),
        x=alt.X(f"{value}:Q", title="", scale=alt.Scale(type="symlog")))
    bars_ = base.mark_bar(color=PALETTE[0])
    text = base.mark_text(align="left", dx=4, font=FONT).encode(text=f"{label}:N")
    return _base(alt.layer(bars_, text), title)
