"""The origin rules of the sign-in cookie: exactly the app's own scheme, host and port, or the
origins HALFSKY_ALLOWED_ORIGINS names (a reverse proxy)."""
import pytest

from lib import settings
from lib.web import origins

APP = {"Host": "127.0.0.1:8501"}


@pytest.mark.parametrize("raw, expected", [
    ("http://127.0.0.1:8501", "http://127.0.0.1:8501"),
    ("HTTPS://Halfsky.Example.ORG:443", "https://halfsky.example.org"),
    ("http://example.org:80/", "http://example.org"),
    ("http://[::1]:8501", "http://[::1]:8501"),
    ("null", None), ("", None), ("file:///tmp/x.html", None), ("http://a.org/path", None),
    ("http://user@a.org", None), ("http://a.org:99999", None), ("ws://a.org", None),
])
def test_normalise(raw, expected):
    assert origins.normalise(raw) == expected


@pytest.mark.parametrize("origin, https, ok", [
    ("http://127.0.0.1:8501", False, True),
    ("http://127.0.0.1:8000", False, False),  # same host, another port: same-site, not ours
    ("http://localhost:8501", False, False),
    ("https://127.0.0.1:8501", False, False),
    ("http://127.0.0.1:8501", True, False),   # the app is on HTTPS: an http page is not it
    ("null", False, False),
    (None, False, False),
])
def test_websocket_origin_is_the_apps_own(monkeypatch, origin, https, ok):
    monkeypatch.delenv(settings.ALLOWED_ORIGINS.name, raising=False)
    headers = {**APP, **({"Origin": origin} if origin is not None else {})}
    assert origins.origin_allowed(headers, https) is ok


def test_configured_origins_replace_the_host_rule(monkeypatch):
    monkeypatch.setenv(settings.ALLOWED_ORIGINS.name, "https://halfsky.example.org, https://dash.example.org:8443")
    behind_proxy = {"Host": "127.0.0.1:8501"}
    assert origins.origin_allowed({**behind_proxy, "Origin": "https://halfsky.example.org"}, False)
    assert origins.origin_allowed({**behind_proxy, "Origin": "https://dash.example.org:8443"},
                                  False)
    assert not origins.origin_allowed({**behind_proxy, "Origin": "http://127.0.0.1:8501"}, False)
    assert not origins.origin_allowed({**behind_proxy, "Origin": "https://evil.example.org"}, False)


def test_forwarded_https():
    assert origins.forwarded_https({"X-Forwarded-Proto": "https"})
    assert origins.forwarded_https({"x-forwarded-proto": "HTTPS, http"})
    assert not origins.forwarded_https({"X-Forwarded-Proto": "http"})
    assert not origins.forwarded_https({})


@pytest.mark.parametrize("extra, ok", [
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "same-site"}, False),   # another port of the same host
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Sec-Fetch-Site": "none"}, False),        # typed into the address bar
    ({"Sec-Fetch-Site": "cross-site", "Referer": "http://127.0.0.1:8501/"}, False),
    ({"Origin": "http://127.0.0.1:8501"}, True),
    ({"Origin": "http://127.0.0.1:8000"}, False),
    ({"Referer": "http://127.0.0.1:8501/screening?region=1"}, True),
    ({"Referer": "http://127.0.0.1:8000/evil.html"}, False),
    ({}, False),
])
def test_same_origin_request(monkeypatch, extra, ok):
    monkeypatch.delenv(settings.ALLOWED_ORIGINS.name, raising=False)
    assert origins.same_origin_request({**APP, **extra}, False) is ok
