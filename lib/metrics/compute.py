"""Rates from summed numerators and denominators at the level shown (never an average of rates)."""
from __future__ import annotations

import pandas as pd

FEDERATION_TYPES = ("village_federation", "community_federation")


def ratio(num: float, den: float, cap: float | None = None) -> float:
    """num ÷ den, NaN when there is no denominator; optionally capped (e.g. 人次-based estimates)."""
    if den is None or den <= 0:
        return float("nan")
    r = float(num) / float(den)
    return min(r, cap) if cap is not None else r


def coverage(cov: pd.DataFrame, org_types: tuple[str, ...] = FEDERATION_TYPES, *,
             area: str | None = None, effective: bool = False, by_child: bool = False):
    """Share of villages with an (active) organisation of the given types.

    ``cov`` is lib.warehouse.queries.org_coverage's frame. The types are summed per village class,
    which is exact for the federation pair (a village has one or the other).
    """
    frame = cov[cov["org_type"].isin(org_types)]
    if area:
        frame = frame[frame["area"] == area]
    num_col = "effective" if effective else "with_org"
    keys = ["child", "area"]
    per = frame.groupby(keys, as_index=False).agg(num=(num_col, "sum"), den=("villages", "first"))
    per["num"] = per[["num", "den"]].min(axis=1)
    if not by_child:
        return ratio(per["num"].sum(), per["den"].sum())
    out = per.groupby("child", as_index=False)[["num", "den"]].sum()
    out["value"] = [ratio(n, d) for n, d in zip(out["num"], out["den"])]
    return out


def totals(frame: pd.DataFrame, measures: list[str]) -> dict[str, float]:
    return {m: float(frame[m].sum()) if m in frame else 0.0 for m in measures}


def completion(screened: float, quota: float) -> float:
    return ratio(screened, quota)


def by_child_ratio(num: pd.DataFrame, num_col: str, den: pd.DataFrame | None = None,
                   den_col: str | None = None) -> pd.DataFrame:
    """child, num, den, value from one or two grouped frames (summed per child first)."""
    n = num.groupby("child", as_index=False)[num_col].sum().rename(columns={num_col: "num"})
    if den is None:
        n["den"] = float("nan")
        n["value"] = n["num"]
        return n
    d = den.groupby("child", as_index=False)[den_col].sum().rename(columns={den_col: "den"})
    out = n.merge(d, on="child", how="outer").fillna({"num": 0, "den": 0})
    out["value"] = [ratio(a, b) for a, b in zip(out["num"], out["den"])]
    return out


def yoy(current: float, previous: float) -> float:
    """Relative change on the same period last year; NaN when last year had nothing."""
    if previous is None or previous == 0 or pd.isna(previous):
        return float("nan")
    return (current - previous) / previous
