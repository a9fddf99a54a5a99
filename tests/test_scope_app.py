"""Scope and roles through the real login gate (AppTest, auth on), on DuckDB and PostgreSQL.

A 晋安区 viewer: a crafted ?region= of 鼓楼区 shows a refusal and no KPI; crafted filter values in
the session cannot widen the view; every page's view stays inside 350111; the upload page is not in
the navigation and is refused when opened anyway. An analyst's out-of-scope rows write nothing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lib.auth import accounts
from lib.ingest import load_prepared, prepare_upload
from lib.warehouse import data_version, accounts_store
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_auth import PW

SCOPE = "350111"
GULOU = "350102000000"  # 鼓楼区, another district


@pytest.fixture
def engine(demo_copy):
    """Every test here starts from the city demo, in a warehouse of its own."""
    return demo_copy


@pytest.fixture
def session(engine):
    """Start an app session on a demo warehouse, optionally with a query string, and log in."""
    url, schema = _url(engine)
    env = dict(url=url, schema=schema, demo=False, auth=True)

    class Session:
        def __init__(self, username: str, query: dict | None = None):
            with app_env(**env):
                self.at = run_page(query=query)
            self.at.text_input(key="login_user").input(username)
            self.at.text_input(key="login_password").input(PW)
            self.at.button(key="login_submit").click()
            self.run()

        def run(self):
            with app_env(**env):
                self.at.run()
            return self.at

        def switch(self, page: str):
            self.at.switch_page(page)
            return self.run()

        @property
        def filters(self):
            return self.at.session_state["_filters"]

    return Session


@pytest.fixture
def users_(engine):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    accounts.create_user(engine, "ana", PW, "analyst", "350111000000")


def _kpis(at) -> list[str]:
    return [m.value for m in at.metric]


@pytest.mark.parametrize("region", [GULOU, "350102001000", "350102001001"])
def test_crafted_url_of_another_district_is_refused(engine, users_, session, region):
    s_ = session("vera", query={"region": region})
    at = s_.at
    assert not at.exception
    assert any("无权查看" in e.value for e in at.error)
    assert not at.metric and not at.dataframe and not at.table  # a refusal, no figures
    audit = accounts_store.audit_frame(engine, username="vera", scope=Scope.everything())
    assert "scope_refused" in audit["action"].tolist()
    # the same link opens for the city's admin, with figures: the refusal is the scope's doing
    assert len(session("root", query={"region": region}).at.metric) == 4


def test_default_view_of_a_district_user_is_the_district(engine, users_, session):
    """Not the city: pages that key by region (targets, meeting) must not get the city's code."""
    f = session("vera").filters
    assert f.prefix == SCOPE
    assert f.region_code.startswith(SCOPE), f.region_code
    assert f.child_level == "township"


def _wide_filters(f):
    import dataclasses

    return dataclasses.replace(f, region_code="350100000000", level="city", prefix="35")


# Widget keys (f_district, f_township) only take values among their options (a browser sends an
# index); what session state can carry is a drill-down request or the frame's Filters themselves.
@pytest.mark.parametrize("key,value", [
    ("f_drill", GULOU),
    ("f_drill", "350102001000"),
    ("f_drill", "350100000000"),
    ("f_drill", "35011%"),
    ("_filters", _wide_filters),
])
def test_crafted_filter_values_cannot_widen(engine, users_, session, key, value):
    s_ = session("vera")
    own = _kpis(s_.at)
    assert len(own) == 4
    s_.at.session_state[key] = value(s_.filters) if callable(value) else value
    at = s_.run()
    assert not at.exception
    f = s_.filters
    assert f.prefix.startswith(SCOPE) and f.region_code.startswith(SCOPE), f
    assert _kpis(at) == own
    # an admin's view of 鼓楼区 has other figures: equal KPIs above mean no 鼓楼 data leaked
    root = session("root", query={"region": GULOU})
    assert _kpis(root.at) != own


@pytest.mark.parametrize("page", ["views/overview.py", "views/coverage.py", "views/training.py",
                                  "views/employment.py", "views/screening.py",
                                  "views/targets.py", "views/meeting.py"])
def test_every_page_of_a_district_viewer_stays_in_scope(engine, users_, session, page):
    s_ = session("vera")
    at = s_.switch(page)
    assert not at.exception, at.exception
    assert s_.filters.region_code.startswith(SCOPE)
    shown = " ".join(str(x.value) for x in [*at.markdown, *at.caption, *at.title])
    tables = " ".join(d.value.to_csv() for d in at.dataframe) + " ".join(
        t.value.to_csv() for t in at.table)
    for other in ("鼓楼区", "台江区", "仓山区", "福州市"):
        assert other not in shown + tables, (page, other)


def _nav_paths(at) -> set[str]:
    return {str(i.get("script_path")).split("/views/")[-1] for i in at._registered_pages.values()}


def test_viewer_cannot_open_the_upload_page(engine, users_, session):
    s_ = session("vera")
    assert "upload.py" not in _nav_paths(s_.at)
    assert "overview.py" in _nav_paths(s_.at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        s_.at.switch_page("views/upload.py")
    analyst = session("ana")
    assert "upload.py" in _nav_paths(analyst.at)  # the same check passes for an analyst


def test_upload_page_refuses_a_viewer_even_when_run(engine, users_, session, monkeypatch):
    """Defence in depth: the page itself checks the role (require_role), not only the navigation."""
    from lib.ui import auth_ui, nav

    s_ = session("vera")
    every_page = [nav.PageSpec(p.path, p.title_key, p.icon, p.url_path, default=p.default)
                  for p in nav.PAGES]
    monkeypatch.setattr(auth_ui, "pages_of", lambda user: every_page)  # a navigation bug
    at = s_.run()
    at = s_.switch("views/upload.py")
    assert any("无权" in e.value for e in at.error), [e.value for e in at.error]
    with pytest.raises(KeyError):
        at.file_uploader(key="up_file")


CSV = ("region_code,month,kind,screened,abnormal,diagnosed,treated,aided,aid_amount_10k_yuan\n"
       "{code},2024-03,cervical,10,1,1,1,0,0\n")


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(s.screening)).scalar_one(),
                conn.execute(select(func.count()).select_from(s.upload_batch)).scalar_one(),
                data_version(engine))


def test_analyst_out_of_scope_rows_are_refused_with_nothing_written(engine, users_):
    analyst = accounts.get_user(engine, "ana")
    gulou_town = "350102001000"
    before = _counts(engine)
    prepared = prepare_upload(engine, CSV.format(code=gulou_town).encode(), "gulou.csv",
                              dataset="screening", scope=analyst.scope)
    outcome = load_prepared(engine, prepared, user="ana")
    assert outcome.status == "refused"
    assert _counts(engine) == before
    assert "refusal" in accounts_store.audit_frame(engine, username="ana", scope=Scope.everything())["action"].tolist()
    # the same file within the scope loads: the refusal above is the scope's doing
    own_town = f"{SCOPE}001000"
    ok = load_prepared(engine, prepare_upload(engine, CSV.format(code=own_town).encode(),
                                              "own.csv", dataset="screening",
                                              scope=analyst.scope), user="ana")
    assert ok.status == "loaded", (ok.message_en, ok.problems)
    assert _counts(engine) != before
