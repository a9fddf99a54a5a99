"""Cold, as a user meets it after a load or a restart: every cache the app keeps is cleared.

That is Streamlit's ``st.cache_data``, ``lib.ui.data.clear_cache()`` (queries, region frames and
lookups, and whatever else it is made to clear), the chart memo (``lib.charts.memo``), and every
``functools.lru_cache``, ``cachetools`` cache or instance of a class of the app's named ``…Cache``
held at module level anywhere under ``lib`` (geo shapes, Theil–Sen tables, …). Found by walking
the loaded modules, so a cache added later is cleared too without anyone listing it here. Not
cleared: ``st.cache_resource`` (the engine and its idle connection, which a running server keeps
across loads) and module imports.
"""
from __future__ import annotations

import sys
from collections.abc import MutableMapping

SKIP = ("lib.bench", "lib.warehouse.engine")  # the benchmark itself; the engine is a connection


def _own_cache(obj: object) -> bool:
    """An instance of one of the app's own cache classes (``memo.BoundedCache``, …)."""
    return (not isinstance(obj, type) and type(obj).__name__.endswith("Cache")
            and type(obj).__module__.startswith("lib.") and callable(getattr(obj, "clear", None)))


def _caches() -> list[tuple[str, object]]:
    try:
        import cachetools
        cache_types: tuple[type, ...] = (cachetools.Cache,)
    except ImportError:  # pragma: no cover — requirements.txt lists it
        cache_types = ()
    seen: set[int] = set()
    out = []
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "lib" or name.startswith("lib.")) or name.startswith(SKIP):
            continue
        for attr, obj in list(vars(mod).items()):
            if id(obj) in seen:
                continue
            if (cache_types and isinstance(obj, cache_types)) or _own_cache(obj):
                seen.add(id(obj))
                out.append((f"{name}.{attr}", obj))
            elif (callable(getattr(obj, "cache_clear", None))
                  and getattr(obj, "__module__", None) == name):
                seen.add(id(obj))
                out.append((f"{name}.{attr}", obj))
    return out


def clear_every_cache() -> list[str]:
    """Clear them all; returns what was cleared (the benchmark reports it next to its figures)."""
    import streamlit as st

    from lib.charts import memo
    from lib.ui import data

    cleared = []
    st.cache_data.clear()
    cleared.append("st.cache_data")
    data.clear_cache()
    cleared.append("lib.ui.data.clear_cache()")
    if hasattr(memo, "clear_cache"):
        memo.clear_cache()
        cleared.append("lib.charts.memo.clear_cache()")
    for attr in ("_CHARTS", "_SPECS"):  # until memo clears itself through data.clear_cache
        cache = getattr(memo, attr, None)
        if isinstance(cache, MutableMapping):
            cache.clear()
            cleared.append(f"lib.charts.memo.{attr}")
    for name, obj in _caches():
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()
        else:
            obj.clear()
        cleared.append(name)
    return cleared
