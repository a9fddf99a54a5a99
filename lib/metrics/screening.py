"""Two-cancer screening metrics: completion, 36-month coverage, funnel rates."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib import fmt
from lib.metrics.compute import ratio

FUNNEL = ["screened", "abnormal", "diagnosed", "treated"]
MASKED = ("diagnosed", "treated", "aided")


def cycle_start(end: dt.date) -> dt.date:
    """First day of the 36-month window ending with ``end``'s month."""
    m = end.year * 12 + end.month - 1 - 35
    return dt.date(m // 12, m % 12 + 1, 1)


def per_child(year_facts: pd.DataFrame, cycle_facts: pd.DataFrame,
              targets: pd.DataFrame) -> pd.DataFrame:
    """child, screened (year), quota, completion, screened_36m, eligible, coverage."""
    y = year_facts.groupby("child", as_index=False)["screened"].sum()
    c = cycle_facts.groupby("child", as_index=False)["screened"].sum().rename(
        columns={"screened": "screened_36m"})
    tg = targets.groupby("child", as_index=False)[["quota", "eligible_women"]].sum()
    out = tg.merge(y, on="child", how="outer").merge(c, on="child", how="outer").fillna(0)
    out["completion"] = [ratio(a, b) for a, b in zip(out["screened"], out["quota"])]
    out["coverage"] = [ratio(a, b) for a, b in zip(out["screened_36m"], out["eligible_women"])]
    return out


def summary(period: pd.DataFrame, year_facts: pd.DataFrame, cycle_facts: pd.DataFrame,
            targets: pd.DataFrame) -> dict[str, float]:
    """Headline figures for the selected region (all kinds summed, rates from sums)."""
    tot = {k: float(period[k].sum()) if not period.empty else 0.0
           for k in FUNNEL + ["aided", "aid_amount_10k_yuan"]}
    quota = float(targets["quota"].sum()) if not targets.empty else 0.0
    eligible = float(targets["eligible_women"].sum()) if not targets.empty else 0.0
    return {**tot,
            "completion": ratio(float(year_facts["screened"].sum()) if not year_facts.empty else 0,
                                quota),
            "coverage": ratio(float(cycle_facts["screened"].sum()) if not cycle_facts.empty else 0,
                              eligible),
            "abnormal_rate": ratio(tot["abnormal"], tot["screened"]),
            "treatment_rate": ratio(tot["treated"], tot["diagnosed"])}


def funnel_frame(period: pd.DataFrame) -> pd.DataFrame:
    """stage, kind, value for the funnel chart."""
    rows = []
    for kind, grp in period.groupby("kind"):
        for stage in FUNNEL:
            rows.append({"kind": kind, "stage": stage, "value": float(grp[stage].sum())})
    return pd.DataFrame(rows, columns=["kind", "stage", "value"])


SMALL_DRAWN = 4.0  # a masked count's bar: the band's top, so 1–4 all look the same


def masked_funnel(funnel: pd.DataFrame, masked: bool) -> pd.DataFrame:
    """The funnel with a text ``label`` per bar; when ``masked`` (below district level, where a
    count under 5 could point at a person) diagnosed/treated counts of 1–4 read "<5" and their
    exact value is replaced, so it never reaches the browser's chart data, the PNG or a download."""
    out = funnel.copy()
    small = (out["stage"].isin(MASKED) & (out["value"] > 0) & (out["value"] < 5)) & masked
    out["label"] = [fmt.small_count(v, masked and s in MASKED)
                    for v, s in zip(out["value"], out["stage"])]
    out.loc[small, "value"] = SMALL_DRAWN
    return out
