"""The charts of the meeting slides (unthemed; the screen applies the dark theme, the brief the light)."""
from __future__ import annotations

from typing import Mapping

import altair as alt
import pandas as pd

MONTH = {"zh": "月份", "en": "Month"}
REGION = {"zh": "地区", "en": "Region"}
ACCENT = "#ffb74d"


def monthly_trend(frame: pd.DataFrame, measure: str, label: str, lang: str = "zh",
                  height: int = 420) -> alt.Chart:
    """A line of one summed measure per month (frame from queries.facts(by_month=True))."""
    if frame.empty:
        data = pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"),
                             "value": pd.Series(dtype=float)})
    else:
        data = (frame.groupby("month", as_index=False)[measure].sum()
                .rename(columns={measure: "value"}).sort_values("month"))
    fmt = "%Y-%m" if lang == "zh" else "%b %Y"
    return alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=90, filled=True, color=ACCENT),
                                     strokeWidth=4, color=ACCENT).encode(
        x=alt.X("month:T", title=MONTH[lang], axis=alt.Axis(format=fmt)),
        y=alt.Y("value:Q", title=label),
        tooltip=[alt.Tooltip("month:T", title=MONTH[lang], format=fmt),
                 alt.Tooltip("value:Q", title=label, format=",.0f")],
    ).properties(title=label, height=height, width="container")


def child_bars(frame: pd.DataFrame, names: Mapping[str, str], label: str, lang: str = "zh",
               height: int = 420) -> alt.Chart:
    """A share (0–1) per child region as horizontal bars, lowest first (child_coverage's frame)."""
    data = pd.DataFrame({"region": [names.get(str(c).ljust(12, "0"), str(c)) for c in frame["child"]],
                         "value": frame["value"].astype(float)}) if not frame.empty else \
        pd.DataFrame({"region": pd.Series(dtype=object), "value": pd.Series(dtype=float)})
    data = data.dropna().sort_values("value")
    return alt.Chart(data).mark_bar(color=ACCENT).encode(
        y=alt.Y("region:N", title=REGION[lang], sort=list(data["region"])),
        x=alt.X("value:Q", title=label, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("region:N", title=REGION[lang]),
                 alt.Tooltip("value:Q", title=label, format=".1%")],
    ).properties(title=label, height=height, width="container")
