"""``python -m lib.targets [--db URL] [--region CODE] [--json] [--xlsx FILE]``: assess the targets;
``python -m lib.targets report --docx FILE [--region CODE] [--year YYYY]``: the annual monitoring
report (or the mid-term / final evaluation) as Word.

Both run as the console: the whole warehouse, any region. Exit status as every command's
(lib/cli.py): 2 when the region or year is refused.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from lib import cli
from lib.targets.labels import VOLATILE_LABEL, status_label

CLI_FIELDS = ["code", "region_code", "latest_year", "latest_value", "latest_label", "target_value",
              "target_year", "projected_value", "status", "volatile"]
USAGE = ("python -m lib.targets [--db URL] [--region CODE] [--json] [--xlsx FILE] [--lang zh|en]\n"
         "       python -m lib.targets report --docx FILE [--region CODE] [--year YYYY] "
         "[--lang zh|en] [--no-charts] [--db URL]")
REGION_HELP = ("12-digit region code (default: the country, the only province or the city, as the "
               "app opens)")
LANG_HELP = "the language of statuses, names and the report (default: zh)"


def _clean(v):
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 4)
    return v


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["report"]:
        return report_main(argv[1:])
    from lib.targets.report import monitoring_report_xlsx
    from lib.targets.run import assess_region
    from lib.warehouse.bootstrap import open_warehouse

    parser = cli.parser(
        "lib.targets", "Assess every plan indicator of a region against its target: latest value, "
                       "projection and status (达标 / 按进度 / 有风险 / 滞后).", usage=USAGE,
        epilog="report: write the annual monitoring report (mid-term for 2025, final for 2030) as "
               "Word; see `python -m lib.targets report --help`.")
    cli.add_db(parser)
    parser.add_argument("--region", default=None, help=REGION_HELP)
    parser.add_argument("--json", action="store_true", help="one JSON object per indicator")
    parser.add_argument("--xlsx", type=Path, default=None, help="also write the monitoring report")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=LANG_HELP)
    args = parser.parse_args(argv)
    engine = open_warehouse(args.db)
    try:
        assessments = assess_region(engine, args.region)
    except ValueError as exc:
        return cli.refuse(str(exc))
    for a in assessments:
        # the latest value's date as every surface says it (截至2026年11月30日 / 2025年末)
        d = {**a.to_dict(), "latest_label": a.latest_label(args.lang)}
        if args.json:
            print(json.dumps({k: _clean(d[k]) for k in CLI_FIELDS}, ensure_ascii=False))
        else:
            flag = f" {VOLATILE_LABEL[args.lang]}" if a.volatile else ""
            name = a.name_zh if args.lang == "zh" else a.name_en
            latest = "—" if a.latest_value is None else f"{a.latest_value:.1f} ({a.latest_label(args.lang)})"
            proj = "—" if a.projected_value is None else f"{a.projected_value:.1f}"
            print(f"{a.code:4} {status_label(a.status, args.lang)}{flag}  latest {latest}  "
                  f"target {a.target_value} ({a.target_year})  projected {proj}  {name}")
    if args.xlsx:
        args.xlsx.write_bytes(monitoring_report_xlsx(assessments, lang=args.lang))
    return cli.OK


def _year(text: str) -> int:
    if not (len(text) == 4 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a year like 2025: {text!r}")
    return int(text)


def report_main(argv: list[str]) -> int:
    """The annual monitoring report as Word, as of the end of ``--year`` (default: this year)."""
    from lib import clock
    from lib.reading.source import EngineSource
    from lib.targets.document import monitoring_report_docx
    from lib.targets.evaluation import build_report
    from lib.warehouse import data_version
    from lib.warehouse.bootstrap import open_warehouse
    from lib.warehouse.indicator_queries import top_region_code
    from lib.warehouse.scope import Scope, ScopeError

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
        from lib.followup.service import for_indicator

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


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
