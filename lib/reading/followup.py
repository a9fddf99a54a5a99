"""The written reading of the 督办事项落实情况 slide: its counts by region in, sentences out.

Pure and deterministic like lib/reading/text: every number said is one the rows hold. Counts are
said in full (逾期12项), never rounded: they are items someone has to answer for.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import fmt

TOP = 3  # regions named as those with the most overdue items


def _named(rows: pd.DataFrame, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    if lang == "zh":
        return sep.join(f"{r.region_name}（{fmt.exact(r.overdue)}项）" for r in rows.itertuples())
    return sep.join(f"{r.region_name} ({fmt.exact(r.overdue)})" for r in rows.itertuples())


def most_overdue(rows: pd.DataFrame, top: int = TOP) -> pd.DataFrame:
    """The regions with the most overdue items, most first (ties in code order), at most ``top``."""
    late = rows[rows["overdue"] > 0]
    return late.sort_values(["overdue", "region_code"], ascending=[False, True],
                            kind="stable").head(top)


def sentences(rows: pd.DataFrame, *, region_name: str, since: dt.date,
              lang: str = "zh") -> list[str]:
    """本期（2026年10月31日以来）晋安区新增督办事项3项，办结1项，逾期2项。逾期最多的是… ; [] when the
    region has no item at all (the slide then says 本期无督办事项 on its own)."""
    new, closed, overdue, still_open = (int(rows[k].sum()) if len(rows) else 0
                                        for k in ("new", "closed", "overdue", "open"))
    if not any((new, closed, overdue, still_open)):
        return []
    n = fmt.exact
    zh = lang == "zh"
    said = [f"本期（{fmt.day(since, lang)}以来）{region_name}新增督办事项{n(new)}项，办结{n(closed)}项，"
            f"逾期{n(overdue)}项。" if zh else
            f"Since {fmt.day(since, lang)}, {region_name} has {n(new)} new follow-up item"
            f"{'' if new == 1 else 's'}, {n(closed)} closed and {n(overdue)} overdue."]
    late = most_overdue(rows)
    if overdue and len(rows) > 1:  # with one region, naming it again says nothing
        said.append(f"逾期最多的是{_named(late, lang)}。" if zh else
                    f"Most overdue: {_named(late, lang)}.")
    if still_open:
        if zh:
            said.append(f"目前尚未办结{n(still_open)}项" +
                        (f"，其中逾期{n(overdue)}项。" if overdue else "，均未逾期。"))
        else:
            said.append(f"{n(still_open)} item{'' if still_open == 1 else 's'} still open" +
                        (f", {n(overdue)} of them overdue." if overdue else ", none overdue."))
    else:
        said.append("目前督办事项均已办结。" if zh else "Every item is closed.")
    return said
