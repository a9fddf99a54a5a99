"""Statistics after large loads (lib/warehouse/planner_stats.py): PostgreSQL's planner sees what a
big load wrote (ANALYZE of the base table and its rollups after the commit); a small load leaves it
to autovacuum; DuckDB has nothing to do."""
from __future__ import annotations

import numpy as np
from sqlalchemy import text

from lib.warehouse import coverage_rollup, planner_stats
from lib.warehouse import schema as s
from lib.warehouse.loading import load_batch
from lib.warehouse.scope import Scope
from tests.test_coverage_rollup import _roster, _villages


def _analysed(engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND last_analyze IS NOT NULL"))}


def test_the_tables_a_load_writes():
    assert planner_stats.tables_written(["screening"]) == [s.screening, s.rollup_screening]
    assert planner_stats.tables_written(["org_unit", "org_unit"]) == [s.org_unit,
                                                                      *coverage_rollup.TABLES]


def test_a_large_load_refreshes_statistics_a_small_one_does_not(engine, monkeypatch):
    rng = np.random.default_rng(3)
    villages = _villages(engine)
    monkeypatch.setattr(planner_stats, "MIN_CHANGES", 10 ** 6)
    load_batch(engine, {"org_unit": _roster(list(rng.choice(villages, 10)), rng, 30, "a")},
               user="t", dataset_label="org_unit", scope=Scope.everything())
    if engine.dialect.name != "postgresql":
        assert planner_stats.refresh(engine, [s.org_unit]) == []
        return
    assert not {"org_unit", "rollup_village_cov"} & _analysed(engine)
    monkeypatch.setattr(planner_stats, "MIN_CHANGES", 5)
    load_batch(engine, {"org_unit": _roster(list(rng.choice(villages, 10)), rng, 30, "b")},
               user="t", dataset_label="org_unit", scope=Scope.everything())
    assert {"org_unit", "rollup_village_cov", "rollup_village_cov_month",
            "rollup_villages"} <= _analysed(engine)
    assert "screening" not in _analysed(engine)


def test_a_whole_region_table_written_refreshes_its_statistics(engine, monkeypatch):
    """Regions are replaced as a set (a city's divisions, the national demo's 243,000): the
    planner sees the new table at once."""
    from lib.warehouse.reference import regions_frame, replace_regions

    monkeypatch.setattr(planner_stats, "MIN_CHANGES", 5)
    replace_regions(engine, regions_frame(engine))
    if engine.dialect.name == "postgresql":
        assert "region" in _analysed(engine)
