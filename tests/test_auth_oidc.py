"""OIDC through st.login: an identity maps to an existing active account by email, never created."""
import pytest

from lib.auth import accounts as auth_accounts
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env
from tests.test_app import _url
from tests.test_auth import PW


@pytest.fixture
def accounts(engine):
    auth_accounts.create_user(engine, "wang@fed.example", PW, "analyst", "350111000000")
    auth_accounts.create_user(engine, "old@fed.example", PW, "viewer", "350111000000")
    auth_accounts.create_user(engine, "root", PW, "admin", "350100000000")
    auth_accounts.disable_user(engine, "old@fed.example", by="root")
    return engine


@pytest.mark.parametrize("email,verified,expected", [
    ("wang@fed.example", True, ("wang@fed.example", "analyst", "350111000000")),
    ("wang@fed.example", None, ("wang@fed.example", "analyst", "350111000000")),
    ("wang@fed.example", False, None),            # an unverified email proves nothing
    ("old@fed.example", True, None),              # disabled
    ("boss@fed.example", True, None),             # unknown: no account is created
    ("", True, None),
    (None, True, None),
    ("wang@fed.example' OR '1'='1", True, None),
])
def test_oidc_identity_maps_to_existing_accounts_only(accounts, email, verified, expected):
    before = len(auth_accounts.list_users(accounts, within=Scope.everything()))
    user = auth_accounts.oidc_user(accounts, email, verified)
    assert (None if user is None else (user.username, user.role, user.scope_code)) == expected
    assert len(auth_accounts.list_users(accounts, within=Scope.everything())) == before


def _login_page(engine, secrets: dict | None):
    from tests.apptest_util import ROOT
    from streamlit.testing.v1 import AppTest

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        for k, v in (secrets or {}).items():
            at.secrets[k] = v
        at.run()
    return at


def test_login_page_offers_sso_only_when_auth_is_configured(accounts):
    plain = _login_page(accounts, None)
    assert not plain.exception
    assert plain.text_input(key="login_user") is not None
    with pytest.raises(KeyError):
        plain.button(key="login_oidc")
    sso = _login_page(accounts, {"auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "halfsky", "client_secret": "s",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}})
    assert not sso.exception
    assert sso.button(key="login_oidc") is not None
    assert not sso.metric  # offering SSO opens nothing by itself
