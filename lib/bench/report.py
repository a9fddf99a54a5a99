"""The benchmark's figures as plain-text tables (the JSON form is the dict itself)."""
from __future__ import annotations


def _ratio(a, b) -> str:
    return f"{a / b:.1f}×" if a is not None and b else "—"


def _num(v, fmt="{:.1f}") -> str:
    return "—" if v is None else fmt.format(v)


def text(result: dict) -> str:
    lines = [f"halfsky benchmark · scale {result['scale']} · {result['db']}"]
    meta = result.get("meta") or {}
    for k, v in meta.items():
        lines.append(f"  {k}: {v}")
    for db in dict.fromkeys(r.get("db", result["db"]) for r in result["pages"]):
        lines += ["", f"Pages on {db} (AppTest, server side, ms)",
                  f"{'page':12s} {'level':9s} {'cold p50':>9s} {'cold p95':>9s} "
                  f"{'warm p50':>9s} {'warm p95':>9s}"]
        rows: dict[tuple[str, str], dict] = {}
        for r in result["pages"]:
            if r.get("db", result["db"]) == db:
                rows.setdefault((r["page"], r["level"]), {})[r["cache"]] = r
        for (page, level), c in rows.items():
            lines.append(f"{page:12s} {level:9s} {c['cold']['p50_ms']:9.0f} {c['cold']['p95_ms']:9.0f} "
                         f"{c['warm']['p50_ms']:9.0f} {c['warm']['p95_ms']:9.0f}")
    if result["queries"]:
        lines += ["", "Queries (ms; naive = pandas in memory; ratios = other ÷ halfsky DuckDB)",
                  f"{'query':48s} {'p50':>7s} {'p95':>7s} {'naive':>8s} {'×':>6s} {'pg':>8s} {'×':>6s}"]
        for q in result["queries"]:
            lines.append(f"{q['name'][:48]:48s} {q['p50_ms']:7.1f} {q['p95_ms']:7.1f} "
                         f"{_num(q['naive_p50_ms']):>8s} {_ratio(q['naive_p50_ms'], q['p50_ms']):>6s} "
                         f"{_num(q['pg_p50_ms']):>8s} {_ratio(q['pg_p50_ms'], q['p50_ms']):>6s}")
    if result["maps"]:
        lines += ["", "Maps (deck JSON sent to the browser)"]
        for m in result["maps"]:
            lines.append(f"{m['view']:24s} {m['bytes'] / 1024:8.0f} KB  build p50 {m['p50_ms']:6.0f} ms "
                         f"p95 {m['p95_ms']:6.0f} ms  drawn {m['drawn']}, not drawn {m['not_drawn']}")
    load = result["load_1m"]
    lines += ["", "1,000,000-row CSV through the CLI: " + (
        f"{load['seconds']:.1f} s, peak RSS {load['peak_rss_mb']:.0f} MB (exit {load['exit_code']})"
        if load else "skipped")]
    conc = result["concurrency"]
    lines.append("Concurrency: " + (
        f"{conc['sessions']} sessions, {conc['errors']} errors, p50 {conc['p50_s']:.1f} s, "
        f"p95 {conc['p95_s']:.1f} s (one at a time: p50 {conc['alone_p50_s']:.1f} s)"
        + (f"; meanwhile an upload of {conc['upload_rows']:,} rows through the upload page: "
           f"{conc['upload_s']:.1f} s" + (f", error {conc['upload_error']}"
                                          if conc['upload_error'] else "")
           if conc.get("upload_s") is not None else "")
        if conc else "skipped"))
    return "\n".join(lines)
