"""Which browser origins may use the sign-in cookie: the app's own, exactly (scheme, host, port).

The cookie is SameSite=Lax, and "site" ignores the port: a page served from the same host on
another port (``http://127.0.0.1:8000`` beside the app on ``:8501``) is same-site, so the browser
sends it the cookie, and Streamlit's websocket admits any Origin whose host matches. The origin is
therefore checked here: the gate (lib/ui/auth_ui.py) honours the cookie only when the websocket's
Origin is allowed, and the cookie routes (lib/web/session_routes.py) act only on a same-origin
request. Behind a reverse proxy that rewrites Host, or one that ends TLS without sending
``X-Forwarded-Proto``, ``HALFSKY_ALLOWED_ORIGINS`` lists the origins the browser sees.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from lib import settings


def normalise(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case with a default port dropped; None when ``origin``
    is not an http(s) origin (``null``, a path, garbage)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username is not None:
        return None
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    if port is None or port == (443 if scheme == "https" else 80):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def configured() -> list[str]:
    """The origins named in ``HALFSKY_ALLOWED_ORIGINS`` (comma-separated); empty when unset."""
    raw = settings.allowed_origins()
    return [o for o in (normalise(part) for part in raw.split(",") if part.strip()) if o]


def allowed(host: str | None, https: bool) -> set[str]:
    """The configured origins, else the one origin the request was addressed to (its Host header
    with the scheme it arrived over)."""
    listed = configured()
    if listed:
        return set(listed)
    own = normalise(f"{'https' if https else 'http'}://{host}") if host else None
    return {own} if own else set()


def _get(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def forwarded_https(headers: Mapping[str, str]) -> bool:
    """True when a proxy in front says the browser used HTTPS."""
    proto = _get(headers, "x-forwarded-proto") or ""
    return proto.split(",")[0].strip().lower() == "https"


def origin_allowed(headers: Mapping[str, str], https: bool) -> bool:
    """True when the request's Origin header is exactly an allowed origin (a websocket from a
    browser always sends one; its absence means no browser page can be behind it, but a cookie is
    only honoured for a page we know to be ours, so a missing Origin is refused too)."""
    origin = _get(headers, "origin")
    found = normalise(origin) if origin else None
    return found is not None and found in allowed(_get(headers, "host"), https)


def same_origin_request(headers: Mapping[str, str], https: bool) -> bool:
    """True for a request the app's own page made (the hand-off image): Fetch Metadata's
    ``Sec-Fetch-Site: same-origin`` where the browser sends it; otherwise an allowed Origin, or
    failing that an allowed Referer. A top-level navigation from another site, or from another
    port of the same host, is refused."""
    site = _get(headers, "sec-fetch-site")
    if site is not None:
        return site.strip().lower() == "same-origin"
    if _get(headers, "origin") is not None:
        return origin_allowed(headers, https)
    referer = _get(headers, "referer")
    found = normalise(_referer_origin(referer)) if referer else None
    return found is not None and found in allowed(_get(headers, "host"), https)


def _referer_origin(referer: str) -> str:
    try:
        parts = urlsplit(referer)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
