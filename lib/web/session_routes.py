"""Two routes that set and clear the HttpOnly sign-in cookie (lib/auth/web_sessions.py).

A Streamlit script cannot set an HttpOnly cookie: it only talks to the browser over a websocket.
So after the sign-in form succeeds the page draws an invisible image whose URL is this route with
a one-time code; the browser fetches it from the same origin and keeps the cookie in the reply.
No JavaScript is involved, and the cookie never passes through the page.
"""
from __future__ import annotations

import base64

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lib.auth import web_sessions

START_PATH = "/halfsky/session/start"
END_PATH = "/halfsky/session/end"
# A 1×1 transparent GIF: the reply has to be an image the <img> can take quietly.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_mounted = False


def mounted() -> bool:
    """True when the process serves these routes (started by ``streamlit run serve.py``); under
    ``streamlit run app.py`` or AppTest the page does not ask for a cookie nobody would set."""
    return _mounted


def _engine():
    from lib.ui import data  # the app's one engine (the routes run in the app's process)

    return data.engine()


def _pixel() -> Response:
    return Response(PIXEL, media_type="image/gif",
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _secure(request: Request) -> bool:
    """Secure cookies when the browser reached us over HTTPS (directly or through a proxy)."""
    return request.url.scheme == "https" or \
        request.headers.get("x-forwarded-proto", "").lower() == "https"


def _redeem(code: str) -> str | None:
    engine = _engine()
    token = web_sessions.redeem(engine, code)
    return None if token is None else web_sessions.cookie_value(engine, token)


async def start(request: Request) -> Response:
    value = await run_in_threadpool(_redeem, request.query_params.get("code", ""))
    response = _pixel()
    if value is not None:
        response.set_cookie(web_sessions.COOKIE_NAME, value, path="/",
                            max_age=int(web_sessions.COOKIE_MAX_AGE.total_seconds()),
                            httponly=True, samesite="lax", secure=_secure(request))
    return response


def _end(value: str | None) -> None:
    engine = _engine()
    session = web_sessions.from_cookie(engine, value)
    if session is not None:
        web_sessions.end(engine, session.id, by=session.username)


async def end(request: Request) -> Response:
    await run_in_threadpool(_end, request.cookies.get(web_sessions.COOKIE_NAME))
    response = _pixel()
    response.delete_cookie(web_sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


def routes() -> list[Route]:
    global _mounted
    _mounted = True
    return [Route(START_PATH, start, methods=["GET"]), Route(END_PATH, end, methods=["GET"])]
