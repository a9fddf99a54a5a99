"""Vega-Lite drawn to PNG by vl-convert, once per distinct spec.

Drawing is the costly part of every chart image (about 180 ms a chart, then PNG quantising and
encoding): the 通报 and monitoring report draw the same trend of the same view for every reader who
downloads it, and a page's PNG button draws what the page shows. The image is a pure function of the
spec's JSON (its data included) and the scale, so it is kept under a digest of both: a different
view, period or data version is a different spec and is drawn anew. Digests, not specs, are the
keys: a map's spec carries megabytes of geometry.
"""
from __future__ import annotations

import hashlib

import vl_convert as vlc

from lib.charts.memo import BoundedCache

_drawn = BoundedCache(maxsize=64)  # images of tens to a few hundred kB each


def vegalite_png(spec_json: str, scale: float) -> bytes:
    """The PNG of the Vega-Lite spec ``spec_json`` drawn at ``scale``."""
    key = hashlib.sha256(f"{scale!r}\n{spec_json}".encode()).hexdigest()
    png = _drawn.get(key)
    if png is None:
        png = vlc.vegalite_to_png(spec_json, scale=scale)
        _drawn.put(key, png)
    return png
