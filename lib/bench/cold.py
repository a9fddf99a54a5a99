"""Cold, as a user meets it after a load or a restart: every cache the app keeps is cleared.

``lib.ui.data.clear_cache()`` does the clearing (Streamlit's ``st.cache_data``, the query cache,
region frames and lookups, the chart memo, and every ``BoundedCache``, cachetools or functools
cache held at module level under ``lib``, found by walking the loaded modules, so a cache added
later is cleared too without anyone listing it here). Not cleared: ``st.cache_resource`` (the
engine and its idle connection, which a running server keeps across loads) and module imports.
"""
from __future__ import annotations
from lib.ui import data


def clear_every_cache() -> list[str]:
    """Clear them all; returns what was cleared (the benchmark reports it next to its figures)."""
    return ["st.cache_data", "lib.ui.data.clear_cache()", *data.clear_cache()]
