"""A page's or a slide's parts as the picture draws them: a KPI card (lib/metrics/cards.Card, or a
slide's lib/meeting/slides.Kpi) with the same label, value and change text, coloured as
``st.metric`` colours it on the page; a table (the warning list) as one line a row.
"""
from __future__ import annotations

from typing import Protocol

import pandas as pd

from lib.i18n import t
from lib.share.picture import ShareCard


class ShownCard(Protocol):
    label: str
    value: str
    delta: str | None
    delta_color: str  # normal / inverse / off
    delta_arrow: str  # auto / off


def card_from(c: ShownCard) -> ShareCard:
    """``st.metric``'s rule: a rise is green and a fall red ("normal"), the reverse for a figure
    whose fall is good news ("inverse"); "off", no sign or no change line: grey, no arrow."""
    delta = (c.delta or "").strip()
    sign = delta[:1]
    way = "up" if sign == "+" else "down" if sign in ("-", "−") else ""
    if not delta or c.delta_color == "off" or not way:
        return ShareCard(c.label, c.value, delta, "off", "")
    good = (way == "up") == (c.delta_color != "inverse")
    return ShareCard(c.label, c.value, delta, "good" if good else "bad",
                     "" if c.delta_arrow == "off" else way)


def table_lines(table: pd.DataFrame | None, lang: str = "zh") -> tuple[str, ...]:
    """One line a row: the first column's value, then each other column's header and value
    (指标甲：最新值 85.0% · 目标值 90.0% · 状态 滞后). A phone has no room for a table's columns."""
    if table is None or table.empty:
        return ()
    rest = [str(c) for c in table.columns[1:]]
    colon = t("colon", lang)
    return tuple(f"{row[0]}{colon}" + " · ".join(f"{col} {val}" for col, val in zip(rest, row[1:]))
                 for row in table.astype(str).itertuples(index=False))
