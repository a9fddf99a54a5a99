"""Importing official township boundaries: matching, report, CRS, and polygons replacing circles."""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from lib.geo.__main__ import main as cli
from lib.warehouse.scope import Scope
from lib.coords import wgs_to_gcj_array
from lib.geo.importer import import_boundaries
from lib.geo.shapes import map_shapes
from lib.warehouse.boundaries import read_boundaries
from lib.warehouse.engine import data_version
from lib.warehouse.reference import regions_frame


def _towns(engine, n: int = 3):
    regions = regions_frame(engine)
    towns = regions[(regions["level"] == "township") & regions["parent_code"].eq("350111000000")
                    & regions["seat_lon"].notna()]
    return towns.head(n).reset_index(drop=True)


def _squares(towns) -> list[shapely.Polygon]:
    return [box(r.seat_lon - 0.01, r.seat_lat - 0.01, r.seat_lon + 0.01, r.seat_lat + 0.01)
            for r in towns.itertuples()]


def _features(towns) -> gpd.GeoDataFrame:
    """Town 0 by its 9-digit code, town 1 by its name without the suffix, one name that is nowhere."""
    short = towns.loc[1, "name"].removesuffix("街道").removesuffix("镇").removesuffix("乡")
    return gpd.GeoDataFrame({
        "XZQDM": [towns.loc[0, "code"][:9], None, None],
        "XZQMC": [towns.loc[0, "name"], short, "不存在镇"],
    }, geometry=[*_squares(towns)[:2], box(119.0, 26.0, 119.01, 26.01)], crs="EPSG:4326")


def _write(frame: gpd.GeoDataFrame, tmp_path, kind: str):
    if kind == "geojson":
        path = tmp_path / "towns.geojson"
        frame.to_file(path, driver="GeoJSON")
    elif kind == "gpkg":
        path = tmp_path / "towns.gpkg"
        frame.to_file(path, driver="GPKG")
    else:
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        frame.to_file(shp_dir / "towns.shp", driver="ESRI Shapefile", encoding="UTF-8")
        path = tmp_path / "towns.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for f in shp_dir.iterdir():
                zf.write(f, f.name)
    return path


@pytest.mark.parametrize("kind", ["geojson", "zipped_shapefile", "gpkg"])
def test_import_matches_reports_and_replaces_circles(engine, tmp_path, kind):
    towns = _towns(engine)
    codes = list(towns["code"])
    before = map_shapes(engine, "township", codes, Scope.everything())
    assert len(before.points) == 3 and len(before.polygons) == 0
    version = data_version(engine)

    report = import_boundaries(engine, _write(_features(towns), tmp_path, kind), "township", scope=Scope.everything())

    assert sorted(code for _, code in report.matched) == sorted(codes[:2])
    assert report.unmatched == [("不存在镇", "no region with this code or name")]
    assert report.written == 2
    bare = {code for code, _ in report.without_polygon}
    assert codes[2] in bare and codes[0] not in bare and codes[1] not in bare
    assert data_version(engine) == version + 1
    stored = read_boundaries(engine, "township", Scope("3501"))
    assert sorted(stored["region_code"]) == sorted(codes[:2])

    after = map_shapes(engine, "township", codes, Scope.everything())
    assert sorted(after.polygons["region_code"]) == sorted(codes[:2])
    assert list(after.points["region_code"]) == [codes[2]]
    poly = after.polygons.set_index("region_code").geometry[codes[0]]
    assert poly.contains(shapely.Point(towns.loc[0, "seat_lon"], towns.loc[0, "seat_lat"]))


def test_reimport_replaces_same_region_only(engine, tmp_path):
    towns = _towns(engine)
    import_boundaries(engine, _write(_features(towns), tmp_path, "geojson"), "township", scope=Scope.everything())
    smaller = gpd.GeoDataFrame({"code": [towns.loc[0, "code"]], "name": [towns.loc[0, "name"]]},
                               geometry=[_squares(towns)[0].buffer(-0.005)], crs="EPSG:4326")
    (tmp_path / "b").mkdir()
    report = import_boundaries(engine, _write(smaller, tmp_path / "b", "geojson"), "township", scope=Scope.everything())
    assert report.written == 1
    stored = read_boundaries(engine, "township", Scope.everything()).set_index("region_code")
    assert len(stored) == 2      # the other township keeps its polygon
    area = shapely.from_geojson(stored.loc[towns.loc[0, "code"], "geometry"]).area
    assert area == pytest.approx(0.01 ** 2, rel=0.01)


def test_gcj02_file_is_converted(engine, tmp_path):
    towns = _towns(engine, 1)
    square = _squares(towns)[0]
    xs, ys = np.asarray(square.exterior.coords).T
    gx, gy = wgs_to_gcj_array(xs, ys)
    frame = gpd.GeoDataFrame({"name": [towns.loc[0, "name"]]},
                             geometry=[shapely.Polygon(np.column_stack([gx, gy]))],
                             crs="EPSG:4326")
    path = _write(frame, tmp_path, "geojson")
    if engine.dialect.name == "duckdb":   # the CLI opens the same warehouse by its URL
        assert cli(["import", str(path), "--level", "township", "--crs", "gcj02",
                    "--db", engine.url.render_as_string(hide_password=False)]) == 0
    else:
        import_boundaries(engine, path, "township", crs="gcj02", scope=Scope.everything())
    stored = read_boundaries(engine, "township", Scope.everything())
    geom = shapely.from_geojson(stored["geometry"].iloc[0])
    assert np.allclose(np.asarray(geom.exterior.coords)[:, :2].min(axis=0),
                       np.asarray(square.exterior.coords).min(axis=0), atol=1e-6)


def test_projected_cgcs2000_file_is_unprojected(engine, tmp_path):
    towns = _towns(engine, 1)
    frame = gpd.GeoDataFrame({"name": [towns.loc[0, "name"]]}, geometry=_squares(towns)[:1],
                             crs="EPSG:4490").to_crs("EPSG:4527")   # CGCS2000 3-degree GK zone 39
    path = _write(frame, tmp_path, "gpkg")
    report = import_boundaries(engine, path, "township", scope=Scope.everything())
    assert report.written == 1
    geom = shapely.from_geojson(read_boundaries(engine, "township", Scope.everything())["geometry"].iloc[0])
    assert geom.centroid.x == pytest.approx(towns.loc[0, "seat_lon"], abs=1e-4)
    assert geom.centroid.y == pytest.approx(towns.loc[0, "seat_lat"], abs=1e-4)


def test_code_with_conflicting_name_is_not_trusted(engine, tmp_path):
    towns = _towns(engine, 2)
    frame = gpd.GeoDataFrame({"code": [towns.loc[0, "code"]], "name": ["别处镇"]},
                             geometry=_squares(towns)[:1], crs="EPSG:4326")
    report = import_boundaries(engine, _write(frame, tmp_path, "geojson"), "township", scope=Scope.everything())
    assert report.written == 0
    assert "name differs" in report.unmatched[0][1]


def test_cli_refuses_missing_file(tmp_path, capsys):
    assert cli(["import", str(tmp_path / "nope.geojson")]) == 2
    assert "refused" in capsys.readouterr().err


def test_report_lines_list_unmatched(engine, tmp_path):
    towns = _towns(engine)
    report = import_boundaries(engine, _write(_features(towns), tmp_path, "geojson"), "township",
                               scope=Scope.everything())
    text = "\n".join(report.lines())
    assert "2 features matched" in text and "unmatched: 不存在镇" in text
    assert json.dumps(report.matched, ensure_ascii=False)
