"""The ``boundary`` table: imported polygons (e.g. official township borders) read and replaced here."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, delete, insert, select

from lib.warehouse import schema as s
from lib.warehouse.engine import write_transaction
from lib.warehouse.scope import Scope
from lib.warehouse import rollups

BOUNDARY_COLUMNS = ["level", "region_code", "geometry", "source", "imported_at"]


def read_boundaries(engine: Engine, level: str, scope: Scope,
                    codes: list[str] | None = None) -> pd.DataFrame:
    """Boundaries of one level inside ``scope`` (and, if given, only these codes)."""
    b = s.boundary
    query = (select(b.c.region_code, b.c.geometry, b.c.source, b.c.imported_at)
             .where(b.c.level == level, scope.where(b.c.region_code)))
    if codes is not None:
        if not codes:
            return pd.DataFrame(columns=["region_code", "geometry", "source", "imported_at"])
        query = query.where(b.c.region_code.in_(list(codes)))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(b.c.region_code)).mappings().all()
    return pd.DataFrame(rows, columns=["region_code", "geometry", "source", "imported_at"])


def replace_boundaries(engine: Engine, level: str, frame: pd.DataFrame, source: str) -> int:
    """Write polygons (region_code, geometry as GeoJSON text) of one level in one transaction.

    Rows of the same level and region are replaced; other regions keep theirs. Bumps data_version.
    """
    b = s.boundary
    now = dt.datetime.now().replace(microsecond=0)
    rows = [{"level": level, "region_code": str(r.region_code), "geometry": str(r.geometry),
             "source": source, "imported_at": now} for r in frame.itertuples(index=False)]
    codes = [r["region_code"] for r in rows]
    with write_transaction(engine) as conn:
        # Chunked so a national import never exceeds a driver's bound-parameter limit.
        for i in range(0, len(codes), 1000):
            conn.execute(delete(b).where(and_(b.c.level == level,
                                              b.c.region_code.in_(codes[i:i + 1000]))))
        if rows:
            conn.execute(insert(b), rows)
        rollups.mark_current(conn)  # polygons are not facts: the rollups stay exact
    return len(rows)


def delete_boundaries(engine: Engine, level: str, scope: Scope) -> int:
    """Remove the imported polygons of one level inside ``scope`` (townships fall back to seat
    circles)."""
    b = s.boundary
    cond = and_(b.c.level == level, scope.where(b.c.region_code))
    with write_transaction(engine) as conn:
        n = conn.execute(delete(b).where(cond)).rowcount or 0
        rollups.mark_current(conn)
        return n


def read_seats(engine: Engine, codes: list[str]) -> pd.DataFrame:
    """code, name, parent_code, seat_lon, seat_lat of the given regions (for seat circles)."""
    r = s.region
    cols = ["code", "name", "parent_code", "seat_lon", "seat_lat"]
    out = []
    with engine.connect() as conn:
        for i in range(0, len(codes), 1000):
            query = (select(r.c.code, r.c.name, r.c.parent_code, r.c.seat_lon, r.c.seat_lat)
                     .where(r.c.code.in_(list(codes[i:i + 1000]))))
            out.extend(conn.execute(query).mappings().all())
    return pd.DataFrame(out, columns=cols)
