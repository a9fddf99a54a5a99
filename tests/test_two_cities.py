"""A warehouse holding two cities: a user of the second one never lands on the first.

The sidebar used to default to the first city in code order (福州, 3501), which ``narrow`` refuses for
a user scoped to 厦门 (3502): every page of theirs crashed before drawing. Here every dashboard page
is opened through the real login gate by a 厦门 city admin and a 湖里区 viewer, on DuckDB and
PostgreSQL, and must show the user's own region with figures and nothing of 福州.
"""
from __future__ import annotations

import pandas as pd
import pytest

from lib import demo, regions
from lib.auth import accounts
from lib.ui.filters import default_region
from lib.warehouse.reference import replace_regions
from tests.apptest_util import app_env, run_page
from tests.conftest import BACKENDS, _open
from tests.test_app import _url
from tests.test_auth import PW

XIAMEN = "350200000000"
HULI = "350206000000"
PAGES = ["views/overview.py", "views/coverage.py", "views/training.py", "views/employment.py",
         "views/screening.py", "views/targets.py", "views/completeness.py", "views/meeting.py"]

# A small second city with real codes (厦门市: 思明区, 湖里区), two townships each, three villages per
# township (社区 urban, 村 rural), in the format of data/fuzhou_*.csv.
_TOWNS = [("350203001", "厦港街道", "350203", "思明区", 118.085, 24.445),
          ("350203002", "中华街道", "350203", "思明区", 118.080, 24.460),
          ("350206001", "湖里街道", "350206", "湖里区", 118.105, 24.510),
          ("350206100", "禾山镇", "350206", "湖里区", 118.140, 24.500)]


def xiamen_regions() -> pd.DataFrame:
    """Region rows of the second city, built by the same code as any imported city's."""
    towns = pd.DataFrame([{"township_code": c, "township_name": n, "district_code": d,
                           "district_name": dn, "city_code": "350200", "city_name": "厦门市",
                           "seat_lon": lon, "seat_lat": lat, "seat_crs": "WGS84"}
                          for c, n, d, dn, lon, lat in _TOWNS])
    villages = []
    for c, n, d, dn, _lon, _lat in _TOWNS:
        for i, (suffix, ur) in enumerate([("社区", "111"), ("村", "220"), ("村", "220")], start=1):
            villages.append({"village_code": f"{c}{i:03d}", "village_name": f"{n[:2]}{i}{suffix}",
                             "township_code": c, "township_name": n, "district_code": d,
                             "district_name": dn, "city_code": "350200", "city_name": "厦门市",
                             "urban_rural_code": ur})
    return regions.build_regions(towns, pd.DataFrame(villages))


@pytest.fixture(scope="module", params=BACKENDS)
def two_cities(request, tmp_path_factory):
    """福州 and 厦门 in one warehouse, the demo over both, and users of 厦门 only."""
    eng, _u, drop = _open(request.param, tmp_path_factory.mktemp("two"), regions=False)
    fuzhou = regions.read_division_files(regions.DEFAULT_TOWNSHIPS, regions.DEFAULT_VILLAGES)
    replace_regions(eng, pd.concat([fuzhou, xiamen_regions()], ignore_index=True))
    demo.build_demo(eng, seed=7)
    accounts.create_user(eng, "xm_admin", PW, "admin", XIAMEN)
    accounts.create_user(eng, "huli", PW, "viewer", HULI)
    yield eng
    drop()


def _login(engine, username: str):
    url, schema = _url(engine)
    env = dict(url=url, schema=schema, demo=False, auth=True)
    with app_env(**env):
        at = run_page()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(PW)
    at.button(key="login_submit").click()
    with app_env(**env):
        at.run()
    return at, env


def test_default_region_follows_the_scope():
    cities = ["350100000000", "350200000000"]
    assert default_region(cities, "") == "350100000000"
    assert default_region(cities, "3502") == "350200000000"
    assert default_region(cities, "350206") == "350200000000"  # then shown as the district
    assert default_region(cities, "35") == "350100000000"
    assert default_region(cities, "3503") == "350300000000"  # a scope with no city rows yet
    assert default_region([], "") == "000000000000"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username,scope,code", [("xm_admin", "3502", XIAMEN),
                                                 ("huli", "350206", HULI)])
def test_second_city_user_sees_own_region_on_every_page(two_cities, page, username, scope, code):
    at, env = _login(two_cities, username)
    assert not at.exception, at.exception
    if page != "views/completeness.py" or username == "xm_admin":  # completeness: analyst/admin
        at.switch_page(page)
        with app_env(**env):
            at.run()
    assert not at.exception, (page, at.exception)
    f = at.session_state["_filters"]
    assert f.scope == scope and f.region_code == code and f.prefix == scope, f
    shown = " ".join(str(x.value) for x in [*at.markdown, *at.caption, *at.title, *at.header,
                                            *at.subheader])
    tables = " ".join(d.value.to_csv() for d in at.dataframe)
    assert "福州" not in shown + tables, page
    assert not any("无权" in e.value for e in at.error), [e.value for e in at.error]
    if page == "views/overview.py":
        assert len(at.metric) == 4 and all(m.value not in ("", "—") for m in at.metric)


def test_whole_warehouse_view_starts_at_their_province(two_cities):
    """The other half of the rule: without a scope (auth off, development) the view opens on what
    holds both cities, their province 福建省, with a box to pick either city."""
    url, schema = _url(two_cities)
    with app_env(url=url, schema=schema, demo=False):
        at = run_page()
    assert not at.exception, at.exception
    f = at.session_state["_filters"]
    assert f.scope == "" and f.region_code == "350000000000" and f.level == "province", f
    assert f.prefix == "35" and f.child_level == "city"
    assert at.selectbox(key="f_city").options == ["全部", "福州市", "厦门市"]
    assert not [s for s in at.selectbox if s.key == "f_province"]  # one province: no box
