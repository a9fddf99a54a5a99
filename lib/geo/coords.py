"""GCJ-02 → WGS-84 conversion (AMap data is GCJ-02; the app works in WGS-84 only, DESIGN §7)."""
from __future__ import annotations

import prcoords


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    """One point, (lon, lat) in and out; the iterative ('bored') inverse is accurate to ~1e-6°."""
    c = prcoords.gcj_wgs_bored((lat, lon))
    return (c.lon, c.lat)


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.wgs_gcj((lat, lon))
    return (c.lon, c.lat)
