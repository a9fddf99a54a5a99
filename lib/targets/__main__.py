"""``python -m lib.targets [--db URL] [--region CODE] [--json] [--xlsx FILE]``: assess the targets;
``python -m lib.targets report --docx FILE [--region CODE] [--year YYYY]``: the annual monitoring
report (or the mid-term / final evaluation) as Word.

Both run as the console: the whole warehouse, any region. Exit status as every command's
(lib/cli.py): 2 when the region or year is refused.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from lib import cli
# the report's subcommand: the monitoring report sits above lib.targets (pyproject.toml says so)
from lib.monitoring import command
from lib.monitoring.command import LANG_HELP, REGION_HELP
from lib.targets.labels import VOLATILE_LABEL, status_label
from lib.targets.report import monitoring_report_xlsx
from lib.targets.run import assess_region
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.cli import run

CLI_FIELDS = ["code", "region_code", "latest_year", "latest_value", "latest_label", "target_value",
              "target_year", "projected_value", "status", "volatile"]
USAGE = ("python -m lib.targets [--db URL] [--region CODE] [--json] [--xlsx FILE] [--lang zh|en]\n"
         "       python -m lib.targets report --docx FILE [--region CODE] [--year YYYY] "
         "[--lang zh|en] [--no-charts] [--db URL]")


def _clean(v):
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 4)
    return v


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["report"]:
        return command.report_main(argv[1:])
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


if __name__ == "__main__":
    sys.exit(run(main))
