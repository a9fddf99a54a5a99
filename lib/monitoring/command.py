"""``python -m lib.targets report --docx FILE [--region CODE] [--year YYYY]``: the annual
monitoring report (or the mid-term / final evaluation) as Word, run as the console (the whole
warehouse, any region). lib/targets/__main__.py hands the ``report`` word here: the report reads
follow-up items and the reading's source, which sit above lib.targets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import cli, clock
from lib.followup.service import for_indicator
from lib.monitoring.document import monitoring_report_docx
from lib.monitoring.evaluation import build_report
from lib.reading.source import EngineSource
from lib.warehouse import data_version
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.indicator_queries import top_region_code
from lib.warehouse.scope import Scope, ScopeError

REGION_HELP = ("12-digit region code (default: the country, the only province or the city, as the "
               "app opens)")
LANG_HELP = "the language of statuses, names and the report (default: zh)"


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a year like 2025: {text!r}")
    return int(text)


def report_main(argv: list[str]) -> int:
    """The annual monitoring report as Word, as of the end of ``--year`` (default: this year)."""
    parser = cli.parser(
        "lib.targets report",
        "Write the annual monitoring report as Word: every indicator of the catalog by field, with "
        "its figures, status, projection and trend chart, and the 督办 items of those at risk or "
        "behind. 2025 makes it the mid-term evaluation, 2030 the final one.")
    parser.add_argument("--docx", type=Path, required=True, help="the Word file to write")
    parser.add_argument("--region", default=None, help=REGION_HELP)
    parser.add_argument("--year", type=_year, default=None,
                        help="as of the end of this year (default: the current year, to today)")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=LANG_HELP)
    parser.add_argument("--no-charts", action="store_true", help="leave the trend charts out")
    cli.add_db(parser)
    args = parser.parse_args(argv)
    engine = open_warehouse(args.db)
    region = args.region or top_region_code(engine)
    if region is None:
        return cli.refuse("the warehouse has no region of level 'city'; pass --region")
    console = Scope.everything()  # the console reads the whole warehouse

    def followups(codes: list[str]) -> dict[str, list]:
        return {code: for_indicator(engine, console, code, region) for code in codes}

    try:
        report = build_report(EngineSource(engine), region,
                              year=args.year or clock.today().year, lang=args.lang,
                              scope=console.narrow(region), data_version=data_version(engine),
                              followups=followups)
    except (ValueError, ScopeError) as exc:
        return cli.refuse(str(exc))
    args.docx.write_bytes(monitoring_report_docx(report, charts=not args.no_charts))
    print(f"wrote {args.docx}", file=sys.stderr)
    return cli.OK
