"""``python -m lib.demo [--db URL] [--seed N] [--scale city|national] [--clear]``: build or clear
the synthetic demo (示例数据) in the warehouse the app reads.

Apart from the builders (lib.demo.city, lib.demo.national) so that building the demo never imports
the command line and the warehouse's bootstrap.
"""
from __future__ import annotations

import resource
import sys
import time

from lib import cli
from lib.demo import national as demo_national
from lib.demo.city import build_demo
from lib.warehouse import demo_store
from lib.warehouse.bootstrap import open_warehouse


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.demo", "Build (or clear) the synthetic demo data (示例数据): one batch, "
                                    "removable with --clear; none of its numbers are real statistics.")
    cli.add_db(parser)
    parser.add_argument("--seed", type=int, default=7, help="the random seed (default: 7)")
    parser.add_argument("--scale", choices=["city", "national"], default="city",
                        help="city: 福州市's real divisions (default); national: the benchmark's "
                             "invented districts under 30 real cities")
    parser.add_argument("--clear", action="store_true", help="remove the demo batch")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.scale == "national":
        engine = open_warehouse(args.db, load_default_regions=False)
        counts = demo_national.build(engine, seed=args.seed)
    else:
        engine = open_warehouse(args.db)
        if args.clear:
            removed = demo_store.clear_demo(engine)
            print(f"removed demo data: {removed} rows")
            return 0
        if demo_store.demo_batch_ids(engine):
            print("demo data already present (use --clear first to rebuild)")
            return 0
        counts = build_demo(engine, seed=args.seed,
                            progress=lambda f, m: print(f"{f:4.0%} {m}", flush=True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("rows: " + ", ".join(f"{k}={v:,}" for k, v in counts.items()))
    print(f"time {time.perf_counter() - t0:.1f}s, peak RSS {peak:.0f} MB")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
