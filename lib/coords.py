"""GCJ-02 → WGS-84 conversion (AMap data is GCJ-02; the app works in WGS-84 only, so that every
layer of a map lines up with the others).

Single points go through ``prcoords`` (public domain); whole polygons through the same published
formulas vectorised with numpy, so a city's few thousand vertices convert in milliseconds.
"""
from __future__ import annotations

import numpy as np
import prcoords
import shapely
from shapely.geometry.base import BaseGeometry

# Krasovsky 1940 ellipsoid, as the GCJ-02 formulas use it.
_A = 6378245.0
_EE = 0.00669342162296594323
# The obfuscation applies inside this box only; points outside are returned unchanged.
_CHINA = (72.004, 0.8293, 137.8347, 55.8271)


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    """One point, (lon, lat) in and out; the iterative ('bored') inverse is accurate to ~1e-6°."""
    c = prcoords.gcj_wgs_bored((lat, lon))
    return (c.lon, c.lat)


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    c = prcoords.wgs_gcj((lat, lon))
    return (c.lon, c.lat)


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= _CHINA[0]) & (lon <= _CHINA[2]) & (lat >= _CHINA[1]) & (lat <= _CHINA[3])


def wgs_to_gcj_array(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forward GCJ-02 offset for arrays of WGS-84 points (same formulas as prcoords.wgs_gcj)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    d_lat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
             + (2 * np.sin(x * 6 * pi) + 2 * np.sin(x * 2 * pi) + 2 * np.sin(y * pi)
                + 4 * np.sin(y / 3 * pi) + 16 * np.sin(y / 12 * pi) + 32 * np.sin(y / 30 * pi))
             * 20 / 3)
    d_lon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
             + (2 * np.sin(x * 6 * pi) + 2 * np.sin(x * 2 * pi) + 2 * np.sin(x * pi)
                + 4 * np.sin(x / 3 * pi) + 15 * np.sin(x / 12 * pi) + 30 * np.sin(x / 30 * pi))
             * 20 / 3)
    rad = np.radians(lat)
    magic = 1 - _EE * np.sin(rad) ** 2
    lat_arc = np.radians(_A * (1 - _EE) / magic ** 1.5)
    lon_arc = np.radians(_A * np.cos(rad) / np.sqrt(magic))
    inside = _in_china(lon, lat)
    return (np.where(inside, lon + d_lon / lon_arc, lon),
            np.where(inside, lat + d_lat / lat_arc, lat))


def gcj_to_wgs_array(lon: np.ndarray, lat: np.ndarray, *, tol: float = 1e-9,
                     max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of GCJ-02 points → WGS-84 by fixed-point iteration of the forward formula (~1e-8°)."""
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        f_lon, f_lat = wgs_to_gcj_array(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if e_lon.size == 0 or max(np.abs(e_lon).max(), np.abs(e_lat).max()) < tol:
            break
    return w_lon, w_lat


def _gcj_to_wgs_coords(coords: np.ndarray) -> np.ndarray:
    lon, lat = gcj_to_wgs_array(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def gcj_to_wgs_geometry(geom: BaseGeometry) -> BaseGeometry:
    """Every vertex of a shapely geometry from GCJ-02 to WGS-84."""
    return shapely.transform(geom, _gcj_to_wgs_coords)


def round_geometry(geom: BaseGeometry, digits: int = 5) -> BaseGeometry:
    """Coordinates rounded (5 decimals ≈ 1 m): smaller map payloads, nothing visible lost."""
    return shapely.transform(geom, lambda c: np.round(c, digits))
