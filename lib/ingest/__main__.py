"""``python -m lib.ingest``: load, dry-run, list and roll back batches; write templates.

Same code path as the upload page, for scheduled loads. Exit status as every command's (lib/cli.py):
0 loaded, unchanged or done; 2 refused (nothing written) or wrong usage.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from lib import cli
from lib.auth.accounts import active_user, get_user, has_users
from lib.ingest.api import load_prepared, prepare_upload
from lib.ingest.progress import looks_like_progress, upload_progress
from lib.ingest.regions_match import scope_prefix
from lib.ingest.specs import DATASETS
from lib.ingest.templates import TEMPLATE_WRITERS
from lib.warehouse.batches import RollbackRefused, list_batches
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.progress_store import add_alias
from lib.warehouse.progress_store import rollback_any as rollback_batch  # progress batches too
from lib.warehouse.scope import Scope

REFUSED = cli.REFUSED


def _parser() -> argparse.ArgumentParser:
    p = cli.parser("lib.ingest", "Load a ledger (CSV or XLSX) into the warehouse as the upload page "
                                 "does, list and roll back batches, add region aliases, write "
                                 "templates.")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    load = sub.add_parser("load", help="load a CSV/XLSX file: load FILE --dataset NAME "
                                       "(or load DATASET FILE)")
    load.add_argument("args", nargs="+", metavar="[DATASET] FILE",
                      help="the CSV or XLSX ledger, optionally after its dataset")
    load.add_argument("--dataset", choices=sorted([*DATASETS, "progress"]),
                      help="progress: a published 进度表 (two-row header, 合计 first); "
                           "detected when not given")
    load.add_argument("--as-of", type=dt.date.fromisoformat,
                      help="progress tables: the as-of date (YYYY-MM-DD) when the title has none")
    load.add_argument("--sheet", help="the workbook's sheet to read (default: the first); a refusal "
                                      "names the sheets that hold data")
    load.add_argument("--mode", choices=["upsert", "replace"], default="upsert",
                      help="upsert (default): add and correct rows by key; replace: also retire the "
                           "rows the ledger no longer has, inside the groups the file holds")
    load.add_argument("--replace", action="store_true", help="same as --mode replace")
    load.add_argument("--dry-run", action="store_true",
                      help="check and report what would change; write nothing")
    load.add_argument("--strict", action="store_true",
                      help="treat warnings (outliers, ratios over 100 %%, targets below what is done, "
                           "duplicate rows, future months) as refusals")
    load.add_argument("--scope", default="", help=SCOPE_HELP)
    load.add_argument("--user", default="cli", help=USER_HELP)
    rb = sub.add_parser("rollback", help="roll a batch back")
    rb.add_argument("batch_id", type=int, help="the batch's number, as `batches` lists it")
    rb.add_argument("--user", default="cli", help=USER_HELP)
    rb.add_argument("--scope", default="", help=SCOPE_HELP)
    bt = sub.add_parser("batches", help="list the batches")
    bt.add_argument("--json", action="store_true", help="print the list as JSON")
    al = sub.add_parser("alias", help="name a region also ALIAS (a functional zone such as 经开区 "
                                      "in progress tables): alias ALIAS CODE [--name NAME]")
    al.add_argument("alias", help="the other name, e.g. 经开区")
    al.add_argument("code", help="12-digit region code the alias stands for")
    al.add_argument("--name", help="how exports name it (e.g. 福州经济技术开发区)")
    al.add_argument("--user", default="cli", help=USER_HELP)
    al.add_argument("--scope", default="", help=SCOPE_HELP)
    tp = sub.add_parser("template", help="write a template: OUT.csv (UTF-8 with BOM) or OUT.xlsx")
    tp.add_argument("dataset", choices=sorted(DATASETS), help="the dataset whose headers it holds")
    tp.add_argument("out", type=Path, help="the file to write, ending in .csv or .xlsx")
    cli.add_db(p, load, rb, bt, al)
    return p


SCOPE_HELP = "region-code prefix the command is limited to (default: the whole warehouse, or --user's)"
USER_HELP = ("act as this account: an active analyst or admin, inside its scope (default: cli, the "
             "console, which holds the whole warehouse)")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.cmd == "load" and not (len(args.args) == 1 or len(args.args) == 2 and (
            args.args[0] in DATASETS or args.args[0] == "progress")):
        parser.error("load FILE --dataset NAME, or load DATASET FILE")  # exits 2, as usage errors do
    if args.cmd == "template":
        write = TEMPLATE_WRITERS.get(args.out.suffix.lower())
        if write is None:
            return cli.refuse(f"{args.out} — a template is written as .csv (UTF-8 text) or .xlsx; "
                              f"name the file so / 模板只能保存为 .csv 或 .xlsx 文件")
        args.out.write_bytes(write(args.dataset))
        print(f"wrote {args.out}")
        return cli.OK
    engine = open_warehouse(args.db)
    if args.cmd == "batches":
        return _batches(engine, args.json)
    if args.cmd == "rollback":
        return _rollback(engine, args)
    if args.cmd == "alias":
        return _alias(engine, args)
    return _load(engine, args)


def _account_scope(engine, args) -> Scope | None:
    """With --user NAME and accounts in the warehouse, load as that account: an active analyst or
    admin, narrowed to the account's scope (a --scope may narrow it further, never widen it).
    Without, the console holds the whole warehouse (or --scope). Returns the scope, or None after
    printing a refusal."""
    requested = scope_prefix(args.scope)
    try:
        if requested:
            Scope(requested)  # a whole level's prefix (2, 4, 6, 9 or 12 digits), else refused
    except ValueError as exc:
        cli.refuse(str(exc))
        return None
    if args.user == "cli" or not has_users(engine):
        return Scope(requested) if requested else Scope.everything()  # the console's
    user = active_user(engine, args.user)
    if user is None or not user.may("analyst", "admin"):
        cli.refuse(f"user {args.user!r} is not an active analyst or admin / "
                   f"用户 {args.user} 不是有效的数据分析员或管理员")
        return None
    own = user.scope
    if requested and own.contains(requested):
        return Scope(requested)
    if requested and not Scope(requested).covers(own):
        cli.refuse(f"scope {requested} is outside {args.user}'s scope {own.prefix} / "
                   f"超出该用户的权限范围")
        return None
    return own


def _load(engine, args) -> int:
    dataset, path = args.dataset, Path(args.args[-1])
    if len(args.args) == 2:
        dataset = args.args[0]
    try:
        data = path.read_bytes()
        scope = _account_scope(engine, args)
    except (OSError, ValueError) as exc:
        return cli.refuse(str(exc))
    if scope is None:
        return REFUSED
    if dataset == "progress" or dataset is None and _is_progress(data, path.name, args.sheet):
        return _load_progress(engine, args, data, path.name, scope)
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
    if outcome.ok:
        print(outcome.message_en)
        print(outcome.message_zh)
    else:
        cli.refuse(f"{outcome.message_en} / {outcome.message_zh}")
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
    return cli.OK


def _alias(engine, args) -> int:
    scope = _account_scope(engine, args)
    if scope is None:
        return REFUSED
    if args.user != "cli" and has_users(engine) and not active_user(engine, args.user).may("admin"):
        return cli.refuse("only an admin adds region aliases / 只有管理员可以添加地区别名")
    try:
        add_alias(engine, args.alias, args.code, display_name=args.name, user=args.user,
                  scope=scope)
    except (ValueError, PermissionError) as exc:
        return cli.refuse(str(exc))
    print(f"alias {args.alias} → {args.code}")
    return cli.OK


def _is_progress(data: bytes, filename: str, sheet: str | None) -> bool:
    return looks_like_progress(data, filename, sheet)


def _load_progress(engine, args, data: bytes, filename: str, scope: Scope) -> int:
    """A published progress table (lib/ingest/progress.py): stored as cumulative progress."""
    print("dataset: progress (进度表)")
    outcome = upload_progress(engine, data, filename, scope=scope, user=args.user,
                              dry_run=args.dry_run, strict=args.strict, as_of=args.as_of,
                              sheet=args.sheet)
    if outcome.ok:
        print(outcome.message_en)
        print(outcome.message_zh)
    else:
        cli.refuse(f"{outcome.message_en} / {outcome.message_zh}")
    for w in outcome.warnings.itertuples(index=False):
        row = "" if w.row is None or str(w.row) in ("<NA>", "nan") else f"row {int(w.row)} "
        print(f"  warning: {row}{w.warning_en} / {w.warning_zh}")
    if not outcome.ok:
        for p in outcome.problems.itertuples(index=False):
            row = "" if p.row is None or str(p.row) == "<NA>" else f"row {p.row} "
            col = f"[{p.column}] " if p.column else ""
            print(f"  {row}{col}{p.value!s:.40} — {p.problem_en} / {p.problem_zh}",
                  file=sys.stderr)
        return REFUSED
    return cli.OK


def _rollback(engine, args) -> int:
    """As the account --user names (its role and scope) when accounts exist; else as the operator,
    who holds the database anyway and rolls back as an admin of --scope."""
    scope = _account_scope(engine, args)
    if scope is None:
        return REFUSED
    operator = args.user == "cli" or not has_users(engine)
    role = "admin" if operator else get_user(engine, args.user).role
    try:
        r = rollback_batch(engine, args.batch_id, user=args.user, scope=scope, role=role)
    except RollbackRefused as exc:
        return cli.refuse(f"{exc.en} / {exc.zh}")
    print(f"rolled back batch {r.batch_id}: {r.removed} rows removed, {r.restored} restored")
    return cli.OK


def _batches(engine, as_json: bool) -> int:
    frame = list_batches(engine, Scope.everything())  # the console lists every batch
    if as_json:
        cols = ["batch_id", "dataset", "filename", "status", "rows_read", "rows_loaded",
                "rows_rejected", "mode", "is_demo", "uploaded_by", "uploaded_at", "warnings"]
        records = json.loads(frame[cols].to_json(orient="records", date_format="iso",
                                                 force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        print(frame.drop(columns=["sha256"]).to_string(index=False) if len(frame)
              else "no batches")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
