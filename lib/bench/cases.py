"""The aggregate queries the pages run, as named cases: each runs on the warehouse (DuckDB or
PostgreSQL, through lib/warehouse/queries.py) and, where it has one, in the naive pandas baseline."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from lib.bench import naive
from lib.completeness import completeness_counts
from lib.completeness_grid import group_len
from lib.bench.warehouses import View
from lib.warehouse import queries as q
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import CHILD_LEVEL, LEVEL_LENGTH, Scope

ORG_TYPES = ["community_federation", "counselling_room", "parent_school", "sister_station",
             "village_federation", "volunteer_team", "womens_home", "womens_micro_home"]
FED_TYPES = ["village_federation", "community_federation"]


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @classmethod
    def default(cls, engine: Engine) -> Period:
        """The sidebar's default: January to the last month with data."""
        _, hi = q.data_period(engine, Scope.everything())
        hi = hi or dt.date.today()
        end = (pd.Timestamp(hi.year, hi.month, 1) + pd.offsets.MonthEnd(0)).date()
        return cls(dt.date(hi.year, 1, 1), end)


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Engine], object]
    naive: Callable[[naive.Store], object] | None


def cases(view: View, period: Period) -> list[Case]:
    """Every page query at ``view``: what one run of the dashboards asks the warehouse."""
    p, d0, d1 = view.prefix, period.date_from, period.date_to
    cl = LEVEL_LENGTH[CHILD_LEVEL[view.level]] if view.level in CHILD_LEVEL else 6
    out: list[Case] = []
    for ds, by in (("training", ("topic", "audience")), ("job_fair", ("fair_type",)),
                   ("screening", ("kind",))):
        for label, kw in ((f"by {','.join(by)}", {"by": by}), ("by child", {"child_len": cl}),
                          ("by month", {"by_month": True})):
            out.append(Case(f"facts {ds} {label}",
                            lambda e, ds=ds, kw=kw: q.facts(e, ds, p, d0, d1, **kw),
                            lambda s, ds=ds, kw=kw: naive.facts(s, ds, p, d0, d1, **kw)))
    years = [d1.year]
    out += [
        Case("screening_targets by child",
             lambda e: q.screening_targets(e, p, years, child_len=cl),
             lambda s: naive.screening_targets(s, p, years, child_len=cl)),
        Case("org_coverage", lambda e: q.org_coverage(e, p, d1, ORG_TYPES),
             lambda s: naive.org_coverage(s, p, d1, ORG_TYPES)),
        Case("org_coverage by child", lambda e: q.org_coverage(e, p, d1, FED_TYPES, child_len=cl),
             lambda s: naive.org_coverage(s, p, d1, FED_TYPES, child_len=cl)),
        Case("org_counts by sector", lambda e: q.org_counts(e, p, d1, by_sector=True),
             lambda s: naive.org_counts(s, p, d1, by_sector=True)),
        Case("villages_without", lambda e: q.villages_without(e, p, d1, FED_TYPES),
             lambda s: naive.villages_without(s, p, d1, FED_TYPES)),
        Case("completeness_counts by child",
             lambda e: completeness_counts(e, p, "screening", d0, d1, "township",
                                           group_len(view.level, "township")
                                           if view.level in CHILD_LEVEL else 2), None),
        Case("freshness", lambda e: q.freshness(e, Scope.everything()), None),
        Case("has_demo_rows", q.has_demo_rows, None),
        Case("data_period", lambda e: q.data_period(e, Scope.everything()), None),
        Case("regions_frame", regions_frame, None),
        Case("regions_table", q.regions_table, None),
    ]
    return out
