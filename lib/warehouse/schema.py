"""The warehouse schema, declared once in SQLAlchemy Core for DuckDB and PostgreSQL.

Fact tables hold the current state only; a row replaced or retired by a later upload moves to the
table's ``*_history`` twin with the batch that superseded it, so any batch can be rolled back exactly.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, Double, Index, Integer, LargeBinary, MetaData,
    Sequence, String, Table, Text, event, func, insert, select,
)

# 2: id-keyed facts are keyed by (id_scope, id); upload_batch.region_prefix (lib/warehouse/migrate.py)
SCHEMA_VERSION = 2

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

# data_version is one row bumped in the same transaction as every load, rollback and reference change.
data_state = Table(
    "data_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

region = Table(
    "region", metadata,
    Column("code", String(12), primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", String(10), nullable=False),  # city / district / township / village
    Column("parent_code", String(12)),
    Column("urban_rural_code", String(3)),
    Column("urban_rural_inferred", Boolean, nullable=False, default=False),
    Column("seat_lon", Double),
    Column("seat_lat", Double),
    Column("aliases", Text),  # '|'-separated alternative names (short forms without 街道/镇/社区…)
)
Index("ix_region_parent", region.c.parent_code)
Index("ix_region_level", region.c.level)

boundary = Table(
    "boundary", metadata,
    Column("level", String(10), primary_key=True),
    Column("region_code", String(12), primary_key=True),
    Column("geometry", Text, nullable=False),  # WGS-84 GeoJSON geometry
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime, nullable=False),
)

indicator = Table(
    "indicator", metadata,
    Column("code", String(16), primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("domain", String(32), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("direction", String(8), nullable=False),  # up / down / keep
    Column("target_value", Double),
    Column("target_year", Integer),
    Column("computed_from", Text),
    Column("source", Text),
)

upload_batch = Table(
    "upload_batch", metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=False),
    Column("dataset", String(32), nullable=False),
    Column("filename", Text),
    Column("sha256", String(64)),
    Column("uploaded_by", Text),
    Column("uploaded_at", DateTime, nullable=False),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_loaded", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),  # loaded / replaced / rolled_back
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("mode", String(16), nullable=False, default="upsert"),
    # the longest region-code prefix shared by every row the batch wrote or superseded, so the batch
    # list is filtered by scope in SQL even after a rollback left the batch without rows; NULL for
    # batches written before schema 2 or outside the load path (the demo): those are judged by rows
    Column("region_prefix", String(12)),
)

# Audit ids come from this sequence (nextval in every insert), not max(id)+1: two sign-ins at once
# read the same max and one failed on the duplicate key. It is deliberately not in ``metadata``:
# lib/warehouse/migrate_auth.py creates it starting after the rows a warehouse already has.
AUDIT_EVENT_ID_SEQ = Sequence("audit_event_id_seq")

audit_event = Table(
    "audit_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False, quote=True),  # AT is reserved in DuckDB
    Column("username", Text),
    Column("action", String(32), nullable=False),
    Column("detail", Text),
    # Who acted (lib/warehouse/audit.py): "account" (username is an app_user key), "display" (a
    # display link), a fixed actor no account can be named ("system", "console", "cli"), or NULL
    # (nobody known: a sign-in with an unknown name). Scoped listings attribute rows by it.
    Column("actor_kind", String(16)),
)

# Sign-in back-off (lib/auth/throttle.py): one row per throttled key, ``user:<name>`` or
# ``addr:<ip>``; failures in a row, the earliest time the next attempt is heard, the last failure.
login_throttle = Table(
    "login_throttle", metadata,
    Column("key", String(120), primary_key=True, quote=True),  # KEY is reserved in some dialects
    Column("failures", Integer, nullable=False, default=0),
    Column("next_allowed_at", DateTime),
    Column("last_failed_at", DateTime),
)

app_user = Table(
    "app_user", metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("scope_code", String(12), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)


ID_SCOPE = "id_scope"
ID_SCOPE_LENGTH = 6  # the district: ledgers number their rows 001, 002… district by district


def id_scope_of(region_code: object) -> str | None:
    """The namespace an id lives in: the district (first 6 digits) of the row's region code."""
    return None if region_code is None else str(region_code)[:ID_SCOPE_LENGTH]


def _id_scope_default(context) -> str | None:
    """Rows inserted through SQLAlchemy without an id_scope get the one of their region_code."""
    return id_scope_of(context.get_current_parameters().get("region_code"))


def _fact(name: str, key, cols) -> tuple[Table, Table]:
    """A fact table and its history twin (same columns plus who superseded the row and when).

    ``key`` and ``cols`` are functions returning fresh Column objects: a Column belongs to one table.
    """
    cur = Table(name, metadata, *key(), *cols(), Column("batch_id", Integer, nullable=False))
    hist_key = [Column(c.name, c.type, nullable=False, default=c.default) for c in key()]
    hist = Table(f"{name}_history", metadata, *hist_key, *cols(),
                 Column("batch_id", Integer, nullable=False),
                 Column("superseded_by", Integer, nullable=False),
                 Column("superseded_at", DateTime, nullable=False))
    Index(f"ix_{name}_batch", cur.c.batch_id)
    Index(f"ix_{name}_history_sup", hist.c.superseded_by)
    return cur, hist


def _id_key(id_column: str):
    """The key of an id-keyed fact: (district namespace, the ledger's own id).

    Ids are the ledger's numbers (培训编号…), unique only within the district that keeps the ledger:
    keyed on the id alone, one district's upload replaced another's rows.
    """
    return lambda: [Column(ID_SCOPE, String(ID_SCOPE_LENGTH), primary_key=True,
                           default=_id_scope_default),
                    Column(id_column, String(64), primary_key=True)]


org_unit, org_unit_history = _fact(
    "org_unit",
    _id_key("org_id"),
    lambda: [Column("region_code", String(12), nullable=False),
     Column("org_type", String(32), nullable=False),
     Column("sector", String(32)),
     Column("name", Text),
     Column("established_on", Date),
     Column("dissolved_on", Date),
     Column("exec_members", Integer),
     Column("last_activity_on", Date)],
)
Index("ix_org_unit_region", org_unit.c.region_code)

training_session, training_session_history = _fact(
    "training_session",
    _id_key("session_id"),
    lambda: [Column("region_code", String(12), nullable=False),
     Column("held_on", Date, nullable=False),
     Column("topic", String(32), nullable=False),
     Column("audience", String(32), nullable=False),
     Column("mode", String(16), nullable=False),
     Column("participants", Integer, nullable=False),
     Column("hours", Double)],
)
Index("ix_training_region_date", training_session.c.region_code, training_session.c.held_on)

job_fair, job_fair_history = _fact(
    "job_fair",
    _id_key("fair_id"),
    lambda: [Column("region_code", String(12), nullable=False),
     Column("held_on", Date, nullable=False),
     Column("fair_type", String(32), nullable=False),
     Column("employers", Integer),
     Column("positions", Integer),
     Column("women_attending", Integer),
     Column("intents", Integer),
     Column("hires", Integer)],
)
Index("ix_job_fair_region_date", job_fair.c.region_code, job_fair.c.held_on)

screening, screening_history = _fact(
    "screening",
    lambda: [Column("region_code", String(12), primary_key=True),
     Column("month", Date, primary_key=True),
     Column("kind", String(16), primary_key=True)],
    lambda: [Column("screened", Integer, nullable=False),
     Column("abnormal", Integer),
     Column("diagnosed", Integer),
     Column("treated", Integer),
     Column("aided", Integer),
     Column("aid_amount_10k_yuan", Double)],
)

# The default period's first and last month are read on every cold page run. PostgreSQL needs an
# index to answer min/max without scanning 10 M screening rows; DuckDB answers from its zone maps,
# and an ART index would only slow its bulk loads, so these exist on PostgreSQL only.
PG_ONLY_INDEXES = (
    Index("ix_screening_month", screening.c.month).ddl_if(dialect="postgresql"),
    Index("ix_training_held_on", training_session.c.held_on).ddl_if(dialect="postgresql"),
)

screening_target, screening_target_history = _fact(
    "screening_target",
    lambda: [Column("region_code", String(12), primary_key=True),
     Column("year", Integer, primary_key=True, autoincrement=False),
     Column("kind", String(16), primary_key=True)],
    lambda: [Column("eligible_women", Integer, nullable=False),
     Column("quota", Integer)],
)

indicator_value, indicator_value_history = _fact(
    "indicator_value",
    lambda: [Column("indicator_code", String(16), primary_key=True),
     Column("region_code", String(12), primary_key=True),
     Column("year", Integer, primary_key=True, autoincrement=False)],
    lambda: [Column("value", Double, nullable=False)],
)

# Datasets an analyst can upload, with the table and key each one writes.
FACT_TABLES: dict[str, Table] = {
    "org_unit": org_unit,
    "training": training_session,
    "job_fair": job_fair,
    "screening": screening,
    "screening_target": screening_target,
    "indicator_value": indicator_value,
}
HISTORY_TABLES: dict[str, Table] = {
    "org_unit": org_unit_history,
    "training": training_session_history,
    "job_fair": job_fair_history,
    "screening": screening_history,
    "screening_target": screening_target_history,
    "indicator_value": indicator_value_history,
}


# Datasets keyed by (id_scope, id) and the id column: the namespace is computed from region_code.
ID_COLUMNS: dict[str, str] = {"org_unit": "org_id", "training": "session_id", "job_fair": "fair_id"}


def key_columns(table: Table) -> list[str]:
    """The natural key of a fact table: what makes two uploaded rows 'the same row'."""
    return [c.name for c in table.primary_key.columns]

# Read-only meeting display links: only the SHA-256 of the random token is stored, so a
# copy of the warehouse does not hand out working links.
display_link = Table(
    "display_link", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("label", Text),
    Column("region_code", String(12), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

# Signed-in browser sessions: the sign-in cookie names one row here. Only SHA-256 hashes
# of the cookie token and of the one-time hand-off code are stored, so a copy of the warehouse holds
# no working cookie. ``id`` is not secret: the admin page ends a session by it.
web_session = Table(
    "web_session", metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("token_hash", String(64), unique=True),       # set when the cookie is handed out
    Column("handoff_hash", String(64), unique=True),     # one-time code the cookie route redeems
    Column("handoff_expires_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("ended_by", String(64)),
    Column("client", String(64)),                         # the address seen at sign-in, for the admin
)

# Server-side secrets generated on first use (the cookie-signing key), shared by every app process
# on the same warehouse.
server_secret = Table(
    "server_secret", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
)

# Reporting deadlines (lib/completeness.py): the day of the month after the reported month
# by which a dataset's monthly report is due; dataset '*' is the default for every dataset. An admin
# sets it; without a row the rule is the 10th. A new table: create_all adds it to older warehouses.
report_rule = Table(
    "report_rule", metadata,
    Column("dataset", String(32), primary_key=True),
    Column("deadline_day", Integer, nullable=False),
    Column("updated_by", Text),
    Column("updated_at", DateTime, nullable=False),
)

# What an upload was warned about before its uploader confirmed it (lib/ingest/warnings.py):
# one row per loaded batch that had warnings; ``detail`` is JSON (the first warnings, counts by
# reason). A new table, so older warehouses gain it through create_all without a version step.
upload_warning = Table(
    "upload_warning", metadata,
    Column("batch_id", Integer, primary_key=True, autoincrement=False),
    Column("warnings", Integer, nullable=False),
    Column("detail", Text, nullable=False),
    Column("confirmed_by", Text),
    Column("confirmed_at", DateTime, nullable=False),
)

# Region aliases an admin adds (lib/ingest/progress.py): another name for a region code, such
# as a functional zone with no division code of its own (经开区, 高新区) mapped to the code the
# federation files it under. A new table: create_all adds it to older warehouses.
region_alias = Table(
    "region_alias", metadata,
    Column("alias", String(64), primary_key=True),
    Column("region_code", String(12), nullable=False),
    Column("display_name", Text),  # how exports name the row (the zone's own name), else the region's
    Column("added_by", Text),
    Column("added_at", DateTime, nullable=False),
)

# Cumulative screening progress as published in a 进度表 (lib/warehouse/progress_store.py):
# counts done since the start of the task year up to ``as_of``, against that year's quota, per region
# (district or functional zone) and kind. Never summed with the township-month ``screening`` facts.
screening_progress = Table(
    "screening_progress", metadata,
    Column("region_code", String(12), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("quota", Integer),
    Column("done", Integer, nullable=False),
    Column("batch_id", Integer, nullable=False),
)
Index("ix_screening_progress_batch", screening_progress.c.batch_id)

# The progress rows a later progress load replaced, so a progress batch rolls back exactly
# (lib/warehouse/progress_store.py rollback_progress).
screening_progress_history = Table(
    "screening_progress_history", metadata,
    Column("region_code", String(12), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("quota", Integer),
    Column("done", Integer, nullable=False),
    Column("batch_id", Integer, nullable=False),
    Column("superseded_by", Integer, nullable=False),
    Column("superseded_at", DateTime, nullable=False),
)
Index("ix_screening_progress_history_sup", screening_progress_history.c.superseded_by)


# 督办 follow-up items (lib/followup, lib/warehouse/followup_store.py): something someone is asked
# to do about a region by a date, its progress notes and their attachments. Ids come from
# sequences taken in the INSERT, as audit ids do: two items created at once never share an id.
# Read narrowed by the item's ``region_code``; notes and files through their item's region.
FOLLOWUP_ITEM_ID_SEQ = Sequence("followup_item_id_seq")
FOLLOWUP_NOTE_ID_SEQ = Sequence("followup_note_id_seq")
FOLLOWUP_FILE_ID_SEQ = Sequence("followup_file_id_seq")

followup_item = Table(
    "followup_item", metadata,
    Column("id", Integer, FOLLOWUP_ITEM_ID_SEQ, primary_key=True, autoincrement=False),
    Column("region_code", String(12), nullable=False),
    # indicator / figure / missing_report / upload_warning / text (lib/followup/model.SUBJECT_KINDS)
    Column("subject_kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("indicator_id", String(16)),  # indicator.code, for items raised on a plan indicator
    Column("ref", Text),  # the page or figure it was raised from, e.g. "batch:17"
    Column("asked", Text, nullable=False),
    # exactly one of: an account (app_user.username) or a unit named by its region
    Column("owner_user", String(64)),
    Column("owner_region", String(12)),
    Column("due", Date, nullable=False),
    Column("status", String(8), nullable=False),  # todo / doing / done
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
)
Index("ix_followup_item_region", followup_item.c.region_code).ddl_if(dialect="postgresql")

followup_note = Table(
    "followup_note", metadata,
    Column("id", Integer, FOLLOWUP_NOTE_ID_SEQ, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("status_from", String(8), nullable=False),
    Column("status_to", String(8)),  # NULL: the note changed no status
    Column("created_at", DateTime, nullable=False),
)
Index("ix_followup_note_item", followup_note.c.item_id).ddl_if(dialect="postgresql")

# Attachments are stored in the warehouse itself (at most lib/followup/attachments.MAX_BYTES each),
# so a backup of the warehouse holds them and they are read through the same scope as their item.
followup_file = Table(
    "followup_file", metadata,
    Column("id", Integer, FOLLOWUP_FILE_ID_SEQ, primary_key=True, autoincrement=False),
    Column("item_id", Integer, nullable=False),
    Column("note_id", Integer),
    Column("filename", Text, nullable=False),
    Column("mime", String(80), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
)
Index("ix_followup_file_item", followup_file.c.item_id).ddl_if(dialect="postgresql")


# Rollups (lib/warehouse/rollups.py): the summable facts pre-summed by region prefix at every
# level (country '', province 2, city 4, district 6, township 9 digits), period, urban/rural class of
# the fact's own region ('urban'/'rural'/'' as queries.townships_of_area reads it) and each column a
# page groups by. ``period`` is the first of the month (training, job fairs: held_on truncated), the
# stored month (screening) or the year (targets). Sums are stored as SQL SUM gives them (NULL when
# every value was NULL), ``n`` is the row count. Rewritten in the transaction of every load, rollback
# and demo write, so they always equal the base tables; ``rollup_state`` says they may be read.
def _rollup(name: str, period, dims: list[tuple[str, object]],
            sums: list[tuple[str, object]]) -> Table:
    t = Table(name, metadata,
              Column("level", Integer, nullable=False, quote=True),  # LEVEL is a keyword
              Column("region", String(12), nullable=False),
              Column("period", period, nullable=False),
              Column("area", String(5), nullable=False),
              *[Column(d, typ, nullable=False) for d, typ in dims],
              Column("n", BigInteger, nullable=False),
              *[Column(m, typ) for m, typ in sums])
    # PostgreSQL reads a level's prefix range and periods by btree; DuckDB scans (an ART index would
    # slow the delete + insert of every refresh), as for PG_ONLY_INDEXES.
    Index(f"ix_{name}", t.c.level, t.c.region, t.c.period).ddl_if(dialect="postgresql")
    return t


rollup_training = _rollup(
    "rollup_training", Date, [("topic", String(32)), ("audience", String(32)), ("mode", String(16))],
    [("participants", BigInteger), ("hours", Double)])
rollup_job_fair = _rollup(
    "rollup_job_fair", Date, [("fair_type", String(32))],
    [("employers", BigInteger), ("positions", BigInteger), ("women_attending", BigInteger),
     ("intents", BigInteger), ("hires", BigInteger)])
rollup_screening = _rollup(
    "rollup_screening", Date, [("kind", String(16))],
    [("screened", BigInteger), ("abnormal", BigInteger), ("diagnosed", BigInteger),
     ("treated", BigInteger), ("aided", BigInteger), ("aid_amount_10k_yuan", Double)])
rollup_screening_target = _rollup(
    "rollup_screening_target", Integer, [("kind", String(16))],
    [("eligible_women", BigInteger), ("quota", BigInteger)])

# Village coverage rolled up (lib/warehouse/coverage_rollup.py). Coverage is a state at a
# date (villages with an organisation alive then), not a sum, so it is stored as changes: per region
# prefix at the levels of coverage_rollup.LEVELS, village class ``area`` (queries.village_area) and
# org type, ``d_with`` / ``d_eff`` are how many villages gained (+) or lost (−) an organisation of the
# type (an effective one: active within queries.EFFECTIVE_DAYS) on ``on_day``; the count at a date is
# the sum of the changes up to it. ``org_type`` may also name a ONE_PER_VILLAGE group's first types
# joined by '+' (villages with any of them), which the one-per-village counting needs.
def _coverage_changes(name: str, when: str) -> Table:
    """A table of coverage changes keyed by region level, region, ``when``, class and type."""
    return Table(
        name, metadata,
        Column("level", Integer, nullable=False, quote=True),
        Column("region", String(12), nullable=False),
        Column(when, Date, nullable=False),
        Column("area", String(5), nullable=False),
        Column("org_type", String(100), nullable=False),
        Column("d_with", BigInteger, nullable=False),
        Column("d_eff", BigInteger, nullable=False),
    )


rollup_village_cov = _coverage_changes("rollup_village_cov", "on_day")
Index("ix_rollup_village_cov", rollup_village_cov.c.level, rollup_village_cov.c.region,
      rollup_village_cov.c.on_day).ddl_if(dialect="postgresql")
# a date inside a month reads that month's days at every region of a level (0006)
Index("ix_rollup_village_cov_day", rollup_village_cov.c.level,
      rollup_village_cov.c.on_day).ddl_if(dialect="postgresql")
# The same changes summed by calendar month (``month``: its first day): a date reads the months
# before its own here, ~25× fewer rows than by day, and its own month's days above (0006).
rollup_village_cov_month = _coverage_changes("rollup_village_cov_month", "month")
Index("ix_rollup_village_cov_month", rollup_village_cov_month.c.level,
      rollup_village_cov_month.c.region, rollup_village_cov_month.c.month
      ).ddl_if(dialect="postgresql")
# The villages per region prefix and class: coverage's denominator (rebuilt when regions change).
rollup_villages = Table(
    "rollup_villages", metadata,
    Column("level", Integer, nullable=False, quote=True),
    Column("region", String(12), nullable=False),
    Column("area", String(5), nullable=False),
    Column("villages", BigInteger, nullable=False),
)

# dataset (as FACT_TABLES names it) → its rollup
ROLLUP_BY_DATASET: dict[str, Table] = {
    "training": rollup_training, "job_fair": rollup_job_fair, "screening": rollup_screening,
    "screening_target": rollup_screening_target}

# One row (id 1): the data version (data_state.version) at which the rollups last equalled the base
# tables. Pages read rollups only while it is the current version, so a write that bypasses the
# rollups (a foreign write transaction) sends them back to the base tables, never to stale sums; the
# next load rebuilds (lib/warehouse/rollups.py). Written here when the table is created in a
# warehouse without facts: its empty rollups are exact. A warehouse that had facts before the rollups
# existed is read from the base tables until rollups.rebuild runs (its migration, or its next load).
rollup_state = Table(
    "rollup_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("built_at", DateTime, nullable=False),
)


@event.listens_for(metadata, "after_create")
def _rollups_exact_when_empty(target, connection, tables=(), **kw) -> None:
    """A new rollup_state in a warehouse without facts: the (empty) rollups are exact already."""
    if rollup_state not in tables:
        return
    for table in FACT_TABLES.values():
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            return
    version = connection.execute(select(data_state.c.version).where(data_state.c.id == 1)
                                 ).scalar_one_or_none()
    connection.execute(insert(rollup_state).values(
        id=1, version=version or 0, built_at=dt.datetime.now().replace(microsecond=0)))
