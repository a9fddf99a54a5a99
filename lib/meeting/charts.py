"""The charts of the meeting slides (unthemed; the screen applies the dark theme).

Each chart is drawn from a small frame of points (``trend_points`` / ``child_points``); the slide
keeps the same points as numbers (``lib.meeting.slides.ChartData``) so the PPTX brief draws an
editable chart of exactly the figures projected.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Mapping

import altair as alt
import pandas as pd

from lib import fmt
from lib.charts.months import headroom, month_labels

MONTH = {"zh": "月份", "en": "Month"}
REGION = {"zh": "地区", "en": "Region"}
ACCENT = "#ffb74d"
# Room right of the longest bar (a share of 1) for its value label.
BAR_LABEL_ROOM = 1.15


def month_names(months, lang: str = "zh") -> list[str]:
    """Each month in full (2026年3月 / Mar 2026): unique categories, and the tooltips' text."""
    return [fmt.month(pd.Timestamp(m).date(), lang) for m in months]


def axis_labels(months, lang: str = "zh") -> str:
    """A Vega expression writing each full month name of the axis as the dashboards do (the year on
    January and on the first month only: lib/charts/months.month_label)."""
    names, shown = month_names(months, lang), month_labels(months, lang)
    return f"{json.dumps(shown, ensure_ascii=False)}[indexof(" \
           f"{json.dumps(names, ensure_ascii=False)}, datum.value)]"


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


def partial_index(months, partial_from: dt.date | None) -> int | None:
    """The position of the first incomplete month in ``months`` (month starts, in order), or None
    when every month shown is whole (lib/fmt.partial_month_start gives ``partial_from``)."""
    if partial_from is None:
        return None
    cut = pd.Timestamp(partial_from)
    for i, m in enumerate(months):
        if pd.Timestamp(m) >= cut:
            return i
    return None


def monthly_trend(frame: pd.DataFrame, measure: str, label: str, lang: str = "zh",
                  height: int = 420, partial_from: dt.date | None = None,
                  partial_label: str = "") -> alt.Chart | alt.LayerChart:
    """A line of one summed measure per month (frame from queries.facts(by_month=True)).

    Months are categories labelled like the brief's chart and the dashboards (2026年3月, 4月 …),
    one tick per point: a time axis puts ticks between the points (and, across a time zone, labels
    one month twice).

    ``partial_from`` marks the current, incomplete month as the dashboards' trends do: its segment
    dashed, its point hollow and labelled ``partial_label`` (截至12月3日), so three days of December
    never read as a collapse beside whole months."""
    data = trend_points(frame, measure)
    months = list(data["month"])
    data["label"] = month_names(months, lang)
    data = data.drop(columns=["month"])
    enc = dict(
        x=alt.X("label:O", title=MONTH[lang], sort=list(data["label"]),
                axis=alt.Axis(labelAngle=0, labelOverlap=True,
                              labelExpr=axis_labels(months, lang))),
        y=alt.Y("value:Q", title=label),
        tooltip=[alt.Tooltip("label:O", title=MONTH[lang]),
                 alt.Tooltip("value:Q", title=label, format=",.0f")])
    i = partial_index(trend_points(frame, measure)["month"], partial_from)
    point = alt.OverlayMarkDef(size=90, filled=True, color=ACCENT)
    if i is None:
        return alt.Chart(data).mark_line(point=point, strokeWidth=4, color=ACCENT).encode(
            **enc).properties(title=label, height=height, width="container")
    enc["y"] = alt.Y("value:Q", title=label, scale=alt.Scale(domainMax=headroom(data["value"])))
    whole, part = data.iloc[:i], data.iloc[i:].assign(partial=partial_label)
    tail = data.iloc[max(i - 1, 0):]  # from the last whole month, so the line stays joined
    layers = [
        alt.Chart(whole).mark_line(point=point, strokeWidth=4, color=ACCENT).encode(**enc),
        alt.Chart(tail).mark_line(strokeWidth=4, strokeDash=[10, 8], color=ACCENT).encode(**enc),
        alt.Chart(part).mark_point(filled=False, size=160, strokeWidth=3, opacity=1,
                                   color=ACCENT).encode(**enc),
        # the label's colour is left to the theme (configure_text), like the bar values;
        # right-aligned (the incomplete month is the last point, at the plot's right edge) in the
        # band the y scale keeps free above every point, away from the point and its dashed line
        alt.Chart(part.head(1)).mark_text(dx=12, align="right", baseline="top",
                                          fontWeight="bold").encode(
            x=enc["x"], y=alt.value(0), text="partial:N"),
    ]
    return alt.layer(*layers).properties(title=label, height=height, width="container")


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


# The follow-up slide's three measures on the dark screen: amber like every other chart of the deck
# for new items, light blue for closed, red for overdue (told apart by lightness as well as hue).
GROUP_COLORS = {"new": ACCENT, "closed": "#64b5f6", "overdue": "#ef5350"}
COUNT = {"zh": "事项数", "en": "Items"}


def grouped_points(rows: pd.DataFrame, measures: Mapping[str, str]) -> pd.DataFrame:
    """region, measure (its label), value: one row per region and measure, regions in the order
    given, measures in the order of ``measures`` (code → label)."""
    out = [{"region": r["region_name"], "measure": label, "value": float(r[code])}
           for _, r in rows.iterrows() for code, label in measures.items()]
    return pd.DataFrame(out, columns=["region", "measure", "value"])


def grouped_bars(rows: pd.DataFrame, measures: Mapping[str, str], title: str, lang: str = "zh",
                 height: int = 420) -> alt.LayerChart:
    """Columns side by side per region (new / closed / overdue), each with its count written above
    it, and a legend on top: the count is what a meeting asks about, so it is read, not estimated."""
    data = grouped_points(rows, measures)
    regions = list(dict.fromkeys(data["region"]))
    labels = list(measures.values())
    color = alt.Color("measure:N", sort=labels, title=None,
                      scale=alt.Scale(domain=labels, range=[GROUP_COLORS.get(c, ACCENT)
                                                            for c in measures]),
                      legend=alt.Legend(orient="top", direction="horizontal", symbolSize=300))
    top = max(float(data["value"].max()) if len(data) else 0.0, 1.0)
    base = alt.Chart().encode(
        x=alt.X("region:N", title=REGION[lang], sort=regions,
                axis=alt.Axis(labelAngle=0, labelLimit=0)),
        xOffset=alt.XOffset("measure:N", sort=labels),
        y=alt.Y("value:Q", title=COUNT[lang], scale=alt.Scale(domain=[0, top * 1.18]),
                axis=alt.Axis(format="d", tickMinStep=1)))
    bars = base.mark_bar().encode(
        color=color, tooltip=[alt.Tooltip("region:N", title=REGION[lang]),
                              alt.Tooltip("measure:N", title=title),
                              alt.Tooltip("value:Q", title=COUNT[lang], format=",.0f")])
    values = base.mark_text(baseline="bottom", dy=-4, fontWeight="bold").encode(
        text=alt.Text("value:Q", format=",.0f"))
    return alt.layer(bars, values, data=data).properties(title=title, height=height,
                                                          width="container")
