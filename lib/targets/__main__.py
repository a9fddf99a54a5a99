"""``python -m lib.targets [--db URL] [--region CODE] [--json] [--xlsx FILE]``: assess the targets."""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from lib.targets.labels import VOLATILE_LABEL, status_label

CLI_FIELDS = ["code", "region_code", "latest_year", "latest_value", "latest_label", "target_value",
              "target_year", "projected_value", "status", "volatile"]


def _clean(v):
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 4)
    return v


def main(argv: list[str] | None = None) -> int:
    from lib.targets.report import monitoring_report_xlsx
    from lib.targets.run import assess_region
    from lib.warehouse.bootstrap import open_warehouse
    from lib.warehouse.engine import DB_HELP

    parser = argparse.ArgumentParser(prog="python -m lib.targets",
                                     description="Assess plan indicators against their targets.")
    parser.add_argument("--db", default=None, help=DB_HELP)
    parser.add_argument("--region", default=None,
                        help="12-digit region code (default: the country, the only province or "
                             "the city, as the app opens)")
    parser.add_argument("--json", action="store_true", help="one JSON object per indicator")
    parser.add_argument("--xlsx", type=Path, default=None, help="also write the monitoring report")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args(argv)
    engine = open_warehouse(args.db)
    try:
        assessments = assess_region(engine, args.region)
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
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
    return 0


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
