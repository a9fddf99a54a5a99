"""Cross-column and cross-row plausibility: impossible ratios, duplicate keys, a cycle over-screened.

These go beyond one cell, so they live outside the pandera schemas; each returns problems on the
file's own rows and headers.
"""
from __future__ import annotations

import pandas as pd

from lib.ingest.messages import problem

# (larger, smaller): the second cannot exceed the first on one row.
RATIOS: dict[str, list[tuple[str, str]]] = {
    "job_fair": [("women_attending", "intents"), ("women_attending", "hires")],
    "screening": [("screened", "abnormal"), ("abnormal", "diagnosed"),
                  ("diagnosed", "treated")],
    "screening_target": [("eligible_women", "quota")],
}
EN = {"women_attending": "women attending", "intents": "intents", "hires": "hires",
      "screened": "screened", "abnormal": "abnormal", "diagnosed": "diagnosed",
      "treated": "treated", "eligible_women": "eligible women", "quota": "quota"}


def ratio_problems(frame: pd.DataFrame, dataset: str, headers: dict[str, str]) -> list[dict]:
    out: list[dict] = []
    for big, small in RATIOS.get(dataset, []):
        if big not in frame.columns or small not in frame.columns:
            continue
        bad = (frame[small] > frame[big]).fillna(False)
        for row in frame.index[bad.astype(bool)]:
            out.append(problem(int(row), headers.get(small, small), frame.at[row, small], "ratio",
                               a=headers.get(small, small), b=headers.get(big, big),
                               a_en=EN[small], b_en=EN[big], va=frame.at[row, small],
                               vb=frame.at[row, big]))
    return out


def order_problems(frame: pd.DataFrame, dataset: str, headers: dict[str, str]) -> list[dict]:
    if dataset != "org_unit" or "dissolved_on" not in frame or "established_on" not in frame:
        return []
    both = frame[frame["dissolved_on"].notna() & frame["established_on"].notna()]
    bad = both[both["dissolved_on"] < both["established_on"]]
    return [problem(int(r), headers.get("dissolved_on", "dissolved_on"), bad.at[r, "dissolved_on"],
                    "dissolved_before") for r in bad.index]


def duplicate_key_problems(frame: pd.DataFrame, key: list[str], header: str) -> list[dict]:
    """Two rows of one file with the same table key (e.g. township, month and kind) are a problem."""
    if frame.empty or any(k not in frame.columns for k in key):
        return []
    dup = frame[frame.duplicated(key, keep=False) & frame[key].notna().all(axis=1)]
    out = []
    for _, group in dup.groupby(key, sort=False, dropna=True):
        first = int(group.index[0])
        for row in group.index[1:]:
            out.append(problem(int(row), header, "", "duplicate_key", other=first))
    return out


def cycle_problems(frame: pd.DataFrame, eligible: pd.DataFrame | None,
                   headers: dict[str, str]) -> list[dict]:
    """Screened over a 3-year cycle (the file's months, by region and kind) > eligible women known.

    ``eligible`` has region_code, year, kind, eligible_women (from the warehouse's screening_target).
    The cycle is the three calendar years ending in each year the file covers.
    """
    if eligible is None or eligible.empty or frame.empty:
        return []
    f = frame.dropna(subset=["region_code", "month", "kind", "screened"]).copy()
    f["year"] = f["month"].map(lambda d: d.year)
    out: list[dict] = []
    per_year = f.groupby(["region_code", "kind", "year"])["screened"].sum()
    elig = eligible.set_index(["region_code", "kind", "year"])["eligible_women"]
    for (code, kind, year) in per_year.index:
        if (code, kind, year) not in elig.index:
            continue
        total = sum(int(per_year.get((code, kind, y), 0)) for y in (year - 2, year - 1, year))
        limit = int(elig.loc[(code, kind, year)])
        if total > limit:
            rows = f[(f.region_code == code) & (f.kind == kind) & (f.year == year)].index
            out.append(problem(int(rows[-1]), headers.get("screened", "screened"), total,
                               "cycle_ratio", screened=total, eligible=limit))
    return out
