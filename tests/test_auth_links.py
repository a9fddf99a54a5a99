"""Meeting display links: random, one region, expiring, revocable; only the hash is stored."""
import datetime as dt

import pytest
from sqlalchemy import select

from lib.auth import links, accounts
from lib.auth.accounts import AccountError
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope
from tests.test_auth import PW, FakeClock

DAY = dt.timedelta(days=1)


@pytest.fixture
def admin(engine):
    return accounts.create_user(engine, "root", PW, "admin", "350111000000")


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
    assert links.revoke(engine, links.token_hash(token), by=admin)
    assert links.resolve(engine, token) is None
    assert not links.revoke(engine, links.token_hash(token), by=admin)  # once only


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
    ("350100000000", DAY, "scope_refused"),  # the admin's city: a parent is refused, not narrowed
    ("350000000000", DAY, "scope_refused"),  # the province
    ("350111", DAY, "bad_scope"),
    ("350111000000", dt.timedelta(0), "bad_expiry"),
    ("350111000000", dt.timedelta(days=400), "bad_expiry"),
])
def test_bad_links_refused(engine, admin, region, valid, code):
    with pytest.raises(AccountError) as err:
        links.create_link(engine, admin, region, valid)
    assert err.value.code == code
    assert links.list_links(engine, within=Scope.everything()).empty


@pytest.fixture
def city(engine):
    return accounts.create_user(engine, "city", PW, "admin", "350100000000")


def test_link_lists_are_narrowed_to_the_admins_scope(engine, admin, city):
    links.create_link(engine, city, "350100000000", DAY, "city hall")
    links.create_link(engine, city, "350102000000", DAY, "gulou")
    links.create_link(engine, admin, "350111001000", DAY, "jin'an township")
    assert sorted(links.list_links(engine, within=Scope("350111"))["label"]) == ["jin'an township"]
    assert sorted(links.list_links(engine, within=Scope("3501"))["label"]) == ["city hall", "gulou",
                                                                      "jin'an township"]
    assert len(links.list_links(engine, within=Scope.everything())) == 3  # the console sees all


def test_district_admin_cannot_revoke_the_citys_link(engine, admin, city):
    token = links.create_link(engine, city, "350100000000", DAY, "projector")
    with pytest.raises(AccountError) as err:
        links.revoke(engine, links.token_hash(token), by=admin)
    assert err.value.code == "scope_refused"
    assert links.resolve(engine, token) is not None  # still works
    with engine.connect() as conn:
        assert conn.execute(select(s.display_link.c.revoked_at)).scalar_one() is None
    assert links.revoke(engine, links.token_hash(token), by=city)  # its own admin may
    assert links.resolve(engine, token) is None


def test_revoke_update_itself_carries_the_scope(engine, admin, city):
    """Even a caller that skipped every check cannot revoke outside the scope in SQL."""
    from lib.warehouse import accounts_store

    token = links.create_link(engine, city, "350102000000", DAY)
    with engine.begin() as conn:
        assert accounts_store.revoke_link(conn, links.token_hash(token), dt.datetime(2030, 1, 1),
                                          Scope("350111")) == 0
    assert links.resolve(engine, token) is not None


def test_links_stop_when_their_creator_is_disabled_and_the_list_says_so(engine, admin, city):
    """A link carries its creator's right to show the region: once the account is disabled (say,
    the person left) the projector link dies with it, and re-enabling brings it back."""
    clock = FakeClock()
    token = links.create_link(engine, admin, "350111001000", DAY, "projector", clock=clock)
    other = links.create_link(engine, city, "350102000000", DAY, "gulou", clock=clock)
    accounts.update_account(engine, "root", by="city", active=False)
    assert links.resolve(engine, token, clock=clock) is None
    assert links.resolve(engine, other, clock=clock) is not None
    table = links.list_links(engine, within=Scope.everything(), clock=clock).set_index("label")
    assert table.at["projector", "status"] == "creator_disabled"
    assert table.at["gulou", "status"] == "live"
    accounts.update_account(engine, "root", by="city", active=True)
    assert links.resolve(engine, token, clock=clock) is not None


def test_links_stop_when_their_creator_no_longer_holds_the_region(engine, admin, city):
    token = links.create_link(engine, admin, "350111001000", DAY, "projector")
    accounts.update_account(engine, "root", by="city", scope_code="350102000000")
    assert links.resolve(engine, token) is None
    assert links.list_links(engine, within=Scope.everything()).at[0, "status"] == "creator_disabled"


def test_link_status_reads_expired_and_revoked(engine, admin):
    clock = FakeClock()
    links.create_link(engine, admin, "350111001000", DAY, "old", clock=clock)
    gone = links.create_link(engine, admin, "350111001000", 3 * DAY, "gone", clock=clock)
    links.revoke(engine, links.token_hash(gone), by=admin, clock=clock)
    clock.advance(days=2)
    table = links.list_links(engine, within=Scope.everything(), clock=clock).set_index("label")
    assert table.at["old", "status"] == "expired" and table.at["gone", "status"] == "revoked"


def test_links_stop_when_their_creator_is_deleted(engine, admin, city):
    """No page deletes accounts, but a row removed by hand (or a future delete) must not leave a
    link that vouches for itself."""
    token = links.create_link(engine, admin, "350111001000", DAY, "projector")
    with engine.begin() as conn:
        conn.execute(s.app_user.delete().where(s.app_user.c.username == "root"))
    assert links.resolve(engine, token) is None
    links.create_link(engine, city, "350102000000", DAY, "gulou")  # a live row beside it
    table = links.list_links(engine, within=Scope.everything()).set_index("label")
    assert table.at["projector", "status"] == "creator_disabled"
    assert table.at["gulou", "status"] == "live"
