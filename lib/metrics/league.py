"""比学赶超 league tables: child regions ranked by a metric, with the change in rank since last year."""
from __future__ import annotations

import pandas as pd


def league(current: pd.DataFrame, previous: pd.DataFrame | None, *, direction: str = "up",
           bottom: int = 3) -> pd.DataFrame:
    """Rank ``current`` (region_code, name, value) best first; rank_change > 0 means it moved up.

    Regions without a value rank last and are never flagged as 'bottom' (no data is not a result).
    """
    asc = direction == "down"
    out = current[["region_code", "name", "value"]].copy()
    out["rank"] = out["value"].rank(ascending=asc, method="min").astype("Int64")
    if previous is not None and not previous.empty:
        prev = previous[["region_code", "value"]].copy()
        prev["rank_prev"] = prev["value"].rank(ascending=asc, method="min").astype("Int64")
        out = out.merge(prev[["region_code", "rank_prev"]], on="region_code", how="left")
        out["rank_change"] = out["rank_prev"] - out["rank"]
    else:
        out["rank_prev"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["rank_change"] = pd.array([pd.NA] * len(out), dtype="Int64")
    ranked = out["rank"].notna()
    n = int(ranked.sum())
    out["bottom"] = ranked & (out["rank"] > max(n - bottom, 0)) if n > bottom else False
    return out.sort_values(["rank", "name"], na_position="last").reset_index(drop=True)
