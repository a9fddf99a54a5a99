"""Meeting display links: random, one region, expiring, revocable; only the hash is stored."""
import datetime as dt

import pytest
from sqlalchemy import select

from lib.auth import links, users
from lib.auth.users import AccountError
from lib.warehouse import schema as s
from tests.test_auth import PW, FakeClock

DAY = dt.timedelta(days=1)


@pytest.fixture
def admin(engine):
    return users.create_user(engine, "root", PW, "admin", "350111000000")


def test_link_opens_then_expires(engine, admin):
    clock = FakeClock()
    token = links.create_link(engine, admin, "350111001000", DAY, "projector", clock=clock)
    user = links.resolve(engine, token, clock=clock)
    assert user.role == links.DISPLAY_ROLE and user.scope_prefix == "350111001"
    clock.advance(days=1)
    assert links.resolve(engine, token, clock=clock) is None


def test_revoked_link_stops_working(engine, admin):
    token = links.create_link(engine, admin, "350111000000", DAY)
    assert links.resolve(engine, token) is not None
    assert links.revoke(engine, links.token_hash(token), by="root")
    assert links.resolve(engine, token) is None
    assert not links.revoke(engine, links.token_hash(token), by="root")  # once only


def test_only_the_hash_is_stored(engine, admin):
    token = links.create_link(engine, admin, "350111000000", DAY)
    with engine.connect() as conn:
        stored = [str(v) for r in conn.execute(select(s.display_link)) for v in r]
    assert token not in " ".join(stored)
    assert links.token_hash(token) in stored


@pytest.mark.parametrize("token", ["", "x", "A" * 32, "B" * 500])
def test_unknown_tokens_refused(engine, admin, token):
    links.create_link(engine, admin, "350111000000", DAY)
    assert links.resolve(engine, token) is None


@pytest.mark.parametrize("region,valid,code", [
    ("350102000000", DAY, "scope_refused"),  # another district than the admin's
    ("350111", DAY, "bad_scope"),
    ("350111000000", dt.timedelta(0), "bad_expiry"),
    ("350111000000", dt.timedelta(days=400), "bad_expiry"),
])
def test_bad_links_refused(engine, admin, region, valid, code):
    with pytest.raises(AccountError) as err:
        links.create_link(engine, admin, region, valid)
    assert err.value.code == code
    assert links.list_links(engine).empty
