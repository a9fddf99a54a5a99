"""``python -m lib.regions import T.csv V.csv``: add a city's divisions (统计用区划代码) to the warehouse.

The parsing lives in lib/warehouse/divisions.py (re-exported here, where callers have always found
it), so that ``lib.warehouse.bootstrap`` can read the default city without importing this command.
"""
from __future__ import annotations

import sys
from pathlib import Path

from lib import cli

from lib.warehouse.divisions import (  # noqa: F401  (re-exported)
    DATA_DIR, DEFAULT_TOWNSHIPS, DEFAULT_VILLAGES, INDICATORS_CSV, PROVINCES, TOWNSHIP_COLUMNS,
    VILLAGE_COLUMNS, build_regions, infer_urban_rural, is_urban, pad_code, read_division_files,
    read_indicator_catalog, township_aliases, village_aliases, with_roots,
)
from lib.warehouse import bootstrap


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.regions", "Add a city's divisions (统计用区划代码) to the warehouse.")
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    imp = sub.add_parser("import", help="add a city's two division files to the warehouse's regions "
                                        "(re-importing a city replaces its rows)")
    imp.add_argument("townships", type=Path, help="CSV in the format of data/fuzhou_townships.csv")
    imp.add_argument("villages", type=Path, help="CSV in the format of data/fuzhou_villages.csv")
    cli.add_db(parser, imp)
    args = parser.parse_args(argv)
    try:
        frame = read_division_files(args.townships, args.villages)
    except (OSError, ValueError, KeyError) as exc:
        return cli.refuse(str(exc))
    engine = bootstrap.open_warehouse(args.db, load_default_regions=False)
    try:
        stored = bootstrap.import_regions(engine, frame)
    except bootstrap.RegionsInUse as exc:
        return cli.refuse(str(exc))
    counts = frame["level"].value_counts()
    print("loaded " + ", ".join(f"{counts.get(k, 0)} {k}" for k in
                                ("city", "district", "township", "village")))
    total = stored["level"].value_counts()
    print("the warehouse now holds " + ", ".join(
        f"{total.get(k, 0)} {k}" for k in ("province", "city", "district", "township", "village")))
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
