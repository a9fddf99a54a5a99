"""Opening a warehouse: schema, reference data (regions, indicator catalog) on first use."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from lib.warehouse import divisions
from lib.warehouse import reference
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
    into the default schema and reported success. ``pg_schema=None`` means the default.
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


def has_facts(engine: Engine, prefixes: list[str] | None = None) -> bool:
    """Whether any fact row exists (inside one of ``prefixes``, region-code prefixes, if given)."""
    with engine.connect() as conn:
        for table in s.FACT_TABLES.values():
            q = select(func.count()).select_from(table)
            if prefixes is not None:
                if not prefixes:
                    return False
                q = q.where(or_(*[table.c.region_code.like(f"{p}%") for p in prefixes]))
            if conn.execute(q).scalar_one():
                return True
    return False


def import_regions(engine: Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """Add a city's divisions to the warehouse (its province, and the country once a second
    province arrives, come with it) and return the region rows now stored.

    Other cities' facts do not stop it: their regions are kept as they are. Re-importing a city the
    warehouse already holds replaces that city's rows, refused while facts point at them (they
    would be orphaned): clear the demo or use a new warehouse."""
    have = reference.regions_frame(engine)
    new_cities = frame.loc[frame["level"] == "city", "code"].tolist()
    again = [c for c in new_cities if c in set(have["code"])]
    if again and has_facts(engine, [c[:4] for c in again]):
        names = dict(zip(have["code"], have["name"]))
        shown = ", ".join(f"{names.get(c, c)} ({c})" for c in again)
        raise RegionsInUse(f"{shown} is already in the warehouse and holds data; re-importing it "
                           "would orphan those rows. Import it into a new warehouse, or remove the "
                           "demo with `python -m lib.demo --clear` first")
    merged = reference.merge_regions(have, frame)
    replace_regions(engine, merged)
    return merged
