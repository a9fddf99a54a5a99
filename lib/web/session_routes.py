"""Three routes that bind the browser, set and clear the HttpOnly sign-in cookie
(lib/auth/web_sessions.py).

A Streamlit script cannot set an HttpOnly cookie: it only talks to the browser over a websocket.
So the page draws invisible images whose URLs are these routes; the browser fetches them from the
same origin and keeps the cookies in the replies. No JavaScript is involved, and the sign-in cookie
never passes through the page.

- ``bind``: the login page plants a per-tab secret as a SameSite=Strict cookie. The sign-in's
  one-time code is bound to that secret, so the code works only in the browser that signed in:
  someone who copies their own code and sends a victim to it signs nobody in.
- ``start``: after a sign-in, swaps the code (with the tab's secret) for the sign-in cookie. It
  never replaces a live sign-in of another account in that browser.
- ``end``: after a sign-out, clears the cookie. It only clears a cookie whose session has already
  ended (the page ends it over its websocket), so a link from another site signs nobody out.

Every route acts only on a request the app's own page made (lib/web/origins.py); anything else
gets the same image and changes nothing.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Callable

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.auth import web_sessions
from lib.web import origins

PREFIX = "/halfsky/session"
BIND_PATH, START_PATH, END_PATH = f"{PREFIX}/bind", f"{PREFIX}/start", f"{PREFIX}/end"
BIND_COOKIE_PREFIX = "halfsky_bind_"
BIND_MAX_AGE = 3600  # a login form left open for an hour still signs in for good
_TAB = re.compile(r"[0-9a-f]{6,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,100}")
# A 1×1 transparent GIF: the reply has to be an image the <img> can take quietly.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_mounted = False
_engine_of_app: Callable[[], Engine] | None = None  # set by routes(): the app's one engine


def mounted() -> bool:
    """True when the process serves these routes (started by ``streamlit run serve.py``); under
    ``streamlit run app.py`` or AppTest the page does not ask for a cookie nobody would set."""
    return _mounted


def _engine() -> Engine:
    """The app's one engine, as serve.py handed it to ``routes`` (the routes run in the app's
    process)."""
    if _engine_of_app is None:
        raise RuntimeError("session routes used before routes() mounted them")
    return _engine_of_app()


def _pixel() -> Response:
    return Response(PIXEL, media_type="image/gif",
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _secure(request: Request) -> bool:
    """Secure cookies when the browser reached us over HTTPS (directly or through a proxy)."""
    return request.url.scheme == "https" or origins.forwarded_https(request.headers)


def _ours(request: Request) -> bool:
    return origins.same_origin_request(request.headers, _secure(request))


def _tab(request: Request) -> str | None:
    tab = request.query_params.get("tab", "")
    return tab if _TAB.fullmatch(tab) else None


async def bind(request: Request) -> Response:
    response = _pixel()
    tab, secret = _tab(request), request.query_params.get("k", "")
    if _ours(request) and tab and _SECRET.fullmatch(secret):
        response.set_cookie(BIND_COOKIE_PREFIX + tab, secret, path=PREFIX, max_age=BIND_MAX_AGE,
                            httponly=True, samesite="strict", secure=_secure(request))
    return response


def _redeem(code: str, bind_secret: str, current: str | None) -> str | None:
    engine = _engine()
    token = web_sessions.redeem(engine, code, bind=bind_secret)
    if token is None:
        return None
    value = web_sessions.cookie_value(engine, token)
    held = web_sessions.from_cookie(engine, current)
    mine = web_sessions.from_cookie(engine, value)
    if held is not None and mine is not None and held.username != mine.username:
        return None  # another account's live sign-in stays; the new one holds for its tab only
    return value


async def start(request: Request) -> Response:
    response = _pixel()
    tab = _tab(request)
    if not (_ours(request) and tab):
        return response
    bind_secret = request.cookies.get(BIND_COOKIE_PREFIX + tab, "")
    value = await run_in_threadpool(_redeem, request.query_params.get("code", ""), bind_secret,
                                    request.cookies.get(web_sessions.COOKIE_NAME))
    if value is not None:
        response.set_cookie(web_sessions.COOKIE_NAME, value, path="/",
                            max_age=int(web_sessions.COOKIE_MAX_AGE.total_seconds()),
                            httponly=True, samesite="lax", secure=_secure(request))
        response.delete_cookie(BIND_COOKIE_PREFIX + tab, path=PREFIX, httponly=True,
                               samesite="strict", secure=_secure(request))
    return response


def _still_live(value: str | None) -> bool:
    return web_sessions.from_cookie(_engine(), value) is not None


async def end(request: Request) -> Response:
    response = _pixel()
    value = request.cookies.get(web_sessions.COOKIE_NAME)
    if not _ours(request) or value is None or await run_in_threadpool(_still_live, value):
        return response
    response.delete_cookie(web_sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


def routes(engine: Callable[[], Engine]) -> list[Route]:
    """The routes to mount beside the app; ``engine`` returns the app's engine (lib.ui.data's)."""
    global _mounted, _engine_of_app
    _mounted = True
    _engine_of_app = engine
    return [Route(path, handler, methods=["GET"])
            for path, handler in ((BIND_PATH, bind), (START_PATH, start), (END_PATH, end))]
