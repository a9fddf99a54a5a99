"""The upload page under AppTest: templates, a good file loads, a bad file is refused with nothing written."""
from pathlib import Path

import pytest

from sqlalchemy import func, select

from lib.i18n import t
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

FIX = Path(__file__).parent / "fixtures_ingest"


def test_upload_page_renders_with_history(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page("views/upload.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="up_dataset").value == "auto"
    assert len(at.dataframe) >= 1  # the batch history holds the demo batch


def test_upload_page_without_data(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
    assert not at.exception, at.exception


def test_personal_data_refused_nothing_written(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        if not hasattr(at, "file_uploader"):
            return
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()
        at.file_uploader(key="up_file").upload(
            "personal.csv", (FIX / "personal_data.csv").read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    assert any("未导入" in e.value for e in at.error)
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()
    assert after == before


def _config(df_element) -> dict:
    """The column labels a user sees: st.column_config as the frontend receives it."""
    import json

    proto = df_element.proto
    return {"order": list(proto.column_order), "config": json.loads(proto.columns or "{}")}


def _label(conf: dict, column: str) -> str:
    value = conf["config"].get(column, {})
    return value.get("label") if isinstance(value, dict) else value


def test_refusal_table_speaks_chinese_and_names_the_column(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_file").upload(
            "personal.csv", (FIX / "personal_data.csv").read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    problems = next(d for d in at.dataframe if "problem_zh" in d.value.columns)
    conf = _config(problems)
    assert conf["order"] == ["row", "column", "value", "problem_zh"]  # no English column in zh
    assert [_label(conf, c) for c in conf["order"]] == ["行号", "列", "值", "问题"]
    assert "联系电话" in set(problems.value["column"])
    assert any("手机号码" in p for p in problems.value["problem_zh"])


def test_gbk_ledger_previews_dry_runs_and_loads(engine):
    url, schema = _url(engine)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_file").upload(
            "台账.csv", (FIX / "training_gbk_title_total.csv").read_bytes(), "text/csv").run()
        assert not at.exception, at.exception
        mapping = next(d for d in at.dataframe if "header" in d.value.columns)
        fields = dict(zip(mapping.value["header"], mapping.value["column"]))
        assert fields["参训人次"] == "参训人次"  # the field by its Chinese name, no code name
        assert not any(ch.isascii() and ch.isalpha() for v in fields.values() for ch in str(v))
        assert [_label(_config(mapping), c) for c in ("header", "column")] == ["文件表头", "对应字段"]
        assert any("试运行：新增 3 行" in m.value for m in at.markdown)
        with engine.connect() as conn:  # the dry run wrote nothing
            assert conn.execute(select(func.count()).select_from(s.training_session)).scalar_one() \
                == before
        at.button(key="up_confirm").click().run()
    assert not at.exception, at.exception
    assert any("已写入批次" in m.value for m in at.success)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.training_session)).scalar_one() \
            == before + 3
    history = next(d for d in at.dataframe if "batch_id" in d.value.columns)
    assert "台账.csv" in set(history.value["filename"])
    conf = _config(history)
    assert "sha256" not in conf["order"]
    assert _label(conf, "uploaded_at") == "上传时间"
    assert conf["config"]["uploaded_at"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    for count in ("rows_read", "rows_loaded", "rows_rejected", "warnings"):  # 93,627, not 93627
        assert conf["config"][count]["type_config"]["format"] == "localized", count
        assert _label(conf, count) == t(f"up_h_{count}", "zh")
    assert set(history.value["status"]) == {"已导入"}


# --- admins: official township boundaries --------------------------------------------------------

def _boundary_file(engine) -> tuple[bytes, list[str], list[str]]:
    """GeoJSON: town 0 by 9-digit code and name, town 1 by its name without the suffix, and a
    misspelt name that matches nothing (its candidates should include town 2)."""
    import geopandas as gpd
    from shapely.geometry import box

    from lib.warehouse.reference import regions_frame

    regions = regions_frame(engine)
    towns = regions[(regions["level"] == "township") & regions["parent_code"].eq("350111000000")
                    & regions["seat_lon"].notna()].head(3).reset_index(drop=True)
    short = towns.loc[1, "name"].removesuffix("街道").removesuffix("镇").removesuffix("乡")
    typo = towns.loc[2, "name"][:-1] + "区"
    squares = [box(r.seat_lon - 0.01, r.seat_lat - 0.01, r.seat_lon + 0.01, r.seat_lat + 0.01)
               for r in towns.itertuples()]
    frame = gpd.GeoDataFrame({"XZQDM": [towns.loc[0, "code"][:9], None, None],
                              "XZQMC": [towns.loc[0, "name"], short, typo]},
                             geometry=squares, crs="EPSG:4326")
    return frame.to_json().encode(), list(towns["code"]), list(towns["name"])


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_admin_imports_township_boundaries(engine, crs):
    import shapely

    from lib.warehouse.boundaries import read_boundaries
    from lib.warehouse.engine import data_version

    payload, codes, names = _boundary_file(engine)
    version = data_version(engine)
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        assert not at.exception, at.exception
        at.file_uploader(key="up_geo_file").upload("towns.geojson", payload,
                                                   "application/geo+json").run()
        at.radio(key="up_geo_crs").set_value(crs)
        at.button(key="up_geo_import").click().run()
    assert not at.exception, at.exception
    assert any("已导入 2 个乡镇（街道）的边界" in m.value for m in at.success)
    stored = read_boundaries(engine, "township", Scope("3501"))
    assert sorted(stored["region_code"]) == sorted(codes[:2])
    assert data_version(engine) == version + 1
    unmatched = next(d.value for d in at.dataframe if "candidates" in d.value.columns)
    assert len(unmatched) == 1 and unmatched.loc[0, "reason"] == "没有此代码或名称的乡镇（街道）"
    assert names[2] in unmatched.loc[0, "candidates"]
    bare = next(d.value for d in at.dataframe if list(d.value.columns) == ["code", "name"])
    assert codes[2] in set(bare["code"]) and codes[0] not in set(bare["code"])
    # the CRS choice reaches the importer: GCJ-02 input is shifted back by a few hundred metres
    geom = shapely.from_geojson(stored.set_index("region_code").loc[codes[0], "geometry"])
    shift = abs(geom.centroid.x - _seat(engine, codes[0])[0]) + abs(geom.centroid.y
                                                                     - _seat(engine, codes[0])[1])
    assert (shift > 1e-3) == (crs == "gcj02")


def _seat(engine, code):
    from lib.warehouse.reference import regions_frame

    row = regions_frame(engine).set_index("code").loc[code]
    return row["seat_lon"], row["seat_lat"]


def test_unreadable_boundary_file_is_a_message(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_geo_file").upload("towns.geojson", b"not json at all",
                                                   "application/geo+json").run()
        at.button(key="up_geo_import").click().run()
    assert not at.exception, at.exception
    assert any(e.value.startswith("无法导入该文件") for e in at.error)


def test_analyst_gets_no_boundary_uploader(engine, monkeypatch):
    from lib.auth import accounts
    from tests.test_auth import PW

    accounts.create_user(engine, "boss", PW, "admin", "350100000000")
    accounts.create_user(engine, "ana", PW, "analyst", "350111000000", by="boss")
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        at = run_page()
        at.text_input(key="login_user").input("ana")
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
        at.switch_page("views/upload.py")
        at.run()
    assert not at.exception, at.exception
    assert at.file_uploader(key="up_file") is not None  # on the upload page, as an analyst
    assert [u for u in at.file_uploader if u.key == "up_geo_file"] == []
    assert "乡镇（街道）边界（管理员）" not in [s.value for s in at.subheader]


def test_rollback_picker_defaults_to_the_newest_batch(engine):
    """After a second load in the same session the picker offers the newest batch, not the first."""
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        for name in ("training_gbk_title_total.csv", "job_fair_bom_fullwidth.csv"):
            at.file_uploader(key="up_file").upload(name, (FIX / name).read_bytes(),
                                                   "text/csv").run()
            at.button(key="up_confirm").click().run()
            assert not at.exception, at.exception
            at.run()  # the next rerun draws the history with the new batch
            newest = max(at.selectbox(key="up_rb_pick").options, key=lambda o: int(o.split()[0]))
            assert at.selectbox(key="up_rb_pick").value == int(newest.split()[0])
    assert at.selectbox(key="up_rb_pick").value == 2
