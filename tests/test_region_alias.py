"""Admin region aliases (lib/warehouse/progress_store.py, lib/ingest/progress.py): an alias names
what is not a region (a functional zone), never a real region's name; real names always win when a
progress table is matched; an alias is scoped like the region it names."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lib.ingest.progress import parse_progress
from lib.warehouse import schema as s
from lib.warehouse.progress_store import add_alias, aliases_frame, remove_alias
from lib.warehouse.scope import Scope
from lib.warehouse.reference import regions_frame
from tests.test_progress_table import CODES, DISTRICTS, fixture_xlsx

GULOU, JINAN = "350102000000", "350111000000"


@pytest.mark.parametrize("alias", ["鼓楼区", "鼓楼", " 鼓 楼 区", "鼓楼县", "晋安区", "鼓东街道", "鼓东",
                                   "福州市"])
def test_an_alias_never_takes_a_real_regions_name(engine, alias):
    with pytest.raises(ValueError) as exc:
        add_alias(engine, alias, JINAN, user="jinan_admin", scope=Scope("350111"))
    assert "已是" in str(exc.value) and "区划" in str(exc.value)
    assert aliases_frame(engine, Scope.everything()).empty


def test_an_alias_names_only_regions_in_scope(engine):
    with pytest.raises(PermissionError):
        add_alias(engine, "经开区", GULOU, user="jinan_admin", scope=Scope("350111"))
    add_alias(engine, "经开区", "350198000000", user="city_admin", scope=Scope("3501"))
    add_alias(engine, "晋安新区", "350111990000", user="jinan_admin", scope=Scope("350111"))
    assert aliases_frame(engine, Scope("350111"))["alias"].tolist() == ["晋安新区"]
    assert not remove_alias(engine, "经开区", user="jinan_admin", scope=Scope("350111"))
    with pytest.raises(PermissionError):  # nor take over a name another scope's admin filed
        add_alias(engine, "经开区", "350111980000", user="jinan_admin", scope=Scope("350111"))
    assert sorted(aliases_frame(engine, Scope.everything())["alias"]) == ["晋安新区", "经开区"]
    assert remove_alias(engine, "晋安新区", user="jinan_admin", scope=Scope("350111"))


def test_a_real_name_wins_over_a_stored_bad_alias(engine):
    """An alias stored before the rule (written straight into the table) cannot redirect 鼓楼区."""
    with engine.begin() as conn:
        conn.execute(s.region_alias.insert(), [
            {"alias": a, "region_code": c, "added_at": dt.datetime(2026, 12, 6)}
            for a, c in (("鼓楼区", JINAN), ("台江", JINAN), ("经开区", CODES["经开区"]))])
    table = parse_progress(fixture_xlsx(), "p.xlsx", regions_frame(engine), aliases_frame(engine, Scope.everything()))
    got = dict(zip(table.rows["name"], table.rows["region_code"]))
    assert got["鼓楼区"] == GULOU and got["台江"] == CODES["台江"] and got["晋安区"] == JINAN
    assert got["经开区"] == CODES["经开区"]
    assert len(table.rows) == 2 * len(DISTRICTS)


def test_cli_refuses_a_district_admin_aliasing_another_district(engine, tmp_path, capsys,
                                                                  monkeypatch):
    from lib.auth.accounts import create_user
    from lib.ingest.__main__ import main

    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "duckdb":
        with engine.connect() as conn:
            monkeypatch.setenv("HALFSKY_DB_SCHEMA",
                               conn.exec_driver_sql("select current_schema()").scalar_one())
    create_user(engine, "jinan_admin", "Correct-Horse-9-Battery", "admin", JINAN)
    assert main(["alias", "鼓楼区", JINAN, "--user", "jinan_admin", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "鼓楼区" in err and "refused" in err
    assert main(["alias", "鼓楼", GULOU, "--user", "jinan_admin", "--db", url]) == 2
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.region_alias)).scalar_one() == 0


def test_district_admin_on_the_page_sees_adds_and_removes_only_in_scope(engine):
    """管理 → 地区别名 signed in as 晋安区's admin: 鼓楼区 as an alias is refused, the city's 经开区
    is neither listed nor offered for removal, the district's own zone is."""
    from lib.auth import accounts
    from tests.test_admin_scope import _Session
    from tests.test_auth import PW

    accounts.create_user(engine, "jinan", PW, "admin", JINAN)
    add_alias(engine, "经开区", "350198000000", user="city", scope=Scope("3501"))
    add_alias(engine, "晋安新区", "350111990000", user="jinan", scope=Scope("350111"))
    session = _Session(engine, "jinan")
    at = session.open("views/admin.py")
    listed = next(d.value for d in at.dataframe if "alias" in d.value.columns)
    assert listed["alias"].tolist() == ["晋安新区"]
    assert at.selectbox(key="pg_alias_remove_pick").options == ["晋安新区"]
    at.text_input(key="pg_alias_in").input("鼓楼区")
    at.text_input(key="pg_alias_code_in").input(JINAN)
    next(b for b in at.button if "添加别名" in str(b.label)).click()
    at = session.run()
    assert not at.exception, at.exception
    assert any("鼓楼区" in e.value and "不能用作别名" in e.value for e in at.error)
    at.button(key="pg_alias_remove").click()
    at = session.run()
    assert not at.exception, at.exception
    assert sorted(aliases_frame(engine, Scope.everything())["alias"]) == ["经开区"]
    # the page is drawn again: its table no longer lists what was removed, and says so
    listed = next(d.value for d in at.dataframe if "alias" in d.value.columns)
    assert listed.empty and any("晋安新区" in m.value for m in at.success)
