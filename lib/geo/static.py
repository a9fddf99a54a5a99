"""The page's map as a still picture: an Altair geoshape choropleth for the shared PNG.

The interactive map is a pydeck deck drawn by the browser's WebGL; a picture made on the server
needs a map vl-convert can draw. This one draws the same shapes (lib/geo/shapes.MapShapes: polygons,
township seats sized by their base, the district outlines under them, the grey context regions)
in the same classes and colours, with the legend the page shows beside its map: both come from
``deck.map_classes``, so the picture cannot colour a region differently from the page. Web
Mercator, as the deck. Names are written on the regions when there are few enough to read.
"""
from __future__ import annotations

import math

import altair as alt
import geopandas as gpd
import pandas as pd
import shapely

from lib.charts.common import FONT
from lib.geo import scale
from lib.geo.deck import MAX_RADIUS_PX, MIN_RADIUS_PX, shape_bounds, map_classes
from lib.geo.shapes import MapShapes

WIDTH, MAX_HEIGHT, MIN_HEIGHT = 486, 430, 240  # Vega-Lite px of the whole map, legend included
LEGEND_WIDTH = 150  # beside a tall map (a district of townships), where its width is free anyway
MAX_NAMES = 20  # regions named on the map; beyond, names would cover the colours
NAME_PX = 11  # Vega-Lite px (22 in the picture)
OUTLINE = "#5a5a5a"


def _features(frame: gpd.GeoDataFrame, props: list[dict]) -> list[dict]:
    return [{"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": p}
            for geom, p in zip(frame.geometry, props)]


def _merc(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.0), -85.0)
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _labels(polygons: gpd.GeoDataFrame, names: list[str], width: float = 480,
            height: float = 340) -> pd.DataFrame:
    """lon, lat, name of the regions to name: the largest first, each only where its name does
    not run into one already placed (the small urban districts of a city sit side by side), at
    most ``MAX_NAMES``. Boxes are estimated in Web Mercator at the plot's size."""
    empty = pd.DataFrame({"lon": [], "lat": [], "name": []})
    if not len(polygons) or len(polygons) > 4 * MAX_NAMES:
        return empty
    minx, miny, maxx, maxy = polygons.total_bounds
    (x0, y0), (x1, y1) = _merc(minx, miny), _merc(maxx, maxy)
    px = min(width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9))
    anchors = polygons.geometry.representative_point()
    order = sorted(range(len(polygons)), key=lambda i: -polygons.geometry.iloc[i].area)
    placed: list[tuple[float, float, float, float]] = []
    rows = []
    for i in order:
        name = names[i]
        if not name or len(rows) >= MAX_NAMES:
            continue
        x, y = _merc(anchors.x.iloc[i], anchors.y.iloc[i])
        cx, cy = (x - x0) * px, (y1 - y) * px
        half_w, half_h = len(name) * NAME_PX * 0.55 + 3, NAME_PX * 0.7
        box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
               for b in placed):
            continue
        placed.append(box)
        rows.append({"lon": anchors.x.iloc[i], "lat": anchors.y.iloc[i], "name": name})
    return pd.DataFrame(rows) if rows else empty


def _frame(shapes: MapShapes) -> tuple[int, int, bool]:
    """Plot width and height for the shapes' proportions in Web Mercator, and whether the legend
    goes beside the map: a tall region (a district) leaves room at its sides, a wide one (a city
    by the sea) below it."""
    minx, miny, maxx, maxy = shape_bounds(shapes)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return WIDTH, MAX_HEIGHT, False
    (x0, y0), (x1, y1) = _merc(minx, miny), _merc(maxx, maxy)
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    beside = aspect > 1.15
    width = WIDTH - LEGEND_WIDTH if beside else WIDTH
    return width, int(min(MAX_HEIGHT, max(MIN_HEIGHT, width * aspect))), beside


def _radius(den: pd.Series) -> pd.Series:
    """The deck's circle radius in pixels: sqrt-scaled by the base, as lib/geo/deck draws it."""
    den = pd.to_numeric(den, errors="coerce")
    top = den.max()
    if pd.notna(top) and top > 0:
        return MIN_RADIUS_PX + (MAX_RADIUS_PX - MIN_RADIUS_PX) * (den.fillna(0).clip(lower=0)
                                                                      / top) ** 0.5
    return pd.Series(MIN_RADIUS_PX * 1.5, index=den.index)


def map_spec(frame: pd.DataFrame, lang: str, metric_label: str, unit: str, *,
             shapes: MapShapes, title: str = "") -> dict:
    """``frame`` (region_code, name, value[, denominator]) over ``shapes`` as a layered geoshape
    Vega-Lite spec: the legend (title ``metric_label``) is the deck's, class for class; seat
    circles keep the deck's radii, in the chart's pixels. The geometries travel as named datasets
    beside the layers (Altair would walk every coordinate of them on its way to a dict)."""
    data = frame.copy()
    data["region_code"] = data["region_code"].astype(str)
    if "name" not in data:
        data["name"] = data["region_code"]
    classes = map_classes(data, shapes, unit, lang)
    data["cls"] = list(classes.labels)
    by_code = data.set_index("region_code")
    no_data = scale.NO_DATA_LABEL[lang]
    width, height, beside = _frame(shapes)
    color = alt.Color("cls:N", title=metric_label,
                      scale=alt.Scale(domain=[lbl for _, lbl in classes.legend],
                                      range=[c for c, _ in classes.legend]),
                      legend=alt.Legend(orient="right" if beside else "bottom",
                                        direction="vertical", columns=1 if beside else 2,
                                        symbolType="square", labelLimit=0, titleLimit=0))
    datasets: dict[str, list] = {}
    layers: list[alt.Chart] = []

    def shapes_of(name: str, frame_: gpd.GeoDataFrame, props: list[dict]) -> alt.Chart:
        datasets[name] = _features(frame_, props)
        return alt.Chart(alt.NamedData(name=name))

    if len(shapes.context):
        layers.append(shapes_of("context", shapes.context, [{"cls": no_data}] * len(shapes.context))
                      .mark_geoshape(stroke="white", strokeWidth=0.5)
                      .transform_calculate(cls="datum.properties.cls").encode(color=color))
    if len(shapes.outlines):
        layers.append(shapes_of("outlines", shapes.outlines, [{}] * len(shapes.outlines))
                      .mark_geoshape(filled=False, stroke=OUTLINE, strokeWidth=0.8))
    if len(shapes.polygons):
        props = [{"cls": by_code["cls"].get(str(c), no_data)} for c in shapes.polygons["region_code"]]
        layers.append(shapes_of("regions", shapes.polygons, props)
                      .mark_geoshape(stroke="white", strokeWidth=1)
                      .transform_calculate(cls="datum.properties.cls").encode(color=color))
    if len(shapes.points):
        pts = shapes.points.merge(data.drop(columns=["lon", "lat"], errors="ignore"),
                                  on="region_code", how="left")
        radius = _radius(pts["denominator"] if "denominator" in pts else
                         pd.Series(math.nan, index=pts.index))
        points = pd.DataFrame({"lon": pts["lon"], "lat": pts["lat"],
                               "cls": pts["cls"].fillna(no_data),
                               "size": (math.pi * radius ** 2).round(1)})
        layers.append(alt.Chart(points).mark_circle(opacity=0.92, stroke=OUTLINE, strokeWidth=0.6)
                      .encode(longitude="lon:Q", latitude="lat:Q", color=color,
                              size=alt.Size("size:Q", scale=None, legend=None)))
    names = _labels(shapes.polygons, [str(by_code["name"].get(str(c), ""))
                                      for c in shapes.polygons["region_code"]], width, height)
    if len(names):
        base = alt.Chart(names).encode(longitude="lon:Q", latitude="lat:Q", text="name:N")
        text = dict(font=FONT, fontSize=NAME_PX, fontWeight="bold")
        layers.append(base.mark_text(stroke="white", strokeWidth=3, strokeOpacity=0.9, **text))
        layers.append(base.mark_text(color="#1f2933", **text))
    chart = alt.layer(*layers).project(type="mercator").properties(width=width, height=height)
    spec = (chart.properties(title=title) if title else chart).to_dict(validate=False)
    spec.setdefault("datasets", {}).update(datasets)
    return spec
