"""``python -m lib.brief [--db URL] --region CODE [--from YYYY-MM --to YYYY-MM] [--lang zh|en]
[--json] [--docx FILE]``: the written reading of every area of a region, and the monthly 通报.

Reads the warehouse the app reads (HALFSKY_DB_URL / HALFSKY_DB_SCHEMA, or --db) through the same
queries and metric functions as the pages (lib/reading). Without --json it prints the sentences;
--json prints one object (region_code, region_name, period, sections with area, sentences and
facts, warnings); --docx also writes the Word document. Exit 2 when the region or period is refused.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from lib import cli, clock
from lib.filters import default_period, make_view, month_end
from lib.followup import service
from lib.reading.bulletin import build_brief
from lib.reading.document import brief_docx
from lib.reading.source import EngineSource
from lib.warehouse import data_version
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.scope import Scope


def _month(text: str) -> tuple[int, int]:
    try:
        d = dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month like 2026-03: {text!r}") from None
    return d.year, d.month


def _period(src, start: tuple[int, int] | None, end: tuple[int, int] | None):
    """The sidebar's rules: default January → the last month with data; the end month's last
    day, never past today when the data reach today's month."""
    lo_hi = src.query("data_period", Scope.everything())  # the console sees it all
    d_from, d_to = default_period(lo_hi)
    if end is not None:
        hi = lo_hi[1] or clock.today()
        d_to = min(month_end(*end), max(clock.today(), hi))
        if start is None:
            d_from = dt.date(end[0], 1, 1)
    if start is not None:
        d_from = dt.date(start[0], start[1], 1)
    if d_from > d_to:
        raise ValueError(f"the period starts ({d_from}) after it ends ({d_to})")
    return d_from, d_to


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.brief", "The written reading of every area of a region for a period, "
                                     "and the monthly 通报 as a Word document.")
    cli.add_db(parser)
    parser.add_argument("--region", required=True, help="12-digit region code")
    parser.add_argument("--from", dest="start", type=_month, default=None, help="first month, YYYY-MM")
    parser.add_argument("--to", dest="end", type=_month, default=None, help="last month, YYYY-MM")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh",
                        help="the language of the reading (default: zh)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--docx", type=Path, default=None, help="write the 通报 as a Word document")
    parser.add_argument("--no-charts", action="store_true", help="leave chart images out of --docx")
    args = parser.parse_args(argv)

    engine = open_warehouse(args.db)
    src = EngineSource(engine)
    names = src.names()
    if args.region not in names:
        return cli.refuse(f"unknown region code {args.region!r}")
    try:
        d_from, d_to = _period(src, args.start, args.end)
        view = make_view(args.region, names[args.region], d_from, d_to, lang=args.lang)
    except ValueError as exc:
        return cli.refuse(str(exc))
    brief = build_brief(src, view, data_version=data_version(engine))
    if args.json:
        print(json.dumps(brief.to_dict(), ensure_ascii=False, default=str))
    else:
        print(f"{brief.region_name} ({brief.region_code}) · {brief.period_text}")
        for w in brief.warnings:
            print(f"! {w}")
        for s in brief.sections:
            print(f"\n[{s.title}]")
            for line in s.sentences:
                print(f"  {line}")
    if args.docx:
        today = clock.today()  # the console's items: every open one of the region
        items = [i for status in ("todo", "doing") for i in service.list_items(
            engine, service.CONSOLE, status=status, region_code=args.region, today=today)]
        args.docx.write_bytes(brief_docx(brief, assessments=src.query("targets_assess",
                                                                       args.region),
                                         charts=not args.no_charts, followups=items,
                                         today=today))
        print(f"wrote {args.docx}", file=sys.stderr)
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
