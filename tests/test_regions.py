import pandas as pd
import pytest

from lib import regions


@pytest.mark.parametrize("code,expected", [("350111", "350111000000"), ("350111001", "350111001000"),
                                           ("350111001002", "350111001002"), (350100, "350100000000")])
def test_pad_code(code, expected):
    assert regions.pad_code(code) == expected


@pytest.mark.parametrize("bad", ["3501", "35011100", "abc111"])
def test_pad_code_refuses(bad):
    with pytest.raises(ValueError):
        regions.pad_code(bad)


@pytest.mark.parametrize("name,expected", [("站前社区委员会", "111"), ("洋下村委会", "220"),
                                           ("红星农场虚拟生活区", "220"), ("某某生活区", None)])
def test_infer_urban_rural(name, expected):
    assert regions.infer_urban_rural(name) == expected


@pytest.mark.parametrize("name,aliases", [("站前社区委员会", ["站前社区", "站前"]),
                                          ("中山社区", ["中山"]), ("洋下村", ["洋下"])])
def test_village_aliases(name, aliases):
    assert regions.village_aliases(name) == aliases


def test_township_aliases():
    assert regions.township_aliases("鼓东街道") == ["鼓东"]
    assert regions.township_aliases("宦溪镇") == ["宦溪"]


def test_fuzhou_divisions():
    frame = regions.read_division_files(regions.DEFAULT_TOWNSHIPS, regions.DEFAULT_VILLAGES)
    counts = frame["level"].value_counts().to_dict()
    assert counts == {"province": 1, "city": 1, "district": 13, "township": 186, "village": 3022}
    assert frame.loc[frame["level"] == "city", "parent_code"].tolist() == ["350000000000"]
    assert frame.loc[frame["code"] == "350000000000", "name"].tolist() == ["福建省"]
    vil = frame[frame["level"] == "village"]
    assert vil["urban_rural_code"].notna().all()
    # 长乐区 has no NBS 2016 codes: all inferred, and marked so.
    changle = vil[vil["code"].str.startswith("350112")]
    assert len(changle) > 0 and changle["urban_rural_inferred"].all()
    towns = frame[frame["level"] == "township"]
    assert towns["seat_lon"].between(118, 121).sum() >= 180
    assert (frame["code"].str.len() == 12).all()


def test_gcj_seats_are_converted(tmp_path):
    t = pd.DataFrame([{"township_code": "350102001", "township_name": "鼓东街道",
                       "district_code": "350102", "district_name": "鼓楼区", "city_code": "350100",
                       "city_name": "福州市", "seat_lon": 119.2973613, "seat_lat": 26.0959852,
                       "seat_crs": "GCJ02"}])
    v = pd.DataFrame([{"village_code": "350102001001", "village_name": "中山社区",
                       "township_code": "350102001", "township_name": "鼓东街道",
                       "district_code": "350102", "district_name": "鼓楼区", "city_code": "350100",
                       "city_name": "福州市", "urban_rural_code": None}])
    frame = regions.build_regions(t, v)
    town = frame[frame["level"] == "township"].iloc[0]
    assert town["seat_lon"] < 119.2973613 - 0.003  # GCJ-02 is shifted east in Fuzhou
    assert abs(town["seat_lat"] - 26.0991) < 0.001


def test_import_cli_on_another_city(tmp_path, capsys):
    t = tmp_path / "t.csv"
    v = tmp_path / "v.csv"
    pd.DataFrame([{"township_code": "350203001", "township_name": "鼓浪屿街道",
                   "district_code": "350203", "district_name": "思明区", "city_code": "350200",
                   "city_name": "厦门市", "seat_lon": 118.067, "seat_lat": 24.447,
                   "seat_crs": "WGS84"}]).to_csv(t, index=False)
    pd.DataFrame([{"village_code": "350203001001", "village_name": "龙头社区居委会",
                   "township_code": "350203001", "township_name": "鼓浪屿街道",
                   "district_code": "350203", "district_name": "思明区", "city_code": "350200",
                   "city_name": "厦门市", "urban_rural_code": "",
                   "urban_rural_code_source": ""}]).to_csv(v, index=False)
    url = f"duckdb:///{tmp_path / 'xm.duckdb'}"
    assert regions.main(["import", str(t), str(v), "--db", url]) == 0
    assert "1 city, 1 district, 1 township, 1 village" in capsys.readouterr().out
    from lib.warehouse.engine import get_engine
    from lib.warehouse.reference import regions_frame
    got = regions_frame(get_engine(url))
    assert set(got["code"]) == {"350000000000", "350200000000", "350203000000", "350203001000",
                                "350203001001"}


def test_import_cli_refuses_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n")
    assert regions.main(["import", str(bad), str(bad), "--db",
                         f"duckdb:///{tmp_path / 'x.duckdb'}"]) == 2
    assert "missing columns" in capsys.readouterr().err
