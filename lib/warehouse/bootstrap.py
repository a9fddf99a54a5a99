"""Opening a warehouse: schema, reference data (regions, indicator catalog) on first use."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from lib import divisions
from lib.warehouse import schema as s
from lib.warehouse.engine import get_engine, resolve_schema, resolve_url
from lib.warehouse.reference import replace_regions, upsert_indicators


class _FromSettings:
    """The default of ``open_warehouse(pg_schema=…)``: the schema the app is configured with."""

    def __repr__(self) -> str:
        return "FROM_SETTINGS"


FROM_SETTINGS = _FromSettings()


class RegionsInUse(RuntimeError):
    """Facts already point at the current regions; replacing them would orphan those rows."""


def open_warehouse(url: str | None = None, *, pg_schema: str | None | _FromSettings = FROM_SETTINGS,
                   load_default_regions: bool = True) -> Engine:
    """The engine with schema and indicator catalog in place, and the demo city's regions if empty.

    Without ``pg_schema`` a PostgreSQL warehouse opens in the configured schema (HALFSKY_DB_SCHEMA,
    as the app does): every command-line tool calls this, and one that ignored the variable loaded
    into the default schema and reported success (issue 13). ``pg_schema=None`` means the default.
    """
    if isinstance(pg_schema, _FromSettings):
        pg_schema = None if resolve_url(url).startswith("duckdb") else resolve_schema()
    engine = get_engine(url, pg_schema=pg_schema)
    with engine.connect() as conn:
        n_regions = conn.execute(select(func.count()).select_from(s.region)).scalar_one()
        n_indicators = conn.execute(select(func.count()).select_from(s.indicator)).scalar_one()
    if n_indicators == 0:
        upsert_indicators(engine, divisions.read_indicator_catalog())
    if n_regions == 0 and load_default_regions:
        replace_regions(engine, divisions.read_division_files(divisions.DEFAULT_TOWNSHIPS,
                                                              divisions.DEFAULT_VILLAGES))
    return engine


def has_facts(engine: Engine) -> bool:
    with engine.connect() as conn:
        for table in s.FACT_TABLES.values():
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                return True
    return False


def import_regions(engine: Engine, frame: pd.DataFrame) -> None:
    """Replace the regions with another city's; refused while facts exist (clear the demo first)."""
    if has_facts(engine):
        raise RegionsInUse("the warehouse already holds data for its regions; import another city's "
                           "divisions into a new warehouse (or remove the demo with "
                           "`python -m lib.demo --clear` first)")
    replace_regions(engine, frame)
