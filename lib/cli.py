"""What every ``python -m lib.…`` command shares: its parser, the ``--db`` option, how it says no,
and its exit status.

An operator who schedules a load or an upgrade reads two things: the exit status and one line on
standard error. Each command used to word them its own way (a usage error was 1 in one command and 2
in the next, a refusal ``error: …`` in one and ``refused: …`` in another), so a script had to know
which command it ran. Here, for all of them:

- exit status 0: done, including "nothing to do"; 1: it ran and failed (a build step, an import
  that matched nothing); 2: refused (bad input, a rule, a warehouse file held by the app) or wrong
  usage (argparse's own status);
- a refusal is one line on standard error starting ``refused:``; lines that detail it (a file's
  problems, row by row) may follow. A failure starts ``failed:``;
- ``--db URL`` has one help text, and may stand before or after a subcommand; without it the
  warehouse is found as the app finds it (lib/settings.py), the PostgreSQL schema included.
"""
from __future__ import annotations

import argparse
import sys

OK, FAILED, REFUSED = 0, 1, 2

DB_HELP = ("the warehouse's SQLAlchemy URL (default: HALFSKY_DB_URL, else [connections.warehouse] "
           "url in .streamlit/secrets.toml, else data/warehouse.duckdb); on PostgreSQL the schema "
           "is HALFSKY_DB_SCHEMA, as in the app")
EXIT_STATUS = ("exit status: 0 done, 1 failed, 2 refused or wrong usage; a refusal is one line on "
               "standard error starting 'refused:'")


def parser(module: str, description: str, *, epilog: str = "", **kwargs) -> argparse.ArgumentParser:
    """The parser of ``python -m MODULE``, closing its --help with ``epilog`` and the exit statuses."""
    return argparse.ArgumentParser(prog=f"python -m {module}", description=description,
                                   epilog=f"{epilog} {EXIT_STATUS}" if epilog else EXIT_STATUS,
                                   **kwargs)


def add_db(parser: argparse.ArgumentParser, *subcommands: argparse.ArgumentParser) -> None:
    """``--db URL`` on the command and on each of ``subcommands`` that opens the warehouse, so
    ``python -m lib.users --db URL list`` and ``python -m lib.users list --db URL`` both work.
    A subcommand's copy sets nothing unless given, so it never hides the command's own."""
    parser.add_argument("--db", metavar="URL", default=None, help=DB_HELP)
    for sub in subcommands:
        sub.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)


def refuse(message: str) -> int:
    """Say no on one line of standard error; the status to exit with."""
    print(f"refused: {message}", file=sys.stderr)
    return REFUSED


def fail(message: str) -> int:
    """Say it failed on one line of standard error; the status to exit with."""
    print(f"failed: {message}", file=sys.stderr)
    return FAILED
