"""The 报送情况 grid as a screen can hold it: one row per child region of the view, one column per
month, each cell the count of its reporting units on time, late and missing.

A grid of every township and month (40,000 × 12 at the country) is more than a table can draw and
more than a reader can scan; counted per child region it stays a few dozen rows at any level, and a
row drills down to the next one. Pure: frames in (lib.completeness.COUNT_COLUMNS), frames out.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import fmt
from lib.completeness import LEVELS, STATUSES
from lib.i18n import t
from lib.warehouse.scope import CHILD_LEVEL, LEVEL_LENGTH

COLORS = {"reported": "#d7f0dd", "late": "#fde8c8", "missing": "#f8d4d4"}


def group_len(view_level: str, unit_level: str) -> int:
    """The code length the grid groups by: the view's children, never finer than the reporting
    unit (a district view counting district reports has one row, the district itself)."""
    if unit_level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {unit_level}")
    child = CHILD_LEVEL.get(view_level)
    n = LEVEL_LENGTH[child] if child else LEVEL_LENGTH["village"]
    return min(n, LEVEL_LENGTH[unit_level])


def worst(reported: int, late: int, missing: int) -> str | None:
    """The status a cell is coloured by: missing before late before on time (None: no unit)."""
    for status, n in (("missing", missing), ("late", late), ("reported", reported)):
        if n:
            return status
    return None


def cell_text(units: int, reported: int, late: int, missing: int, lang: str) -> str:
    """One unit: its status ('按时'); several: the non-zero counts ('按时 12 · 迟报 3 · 未报 1')."""
    if units == 1:
        status = worst(reported, late, missing)
        return t(f"cp_status_{status}", lang) if status else "—"
    parts = [f"{t(f'cp_status_{s}', lang)} {n}" for s, n in
             (("reported", reported), ("late", late), ("missing", missing)) if n]
    return " · ".join(parts) or "—"


def grid(counts: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(text, status, codes): the cells' text and colouring status, regions × months (month labels
    as columns, region names as index), and the region code of each row in order."""
    if counts.empty:
        empty = pd.DataFrame()
        return empty, empty, []
    frame = counts.assign(
        text=[cell_text(*r, lang) for r in zip(counts["units"], counts["reported"],
                                               counts["late"], counts["missing"])],
        worst=[worst(*r) for r in zip(counts["reported"], counts["late"], counts["missing"])])
    order = list(dict.fromkeys(counts["region_code"]))
    months = sorted(counts["month"].unique())
    names = dict(zip(counts["region_code"], counts["region_name"]))
    shown = [names[c] for c in order]
    twice = {n for n in shown if shown.count(n) > 1}  # rows must differ (a styled table's index)
    shown = [f"{n}（{c}）" if n in twice else n for n, c in zip(shown, order)]
    out = []
    for col in ("text", "worst"):
        wide = frame.pivot(index="region_code", columns="month", values=col).reindex(
            index=order, columns=months)
        wide.index = pd.Index(shown, name=t("cp_region", lang))
        wide.columns = [fmt.month(dt.date(int(m[:4]), int(m[5:]), 1), lang) for m in months]
        out.append(wide)
    return out[0], out[1], order


def month_totals(counts: pd.DataFrame, month: str) -> dict[str, int]:
    """{status: units} of one month over every row, and 'units' their total (the page's cards)."""
    now = counts[counts["month"] == month]
    got = {s: int(now[s].sum()) for s in STATUSES}
    got["units"] = int(now["units"].sum())
    return got
