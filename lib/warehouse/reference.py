"""Reference data in the warehouse: regions and the indicator catalog (not demo data, not uploads)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select

from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction

REGION_COLUMNS = [c.name for c in s.region.columns]
INDICATOR_COLUMNS = [c.name for c in s.indicator.columns]


def replace_regions(engine: Engine, regions: pd.DataFrame) -> int:
    """Replace the whole region table in one transaction (a city's divisions are loaded as a set)."""
    frame = regions[REGION_COLUMNS]
    with write_transaction(engine) as conn:
        conn.execute(delete(s.region))
        return bulk_insert(conn, s.region, frame)


def upsert_indicators(engine: Engine, catalog: pd.DataFrame) -> int:
    """Insert catalog rows whose code is new; targets already edited in the warehouse are kept."""
    with write_transaction(engine) as conn:
        have = {r[0] for r in conn.execute(select(s.indicator.c.code))}
        new = catalog[~catalog["code"].isin(have)][INDICATOR_COLUMNS]
        return bulk_insert(conn, s.indicator, new)


def count_regions(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(s.region.c.level, func.count()).group_by(s.region.c.level))
    return {level: int(n) for level, n in rows}


def regions_frame(engine: Engine) -> pd.DataFrame:
    """Every region row in code order: a few thousand for a city, 240,000 at national scale, where
    reading them row by row took ~3 s; queries.regions_table reads them as one Arrow table."""
    from lib.warehouse.queries import regions_table

    return regions_table(engine)


def indicators_frame(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(s.indicator).order_by(s.indicator.c.code)).mappings().all()
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
