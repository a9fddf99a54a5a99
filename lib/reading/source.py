"""Where the reading's figures come from: the pages' named queries, with or without Streamlit.

A page reads through lib/ui/data.query (the cached, scope-checked boundary); the CLI reads through
``EngineSource``, which maps the same query names to the same lib/warehouse functions (and the
targets assessment), so a figure in the 通报 is the figure the page shows.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Engine

from lib.charts.memo import frozen
from lib.targets.run import assess_region
from lib.warehouse import queries, reference


class Source(Protocol):
    """What a reading needs: named queries and region lookups."""

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any: ...

    def names(self) -> Mapping[str, str]: ...

    def parents(self) -> Mapping[str, str]: ...

    def children_of(self, code: str, level: str | None = None) -> list[str]: ...


def _queries() -> dict:
    return {"facts": queries.facts, "screening_targets": queries.screening_targets,
            "org_coverage": queries.org_coverage, "org_counts": queries.org_counts,
            "freshness": queries.freshness, "has_demo_rows": queries.has_demo_rows,
            "data_period": queries.data_period, "villages_without": queries.villages_without,
            "regions": queries.regions_table, "indicators": reference.indicators_frame,
            "targets_assess": assess_region}


class EngineSource:
    """The page queries straight on an engine, remembered for the life of the object (one brief)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fns = _queries()
        self._memo: dict[tuple, Any] = {}
        self._regions: pd.DataFrame | None = None

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        key = (name, frozen(args), frozen(kwargs))
        if key not in self._memo:
            self._memo[key] = self._fns[name](self.engine, *args, **kwargs)
        out = self._memo[key]
        return out.copy(deep=False) if isinstance(out, pd.DataFrame) else out

    def regions(self) -> pd.DataFrame:
        if self._regions is None:
            self._regions = self.query("regions")
        return self._regions

    def names(self) -> Mapping[str, str]:
        r = self.regions()
        return dict(zip(r["code"], r["name"]))

    def parents(self) -> Mapping[str, str]:
        r = self.regions()
        return {c: p for c, p in zip(r["code"], r["parent_code"]) if isinstance(p, str)}

    def children_of(self, code: str, level: str | None = None) -> list[str]:
        r = self.regions()
        mask = r["parent_code"] == code
        if level is not None:
            mask &= r["level"] == level
        return sorted(r.loc[mask, "code"].tolist())
