"""Reference data in the warehouse: regions and the indicator catalog (not demo data, not uploads)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select

from lib.warehouse import planner_stats, rollups
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.divisions import with_roots
from lib.warehouse.engine import write_transaction
from lib.warehouse.queries import regions_table

REGION_COLUMNS = [c.name for c in s.region.columns]
INDICATOR_COLUMNS = [c.name for c in s.indicator.columns]


def replace_regions(engine: Engine, regions: pd.DataFrame) -> int:
    """Replace the whole region table in one transaction (a city's divisions are loaded as a set),
    with a province row above every city and the country row above two or more provinces."""
    frame = with_roots(regions)[REGION_COLUMNS]
    with write_transaction(engine) as conn:
        conn.execute(delete(s.region))
        n = bulk_insert(conn, s.region, frame)
        rollups.rebuild(conn)  # townships' urban/rural classes come from the regions
    if n >= planner_stats.MIN_CHANGES:
        planner_stats.refresh_quietly(engine, [s.region])
    return n


def merge_regions(existing: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """``existing`` with the cities of ``added`` put in (a city already there is replaced whole),
    roots made whole: what ``python -m lib.regions import`` writes (it adds a city)."""
    cities = [c[:4] for c in added.loc[added["level"] == "city", "code"]]
    keep = existing
    if cities:
        keep = existing[~existing["code"].str[:4].isin(cities) | existing["level"].isin(
            ["country", "province"])]
    keep = keep[~keep["code"].isin(added.loc[added["level"] == "province", "code"])]
    return with_roots(pd.concat([added, keep], ignore_index=True))


def upsert_indicators(engine: Engine, catalog: pd.DataFrame) -> int:
    """Insert catalog rows whose code is new; targets already edited in the warehouse are kept."""
    with write_transaction(engine) as conn:
        have = {r[0] for r in conn.execute(select(s.indicator.c.code))}
        new = catalog[~catalog["code"].isin(have)][INDICATOR_COLUMNS]
        rollups.mark_current(conn)  # the catalog is not summed: rollups stay exact
        return bulk_insert(conn, s.indicator, new)


def count_regions(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(s.region.c.level, func.count()).group_by(s.region.c.level))
    return {level: int(n) for level, n in rows}


def regions_frame(engine: Engine) -> pd.DataFrame:
    """Every region row in code order: a few thousand for a city, 240,000 at national scale, where
    reading them row by row took ~3 s; queries.regions_table reads them as one Arrow table."""
    return regions_table(engine)


def indicators_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(s.indicator).order_by(s.indicator.c.code)).mappings().all()
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
