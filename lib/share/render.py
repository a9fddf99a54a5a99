"""A page's chart or map as the PNG the shared picture shows: the pages' own Vega-Lite, sized
for the picture and drawn by vl-convert (the path the PNG downloads and the 通报 already take).

The chart is laid out ``WIDTH`` px wide in Vega-Lite's units with its axes and legend inside
(autosize "fit"), then drawn at ``SCALE``: it arrives exactly as wide as the picture's content,
never stretched, and its text at ``FONT`` px comes out at twice that, about the picture's body
text. Fonts are the pages' (Noto Sans CJK SC first).
"""
from __future__ import annotations

import json
from typing import Any

from lib.charts import png
from lib.charts.common import FONT as CHART_FONTS
from lib.charts.memo import spec_of
from lib.share.picture import CONTENT

SCALE = 2
WIDTH = CONTENT // SCALE  # 486: drawn at SCALE, the picture's content width
HEIGHT = {"chart": 320, "map": 430}
FONT, TITLE_FONT = 15, 18  # Vega-Lite px; × SCALE in the picture (30 px, 36 px)

# Light, large and in the pages' fonts: laid over whatever configuration the chart brought.
CONFIG: dict[str, Any] = {
    "font": CHART_FONTS, "background": "white",
    "axis": {"labelFont": CHART_FONTS, "titleFont": CHART_FONTS, "labelFontSize": FONT,
             "titleFontSize": FONT, "labelColor": "#222222", "titleColor": "#222222",
             "labelLimit": 220},
    "legend": {"labelFont": CHART_FONTS, "titleFont": CHART_FONTS, "labelFontSize": FONT,
               "titleFontSize": FONT, "labelLimit": 0, "symbolSize": 220},
    "title": {"font": CHART_FONTS, "fontSize": TITLE_FONT, "anchor": "start", "color": "#222222"},
    "text": {"font": CHART_FONTS, "fontSize": FONT - 2},
    "view": {"stroke": None},
}


def _merged(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


def sized_spec(chart: Any, kind: str = "chart", max_px: int | None = None) -> dict:
    """The Vega-Lite spec of ``chart`` (an Altair chart or a spec dict, left unchanged) laid out
    for the picture: ``WIDTH`` wide and the kind's height (a map's own, sized to its regions'
    proportions), axes, title and legend included, large text; no taller than ``max_px`` pixels
    once drawn (lib/share/picture.chart_room)."""
    # only top-level keys change: a dict is copied shallowly (a map's geometries are megabytes)
    spec = dict(chart) if isinstance(chart, dict) else spec_of(chart)
    own = spec.get("height") if kind == "map" else None
    height = own if isinstance(own, (int, float)) else HEIGHT.get(kind, HEIGHT["chart"])
    if max_px:
        height = min(height, max_px // SCALE)
    spec["width"], spec["height"] = WIDTH, int(height)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec["config"] = _merged(spec.get("config") or {}, CONFIG)
    return spec


def chart_png(chart: Any, kind: str = "chart", max_px: int | None = None) -> bytes:
    """``chart`` as the picture's PNG, ``CONTENT`` px wide, at most ``max_px`` tall."""
    return png.vegalite_png(json.dumps(sized_spec(chart, kind, max_px), ensure_ascii=False), SCALE)
