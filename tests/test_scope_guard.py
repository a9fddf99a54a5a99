"""Scope cannot be forgotten: every public function of the warehouse package requires a Scope.

The test lists every public function of lib/warehouse (its modules and the migrations) and fails for
one that can be called without a ``Scope``: a required parameter annotated ``Scope`` (no default,
so "" or an omitted argument can no longer mean the whole warehouse). A function that truly reads
or writes no regional rows by region — reference data, migrations, the engine, the rows of one
named account or session — is listed below with the reason; a new function is neither until someone
decides which it is.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing

import pytest

import lib.warehouse
from lib.warehouse.scope import Scope

# module → functions that take no Scope, each with why. Keep the reasons true.
UNSCOPED = {
    # the audit log's writers (the reader, accounts_store.audit_frame, is scoped)
    "audit": {"record", "record_now",
              "actor_kind",  # which kind of actor a stored name stands for: no rows read
              "events"},  # the console's whole log (python -m lib.users audit): an operator's tool
    # writers inside a load or rollback that is itself scoped; the clock and id sequence
    "batches": {"audit", "audit_only", "next_batch_id", "now", "refresh_statuses"},
    # opening, creating and seeding the warehouse: the system's own start-up
    "bootstrap": {"has_facts", "import_regions", "open_warehouse"},
    # the township seats (region reference data) and the admin's polygon import, whose rows were
    # matched only inside the importer's scope (lib/geo/importer.import_boundaries)
    "boundaries": {"read_seats", "replace_boundaries"},
    # bulk-writing helpers called inside scoped loads (rows already checked)
    # the console commands' wrapper: one line when the app holds the DuckDB file; no rows read
    "cli": {"locked_line", "run"},
    "bulk": {"arrow_for_copy", "bulk_insert", "csv_chunks", "id_scope_column", "key_ordered",
             "with_id_scope"},
    # derived tables rebuilt whole by the system after writes (no reader sees them unnarrowed)
    "coverage_rollup": {"group_types", "rebuild", "rebuild_months", "refresh"},
    "rollups": {"is_current", "main", "mark_current", "rebuild", "refresh", "touched"},
    # the demo is the system's: one city written or cleared as a whole
    "demo_store": {"clear_demo", "demo_batch_ids", "write_demo_batch"},
    # the engine, its URL, schema and data version
    "engine": {"data_version", "dispose_engine", "ensure_schema", "get_engine", "next_id",
               "open_engine", "resolve_schema", "resolve_url", "revision_of", "schema_version_of",
               "write_transaction"},
    # the top of the region tree (reference data), an SQL-safe prefix of one code; and the
    # indicator values of explicit 12-digit region codes (never a blank): every page call is
    # checked against the signed-in user's scope in lib/ui/data.check_scope
    "indicator_queries": {"city_region_code", "top_region_code", "scope_prefix",
                          "indicator_yearly_values", "uploaded_yearly_values"},
    # whether a code is in the indicator catalog, which is global reference data
    "followup_store": {"indicator_known"},
    # SQL for a frame's own keys: its WHERE clauses, how many, or the keys staged in a temporary
    # table to join (a load or rollback that is itself scoped brings them)
    "keys": {"key_conditions", "staged", "statements"},
    # keeps a DuckDB instance open during a long write (the demo build): reads no rows
    "held_open": {"held_open"},
    # parsing a city's division files and the indicator catalog: reference data, read before any
    # user exists (the warehouse is seeded from them), and code arithmetic on them
    "divisions": {"build_regions", "infer_urban_rural", "is_urban", "pad_code", "province_name",
                  "read_division_files", "read_indicator_catalog", "township_aliases",
                  "village_aliases", "with_roots"},
    # migrations: the operator upgrades the whole warehouse
    "migrate": {"main"},
    "migrate_auth": {"ensure_audit_sequence", "migrate"},
    "migrations": {"current", "ensure", "head", "history", "legacy_version", "lock", "run_sql_file",
                   "stamp", "upgrade"},
    "migrations.schema_v2": {"id_scope_of", "key_columns"},
    "migrations.steps": {"columns", "create_missing", "create_pg_only_indexes", "table_names",
                         "v1_to_v2", "widen_floats"},
    "planner_stats": {"refresh", "refresh_quietly", "tables_written"},  # ANALYZE after writes
    "progress_store": {"func_min_display",  # an SQL expression
                       "region_names_like"},  # the names an alias would stand for: text only
    # reference data: regions and the indicator catalog are the same for everyone
    "queries": {"has_demo_rows",  # whether the demo is loaded: the banner every user sees
                "in_prefix",  # the range filter itself
                "regions_table",
                # SQL expressions and rules the narrowed queries are built from: no rows read
                "child_prefix", "merged_type", "townships_of_area", "village_area",
                "rollup_policy"},  # reads which tables a view should use, not their rows
    "reference": {"count_regions", "indicators_frame", "merge_regions", "regions_frame",
                  "replace_regions", "upsert_indicators"},
    "schema": {"id_scope_of", "key_columns"},
    # region-code arithmetic
    "scope": {"level_of", "narrow", "pad", "prefix_of",
              "top_region"},  # which region a whole-warehouse view opens on: codes in, a code out
    # one session by its secret id, or one named account's sessions (sign-in, sign-out); an
    # admin's end() passes the admin's Scope (optional only for the holder's own sign-out)
    "sessions_store": {"end", "end_for_user", "fetch_by", "insert_session", "redeem_handoff",
                       "secret", "touch"},
    # the sign-in back-off's own counters, keyed by name and address
    "throttle_store": {"clear", "exclusive", "lock_states", "prune", "read", "save"},
    # one named account or link (sign-in, password change, a link's holder); the listings
    # (users_frame, links_frame, audit_frame, audit_actions) and revoke_link are scoped
    "accounts_store": {"bump_failed_logins", "count_users", "fetch_link", "fetch_user", "insert_link",
                       "insert_user", "update_user"},
}

# Fact queries addressed by the view's region-code prefix, a required str the page narrowed from
# the user's scope (lib/warehouse/scope.narrow); every page call goes through lib/ui/data.query,
# which refuses a prefix outside the bound Scope before running it. They have no default: an
# omitted prefix is a TypeError. (Still to become Scope-typed like the functions above.)
PREFIX_QUERIES = {
    "queries": {"facts", "org_counts", "org_coverage", "org_coverage_series", "screening_targets",
                "villages_without", "village_coverage"},
    "indicator_queries": {"computed_values"},
}


def _public_functions() -> dict[str, dict[str, typing.Callable]]:
    out: dict[str, dict[str, typing.Callable]] = {}
    for info in pkgutil.walk_packages(lib.warehouse.__path__, "lib.warehouse."):
        module = importlib.import_module(info.name)
        short = info.name.removeprefix("lib.warehouse.")
        out[short] = {name: fn for name, fn in inspect.getmembers(module, inspect.isfunction)
                      if fn.__module__ == info.name and not name.startswith("_")}
    return out


def _requires_scope(fn: typing.Callable) -> bool:
    hints = typing.get_type_hints(fn)
    return any(p.default is inspect.Parameter.empty and hints.get(p.name) is Scope
               for p in inspect.signature(fn).parameters.values()
               if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


FUNCTIONS = _public_functions()


@pytest.mark.parametrize("module,name", sorted((m, n) for m, fns in FUNCTIONS.items() for n in fns))
def test_every_warehouse_function_requires_a_scope_or_is_argued_unscoped(module, name):
    fn = FUNCTIONS[module][name]
    listed = name in UNSCOPED.get(module, set()) or name in PREFIX_QUERIES.get(module, set())
    if listed:
        assert not _requires_scope(fn), f"{module}.{name} takes a Scope now: drop it from the lists"
        return
    assert _requires_scope(fn), (
        f"lib.warehouse.{module}.{name} can be called without a Scope: give it a required "
        f"parameter annotated Scope, or argue it unscoped in UNSCOPED")


def test_the_lists_name_only_existing_functions():
    """A function renamed or removed leaves no stale exemption behind."""
    for lists in (UNSCOPED, PREFIX_QUERIES):
        for module, names in lists.items():
            assert names <= set(FUNCTIONS.get(module, {})), (module, names - set(FUNCTIONS[module]))


@pytest.mark.parametrize("module,name", sorted((m, n) for m, ns in PREFIX_QUERIES.items()
                                               for n in ns))
def test_prefix_queries_have_no_default_prefix(module, name):
    param = inspect.signature(FUNCTIONS[module][name]).parameters["prefix"]
    assert param.default is inspect.Parameter.empty


def test_the_guard_catches_a_forgotten_scope():
    """The check itself can fail: a defaulted or unannotated scope does not count."""
    def defaulted(engine, scope: Scope = Scope.everything()) -> None: ...

    def bare(engine, scope: str) -> None: ...

    def required(engine, scope: Scope) -> None: ...

    def keyword(engine, *, scope: Scope, user: str | None = None) -> None: ...

    assert not _requires_scope(defaulted) and not _requires_scope(bare)
    assert _requires_scope(required) and _requires_scope(keyword)
