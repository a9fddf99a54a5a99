"""Rates from summed numerators and denominators at the level shown (never an average of rates)."""
from __future__ import annotations

import numpy as np
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

    A page asks this ~30 times per run over a few hundred rows, so it sums with one dict pass
    instead of pandas groupbys (whose fixed cost, ~10 ms each, was most of a page's run).
    """
    num_col = "effective" if effective else "with_org"
    wanted = set(org_types)
    nums: dict[tuple, float] = {}
    dens: dict[tuple, float] = {}
    children = cov["child"].to_numpy() if "child" in cov else np.full(len(cov), "")
    for child, a, typ, n, d in zip(children, cov["area"].to_numpy(), cov["org_type"].to_numpy(),
                                   cov[num_col].to_numpy(), cov["villages"].to_numpy()):
        if typ not in wanted or (area and a != area):
            continue
        key = (child, a)
        nums[key] = nums.get(key, 0) + n
        dens.setdefault(key, d)
    capped = {k: min(n, dens[k]) for k, n in nums.items()}  # a village counts once
    if not by_child:
        return ratio(sum(capped.values()), sum(dens.values()))
    per: dict[object, list[float]] = {}
    for (child, _), n in capped.items():
        acc = per.setdefault(child, [0, 0])
        acc[0] += n
        acc[1] += dens[(child, _)]
    out = pd.DataFrame({"child": list(per), "num": [v[0] for v in per.values()],
                        "den": [v[1] for v in per.values()]})
    out = out.sort_values("child", kind="stable").reset_index(drop=True)
    # A child whose roster holds no organisation of any type the frame has (not just the types
    # asked) has no roster there: no data, not 0 % (its map area reads 无数据).
    roster: dict[object, float] = {}
    for child, n in zip(children, cov["with_org"].to_numpy()):
        roster[child] = roster.get(child, 0) + n
    out["value"] = [ratio(n, d) if roster.get(c, 0) > 0 else float("nan")
                    for c, n, d in zip(out["child"], out["num"], out["den"])]
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


def organisations(cov: pd.DataFrame) -> float:
    """Villages with any organisation of the frame's types, summed over types and classes: 0 says
    the view's roster is empty (lib/metrics/cards.share_applies), not that coverage is 0 %."""
    return float(cov["with_org"].sum()) if not cov.empty else 0.0


def villages(cov: pd.DataFrame, area: str | None = None) -> float:
    """The villages/communities a coverage share is taken over (its denominator), of ``area`` if
    given: 0 says the share is not defined there (lib/metrics/cards.share_applies)."""
    if cov.empty:
        return 0.0
    cols = [c for c in ("child", "area") if c in cov]
    base = cov.drop_duplicates(cols)
    if area:
        base = base[base["area"] == area]
    return float(base["villages"].sum())
