"""Province and country levels: a warehouse of two provinces, 福州市 (福建) and a small
南昌市 (江西), on DuckDB and PostgreSQL.

``python -m lib.regions import`` adds the second city (the first one's facts do not stop it), the
country row appears with the second province, the whole-warehouse view opens on the country and
drills country → province → city → district → township, and a provincial user of 江西 sees 南昌 only.
"""
from __future__ import annotations

import pandas as pd
import pytest

from lib import demo, regions
from lib.warehouse import divisions
from lib.auth import accounts
from lib.warehouse.scope import top_region
from lib.warehouse import bootstrap
from lib.warehouse.indicators_admin import may_change_catalog
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import COUNTRY_CODE, Scope, narrow
from lib.warehouse.accounts_store import sees_unattributed
from tests.apptest_util import app_env, run_page
from tests.conftest import BACKENDS, _open
from tests.test_app import _url
from tests.test_auth import PW

FUJIAN, FUZHOU, JINAN_DISTRICT = "350000000000", "350100000000", "350111000000"
JIANGXI, NANCHANG, DONGHU, DONGHU_TOWN = "360000000000", "360100000000", "360102000000", "360102001000"
PAGES = ["views/overview.py", "views/coverage.py", "views/screening.py"]

# 南昌市: 东湖区 and 西湖区 (real NBS codes), two townships each, three villages per township.
_TOWNS = [("360102001", "公园街道", "360102", "东湖区", 115.900, 28.685),
          ("360102002", "滕王阁街道", "360102", "东湖区", 115.890, 28.690),
          ("360103001", "南浦街道", "360103", "西湖区", 115.885, 28.665),
          ("360103002", "朝阳洲街道", "360103", "西湖区", 115.880, 28.655)]


def nanchang_files(rows: list[tuple] = _TOWNS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two division files of a small 南昌市 in the format of data/fuzhou_*.csv: ``rows`` are
    (township code, name, district code, district name, seat lon, seat lat), three villages each."""
    towns = pd.DataFrame([{"township_code": c, "township_name": n, "district_code": d,
                           "district_name": dn, "city_code": "360100", "city_name": "南昌市",
                           "seat_lon": lon, "seat_lat": lat, "seat_crs": "WGS84"}
                          for c, n, d, dn, lon, lat in rows])
    villages = [{"village_code": f"{c}{i:03d}", "village_name": f"{n[:2]}{i}{suffix}",
                 "township_code": c, "township_name": n, "district_code": d, "district_name": dn,
                 "city_code": "360100", "city_name": "南昌市", "urban_rural_code": ur}
                for c, n, d, dn, _lon, _lat in rows
                for i, (suffix, ur) in enumerate([("社区", "111"), ("村", "220"), ("村", "220")], 1)]
    return towns, pd.DataFrame(villages)


def nanchang_regions() -> pd.DataFrame:
    return regions.build_regions(*nanchang_files())


# --- pure ---------------------------------------------------------------------------------------

def test_with_roots_adds_provinces_and_the_country_once():
    fuzhou = regions.read_division_files(regions.DEFAULT_TOWNSHIPS, regions.DEFAULT_VILLAGES)
    one = divisions.with_roots(fuzhou)
    assert "country" not in set(one["level"]) and one["code"].is_unique
    legacy = fuzhou[fuzhou["level"] != "province"].assign(
        parent_code=lambda f: f["parent_code"].where(f["level"] != "city", None))
    cols = ["code", "name", "level", "parent_code"]
    tidy = lambda f: f[cols].fillna("").sort_values("code").values.tolist()  # noqa: E731
    assert tidy(divisions.with_roots(legacy)) == tidy(one)  # written before provinces existed
    both = divisions.with_roots(pd.concat([fuzhou, nanchang_regions()], ignore_index=True))
    parents = dict(zip(both["code"], both["parent_code"]))
    assert both["code"].is_unique and both.loc[both["level"] == "country", "code"].tolist() == \
        [COUNTRY_CODE]
    assert parents[FUJIAN] == parents[JIANGXI] == COUNTRY_CODE and parents[NANCHANG] == JIANGXI
    assert parents[COUNTRY_CODE] is None
    assert dict(zip(both["code"], both["name"]))[JIANGXI] == "江西省"
    assert len(divisions.PROVINCES) == 31


@pytest.mark.parametrize("provinces,cities,scope,expected", [
    ([FUJIAN, JIANGXI], [FUZHOU, NANCHANG], "", COUNTRY_CODE),
    ([FUJIAN, JIANGXI], [FUZHOU, NANCHANG], "36", None),       # its one city: the city view
    ([FUJIAN], [FUZHOU, "350200000000"], "", FUJIAN),          # one province, two cities
    ([FUJIAN], [FUZHOU, "350200000000"], "35", FUJIAN),        # a provincial user sees its cities
    ([FUJIAN], [FUZHOU], "", None),                            # the single-city demo: its city
    ([FUJIAN], [FUZHOU, "350200000000"], "3502", None),        # a city user: the city
    ([], [FUZHOU, "350200000000"], "", None),                  # no province rows: as before
])
def test_top_region(provinces, cities, scope, expected):
    known = {COUNTRY_CODE, *provinces}
    assert top_region(provinces, cities, scope, known) == expected


def test_province_and_country_admins_are_wide_enough():
    assert may_change_catalog(Scope.everything()) and may_change_catalog(Scope("36")) \
        and may_change_catalog(Scope("3601"))
    assert not may_change_catalog(Scope("360102"))
    assert sees_unattributed(Scope("36")) and not sees_unattributed(Scope("360102"))
    assert narrow("36", COUNTRY_CODE) == "36" and narrow("", COUNTRY_CODE) == ""


# --- the import command -------------------------------------------------------------------------

def test_import_adds_a_city_beside_one_with_facts(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    eng = bootstrap.open_warehouse(url)  # 福州 and its province
    demo.build_demo(eng, seed=7)
    towns, villages = nanchang_files()
    t, v = tmp_path / "t.csv", tmp_path / "v.csv"
    towns.to_csv(t, index=False)
    villages.to_csv(v, index=False)
    assert regions.main(["import", str(t), str(v), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "1 city, 2 district, 4 township, 12 village" in out
    assert "2 province, 2 city, 15 district" in out
    got = regions_frame(eng)
    assert {FUZHOU, NANCHANG, FUJIAN, JIANGXI, COUNTRY_CODE} <= set(got["code"])
    assert (got["level"] == "village").sum() == 3022 + 12
    # again: 南昌 holds no facts, so it is replaced (not doubled); 福州 holds facts: refused
    assert regions.main(["import", str(t), str(v), "--db", url]) == 0
    assert len(regions_frame(eng)) == len(got)
    capsys.readouterr()
    fz_t, fz_v = regions.DEFAULT_TOWNSHIPS, regions.DEFAULT_VILLAGES
    assert regions.main(["import", str(fz_t), str(fz_v), "--db", url]) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "福州市 (350100000000)" in err and "holds data" in err
    assert len(regions_frame(eng)) == len(got)


# --- the app on both backends -------------------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def two_provinces(request, tmp_path_factory):
    """福州 (from data/) and 南昌 added by the import, the demo over both, a 江西 admin."""
    eng, _u, drop = _open(request.param, tmp_path_factory.mktemp("prov"))
    bootstrap.import_regions(eng, nanchang_regions())
    demo.build_demo(eng, seed=7)
    accounts.create_user(eng, "jx_admin", PW, "admin", JIANGXI)
    yield eng
    drop()


def test_engine_holds_both_provinces_under_the_country(two_provinces):
    got = regions_frame(two_provinces)
    parents = dict(zip(got["code"], got["parent_code"]))
    assert parents[FUJIAN] == parents[JIANGXI] == COUNTRY_CODE
    assert parents[NANCHANG] == JIANGXI and parents[FUZHOU] == FUJIAN


def test_commands_default_to_the_country(two_provinces):
    """Given no region, the commands (targets, completeness) speak for the view the app opens on
    (the country here, with both provinces), not for the first city."""
    from lib.targets.run import assess_region
    from lib.warehouse.indicator_queries import top_region_code

    assert top_region_code(two_provinces) == COUNTRY_CODE
    assessed = assess_region(two_provinces)
    assert assessed and {a.region_code for a in assessed} == {COUNTRY_CODE}


def _shown(at) -> str:
    return " ".join(str(x.value) for x in [*at.markdown, *at.caption, *at.title, *at.header,
                                           *at.subheader, *at.button]) + \
        " ".join(d.value.to_csv() for d in at.dataframe)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("region,level,prefix,child", [
    (None, "country", "", "province"), (JIANGXI, "province", "36", "city"),
    (NANCHANG, "city", "3601", "district"), (FUZHOU, "city", "3501", "district")])
def test_pages_at_every_level(two_provinces, page, region, level, prefix, child):
    url, schema = _url(two_provinces)
    with app_env(url=url, schema=schema, demo=False):
        at = run_page(page, query={"region": region} if region else None)
    assert not at.exception, (page, region, at.exception)
    f = at.session_state["_filters"]
    assert (f.level, f.prefix, f.child_level) == (level, prefix, child), f
    assert f.region_code == (region or COUNTRY_CODE)
    assert not [w.value for w in at.warning if "地区" in str(w.value)]  # no "bad region" note
    boxes = {s.key: s for s in at.selectbox}
    assert boxes["f_province"].options == ["全部", "福建省", "江西省"]
    assert boxes["f_city"].value == (region if level == "city" else "all")
    assert boxes["f_province"].value == ("all" if level == "country" else region[:2] + "0" * 10)
    if page == "views/overview.py":
        assert len(at.metric) == 4 and all(m.value not in ("", "—") for m in at.metric), \
            [m.value for m in at.metric]
    shown = _shown(at)
    if level == "country" and page != "views/overview.py":
        assert "福建省" in shown and "江西省" in shown, page  # the league names them
    if page == "views/overview.py" and level in ("country", "province"):
        assert ("各省（区、市）" if level == "country" else "各市（州）") in shown
    if region == NANCHANG:
        assert "福州" not in shown.replace("福建省", ""), page


@pytest.mark.parametrize("page", ["views/training.py", "views/employment.py", "views/targets.py",
                                  "views/completeness.py", "views/meeting.py"])
@pytest.mark.parametrize("region", [None, JIANGXI])
def test_other_pages_stand_at_country_and_province(two_provinces, page, region):
    url, schema = _url(two_provinces)
    with app_env(url=url, schema=schema, demo=False):
        at = run_page(page, query={"region": region} if region else None)
    assert not at.exception, (page, region, at.exception)
    assert at.session_state["_filters"].region_code == (region or COUNTRY_CODE)


def test_drill_country_province_city_district_township(two_provinces):
    url, schema = _url(two_provinces)
    env = dict(url=url, schema=schema, demo=False)
    with app_env(**env):
        at = run_page("views/overview.py")
    assert at.session_state["_filters"].level == "country"
    # two cities and none chosen: the district box waits for the city (not every district listed)
    assert at.selectbox(key="f_district").options == ["全部"]
    assert at.selectbox(key="f_district").proto.disabled
    for key, code, level in [("f_province", JIANGXI, "province"), ("f_city", NANCHANG, "city"),
                             ("f_district", DONGHU, "district"),
                             ("f_township", DONGHU_TOWN, "township")]:
        at.selectbox(key=key).set_value(code)
        with app_env(**env):
            at.run()
        assert not at.exception, (key, at.exception)
        f = at.session_state["_filters"]
        assert (f.region_code, f.level) == (code, level), f
        assert at.query_params["region"] == [code] or at.query_params["region"] == code
    # the breadcrumb goes back up to the country
    crumb = [b for b in at.button if b.key == f"ov_crumb_{COUNTRY_CODE}"]
    assert crumb, [b.key for b in at.button]
    crumb[0].click()
    with app_env(**env):
        at.run()
    assert not at.exception and at.session_state["_filters"].level == "country"


def test_changing_province_resets_what_lies_outside_it(two_provinces):
    url, schema = _url(two_provinces)
    env = dict(url=url, schema=schema, demo=False)
    with app_env(**env):
        at = run_page("views/overview.py", query={"region": JINAN_DISTRICT})
    assert at.session_state["_filters"].region_code == JINAN_DISTRICT
    assert at.selectbox(key="f_province").value == FUJIAN
    at.selectbox(key="f_province").set_value(JIANGXI)
    with app_env(**env):
        at.run()
    assert not at.exception, at.exception
    f = at.session_state["_filters"]
    assert (f.region_code, f.level) == (JIANGXI, "province"), f
    assert at.selectbox(key="f_district").options == ["全部", "东湖区", "西湖区"]


def test_provincial_user_sees_only_their_city(two_provinces):
    url, schema = _url(two_provinces)
    env = dict(url=url, schema=schema, demo=False, auth=True)
    with app_env(**env):
        at = run_page()
    at.text_input(key="login_user").input("jx_admin")
    at.text_input(key="login_password").input(PW)
    at.button(key="login_submit").click()
    with app_env(**env):
        at.run()
    for page in PAGES:
        at.switch_page(page)
        with app_env(**env):
            at.run()
        assert not at.exception, (page, at.exception)
        f = at.session_state["_filters"]
        assert f.scope == "36" and f.region_code == NANCHANG and f.prefix == "3601", f
        keys = {s.key for s in at.selectbox}
        assert "f_province" not in keys and "f_city" not in keys  # one choice each: no box
        assert at.selectbox(key="f_district").options == ["全部", "东湖区", "西湖区"]
        assert "福州" not in _shown(at) and "福建" not in _shown(at), page


def test_provincial_admin_manages_only_their_province(two_provinces):
    """A 江西 admin grants 南昌 accounts, not 福州 or country ones, and lists only 江西's accounts;
    a country admin (the country code) is a whole-warehouse admin."""
    eng = two_provinces
    admin = accounts.get_user(eng, "jx_admin")
    assert admin.scope_prefix == "36" and may_change_catalog(admin.scope)
    accounts.create_user(eng, "nc_viewer", PW, "viewer", NANCHANG, within=Scope("36"), by="jx_admin")
    for code in (FUZHOU, FUJIAN, COUNTRY_CODE):
        with pytest.raises(accounts.AccountError):
            accounts.create_user(eng, f"x{code[:2]}", PW, "viewer", code, within=Scope("36"))
    accounts.create_user(eng, "cn_admin", PW, "admin", COUNTRY_CODE)
    assert accounts.get_user(eng, "cn_admin").scope_prefix == ""
    listed = set(accounts.list_users(eng, within=Scope("36"))["username"])
    assert {"jx_admin", "nc_viewer"} <= listed and "cn_admin" not in listed
    assert "cn_admin" in set(accounts.list_users(eng, within=Scope.everything())["username"])


def test_import_beside_facts_and_refused_again_on_both_backends(two_provinces):
    """Last in this module (it adds a city): with the demo's facts in both cities, 厦门 is added
    under 福建省, and re-importing 南昌 (which holds facts now) is refused, nothing written."""
    from tests.test_two_cities import xiamen_regions

    eng = two_provinces
    before = regions_frame(eng)
    with pytest.raises(bootstrap.RegionsInUse, match="南昌市"):
        bootstrap.import_regions(eng, nanchang_regions())
    assert len(regions_frame(eng)) == len(before)
    bootstrap.import_regions(eng, xiamen_regions())
    after = regions_frame(eng)
    parents = dict(zip(after["code"], after["parent_code"]))
    assert parents["350200000000"] == FUJIAN and parents[FUJIAN] == COUNTRY_CODE
    assert len(after) == len(before) + len(xiamen_regions()) - 1  # 福建省 is not doubled
    assert (after["level"] == "country").sum() == 1
