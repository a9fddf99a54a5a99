"""``python -m lib.ingest``: load, dry-run, list and roll back batches; write templates.

Same code path as the upload page. Exit codes: 0 loaded / unchanged / done, 2 refused, 1 usage error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.ingest.specs import DATASETS
from lib.warehouse.engine import DB_HELP

REFUSED = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lib.ingest", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    load = sub.add_parser("load", help="load a CSV/XLSX file: load FILE --dataset NAME "
                                       "(or load DATASET FILE)")
    load.add_argument("args", nargs="+", metavar="[DATASET] FILE")
    load.add_argument("--dataset", choices=sorted(DATASETS))
    load.add_argument("--sheet")
    load.add_argument("--mode", choices=["upsert", "replace"], default="upsert")
    load.add_argument("--replace", action="store_true", help="same as --mode replace")
    load.add_argument("--dry-run", action="store_true")
    load.add_argument("--strict", action="store_true",
                      help="treat warnings (outliers, ratios over 100 %%, targets below what is done, "
                           "duplicate rows, future months) as refusals")
    load.add_argument("--scope", default="", help="region-code prefix the load is limited to")
    load.add_argument("--user", default="cli")
    load.add_argument("--db", help=DB_HELP)
    rb = sub.add_parser("rollback", help="roll a batch back")
    rb.add_argument("batch_id", type=int)
    rb.add_argument("--db", help=DB_HELP)
    rb.add_argument("--user", default="cli")
    rb.add_argument("--scope", default="")
    bt = sub.add_parser("batches", help="list the batches")
    bt.add_argument("--db", help=DB_HELP)
    bt.add_argument("--json", action="store_true")
    tp = sub.add_parser("template", help="write a template workbook")
    tp.add_argument("dataset", choices=sorted(DATASETS))
    tp.add_argument("out", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == "template":
        from lib.ingest.templates import template_xlsx
        args.out.write_bytes(template_xlsx(args.dataset))
        print(f"wrote {args.out}")
        return 0
    from lib.warehouse.bootstrap import open_warehouse
    engine = open_warehouse(args.db)
    if args.cmd == "batches":
        return _batches(engine, args.json)
    if args.cmd == "rollback":
        return _rollback(engine, args)
    return _load(engine, args)


def _account_scope(engine, args) -> str | None:
    """With --user NAME and accounts in the warehouse, load as that account: an active analyst or
    admin, narrowed to the account's scope (a --scope may narrow it further, never widen it).
    Returns the scope, or None after printing a refusal."""
    from lib.auth.users import active_user, has_users
    from lib.ingest.regions_match import scope_prefix

    requested = scope_prefix(args.scope)
    if args.user == "cli" or not has_users(engine):
        return requested
    user = active_user(engine, args.user)
    if user is None or not user.may("analyst", "admin"):
        print(f"refused: user {args.user!r} is not an active analyst or admin / "
              f"用户 {args.user} 不是有效的数据分析员或管理员", file=sys.stderr)
        return None
    own = user.scope_prefix
    if requested and requested.startswith(own):
        return requested
    if requested and not own.startswith(requested):
        print(f"refused: scope {requested} is outside {args.user}'s scope {own} / "
              f"超出该用户的权限范围", file=sys.stderr)
        return None
    return own


def _load(engine, args) -> int:
    from lib.ingest.api import load_prepared, prepare_upload

    dataset, files = args.dataset, list(args.args)
    if len(files) == 2 and files[0] in DATASETS:
        dataset = files.pop(0)
    if len(files) != 1:
        print("usage: load FILE --dataset NAME  (or load DATASET FILE)", file=sys.stderr)
        return 1
    path = Path(files[0])
    try:
        data = path.read_bytes()
        scope = _account_scope(engine, args)
    except (OSError, ValueError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return REFUSED
    if scope is None:
        return REFUSED
    prepared = prepare_upload(engine, data, path.name, dataset=dataset, sheet=args.sheet,
                              scope=scope)
    del data  # the file's bytes (80 MB for a million rows) are not needed for the load itself
    if prepared.guessed:
        print(f"dataset guessed from the headers: {prepared.dataset}")
    for note in prepared.notes.itertuples(index=False):
        print(f"note: {note.problem_en} / {note.problem_zh}")
    mode = "replace" if args.replace else args.mode
    outcome = load_prepared(engine, prepared, mode=mode, user=args.user, dry_run=args.dry_run,
                            strict=args.strict)
    print(outcome.message_en)
    print(outcome.message_zh)
    if outcome.ok:  # refused under --strict: the warnings are listed below as the problems
        for w in outcome.warnings.itertuples(index=False):
            row = "" if w.row is None or str(w.row) == "<NA>" else f"row {w.row} "
            print(f"  warning: {row}{w.region_name} — {w.warning_en} / {w.warning_zh}")
        if outcome.warnings_total > len(outcome.warnings):
            print(f"  … {outcome.warnings_total} warnings in all")
    verb = "retires" if args.dry_run else "retired"
    for r in outcome.retiring.itertuples(index=False):  # replace mode: what leaves, and where
        kind = f" {r.kind}" if r.kind else ""
        print(f"  {verb} {r.rows} rows: {r.region_name} ({r.region_code}) {r.period}{kind}")
    if not outcome.ok:
        for p in outcome.problems.itertuples(index=False):
            row = "" if p.row is None or str(p.row) == "<NA>" else f"row {p.row} "
            col = f"[{p.column}] " if p.column else ""
            print(f"  {row}{col}{p.value!s:.40} — {p.problem_en} / {p.problem_zh}",
                  file=sys.stderr)
        return REFUSED
    return 0


def _rollback(engine, args) -> int:
    """As the account --user names (its role and scope) when accounts exist; else as the operator,
    who holds the database anyway and rolls back as an admin of --scope."""
    from lib.auth.users import get_user, has_users
    from lib.warehouse.batches import RollbackRefused, rollback_batch

    scope = _account_scope(engine, args)
    if scope is None:
        return REFUSED
    operator = args.user == "cli" or not has_users(engine)
    role = "admin" if operator else get_user(engine, args.user).role
    try:
        r = rollback_batch(engine, args.batch_id, user=args.user, scope=scope, role=role)
    except RollbackRefused as exc:
        print(f"refused: {exc.en}\n{exc.zh}", file=sys.stderr)
        return REFUSED
    print(f"rolled back batch {r.batch_id}: {r.removed} rows removed, {r.restored} restored")
    return 0


def _batches(engine, as_json: bool) -> int:
    from lib.warehouse.batches import list_batches

    frame = list_batches(engine)
    if as_json:
        cols = ["batch_id", "dataset", "filename", "status", "rows_read", "rows_loaded",
                "rows_rejected", "mode", "is_demo", "uploaded_by", "uploaded_at", "warnings"]
        records = json.loads(frame[cols].to_json(orient="records", date_format="iso",
                                                 force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        print(frame.drop(columns=["sha256"]).to_string(index=False) if len(frame)
              else "no batches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
