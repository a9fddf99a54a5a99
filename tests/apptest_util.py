"""Helpers to run the app under Streamlit's AppTest against a chosen warehouse."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def app_env(url: str, *, schema: str | None = None, demo: bool = True, auth: bool = False):
    """Point the app at a warehouse. Page tests run as the development admin (HALFSKY_AUTH=off);
    tests of accounts and roles pass ``auth=True`` to go through the real login gate."""
    keys = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": schema or "",
            "HALFSKY_NO_DEMO": "" if demo else "1", "HALFSKY_AUTH": "" if auth else "off",
            "HALFSKY_PAGE_ERRORS": "raise"}  # a broken page stays visible as at.exception
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


DEFAULT_PAGE = "views/overview.py"


def run_page(page: str | None = None, query: dict | None = None, timeout: int = 120) -> AppTest:
    """Run app.py (the frame) opened at ``page`` (a path under views/), as a browser opening that
    page's address does: one run, the default page never drawn first.

    Before its first run AppTest names a page by its file name, which is the page's url_path here
    (lib/ui/nav.py); the default page is served at "/" and needs no switch."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page and page != DEFAULT_PAGE:
        at.switch_page(page)
    at.run()
    return at
