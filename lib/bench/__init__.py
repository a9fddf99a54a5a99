"""The performance benchmark: ``python -m lib.bench`` (pages, queries, maps, loads, concurrency)."""
