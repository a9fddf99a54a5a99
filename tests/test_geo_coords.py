"""GCJ-02 ↔ WGS-84: known point pairs, and the vectorised arrays agree with prcoords."""
from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon

from lib import coords

# (WGS-84 lat, lon, GCJ-02 lat, lon): the published test points of googollee/eviltransform (MIT).
PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),   # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),   # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),   # Beijing
]


@pytest.mark.parametrize("w_lat,w_lon,g_lat,g_lon", PAIRS)
def test_forward_matches_known_pairs(w_lat, w_lon, g_lat, g_lon):
    lon, lat = coords.wgs_to_gcj_array(np.array([w_lon]), np.array([w_lat]))
    assert lon[0] == pytest.approx(g_lon, abs=1e-9)
    assert lat[0] == pytest.approx(g_lat, abs=1e-9)
    assert coords.wgs_to_gcj(w_lon, w_lat) == pytest.approx((g_lon, g_lat), abs=1e-9)


@pytest.mark.parametrize("w_lat,w_lon,g_lat,g_lon", PAIRS)
def test_inverse_recovers_wgs(w_lat, w_lon, g_lat, g_lon):
    lon, lat = coords.gcj_to_wgs_array(np.array([g_lon]), np.array([g_lat]))
    assert (lon[0], lat[0]) == pytest.approx((w_lon, w_lat), abs=1e-7)   # ~1 cm
    assert coords.gcj_to_wgs(g_lon, g_lat) == pytest.approx((w_lon, w_lat), abs=2e-6)


def test_offset_is_hundreds_of_metres_in_fuzhou():
    lon, lat = coords.gcj_to_wgs_array(np.array([119.3]), np.array([26.08]))
    # GCJ-02 shifts Fuzhou ~500 m east and ~300 m south: the conversion must move points back.
    assert -0.007 < lon[0] - 119.3 < -0.003
    assert 0.001 < lat[0] - 26.08 < 0.005


def test_outside_china_unchanged():
    lon, lat = coords.wgs_to_gcj_array(np.array([2.35]), np.array([48.85]))
    assert (lon[0], lat[0]) == (2.35, 48.85)


def test_geometry_every_vertex_converted():
    square = Polygon([(119.3, 26.0), (119.4, 26.0), (119.4, 26.1), (119.3, 26.1)])
    out = coords.gcj_to_wgs_geometry(square)
    for (gx, gy), (wx, wy) in zip(square.exterior.coords, out.exterior.coords):
        assert (wx, wy) == pytest.approx(coords.gcj_to_wgs(gx, gy), abs=2e-6)
