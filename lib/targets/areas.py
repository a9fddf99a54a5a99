"""Which plan indicators a page speaks for: its reading names only those.

An indicator belongs to a page by what it is computed from (``coverage.*`` to 组织覆盖,
``screening.*`` to 两癌筛查, ``training.*`` to 培训) or, for the employment page, by its domain
(妇女与经济: the uploaded employment figures); the targets page and the overview speak for all.
Assessing only a page's own indicators matters at scale: computing every indicator for the country
reads the village roster and the screening ledgers (~150 ms cold), which a page for one area never
shows.
"""
from __future__ import annotations

import pandas as pd

ALL = ("targets", "overview")  # areas that speak for every indicator


def in_area(area: str, domain: str, computed_from: str) -> bool:
    """Does an indicator (catalog domain, computed_from or '') belong to the area's page?"""
    if area in ALL:
        return True
    if area == "employment":
        return domain == "economy"
    return computed_from.startswith(f"{area}.")


def catalog_of(catalog: pd.DataFrame, area: str | None) -> pd.DataFrame:
    """The catalog rows (code, domain, computed_from, …) of one area; every row for None."""
    if area is None or area in ALL:
        return catalog
    src = catalog["computed_from"].fillna("").astype(str).str.strip()
    keep = [in_area(area, str(d), s) for d, s in zip(catalog["domain"], src)]
    return catalog[keep]
