"""The login gate under AppTest with auth on: setup, login, back-off, expiry, roles, scope refusal."""
import datetime as dt
import logging

import pytest

from lib.auth import links, sessions, setup_code, throttle, accounts
from lib.i18n import t
from lib.warehouse import accounts_store
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_auth import PW


SETUP_CODE = "test-setup-code-1"


@pytest.fixture
def app_login(engine, monkeypatch):
    url, schema = _url(engine)
    monkeypatch.setenv(setup_code.ENV, SETUP_CODE)  # unattended installs set the code this way

    class Session:
        def __init__(self, query=None):
            self.env = dict(url=url, schema=schema, demo=False, auth=True)
            with app_env(**self.env):
                self.at = run_page(query=query)

        def login(self, username, password=PW):
            self.at.text_input(key="login_user").input(username)
            self.at.text_input(key="login_password").input(password)
            self.at.button(key="login_submit").click()
            return self.run()

        def run(self):
            with app_env(**self.env):
                self.at.run()
            return self.at

        def switch(self, page):
            self.at.switch_page(page)
            return self.run()
    return Session




def test_empty_warehouse_opens_setup_and_creates_first_admin(engine, app_login):
    s = app_login()
    at = s.at
    assert not at.exception
    assert at.text_input(key="setup_user") is not None
    assert not at.metric  # no dashboard before an account exists
    assert at.selectbox(key="setup_scope").value == "350100000000"
    at.text_input(key="setup_code").input(SETUP_CODE)
    at.text_input(key="setup_user").input("root")
    at.text_input(key="setup_password").input(PW)
    at.text_input(key="setup_password2").input(PW)
    at.button(key="setup_submit").click()
    s.run()
    assert not at.exception
    u = accounts.get_user(engine, "root")
    assert (u.role, u.scope_code) == ("admin", "350100000000")  # the city: first scope offered
    assert len(at.metric) == 4  # signed in, the overview shows


def test_setup_page_switches_language(engine, app_login):
    s = app_login()
    assert s.at.text_input(key="setup_user").label == t("username", "zh")
    s.at.selectbox(key="f_lang").set_value("en")
    at = s.run()
    assert not at.exception
    assert at.text_input(key="setup_user").label == t("username", "en")
    assert at.button(key="setup_submit").label == t("setup_button", "en")


def test_setup_refuses_mismatched_passwords(engine, app_login):
    s = app_login()
    s.at.text_input(key="setup_code").input(SETUP_CODE)
    s.at.text_input(key="setup_user").input("root")
    s.at.text_input(key="setup_password").input(PW)
    s.at.text_input(key="setup_password2").input(PW + "x")
    s.at.button(key="setup_submit").click()
    s.run()
    assert any("不一致" in e.value for e in s.at.error)
    assert not accounts.has_users(engine)


def test_login_page_when_users_exist(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    assert not s.at.exception
    assert s.at.text_input(key="login_user") is not None
    assert not s.at.metric
    with pytest.raises(KeyError):
        s.at.text_input(key="setup_user")


def test_wrong_password_then_right(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    at = s.login("vera", "wrong password")
    assert any("错误" in e.value for e in at.error)
    assert not at.metric
    at = s.login("vera")
    assert not at.exception and len(at.metric) == 4


def test_back_off_says_nothing_more_than_a_wrong_password(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    messages = []
    for _ in range(throttle.USER_POLICY.free_failures):
        messages.append([e.value for e in s.login("vera", "wrong password").error])
    at = s.login("vera")  # the right password is not heard while the account waits
    assert not at.metric
    messages.append([e.value for e in at.error])
    messages.append([e.value for e in s.login("nobody-here", PW).error])  # no such account
    assert len({tuple(m) for m in messages}) == 1, messages  # one message for all of them
    assert "用户名或密码错误" in messages[0][0] and "锁定" not in messages[0][0]


def test_session_expires_after_inactivity(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    at = s.login("vera")
    assert len(at.metric) == 4
    at.session_state["_auth"] = {"username": "vera",
                                 "last_seen": dt.datetime.now() - sessions.IDLE_TIMEOUT
                                 - dt.timedelta(minutes=1)}
    s.run()
    assert not at.metric
    assert any("重新登录" in i.value for i in at.info)


def test_disabled_user_is_signed_out_at_once(engine, app_login):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    assert len(s.login("vera").metric) == 4
    accounts.disable_user(engine, "vera", by="root")
    assert not s.run().metric


def _nav_paths(at):
    return {str(info.get("script_path")).split("/views/")[-1] for info in at._registered_pages.values()}


@pytest.mark.parametrize("role,admin_visible", [("viewer", False), ("analyst", False),
                                                ("admin", True)])
def test_admin_page_by_role(engine, app_login, role, admin_visible):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    if role != "admin":
        accounts.create_user(engine, "someone", PW, role, "350111000000")
    s = app_login()
    s.login("root" if role == "admin" else "someone")
    assert ("admin.py" in _nav_paths(s.at)) is admin_visible
    assert "account.py" in _nav_paths(s.at)
    if admin_visible:
        at = s.switch("views/admin.py")
        assert not at.exception
        assert at.button(key="add_submit") is not None
        assert "审计日志" in [tab.label for tab in at.tabs]
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            s.at.switch_page("views/admin.py")


def test_scoped_viewer_refused_other_district_in_url(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login(query={"region": "350102000000"})
    at = s.login("vera")
    assert not at.exception
    assert any("无权查看" in e.value for e in at.error)
    assert not at.metric  # a refusal, not data
    audit = accounts_store.audit_frame(engine, username="vera", scope=Scope.everything())
    assert "scope_refused" in audit["action"].tolist()
    at.button(key="scope_back").click()
    s.run()
    assert len(at.metric) == 4 and not at.error


def test_scoped_viewer_sees_only_own_district_in_filters(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login(query={"region": "350111000000"})
    at = s.login("vera")
    assert not at.error
    box = at.selectbox(key="f_district")  # the own district, named and fixed, never "全部"
    assert (box.options, box.value, box.disabled) == (["晋安区"], "350111000000", True)
    assert at.selectbox(key="f_township").disabled is False  # its townships stay to choose
    # the breadcrumb starts at the district: no way up to 福州市, which is not the user's
    assert not [b.key for b in at.button if "_crumb_" in (b.key or "")]


def test_township_viewer_sees_own_district_and_township_fixed(engine, app_login):
    town = "350111001000"
    accounts.create_user(engine, "tina", PW, "viewer", town)
    at = app_login().login("tina")
    assert not at.error and not at.exception
    district, township = at.selectbox(key="f_district"), at.selectbox(key="f_township")
    assert (district.value, district.disabled, len(district.options)) == ("350111000000", True, 1)
    assert (township.value, township.disabled, len(township.options)) == (town, True, 1)
    assert "全部" not in district.options + township.options


def test_logout(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    s.login("vera")
    s.at.button(key="logout").click()
    at = s.run()
    assert not at.metric and at.text_input(key="login_user") is not None
    assert "logout" in accounts_store.audit_frame(engine, username="vera", scope=Scope.everything())["action"].tolist()


def test_display_link_opens_read_only_until_revoked(engine, app_login):
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", dt.timedelta(days=1))
    s = app_login(query={"display": token})
    assert not s.at.exception and len(s.at.metric) == 4
    with pytest.raises(KeyError):
        s.at.button(key="logout")
    links.revoke(engine, links.token_hash(token), by=root)
    at = s.run()
    assert not at.metric and any("撤销" in e.value for e in at.error)


def test_setup_refuses_a_wrong_code(engine, app_login):
    s = app_login()
    s.at.text_input(key="setup_code").input("not-the-code")
    s.at.text_input(key="setup_user").input("root")
    s.at.text_input(key="setup_password").input(PW)
    s.at.text_input(key="setup_password2").input(PW)
    s.at.button(key="setup_submit").click()
    at = s.run()
    assert not at.exception
    assert any("设置码不正确" in e.value for e in at.error)
    assert not accounts.has_users(engine) and not at.metric


def test_setup_with_the_code_from_the_log(engine, app_login, monkeypatch, caplog):
    """No HALFSKY_SETUP_CODE: the server logs a code on the first visit and setup takes it."""
    monkeypatch.delenv(setup_code.ENV)
    setup_code.forget()
    with caplog.at_level(logging.WARNING, logger="halfsky.setup"):
        s = app_login()
    line = [r.getMessage() for r in caplog.records if r.name == "halfsky.setup"][-1]
    code = line.rsplit(": ", 1)[1]
    s.at.text_input(key="setup_code").input(code)
    s.at.text_input(key="setup_user").input("root")
    s.at.text_input(key="setup_password").input(PW)
    s.at.text_input(key="setup_password2").input(PW)
    s.at.button(key="setup_submit").click()
    at = s.run()
    assert not at.exception and len(at.metric) == 4
    assert accounts.get_user(engine, "root").role == "admin"
    assert not setup_code.check(code)


@pytest.mark.parametrize("username", ["vera\x00", "\x00' OR 1=1 --", "ve\x1bra", "v" * 5000])
def test_malformed_username_shows_the_generic_message(engine, app_login, username):
    """A NUL byte in the name once showed a PostgreSQL traceback with SQL and server paths."""
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    at = s.login(username)
    assert not at.exception
    assert [e.value for e in at.error] == [t("login_bad", "zh")]
    assert not at.metric
    assert len(s.login("vera").metric) == 4


def test_login_page_switches_language_and_keeps_it_after_signing_in(engine, app_login):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    s = app_login()
    assert s.at.text_input(key="login_user").label == t("username", "zh")
    s.at.selectbox(key="f_lang").set_value("en")
    at = s.run()
    assert not at.exception
    assert at.text_input(key="login_user").label == t("username", "en")
    assert at.button(key="login_submit").label == t("login_button", "en")
    assert at.query_params.get("lang") in ("en", ["en"])  # a reload keeps the choice
    at = s.login("vera")
    assert not at.exception and len(at.metric) == 4
    assert at.selectbox(key="f_lang").value == "en"  # the signed-in pages speak English too
