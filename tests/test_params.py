"""URL parameters are untrusted input: every one the app reads is parsed without ever raising.

``/meeting?interval=inf`` used to raise (``int(float("inf"))`` is an OverflowError). The pure
parsers are tested with Hypothesis, then the pages with hostile query strings under AppTest.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.meeting import deck
from lib.warehouse.scope import LEVEL_LENGTH, level_of
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

HOSTILE_NUMBERS = ["inf", "-inf", "Infinity", "nan", "NaN", "1e999", "-1e999", "1e-999", "-1", "0",
                   "9" * 5000, "1" + "0" * 400, "abc", "", " ", "٣٠", "３０", "1_0", "0x10", "30s",
                   "\x00", "30\n", "%", "x" * 100_000]


@pytest.mark.parametrize("raw", HOSTILE_NUMBERS)
def test_parse_interval_never_raises_on_hostile_values(raw):
    seconds = deck.parse_interval(raw)
    assert isinstance(seconds, int) and deck.MIN_INTERVAL <= seconds <= deck.MAX_INTERVAL


@pytest.mark.parametrize("raw, seconds", [
    ("inf", deck.DEFAULT_INTERVAL), ("nan", deck.DEFAULT_INTERVAL), ("1e999", deck.DEFAULT_INTERVAL),
    ("9" * 5000, deck.DEFAULT_INTERVAL), ("٣٠", deck.DEFAULT_INTERVAL), ("1_0", deck.DEFAULT_INTERVAL),
    ("-1", deck.MIN_INTERVAL), ("0", deck.MIN_INTERVAL), ("601", deck.MAX_INTERVAL),
    ("9" * 30, deck.MAX_INTERVAL), (" 45 ", 45), ("+45", 45), ("45.9", 45), (float("inf"), 20),
    (float("nan"), 20), (True, 20), (10 ** 400, 20),
])
def test_parse_interval_values(raw, seconds):
    assert deck.parse_interval(raw) == seconds


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.from_regex(r"[+-]?[0-9]{1,40}(\.[0-9]{0,5})?", fullmatch=True)))
def test_parse_interval_is_total_and_in_range(raw):
    seconds = deck.parse_interval(raw)
    assert isinstance(seconds, int) and deck.MIN_INTERVAL <= seconds <= deck.MAX_INTERVAL


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10 ** 6, max_value=10 ** 6))
def test_parse_interval_clamps_whole_numbers(n):
    assert deck.parse_interval(str(n)) == max(deck.MIN_INTERVAL, min(deck.MAX_INTERVAL, n))


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_level_of_either_names_a_level_or_raises_value_error(raw):
    """?region= goes through level_of (filters, the scope refusal): only ValueError may escape,
    which both callers catch."""
    try:
        level = level_of(raw)
    except ValueError:
        return
    assert level in LEVEL_LENGTH and len(raw) == 12


# --- the pages, with hostile query strings ------------------------------------------------------

@pytest.fixture
def auth_off(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


HOSTILE_QUERIES = [
    {"interval": "inf"}, {"interval": "nan"}, {"interval": "-1"}, {"interval": "1e999"},
    {"interval": "9" * 5000}, {"interval": "x" * 20_000},
    {"region": "x" * 20_000, "lang": "xx", "from": "2024-13", "to": "9999-99", "area": "<b>"},
    {"region": "３５０１１１０００００００", "from": "nan", "to": "inf"},
    {"region": "350111000000" * 3, "lang": "en" * 500, "display": "y" * 5000},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: ",".join(q))
def test_meeting_page_survives_hostile_query(engine, auth_off, query):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/meeting.py", query=query)
    assert not at.exception, at.exception
    assert len(at.metric) == 4  # the slides show, on the default settings
    interval = at.number_input(key="m_interval").value
    assert deck.MIN_INTERVAL <= interval <= deck.MAX_INTERVAL


def test_hostile_display_token_is_refused_not_raised(engine):
    from lib.auth import accounts
    from tests.test_auth import PW

    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        for token in ("y" * 5000, "\x00", "%00", "' OR 1=1 --"):
            at = run_page(query={"display": token})
            assert not at.exception, at.exception
            assert not at.metric and at.error  # link refused, nothing shown
