"""Import official boundaries (GeoJSON, zipped Shapefile, GeoPackage) and match them to regions.

Matching is by a division-code column (6/9/12 digits) or by name (with or without 街道/镇/乡); a
code is only trusted when the feature's name, if it has one, agrees — NBS and MCA codes differ in
several districts (shared/data/SOURCES.md), so a code alone may point at the wrong township.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from lib.coords import gcj_to_wgs_geometry, round_geometry
from lib.regions import township_aliases
from lib.warehouse.boundaries import read_boundaries, replace_boundaries
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import Scope

_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")
_NAME_HINTS = ("name", "名称", "乡镇", "街道", "xzqmc", "mc")
_CODE_HINTS = ("code", "代码", "xzqdm", "dm", "adcode", "gb", "pac")


@dataclass
class ImportReport:
    """What an import did: matched features, features that matched nothing, regions still bare."""
    level: str
    matched: list[tuple[str, str]] = field(default_factory=list)      # (feature label, region_code)
    unmatched: list[tuple[str, str]] = field(default_factory=list)    # (feature label, reason)
    without_polygon: list[tuple[str, str]] = field(default_factory=list)  # (region_code, name)
    written: int = 0

    def lines(self) -> list[str]:
        out = [f"level {self.level}: {len(self.matched)} features matched, "
               f"{self.written} polygons written, {len(self.unmatched)} unmatched, "
               f"{len(self.without_polygon)} regions without a polygon"]
        out += [f"  unmatched: {label} ({reason})" for label, reason in self.unmatched]
        out += [f"  no polygon: {code} {name}" for code, name in self.without_polygon]
        return out


def read_features(path: Path) -> gpd.GeoDataFrame:
    """GeoJSON, a zipped Shapefile or a GeoPackage (first layer), as geopandas reads it."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        return gpd.read_file(f"zip://{path.resolve()}")
    return gpd.read_file(path)


def to_wgs84(frame: gpd.GeoDataFrame, crs: str = "wgs84") -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (CGCS2000 counts as WGS-84); ``crs='gcj02'`` also undoes GCJ-02."""
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif frame.crs.to_epsg() != 4326:
        # EPSG:4490 (CGCS2000) → 4326 is the identity in PROJ; projected CRSs are unprojected.
        frame = frame.to_crs("EPSG:4326")
    if crs.lower().replace("-", "") == "gcj02":
        frame = frame.set_geometry(frame.geometry.apply(gcj_to_wgs_geometry), crs="EPSG:4326")
    elif crs.lower().replace("-", "") not in ("wgs84", "cgcs2000", "epsg4326"):
        raise ValueError(f"unknown --crs {crs!r} (wgs84 or gcj02)")
    return frame


def _as_code(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.ljust(12, "0") if _CODE.match(text) else None


def _pick_column(frame: pd.DataFrame, hints: tuple[str, ...], test) -> str | None:
    """The attribute column whose values pass ``test`` most often (name hints break ties)."""
    best, best_score = None, 0.0
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        values = frame[col].dropna()
        if values.empty:
            continue
        score = sum(1 for v in values if test(v)) / len(frame)
        if any(h in str(col).lower() for h in hints):
            score += 0.01
        if score > best_score + 1e-9 and score >= 0.5:
            best, best_score = col, score
    return best


def _name_index(regions: pd.DataFrame) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for r in regions.itertuples(index=False):
        keys = {str(r.name), *township_aliases(str(r.name))}
        if isinstance(r.aliases, str) and r.aliases:
            keys.update(a for a in r.aliases.split("|") if a)
        for key in keys:
            index.setdefault(key, [])
            if r.code not in index[key]:
                index[key].append(r.code)
    return index


def _names_agree(feature_name: str, region_name: str) -> bool:
    a = {feature_name, *township_aliases(feature_name)}
    b = {region_name, *township_aliases(region_name)}
    return bool(a & b)


def match_features(frame: gpd.GeoDataFrame, regions: pd.DataFrame, level: str, *,
                   code_column: str | None = None, name_column: str | None = None
                   ) -> tuple[pd.DataFrame, ImportReport]:
    """(region_code, geometry as GeoJSON text) per matched region, and the report.

    ``regions`` has code, name, level, aliases (the region table). Several features of one region
    (islands split into rows) are merged into one MultiPolygon.
    """
    regions = regions[regions["level"] == level]
    names_by_code = dict(zip(regions["code"], regions["name"]))
    name_index = _name_index(regions)
    code_col = code_column or _pick_column(frame, _CODE_HINTS, lambda v: _as_code(v) is not None)
    name_col = name_column or _pick_column(
        frame, _NAME_HINTS,
        lambda v: isinstance(v, str) and any(k in name_index for k in
                                             {v.strip(), *township_aliases(v.strip())}))
    if name_col is None:
        # Names that match nothing are still names: the report must show them, not drop them.
        name_col = next((c for c in frame.columns if c != frame.geometry.name
                         and any(h in str(c).lower() for h in _NAME_HINTS)
                         and frame[c].map(lambda v: isinstance(v, str)).any()), None)
    if code_col is None and name_col is None:
        raise ValueError("no column of division codes or region names found; name one with "
                         "--code-column or --name-column")
    report = ImportReport(level=level)
    parts: dict[str, list[BaseGeometry]] = {}
    for i, row in enumerate(frame.itertuples(index=False)):
        rec = row._asdict()
        name = str(rec[name_col]).strip() if name_col and pd.notna(rec[name_col]) else ""
        raw_code = rec[code_col] if code_col else None
        label = name or (str(raw_code) if raw_code is not None else f"#{i + 1}")
        geom = rec[frame.geometry.name]
        code, reason = _match_one(_as_code(raw_code), name, names_by_code, name_index)
        if code is None:
            report.unmatched.append((label, reason))
            continue
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.unmatched.append((label, "not a polygon"))
            continue
        parts.setdefault(code, []).append(shapely.make_valid(geom))
        report.matched.append((label, code))
    rows = []
    for code, geoms in parts.items():
        merged = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
        merged = _polygonal(round_geometry(merged, 6))
        rows.append({"region_code": code, "geometry": shapely.to_geojson(merged)})
    have = set(parts)
    report.without_polygon = [(c, n) for c, n in names_by_code.items() if c not in have]
    return pd.DataFrame(rows, columns=["region_code", "geometry"]), report


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop stray lines or points make_valid may leave; keep (Multi)Polygons only."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)


def _match_one(code: str | None, name: str, names_by_code: dict[str, str],
               name_index: dict[str, list[str]]) -> tuple[str | None, str]:
    if code is not None and code in names_by_code:
        if not name or _names_agree(name, names_by_code[code]):
            return code, ""
    by_name: list[str] = []
    if name:
        for key in dict.fromkeys([name, *township_aliases(name)]):
            by_name.extend(c for c in name_index.get(key, []) if c not in by_name)
    if len(by_name) == 1:
        return by_name[0], ""
    if len(by_name) > 1:
        return None, "ambiguous name: " + ", ".join(sorted(by_name))
    if code is not None and code in names_by_code:
        return None, f"code {code} is {names_by_code[code]}, name differs"
    return None, "no region with this code or name"


def import_boundaries(engine, path: Path, level: str = "township", *, crs: str = "wgs84",
                      code_column: str | None = None, name_column: str | None = None,
                      source: str | None = None, scope: Scope) -> ImportReport:
    """Read, reproject, match and write one file's polygons in one transaction; return the report.
    Only regions inside ``scope`` are matched (and so written)."""
    frame = to_wgs84(read_features(Path(path)), crs)
    regions = regions_frame(engine)
    if not scope.is_everything:
        regions = regions[regions["code"].str.startswith(scope.prefix)]
    matched, report = match_features(frame, regions, level, code_column=code_column,
                                     name_column=name_column)
    report.written = replace_boundaries(engine, level, matched, source or Path(path).name)
    # Regions bare after this import: polygons from earlier imports still count.
    have = set(read_boundaries(engine, level, scope)["region_code"])
    report.without_polygon = [(c, n) for c, n in report.without_polygon if c not in have]
    return report


def geojson_of(geom: BaseGeometry) -> dict:
    return json.loads(shapely.to_geojson(geom))
