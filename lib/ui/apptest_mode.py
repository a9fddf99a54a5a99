"""Run AppTest the way the server runs the app: always through app.py's st.navigation.

app.py calls st.navigation, which turns Streamlit's old ``pages/``-directory mode off for the process.
AppTest resets that flag before each run, and because a ``pages/`` folder exists later runs would
execute the current page file directly, skipping the frame (login gate, scope, filters). Pinning the
flag off keeps each AppTest run equal to a server run. Used by the tests and by lib.bench.
"""
from __future__ import annotations


def pin_navigation_mode() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "_halfsky_pinned", False):
        return
    original = PagesManager.__init__

    def __init__(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    PagesManager.__init__ = __init__
    PagesManager._halfsky_pinned = True
