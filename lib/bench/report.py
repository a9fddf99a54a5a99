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
        lines += ["", f"Pages on {db} (AppTest, server side, ms; cold = every app cache cleared)",
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
    lines += [""] + _loads(result)
    if result.get("browser"):
        lines += ["", "Browser: click in the sidebar to fully drawn, one Chromium, one page at a time "
                      "(ms; server caches warm after each page's first view)",
                  f"{'page':12s} {'p50':>7s} {'p95':>7s} {'first':>7s} {'samples':>8s} "
                  f"{'charts':>7s} {'maps':>5s} {'errors':>7s}"]
        for b in result["browser"]:
            lines.append(f"{b['page']:12s} {b['p50_ms']:7.0f} {b['p95_ms']:7.0f} "
                         f"{b['first_ms']:7.0f} {b['samples']:8d} {b['charts']:7d} {b['maps']:5d} "
                         f"{b.get('errors', 0):7d}")
    cap = result.get("capacity")
    if cap:
        lines.append(f"Capacity: {cap['cpu_ms_per_view']:.0f} ms of server CPU per page view "
                     f"({cap['views']} views, {cap['server_cpu_s']:.1f} s CPU in {cap['wall_s']:.1f} s)"
                     f" → {cap['views_per_core_s']:.1f} views per core-second; a page's first view "
                     f"{cap['first_view_cpu_ms']:.0f} ms")
    conc = result["concurrency"]
    lines.append("Concurrency: " + (
        f"{conc['sessions']} sessions, {conc['errors']} errors, p50 {conc['p50_s']:.1f} s, "
        f"p95 {conc['p95_s']:.1f} s (one at a time: p50 {conc['alone_p50_s']:.1f} s)"
        + (f"; meanwhile an upload of {conc['upload_rows']:,} rows through the upload page: "
           f"{conc['upload_s']:.1f} s" + (f", error {conc['upload_error']}"
                                          if conc['upload_error'] else "")
           if conc.get("upload_s") is not None else "")
        + (f"; server CPU {conc['server_cpu_s']:.1f} s in {conc['wall_s']:.1f} s "
           f"({conc['server_cores_busy']:.2f} cores)" if conc.get("server_cpu_s") is not None
           else "")
        if conc else "skipped"))
    return "\n".join(lines)


def _load_line(label: str, load: dict | None) -> str:
    if not load:
        return f"{label}: skipped"
    into = load.get("warehouse")
    size = (f" into {into['townships']:,} townships, {into['training_rows']:,} training rows"
            if into else "")
    peak = "?" if load["peak_rss_mb"] is None else f"{load['peak_rss_mb']:.0f}"
    return (f"{label}: {load['seconds']:.1f} s, peak RSS {peak} MB{size} "
            f"(exit {load['exit_code']}) · {load.get('summary', '')}")


def _loads(result: dict) -> list[str]:
    out = [_load_line("1,000,000-row CSV, first load (DuckDB)", result.get("load_1m")),
           _load_line("Same rows again, 10 % changed, shuffled, merge path (DuckDB)",
                      result.get("load_1m_reload"))]
    pg = result.get("pg_load_1m")
    if pg:
        out.append(_load_line("1,000,000-row CSV, first load (PostgreSQL)", pg))
        out.append(_load_line("Same rows again, merge path (PostgreSQL)", {
            "seconds": pg["reload_seconds"], "peak_rss_mb": pg["reload_peak_rss_mb"],
            "exit_code": pg["reload_exit_code"], "summary": pg.get("reload_summary", "")}))
    return out
