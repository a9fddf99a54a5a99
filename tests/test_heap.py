"""The server freezes its long-lived heap once, after its first whole page run."""
from __future__ import annotations

import gc

from lib.ui import heap
from tests.apptest_util import app_env, run_page


def test_settles_once_and_full_collections_then_skip_the_frozen_heap(monkeypatch):
    monkeypatch.setattr(heap, "_settled", False)
    kept = [[i] for i in range(50_000)]  # long-lived containers, as modules and caches are
    assert heap.settle_once() is True
    assert gc.get_freeze_count() >= len(kept)
    assert heap.settle_once() is False
    before = gc.get_freeze_count()
    heap.settle_once()
    assert gc.get_freeze_count() == before  # never a second time


def test_the_frame_settles_the_heap_after_a_page_run(demo_engine, monkeypatch):
    monkeypatch.setattr(heap, "_settled", False)
    url = demo_engine.url.render_as_string(hide_password=False)
    schema = None
    if demo_engine.dialect.name == "postgresql":
        with demo_engine.connect() as conn:
            schema = conn.exec_driver_sql("select current_schema()").scalar_one()
    with app_env(url, schema=schema):
        at = run_page("views/overview.py")
    assert not at.exception
    assert heap._settled is True
