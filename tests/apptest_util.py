"""Helpers to run the app under Streamlit's AppTest against a chosen warehouse."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def _pin_navigation_mode() -> None:
    """Make every AppTest run go through app.py, as the server does.

    app.py calls st.navigation, which turns Streamlit's old ``pages/``-directory mode off for the
    process. AppTest resets that flag before each run, and because a ``pages/`` folder exists the
    second and later runs would execute the current page file directly, skipping the frame (login
    gate, scope, filters). Pinning the flag off keeps each test run equal to a server run.
    """
    if getattr(PagesManager, "_halfsky_pinned", False):
        return
    original = PagesManager.__init__

    def __init__(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    PagesManager.__init__ = __init__
    PagesManager._halfsky_pinned = True


_pin_navigation_mode()


@contextmanager
def app_env(url: str, *, schema: str | None = None, demo: bool = True, auth: bool = False):
    """Point the app at a warehouse. Page tests run as the development admin (HALFSKY_AUTH=off);
    tests of accounts and roles pass ``auth=True`` to go through the real login gate."""
    keys = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": schema or "",
            "HALFSKY_NO_DEMO": "" if demo else "1", "HALFSKY_AUTH": "" if auth else "off"}
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


def run_page(page: str | None = None, query: dict | None = None, timeout: int = 120) -> AppTest:
    """Run app.py (the frame) and switch to ``page`` (a path under pages/) if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page and not at.exception:
        at.switch_page(page)
        at.run()
    return at
