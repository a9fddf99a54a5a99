"""Accounts at the console: ``python -m lib.users add|list|disable|reset-password``.

Passwords are read from standard input (getpass on a terminal, else one line), never from the
command line, where they would end up in shell history and the process list.
"""
from __future__ import annotations

import getpass
import sys

from lib import cli
from lib.auth import accounts
from lib.auth.passwords import PasswordPolicyError
from lib.i18n import t
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.scope import Scope


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("again / 再输入一次: ") != first:
            raise accounts.AccountError("pw_mismatch")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _message(code: str) -> str:
    return f"{t(code, 'zh')} / {t(code, 'en')}"


NAME_HELP = "the account's name (for single sign-on, its email)"


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.users", "Add, list and disable accounts, and reset passwords; "
                                     "passwords are read from standard input, never the command line.")
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="add an account (password from standard input)")
    add.add_argument("username", help=NAME_HELP)
    add.add_argument("--role", required=True, choices=accounts.ROLES,
                     help="viewer: dashboards; analyst: + uploads; admin: + accounts and links")
    add.add_argument("--scope", required=True, help="12-digit region code, e.g. 350111000000")
    listing = sub.add_parser("list", help="list the accounts")
    disable = sub.add_parser("disable", help="disable an account (its sessions end)")
    disable.add_argument("username", help=NAME_HELP)
    reset = sub.add_parser("reset-password",
                           help="set a new password (from standard input); the account's sessions end")
    reset.add_argument("username", help=NAME_HELP)
    cli.add_db(parser, add, listing, disable, reset)
    args = parser.parse_args(argv)
    engine = open_warehouse(args.db)
    try:
        if args.cmd == "add":
            pw = _read_password(f"password for {args.username}: ")
            accounts.create_user(engine, args.username, pw, args.role, args.scope, by="console")
            print(f"added {args.username} ({args.role}, {args.scope})")
        elif args.cmd == "list":
            frame = accounts.list_users(engine, within=Scope.everything())  # the console
            print(frame.to_string(index=False) if not frame.empty else "(no accounts)")
        elif args.cmd == "disable":
            accounts.disable_user(engine, args.username, by="console")
            print(f"disabled {args.username}")
        else:
            if accounts.get_user(engine, args.username) is None:
                raise accounts.AccountError("no_such_user", args.username)
            pw = _read_password(f"new password for {args.username}: ")
            accounts.set_password(engine, args.username, pw, by="console")
            print(f"password reset for {args.username}")
    except (accounts.AccountError, PasswordPolicyError) as exc:
        return cli.refuse(_message(exc.code))
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
