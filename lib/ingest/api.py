"""What the upload page and the CLI call: prepare a file against a warehouse, then load or dry-run it.

Both run the same code path; a refusal (problems, out-of-scope rows) writes nothing but an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from lib.ingest.messages import problem, problems_frame, text
from lib.ingest.pipeline import Prepared, prepare
from lib.ingest.readers import Limits
from lib.ingest.specs import DATASETS
from lib.ingest.warnings import Warnings, gather
from lib.warehouse.batches import audit_only
from lib.warehouse.loading import (RETIRING_COLUMNS, Counts, LoadRefused, eligible_frame,
                                   load_batch)
from lib.warehouse.reference import indicators_frame, regions_frame
from lib.warehouse.scope import Scope


@dataclass
class Outcome:
    """The result of one load attempt, ready to show: status, batch, counts, problems, a message."""
    status: str  # loaded / unchanged / dry_run / refused
    batch_id: int | None = None
    counts: Counts = field(default_factory=Counts)
    problems: pd.DataFrame = field(default_factory=lambda: problems_frame([]))
    message_zh: str = ""
    message_en: str = ""
    # replace mode: the rows that retire (or retired), by region, period (YYYY-MM / year) and kind
    retiring: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RETIRING_COLUMNS))
    # what the file was warned about (the first of each reason) and how many warnings in all
    warnings: pd.DataFrame = field(default_factory=lambda: Warnings().frame)
    warnings_total: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "refused"


def prepare_upload(engine: Engine, data: bytes, filename: str, *, dataset: str | None = None,
                   sheet: str | None = None, scope: Scope, limits: Limits = Limits()) -> Prepared:
    """Read and check an upload against this warehouse's regions, indicators and screening targets,
    as an uploader of ``scope`` (rows outside it are problems of the file)."""
    eligible = eligible_frame(engine, scope) if dataset in (None, "screening") else None
    regions = regions_frame(engine)
    prepared = prepare(data, filename, regions=regions, dataset=dataset, sheet=sheet,
                       scope=scope, indicators=indicators_frame(engine), eligible=eligible,
                       limits=limits)
    if prepared.ok:  # warnings compare a loadable file with the warehouse's own history
        prepared.warnings = gather(engine, prepared.frame, prepared.dataset, _headers(prepared),
                                   scope=prepared.scope, totals=prepared.totals,
                                   regions=regions[["code", "name"]])
    del regions
    return prepared


def _headers(prepared: Prepared) -> dict[str, str]:
    """Canonical column → the file's own header."""
    return {c: h for h, c in zip(prepared.mapping["header"], prepared.mapping["column"]) if c}


def load_prepared(engine: Engine, prepared: Prepared, *, mode: str = "upsert",
                  user: str | None = None, dry_run: bool = False, strict: bool = False,
                  fail_after_rows: int | None = None) -> Outcome:
    """Load a prepared file as one batch (or count what a load would do); refusals are audited.

    The file's warnings do not block a load, and are kept with the batch and the user who confirmed
    it; with ``strict`` they are refusals."""
    if not prepared.ok:
        return _refused(engine, prepared, user, prepared.problems, dry_run)
    warned = prepared.warnings
    if strict and warned.total:
        problems = problems_frame([{"row": r.row, "column": r.column, "value": r.value,
                                    "problem_zh": r.warning_zh, "problem_en": r.warning_en}
                                   for r in warned.frame.itertuples(index=False)])
        out = _refused(engine, prepared, user, problems, dry_run)
        out.message_zh, out.message_en = text("strict_refused", n=warned.total)
        return _with_warnings(out, warned)
    try:
        result = load_batch(engine, {prepared.dataset: prepared.frame}, mode=mode,
                            scope=prepared.scope, user=user, filename=prepared.filename,
                            sha256=prepared.sha256, rows_read=prepared.rows_read, dry_run=dry_run,
                            carried={prepared.dataset: carried_columns(prepared)},
                            warnings=(warned.total, warned.detail()) if warned.total else None,
                            fail_after_rows=fail_after_rows)
    except LoadRefused as exc:
        return _refused(engine, prepared, user, _refusal_problems(prepared, exc), dry_run)
    c = result.counts
    key = {"loaded": "load_done", "unchanged": "load_unchanged", "dry_run": "load_plan"}[result.status]
    zh, en = text(key, batch=result.batch_id, added=c.added, replaced=c.replaced,
                  unchanged=c.unchanged, retired=c.retired)
    if warned.total:
        wzh, wen = text("load_warned", n=warned.total)
        zh, en = f"{zh}{wzh}", f"{en} {wen}"
    if result.status == "unchanged" and not dry_run:
        audit_only(engine, user, "load_unchanged", {"filename": prepared.filename,
                                                    "sha256": prepared.sha256,
                                                    "rows": c.unchanged})
    return _with_warnings(Outcome(result.status, result.batch_id, c, problems_frame([]), zh, en,
                                  result.retiring), warned)


def _with_warnings(out: Outcome, warned: Warnings) -> Outcome:
    out.warnings, out.warnings_total = warned.frame, warned.total
    return out


def carried_columns(prepared: Prepared) -> set[str]:
    """The table columns the file really had: its mapped headers, the region, and an id derived
    when the ledger had none. Every other column keeps the warehouse's value on an update."""
    mapped = {c for c in prepared.mapping["column"] if c}
    spec = DATASETS.get(prepared.dataset)
    derived = {spec.id_column} if spec is not None and spec.id_column else set()
    return mapped | derived | {"region_code"}


def _refusal_problems(prepared: Prepared, exc: LoadRefused) -> pd.DataFrame:
    """The loader's refusal as problems on the file's rows, under the file's own headers."""
    if not exc.problems:
        return problems_frame([problem(r, "", "", "out_of_scope", n=len(exc.rows),
                                       scope=prepared.scope.prefix) for r in exc.rows])
    header = {c: h for h, c in zip(prepared.mapping["header"], prepared.mapping["column"]) if c}
    return problems_frame([{"row": p["row"], "column": header.get(p["column"], p["column"]),
                            "value": "" if p["value"] is None else str(p["value"]),
                            "problem_zh": p["zh"], "problem_en": p["en"]} for p in exc.problems])


def _refused(engine: Engine, prepared: Prepared, user: str | None, problems: pd.DataFrame,
             dry_run: bool) -> Outcome:
    if not dry_run:
        audit_only(engine, user, "refusal", {"filename": prepared.filename,
                                             "dataset": prepared.dataset,
                                             "sha256": prepared.sha256,
                                             "problems": len(problems),
                                             "first": problems["problem_en"].head(3).tolist()})
    zh, en = text("load_refused", n=len(problems))
    return Outcome("refused", None, Counts(), problems, zh, en)
