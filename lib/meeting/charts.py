"""The charts of the meeting slides (unthemed; the screen applies the dark theme).

Each chart is drawn from a small frame of points (``trend_points`` / ``child_points``); the slide
keeps the same points as numbers (``lib.meeting.slides.ChartData``) so the PPTX brief draws an
editable chart of exactly the figures projected.
"""
from __future__ import annotations

from typing import Mapping

import altair as alt
import pandas as pd

MONTH = {"zh": "月份", "en": "Month"}
REGION = {"zh": "地区", "en": "Region"}
ACCENT = "#ffb74d"
# Room right of the longest bar (a share of 1) for its value label.
BAR_LABEL_ROOM = 1.15


def month_format(lang: str = "zh") -> str:
    """The strftime format of month labels: the screen's axis and the PPTX categories read the same."""
    return "%Y-%m" if lang == "zh" else "%b %Y"


def trend_points(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """month, value: one summed measure per month, in month order (frame from
    queries.facts(by_month=True), one row per child region and month)."""
    if frame.empty or measure not in frame:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"),
                             "value": pd.Series(dtype=float)})
    return (frame.groupby("month", as_index=False)[measure].sum()
            .rename(columns={measure: "value"}).sort_values("month").reset_index(drop=True))


def child_points(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """region, value: a share (0–1) per named child region, lowest first (child_coverage's frame)."""
    if frame.empty:
        return pd.DataFrame({"region": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    data = pd.DataFrame({"region": [names.get(str(c).ljust(12, "0"), str(c)) for c in frame["child"]],
                         "value": frame["value"].astype(float)})
    return data.dropna().sort_values("value", kind="stable").reset_index(drop=True)


def monthly_trend(frame: pd.DataFrame, measure: str, label: str, lang: str = "zh",
                  height: int = 420) -> alt.Chart:
    """A line of one summed measure per month (frame from queries.facts(by_month=True)).

    Months are categories labelled like the brief's chart ("2024-01"), one tick per point: a time
    axis puts ticks between the points (and, across a time zone, labels one month twice)."""
    data = trend_points(frame, measure)
    data["label"] = [pd.Timestamp(m).strftime(month_format(lang)) for m in data["month"]]
    return alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=90, filled=True, color=ACCENT),
                                     strokeWidth=4, color=ACCENT).encode(
        x=alt.X("label:O", title=MONTH[lang], sort=list(data["label"]),
                axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("value:Q", title=label),
        tooltip=[alt.Tooltip("label:O", title=MONTH[lang]),
                 alt.Tooltip("value:Q", title=label, format=",.0f")],
    ).properties(title=label, height=height, width="container")


def child_bars(frame: pd.DataFrame, names: Mapping[str, str], label: str, lang: str = "zh",
               height: int = 420) -> alt.LayerChart:
    """A share (0–1) per child region as horizontal bars, lowest first, each with its value written
    at the end of the bar: read from the back of the room, an axis alone is too hard to follow.

    The label colour is left to the theme (``configure_text``): the screen is dark, a print light.
    """
    data = child_points(frame, names)
    bars = alt.Chart().mark_bar(color=ACCENT)
    labels = alt.Chart().mark_text(align="left", baseline="middle", dx=8, fontWeight="bold").encode(
        text=alt.Text("value:Q", format=".1%"))
    return alt.layer(bars, labels, data=data).encode(
        y=alt.Y("region:N", title=REGION[lang], sort=list(data["region"])),
        x=alt.X("value:Q", title=label, scale=alt.Scale(domain=[0, BAR_LABEL_ROOM]),
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1])),
        tooltip=[alt.Tooltip("region:N", title=REGION[lang]),
                 alt.Tooltip("value:Q", title=label, format=".1%")],
    ).properties(title=label, height=height, width="container")
