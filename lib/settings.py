"""Every HALFSKY_* setting, declared once: the only module that reads them from the environment.

Each setting is a declaration (name, kind, default, one-line help, whether it is a secret) that the
accessors, ``python -m lib.settings`` and README's configuration table all read, so a setting cannot
be used without being documented. Values are read when an accessor is called, never at import:
tests and the benchmarks change the environment of a running process.

``python -m lib.settings`` prints the effective settings and where each comes from, with secrets
shown only as "set"/"not set"; ``--markdown`` prints README's configuration table.

Adding a setting: declare it in ``SETTINGS``, add a typed accessor, paste ``--markdown`` into README.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from sqlalchemy.engine import make_url

from lib import cli

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_URL = f"duckdb:///{PROJECT_ROOT / 'data' / 'warehouse.duckdb'}"
TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Setting:
    """One environment variable the app honours. ``default`` is how the default reads in the
    documentation; ``toml_key`` is its path in .streamlit/secrets.toml when it may be set there."""

    name: str
    kind: str  # "url" | "text" | "flag" | "date" | "secret", as shown in the table
    default: str
    help: str
    secret: bool = False
    toml_key: tuple[str, ...] = ()


DB_URL = Setting(
    "HALFSKY_DB_URL", "url", "`duckdb:///data/warehouse.duckdb`",
    "The warehouse (SQLAlchemy URL; PostgreSQL is a change of URL only), else "
    "`[connections.warehouse] url` in `.streamlit/secrets.toml` (see `secrets.toml.example`); "
    "every `python -m lib.…` command reads it as the app does",
    toml_key=("connections", "warehouse", "url"))
DB_SCHEMA = Setting(
    "HALFSKY_DB_SCHEMA", "text", "the user's default",
    "The PostgreSQL schema (search_path) of the warehouse; every `python -m lib.…` command reads it "
    "as the app does")
NO_DEMO = Setting(
    "HALFSKY_NO_DEMO", "flag", "demo is built when the warehouse has no facts",
    "`1` (or true/yes/on): never build the demo on first start")
SETUP_CODE = Setting(
    "HALFSKY_SETUP_CODE", "secret",
    "a random code per process, printed in the server's log as "
    "`halfsky first-admin setup code: …` while no account exists",
    "The first-admin setup code; when set, it IS the code and is not logged (unattended installs, "
    "several processes)", secret=True)
COOKIE_SECRET = Setting(
    "HALFSKY_COOKIE_SECRET", "secret", "a random key kept in the warehouse",
    "The key that signs sign-in cookies; every process on one warehouse shares the stored key "
    "anyway, so set it only to manage the key yourself", secret=True)
TODAY = Setting(
    "HALFSKY_TODAY", "date", "the system date",
    "`YYYY-MM-DD` pins today's date (the demo's last month, default periods); the tests pin "
    "2026-11-30 so no result depends on the day they run")
TILE_URL = Setting(
    "HALFSKY_TILE_URL", "url", "no basemap (regions only)",
    "An XYZ tile template drawn under the map, e.g. an intranet server "
    "`https://tiles.example/{z}/{x}/{y}.png`; the browser fetches the tiles itself")
AUTH = Setting(
    "HALFSKY_AUTH", "text", "sign-in required",
    "`off` replaces sign-in by a whole-warehouse development admin: development and tests only, "
    "never on a server")
PAGE_ERRORS = Setting(
    "HALFSKY_PAGE_ERRORS", "text", "a plain message with a reference; the traceback goes to the log",
    "`raise` lets a page's error propagate (tests and debugging)")
ALLOWED_ORIGINS = Setting(
    "HALFSKY_ALLOWED_ORIGINS", "text",
    "the address the request came to (its `Host`, over http, or https when TLS or "
    "`X-Forwarded-Proto: https`)",
    "Origins that may use the sign-in cookie, comma-separated, exact `scheme://host[:port]` (e.g. "
    "`https://halfsky.example.org`); needed only behind a proxy that rewrites `Host` or ends TLS "
    "without `X-Forwarded-Proto`")
DUCKDB_MEMORY_LIMIT = Setting(
    "HALFSKY_DUCKDB_MEMORY_LIMIT", "text", "`1GB`",
    "The most memory DuckDB may hold for its buffers and operators (`SET memory_limit`, e.g. `2GB`, "
    "`512MB`); beyond it joins and aggregates spill to a temporary directory beside the file. "
    "DuckDB's own default is 80 % of RAM, shared by nothing else in the process. "
    "PostgreSQL is unaffected")

SETTINGS: tuple[Setting, ...] = (DB_URL, DB_SCHEMA, NO_DEMO, SETUP_CODE, COOKIE_SECRET, TODAY,
                                 TILE_URL, AUTH, PAGE_ERRORS, ALLOWED_ORIGINS,
                                 DUCKDB_MEMORY_LIMIT)
DEFAULT_DUCKDB_MEMORY_LIMIT = "1GB"
_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def _env(setting: Setting) -> str | None:
    """The variable's value, stripped; None when unset or blank (a blank line in a unit file must
    not count as a value)."""
    value = os.environ.get(setting.name, "").strip()
    return value or None


def _toml(setting: Setting) -> str | None:
    if not setting.toml_key:
        return None
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return None
    with path.open("rb") as fh:
        node: object = tomllib.load(fh)
    for key in setting.toml_key:
        node = node.get(key) if isinstance(node, dict) else None
    return str(node).strip() or None if node else None


def source(setting: Setting) -> str:
    """Where the effective value comes from: "environment", "secrets.toml" or "default"."""
    if _env(setting) is not None:
        return "environment"
    if _toml(setting) is not None:
        return "secrets.toml"
    return "default"


def _raw(setting: Setting) -> str | None:
    env = _env(setting)
    return env if env is not None else _toml(setting)


# --- typed accessors: the only way the app reads its settings -------------------------------------

def db_url() -> str:
    """The warehouse URL: environment, else secrets.toml, else the embedded DuckDB file."""
    return _raw(DB_URL) or DEFAULT_DB_URL


def db_schema() -> str | None:
    """The PostgreSQL schema (search_path), or None for the server's default."""
    return _raw(DB_SCHEMA)


def no_demo() -> bool:
    return (_raw(NO_DEMO) or "").lower() in TRUE_WORDS


def setup_code() -> str | None:
    """The configured first-admin setup code as written (the caller normalises it)."""
    return _raw(SETUP_CODE)


def cookie_secret() -> str | None:
    return _raw(COOKIE_SECRET)


def today() -> dt.date | None:
    """The pinned date, or None; a value that is not a date is refused, never ignored."""
    pinned = _raw(TODAY)
    if pinned is None:
        return None
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise ValueError(f"{TODAY.name} must be a date like 2026-11-30, not {pinned!r}") from None


def tile_url() -> str | None:
    return _raw(TILE_URL)


def auth_off() -> bool:
    return (_raw(AUTH) or "").lower() == "off"


def page_errors_raise() -> bool:
    return (_raw(PAGE_ERRORS) or "").lower() == "raise"


def allowed_origins() -> str:
    """The configured origins as written (comma-separated; lib.web.origins parses them)."""
    return _raw(ALLOWED_ORIGINS) or ""


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit as DuckDB reads it (``1GB``); a value that is not a size is refused,
    never passed on (it would reach SQL)."""
    return checked_memory_size(_raw(DUCKDB_MEMORY_LIMIT) or DEFAULT_DUCKDB_MEMORY_LIMIT)


def checked_memory_size(value: str) -> str:
    """``value`` if it is a size DuckDB reads (``1GB``, ``512 MB``), without spaces; else refused."""
    if not _MEMORY_SIZE.match(value):
        raise ValueError(f"{DUCKDB_MEMORY_LIMIT.name} must be a size like 1GB or 512MB, "
                         f"not {value!r}")
    return value.replace(" ", "")


# --- for code that starts the app elsewhere (benchmarks) -------------------------------------------

def child_env(values: Mapping[Setting, str]) -> dict[str, str]:
    """This process's environment with ``values`` set: for a child process running the app."""
    return {**os.environ, **{s.name: v for s, v in values.items()}}


@contextmanager
def overridden(values: Mapping[Setting, str]) -> Iterator[None]:
    """Run the block with ``values`` set in this process's environment, restoring it after."""
    old = {s.name: os.environ.get(s.name) for s in values}
    os.environ.update({s.name: v for s, v in values.items()})
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- what `python -m lib.settings` prints ----------------------------------------------------------

def _shown(setting: Setting, value: str) -> str:
    """A value as it may be printed: secrets never, a URL without its password."""
    if setting.secret:
        return "set"
    if setting is DB_URL:
        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL may still hold a password: say only that it is set
            return "set"
    return value


def effective() -> list[tuple[str, str, str]]:
    """(name, value as it may be shown or "(default)"/"not set", source) for every setting."""
    rows = []
    for setting in SETTINGS:
        value = _raw(setting)
        if value is None:
            shown = "not set" if setting.secret else "(default)"
        else:
            shown = _shown(setting, value)
        rows.append((setting.name, shown, source(setting)))
    return rows


def markdown_table() -> str:
    """README's configuration table, generated from the declarations."""
    lines = ["| setting | type | what it does | default | secret |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | {s.kind} | {s.help} | {s.default} | "
                     f"{'yes' if s.secret else 'no'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.settings", "Print halfsky's effective settings and where each comes "
                                        "from (secrets shown only as set/not set).")
    parser.add_argument("--markdown", action="store_true",
                        help="print README's configuration table instead")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown_table(), end="")
        return 0
    rows = [("setting", "value", "source"), *effective()]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    for name, value, src in rows:
        print(f"{name:<{width[0]}}  {value:<{width[1]}}  {src}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
