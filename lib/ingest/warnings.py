"""Warnings before confirm: figures that load but deserve a second look.

A file that passes every check may still carry a typo that reaches the leaders' screens: 900,000,000
participants, a screening target of 10 for a township that already screened 15,491, 300,000 identical
rows. These are warnings, not refusals (``--strict`` makes them refusals): each names the file's row,
the region and the reason, in Chinese and English.

- outlier: a value ≥ 10× or ≤ 1/10 of the region's own median over the 12 months before the file's
  first month (screened per township, kind and month; participants per training session; women per
  job fair), or of its district's other regions when it has no history, or of the file's own rows
  when the warehouse has neither;
- ratio: a part over 100 % of its whole where that is not impossible enough to refuse (救助人数 over
  确诊人数, 录用 over 意向), and a percent indicator over 100;
- target_below_done: a screening target (适龄妇女数 or 任务数) below what the warehouse says the
  township already screened that year;
- duplicate_row: rows identical in every column (their derived ids aside);
- future: a month after the current one (a year after the current one for indicator values);
- total: a stated 合计 that is not the sum of the file's rows (which of the two is wrong is for the
  analyst to say, so neither is changed).

Every figure a warning compares with comes from inside the uploader's scope: a township analyst is
never shown a median of the district's other townships.

``find_warnings`` is pure (frames in, frame out); ``gather`` reads what it needs from the warehouse.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, extract, func, literal_column, or_, select

from lib import clock
from lib.ingest.messages import text
from lib.ingest.specs import DATASETS
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope

WARNING_COLUMNS = ["row", "column", "value", "region_code", "region_name", "reason", "warning_zh",
                   "warning_en"]
REASONS = ("outlier", "ratio", "target_below_done", "duplicate_row", "future", "total")
MAX_PER_REASON = 200  # shown and stored; the counts cover every row
FACTOR = 10.0
# dataset: (measure, date column, group column or None)
OUTLIER: dict[str, tuple[str, str, str | None]] = {
    "screening": ("screened", "month", "kind"),
    "training": ("participants", "held_on", None),
    "job_fair": ("women_attending", "held_on", None),
}
# dataset: [(whole, part)]: a part over its whole is a warning (the impossible ones are refused)
RATIO_WARN: dict[str, list[tuple[str, str]]] = {
    "screening": [("diagnosed", "aided")],
    "job_fair": [("intents", "hires")],
}
EN = {"screened": "screened", "participants": "participants", "women_attending": "women attending",
      "diagnosed": "diagnosed", "aided": "aided", "intents": "intents", "hires": "hires",
      "eligible_women": "eligible women", "quota": "quota", "value": "value"}
UNIT_LEN = 9  # "the region" of a row for its history: its township (ledgers may name villages)
DISTRICT_LEN = 6


@dataclass
class Warnings:
    """The warnings of one file: the first MAX_PER_REASON of each reason, and every reason's count."""
    frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WARNING_COLUMNS))
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def detail(self) -> dict:
        """What upload history keeps: counts by reason and the first warnings (JSON-ready)."""
        items = self.frame.head(50).astype(object).where(self.frame.head(50).notna(), None)
        return {"counts": dict(self.counts),
                "first": [{k: (int(v) if k == "row" and v is not None else v) for k, v in r.items()}
                          for r in items[["row", "column", "value", "region_name", "reason",
                                          "warning_zh", "warning_en"]].to_dict("records")]}


def _num(col: pd.Series) -> pd.Series:
    """A column as plain floats (nullable integers compare to NaN as <NA>, which cannot mask)."""
    return pd.to_numeric(col.astype(object), errors="coerce").astype("float64")


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    f = float(v)
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}"


class _Collector:
    def __init__(self, names: dict[str, str]):
        self.rows: list[dict] = []
        self.counts: dict[str, int] = {}
        self.names = names

    def add(self, reason: str, n: int, items) -> None:
        """Count ``n`` warnings of ``reason``; keep the first MAX_PER_REASON of ``items`` (an
        iterable of (row, column header, value, region_code, zh, en))."""
        if n <= 0:
            return
        self.counts[reason] = self.counts.get(reason, 0) + n
        kept = sum(1 for r in self.rows if r["reason"] == reason)
        for row, column, value, code, zh, en in items:
            if kept >= MAX_PER_REASON:
                break
            self.rows.append({"row": None if row is None else int(row), "column": column,
                              "value": "" if value is None else str(value),
                              "region_code": code, "region_name": self.names.get(code, code or ""),
                              "reason": reason, "warning_zh": zh, "warning_en": en})
            kept += 1

    def result(self) -> Warnings:
        frame = pd.DataFrame(self.rows, columns=WARNING_COLUMNS)
        if len(frame):
            frame["row"] = frame["row"].astype("Int64")
            frame = frame.sort_values(["row", "reason"], kind="stable", na_position="first")
        return Warnings(frame.reset_index(drop=True), self.counts)


def find_warnings(frame: pd.DataFrame, dataset: str, headers: dict[str, str], *,
                  history: pd.DataFrame | None = None, medians: Medians | None = None,
                  done: pd.DataFrame | None = None,
                  units: dict[str, str] | None = None, names: dict[str, str] | None = None,
                  today: dt.date | None = None, id_column: str | None = None,
                  totals: list[dict] | None = None) -> Warnings:
    """Every warning of a checked file (``frame``: canonical columns, index = file rows).

    ``history``: region_code, group, value — the measure's warehouse rows over the 12 months before
    the file's first month, in the file's districts; or ``medians``, the same history already
    reduced to its medians per (township, group) and (district, group). ``done``: region_code, year, kind, screened —
    what the warehouse says was screened. ``units``: indicator code → unit. ``names``: code → name.
    ``totals``: the file's stated totals that differ from its rows' sum (``Prepared.totals``).
    """
    today = today or clock.today()
    out = _Collector(names or {})
    _totals(out, totals or [])
    if frame.empty:
        return out.result()
    head = lambda c: headers.get(c, c)  # noqa: E731
    name = lambda code: (names or {}).get(code, code)  # noqa: E731
    if dataset in OUTLIER:
        _outliers(out, frame, dataset, head, name, medians or _medians(history, group=OUTLIER[
            dataset][2] is not None))
    for whole, part in RATIO_WARN.get(dataset, []):
        if whole not in frame or part not in frame:
            continue
        w, p = _num(frame[whole]), _num(frame[part])
        bad = (p > w) & w.notna()
        idx = frame.index[bad.to_numpy()]
        out.add("ratio", len(idx), (
            (r, head(part), frame.at[r, part], frame.at[r, "region_code"],
             f"{name(frame.at[r, 'region_code'])}「{head(part)}」（{_fmt(p[r])}）是「{head(whole)}」"
             f"（{_fmt(w[r])}）的 {p[r] / w[r]:.0%}，超过 100%，请核实。" if w[r] else
             f"{name(frame.at[r, 'region_code'])}「{head(part)}」为 {_fmt(p[r])}，而「{head(whole)}」为 0，请核实。",
             f"{EN[part].capitalize()} ({_fmt(p[r])}) exceeds {EN[whole]} ({_fmt(w[r])}) for "
             f"{frame.at[r, 'region_code']}: over 100 %; please check.") for r in idx))
    if dataset == "indicator_value" and units:
        pct = frame["indicator_code"].map(lambda c: units.get(c) == "percent")
        v = _num(frame["value"])
        idx = frame.index[(pct & (v > 100)).to_numpy()]
        out.add("ratio", len(idx), (
            (r, head("value"), frame.at[r, "value"], frame.at[r, "region_code"],
             f"{name(frame.at[r, 'region_code'])}指标 {frame.at[r, 'indicator_code']} 的值为 "
             f"{_fmt(v[r])}%，超过 100%，请核实。",
             f"Indicator {frame.at[r, 'indicator_code']} is {_fmt(v[r])} %, over 100 %; please "
             f"check.") for r in idx))
    if dataset == "screening_target" and done is not None and len(done):
        _targets(out, frame, head, name, done)
    _duplicates(out, frame, id_column)
    _future(out, frame, dataset, head, today)
    return out.result()


def _totals(out: _Collector, totals: list[dict]) -> None:
    out.add("total", len(totals), (
        (m["row"], m["column"], m["value"], None,
         *text("total_mismatch", column=m["column"], stated=_fmt(m["stated"]),
               summed=_fmt(m["summed"]))) for m in totals))


@dataclass
class Medians:
    """The measure's median over the history window per (township code, group) (``own``) and per
    (district code, group) (``peers``); the group is "" for a dataset without one."""
    own: pd.Series
    peers: pd.Series


def _medians(history: pd.DataFrame | None, *, group: bool) -> Medians:
    """``Medians`` of history rows (region_code, group, value), computed here."""
    if history is None or not len(history):
        return Medians(pd.Series(dtype=float), pd.Series(dtype=float))
    h = history.assign(unit=history["region_code"].astype(str).str[:UNIT_LEN],
                       g=history["group"].astype(str) if group else "",
                       value=_num(history["value"]))
    h["district"] = h["unit"].str[:DISTRICT_LEN]
    return Medians(h.groupby(["unit", "g"])["value"].median(),
                   h.groupby(["district", "g"])["value"].median())


def _outliers(out: _Collector, frame, dataset, head, name, medians: Medians) -> None:
    measure, date_col, group = OUTLIER[dataset]
    rows = frame[[c for c in ("region_code", measure, group) if c]].copy()
    rows["v"] = _num(rows[measure])
    rows = rows[rows["v"].notna() & rows["region_code"].notna()]
    if rows.empty:
        return
    rows["unit"] = rows["region_code"].astype(str).str[:UNIT_LEN]
    rows["district"] = rows["unit"].str[:DISTRICT_LEN]
    rows["g"] = rows[group].astype(str) if group else ""
    own, peers = medians.own, medians.peers
    in_file = rows.groupby("g")["v"].agg(["median", "size"])
    in_file = in_file.loc[in_file["size"] >= 3, "median"]
    # the region's own median, else its district's, else the file's: joined, not looked up per row
    m_own = pd.Series(own.reindex(pd.MultiIndex.from_arrays([rows["unit"], rows["g"]])).to_numpy()
                      if len(own) else float("nan"), index=rows.index, dtype="float64")
    m_peer = pd.Series(peers.reindex(pd.MultiIndex.from_arrays([rows["district"], rows["g"]]))
                       .to_numpy() if len(peers) else float("nan"), index=rows.index,
                       dtype="float64")
    m_file = pd.Series(in_file.reindex(rows["g"]).to_numpy(), index=rows.index, dtype="float64")
    rows["median"] = m_own.fillna(m_peer).fillna(m_file)
    rows["basis"] = pd.Series("file", index=rows.index).mask(m_peer.notna(), "peers").mask(
        m_own.notna(), "own")
    ok = rows["median"].notna() & (rows["median"] > 0)
    high = ok & (rows["v"] >= FACTOR * rows["median"])
    low = ok & (rows["v"] <= rows["median"] / FACTOR)
    bad = rows[high | low]
    zh_basis = {"own": "本地区近 12 个月中位数", "peers": "同区县其他地区近 12 个月中位数",
                "file": "本文件同类记录的中位数"}
    en_basis = {"own": "its median of the last 12 months",
                "peers": "the median of its district's other regions over the last 12 months",
                "file": "the median of this file's rows"}

    def item(r):
        row = bad.loc[r]
        v, m, b = row["v"], row["median"], row["basis"]
        code = row["region_code"]
        if v >= FACTOR * m:
            zh = (f"{name(code)}「{head(measure)}」为 {_fmt(v)}，是{zh_basis[b]} {_fmt(m)} 的 "
                  f"{v / m:,.0f} 倍，请核实。")
            en = (f"{EN[measure].capitalize()} {_fmt(v)} is {v / m:,.0f}× {en_basis[b]} "
                  f"({_fmt(m)}) for {code}; please check.")
        else:
            zh = f"{name(code)}「{head(measure)}」为 {_fmt(v)}，不到{zh_basis[b]} {_fmt(m)} 的十分之一，请核实。"
            en = (f"{EN[measure].capitalize()} {_fmt(v)} is under a tenth of {en_basis[b]} "
                  f"({_fmt(m)}) for {code}; please check.")
        return r, head(measure), frame.at[r, measure], code, zh, en

    out.add("outlier", len(bad), (item(r) for r in bad.index))


def _targets(out: _Collector, frame, head, name, done: pd.DataFrame) -> None:
    d = done.assign(year=done["year"].astype(int))
    key = d.set_index(["region_code", "year", "kind"])["screened"]
    for col in ("eligible_women", "quota"):
        if col not in frame:
            continue
        v = _num(frame[col])
        have = [key.get((c, int(y), k)) if pd.notna(y) else None
                for c, y, k in zip(frame["region_code"], frame["year"], frame["kind"])]
        have = pd.Series(have, index=frame.index, dtype=float)
        idx = frame.index[((v < have) & v.notna()).to_numpy()]
        out.add("target_below_done", len(idx), (
            (r, head(col), frame.at[r, col], frame.at[r, "region_code"],
             f"{name(frame.at[r, 'region_code'])}{int(frame.at[r, 'year'])} 年已筛查 "
             f"{_fmt(have[r])} 人，「{head(col)}」仅填 {_fmt(v[r])}，低于已完成数，请核实。",
             f"{EN[col].capitalize()} {_fmt(v[r])} is below the {_fmt(have[r])} already screened "
             f"in {int(frame.at[r, 'year'])} for {frame.at[r, 'region_code']}; please check.")
            for r in idx))


def _duplicates(out: _Collector, frame: pd.DataFrame, id_column: str | None) -> None:
    cols = [c for c in frame.columns if c not in (id_column, "id_scope")]
    dup = frame.duplicated(cols, keep="first")
    n = int(dup.sum())
    if not n:
        return
    first = frame.groupby(cols, dropna=False, sort=False).ngroup()
    first_row = pd.Series(frame.index, index=frame.index).groupby(first.to_numpy()).transform("first")
    size = first.map(first.value_counts())
    idx = frame.index[dup.to_numpy()]
    out.add("duplicate_row", n, (
        (r, "", "", frame.at[r, "region_code"],
         f"与第 {int(first_row[r])} 行完全相同（共 {int(size[r])} 行相同），请确认不是重复录入。",
         f"Identical to row {int(first_row[r])} ({int(size[r])} identical rows); make sure it is not "
         f"entered twice.") for r in idx))


def _future(out: _Collector, frame, dataset, head, today: dt.date) -> None:
    spec = DATASETS[dataset]
    for col in spec.columns:
        if col.kind in ("month", "date") and col.name in ("month", "held_on") and col.name in frame:
            codes, uniques = pd.factorize(frame[col.name], use_na_sentinel=True)
            ym = [(d.year, d.month) for d in uniques] + [None]  # once per distinct date
            months = pd.Series([ym[c] for c in codes], index=frame.index, dtype=object)
            late = [m is not None and m > (today.year, today.month) for m in ym]
            bad = pd.Series([late[c] for c in codes], index=frame.index)
            idx = frame.index[bad.to_numpy(dtype=bool)]
            out.add("future", len(idx), (
                (r, head(col.name), f"{months[r][0]}-{months[r][1]:02d}", frame.at[r, "region_code"],
                 f"{months[r][0]}年{months[r][1]}月尚未到来（今天是 {today:%Y-%m-%d}），请核实月份。",
                 f"{months[r][0]}-{months[r][1]:02d} is in the future (today is {today}); please "
                 f"check the month.") for r in idx))
    if dataset == "indicator_value" and "year" in frame:
        y = _num(frame["year"])
        idx = frame.index[(y > today.year).to_numpy()]
        out.add("future", len(idx), (
            (r, head("year"), int(y[r]), frame.at[r, "region_code"],
             f"{int(y[r])} 年尚未到来（今天是 {today:%Y-%m-%d}），请核实年份。",
             f"{int(y[r])} is in the future (today is {today}); please check the year.")
            for r in idx))


# --- reading what the warnings compare against -----------------------------------------------------

def _month_back(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return dt.date(y, m + 1, 1)


def _names(regions: pd.DataFrame, codes: list[str]) -> dict[str, str]:
    known = regions[regions["code"].isin(codes)]
    return dict(zip(known["code"], known["name"]))


def _history_medians(conn, table, group: str | None, measure, where: list) -> Medians:
    """``Medians`` computed by the database: a township's and a district's median of ``measure``
    over the rows ``where`` selects. Only one row per township and group comes back, however many
    rows the window holds (a national file's twelve months: a quarter of a million sessions)."""
    median = func.percentile_cont(0.5).within_group(measure)
    g = table.c[group] if group else literal_column("''")
    out = []
    for length in (UNIT_LEN, DISTRICT_LEN):
        # the lengths are inlined: DuckDB takes no bound parameters in a GROUP BY expression
        part = func.substr(table.c.region_code, literal_column("1"), literal_column(str(length)))
        q = select(part, g, median).where(*where).group_by(part, *([g] if group else []))
        rows = [(k, str(v), m) for k, v, m in conn.execute(q)]
        index = pd.MultiIndex.from_tuples([r[:2] for r in rows]) if rows else None
        out.append(pd.Series([float("nan") if r[2] is None else float(r[2]) for r in rows],
                             index=index, dtype="float64"))
    return Medians(*out)


def _in_districts(table, districts: list[str]):
    """Rows whose region lies in one of ``districts`` (code prefixes): one IN over the code's
    district part, not one LIKE per district, which a national file (2,850 districts) made a
    30-second scan; a prefix shorter than a district's keeps its LIKE."""
    whole = [d for d in districts if len(d) == DISTRICT_LEN]
    short = [d for d in districts if len(d) != DISTRICT_LEN]
    district = func.substr(table.c.region_code, 1, DISTRICT_LEN)
    return or_(*([district.in_(whole)] if whole else []),
               *[table.c.region_code.startswith(d) for d in short])


def gather(engine: Engine, frame: pd.DataFrame, dataset: str, headers: dict[str, str], *,
           scope: Scope, today: dt.date | None = None, totals: list[dict] | None = None,
           regions: pd.DataFrame | None = None) -> Warnings:
    """``find_warnings`` with the history, screening done, indicator units and region names this
    file needs, read from the warehouse (only the file's districts, only the months it needs, and
    only inside ``scope``, the uploader's: the warnings show these figures). ``regions`` (code,
    name), when the caller has already read them, names the file's regions without asking the
    database again: a national file's 40,000 townships took 40 lookups, 5 s."""
    if frame.empty or "region_code" not in frame:
        return find_warnings(frame, dataset, headers, today=today, totals=totals)
    codes = sorted({str(c) for c in frame["region_code"].dropna()})
    medians = done = None
    units: dict[str, str] = {}
    with engine.connect() as conn:
        if regions is not None:
            names = _names(regions, codes)
        else:
            names = {}
            for i in range(0, len(codes), 1000):
                names.update(dict(conn.execute(select(s.region.c.code, s.region.c.name).where(
                    s.region.c.code.in_(codes[i:i + 1000]))).all()))
        if dataset in OUTLIER:
            measure, date_col, group = OUTLIER[dataset]
            dates = frame[date_col].dropna()
            if len(dates):
                first = min(dates)
                lo, hi = _month_back(dt.date(first.year, first.month, 1), 12), \
                    dt.date(first.year, first.month, 1)
                t = s.FACT_TABLES[dataset]
                districts = sorted({c[:DISTRICT_LEN] for c in codes})
                medians = _history_medians(conn, t, group, t.c[measure], [
                    t.c[date_col] >= lo, t.c[date_col] < hi, _in_districts(t, districts),
                    scope.where(t.c.region_code)])
        if dataset == "screening_target":
            years = sorted({int(y) for y in frame["year"].dropna()})
            t = s.screening
            year = extract("year", t.c.month)
            q = (select(t.c.region_code, year.label("year"), t.c.kind, func.sum(t.c.screened))
                 .where(t.c.region_code.in_([c for c in codes if scope.contains(c)][:5000]),
                        year.in_(years))
                 .group_by(t.c.region_code, year, t.c.kind))
            done = pd.DataFrame([(c, int(y), k, int(n)) for c, y, k, n in conn.execute(q)],
                                columns=["region_code", "year", "kind", "screened"])
        if dataset == "indicator_value":
            units = dict(conn.execute(select(s.indicator.c.code, s.indicator.c.unit)).all())
    return find_warnings(frame, dataset, headers, medians=medians, done=done, units=units,
                         names=names, today=today, id_column=DATASETS[dataset].id_column,
                         totals=totals)
