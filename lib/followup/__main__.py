"""``python -m lib.followup``: assign, list, note and close 督办 follow-up items from the console.

Without ``--user`` the command acts as the console (the whole warehouse, audited as "console");
with ``--user NAME`` as that active account, inside its scope and with its role. Exit status as
every command's (lib/cli.py): 0 done, 2 refused (one line on stderr, English / 中文; nothing
written) or a malformed command line.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from lib import cli, clock
from lib.auth.accounts import active_user, login_name
from lib.followup import service
from lib.followup.model import STATUSES, SUBJECT_KINDS
from lib.followup.service import CONSOLE
from lib.i18n import t
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.scope import ScopeError

REFUSED = cli.REFUSED


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = cli.parser("lib.followup", "Assign, list, note and close 督办 follow-up items from the "
                                   "console.")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    commands = []

    def common(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--user", help="act as this account (its role and scope); default: the "
                                        "console, the whole warehouse")
        commands.append(cmd)

    add = sub.add_parser("add", help="assign an item")
    add.add_argument("--region", required=True, help="12-digit region code the item is about")
    add.add_argument("--subject", required=True, help="the title, e.g. 两癌筛查覆盖率 有风险")
    add.add_argument("--indicator", help="plan indicator code (e.g. H03): the item is about it")
    add.add_argument("--kind", choices=SUBJECT_KINDS,
                     help="what it is about (default: indicator with --indicator, else text)")
    add.add_argument("--ref", help="the page or figure it was raised from")
    add.add_argument("--asked", default="", help="what is asked")
    owner = add.add_mutually_exclusive_group(required=True)
    owner.add_argument("--owner", help="the owning account")
    owner.add_argument("--owner-region", help="or the owning unit, by its 12-digit region code")
    add.add_argument("--due", required=True, type=_date, help="due date YYYY-MM-DD")
    add.add_argument("--json", action="store_true", help="print the new item as a JSON line")
    common(add)

    ls = sub.add_parser("list", help="list items, overdue first")
    ls.add_argument("--region", help="only items inside this region (12-digit code)")
    ls.add_argument("--status", choices=[*STATUSES, "overdue"],
                    help="only items of this status; overdue: open and past their due date")
    ls.add_argument("--view", choices=["all", "mine", "assigned"], default="all",
                    help="mine: owned by --user; assigned: created by --user")
    ls.add_argument("--json", action="store_true", help="one JSON object a line")
    common(ls)

    note = sub.add_parser("note", help="add a progress note to an item")
    note.add_argument("id", type=int, help="the item's number, as list shows it")
    note.add_argument("text", help="the note")
    note.add_argument("--status", choices=["doing", "done"], help="also move the item to it")
    note.add_argument("--attach", type=Path, help="a CSV, XLSX, PDF, PNG or JPG file (≤ 5 MB)")
    common(note)

    close = sub.add_parser("close", help="close an item (已办结)")
    close.add_argument("id", type=int, help="the item's number, as list shows it")
    close.add_argument("--note", help="a closing note")
    common(close)
    cli.add_db(p, *commands)
    return p


def _refuse(en: str, zh: str) -> int:
    return cli.refuse(" ".join(f"{en} / {zh}".split()))  # one line, whatever the detail held


def _actor(engine, name: str | None):
    if name is None:
        return CONSOLE
    user = active_user(engine, name) if login_name(name) else None
    return user


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    engine = open_warehouse(args.db)
    actor = _actor(engine, args.user)
    if actor is None:
        return _refuse(f"no active account {args.user!r}", f"没有有效账户 {args.user}")
    try:
        return _run(engine, actor, args)
    except service.FollowupRefused as exc:
        detail = f" ({exc.detail})" if exc.detail else ""
        return _refuse(t(exc.reason_key, "en") + detail, t(exc.reason_key, "zh"))
    except ScopeError:
        return _refuse(t("fu_scope_refused", "en"), t("fu_scope_refused", "zh"))
    except LookupError:
        return _refuse(t("fu_not_found", "en"), t("fu_not_found", "zh"))
    except OSError as exc:
        return _refuse(f"cannot read {exc.filename}: {exc.strerror}", "无法读取该文件")


def _run(engine, actor, args) -> int:
    today = clock.today()
    if args.cmd == "add":
        kind = args.kind or ("indicator" if args.indicator else "text")
        item = service.create(engine, actor, region_code=args.region, subject=args.subject,
                              due=args.due, asked=args.asked, subject_kind=kind,
                              indicator=args.indicator, ref=args.ref, owner=args.owner,
                              owner_region=args.owner_region)
        if args.json:
            print(json.dumps(item.as_json(today), ensure_ascii=False))
        else:
            print(f"added follow-up {item.id}: {item.region_name} · {item.subject} · "
                  f"due {item.due.isoformat()}")
        return cli.OK
    if args.cmd == "list":
        status = None if args.status in (None, "overdue") else args.status
        items = service.list_items(engine, actor, view=args.view, status=status,
                                   region_code=args.region, overdue_only=args.status == "overdue",
                                   today=today)
        for item in items:
            if args.json:
                print(json.dumps(item.as_json(today), ensure_ascii=False))
            else:
                owner = item.owner or item.owner_region_name or ""
                print(f"{item.id}\t{item.status_text(today, 'zh')}\t{item.due.isoformat()}\t"
                      f"{item.region_name}\t{owner}\t{item.subject}")
        return cli.OK
    if args.cmd == "note":
        attachment = (args.attach.name, args.attach.read_bytes()) if args.attach else None
        note = service.add_note(engine, actor, args.id, args.text, status=args.status,
                                attachment=attachment)
        moved = f" ({note.status_from} → {note.status_to})" if note.status_to else ""
        print(f"note {note.id} added to follow-up {args.id}{moved}")
        return cli.OK
    item = service.close(engine, actor, args.id, args.note)
    print(f"closed follow-up {item.id} at {item.closed_at:%Y-%m-%d %H:%M}")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
