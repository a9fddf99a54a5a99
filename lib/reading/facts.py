"""The facts behind a reading: per area, the figures a page shows, each with its display text.

``gather(source, view, area)`` reads through the pages' own named queries (lib/ui/data.query on a
page, lib/reading/source.EngineSource in the CLI) with the very arguments the page passes, computes
with the pages' metric functions (lib/metrics, lib/targets) and formats with lib/fmt as the page
does. Every number a sentence may say is stored here as text (``*_text`` fields, ranks and counts
as ints), so tests can check that the text says nothing the facts do not hold.

What is left out, on purpose (and recorded in ``omitted``):
- thin data: a rate over too small a denominator, an area with almost no records (``MIN_*``), and
  below district level no diagnosed/treated/aided figure at all (counts under 5 are masked there);
- a rank among siblings whose parent lies outside the reader's scope (a district user never learns
  a city figure, not even a rank);
- jumps in employment: fairs come in campaigns (春风行动), so a month far from the usual is normal.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib import clock, fmt
from lib.charts import targets as TC
from lib.metrics import metric
from lib.metrics import screening as sm
from lib.metrics.asof import figure_date
from lib.metrics.compute import FEDERATION_TYPES, coverage, ratio, yoy
from lib.metrics.league import league
from lib.metrics.overview import headlines
from lib.reading.source import Source
from lib.targets import labels as TL
from lib.targets.areas import ALL as ALL_INDICATOR_AREAS, in_area
from lib.targets.assess import Assessment, warnings
from lib.warehouse.scope import level_of, prefix_of

AREAS = ("overview", "coverage", "training", "employment", "screening", "targets")
FED = list(FEDERATION_TYPES)  # the overview's and meeting's org_coverage argument (same cache key)

# Thin data: below these nothing is said.
MIN_VILLAGES = 3        # villages behind a coverage rate
MIN_SESSIONS = 3        # training sessions in the period
MIN_FAIRS = 1           # job fairs in the period
MIN_SCREENED = 20       # women screened in the year behind a completion rate
MIN_CHILD_QUOTA = 20    # a child's annual quota behind its completion rate
MIN_DIAGNOSED = 5       # diagnosed women behind a treatment rate (never below district level)
# Jumps: a child's last whole month against the 12 months before it.
HISTORY_MONTHS = 12
MIN_HISTORY_MONTHS = 6  # months with records among the 12
JUMP_Z = 3.0            # robust z (median, 1.4826 × MAD)
JUMP_RATIO = 2.0        # at least twice, or at most half, the median
JUMP_MIN = {"screened": 30, "participants": 30}  # and at least this far from it, in counts
COVERAGE_JUMP_PP = 0.10  # a child's coverage moving ≥ 10 points in a year
TOP, BOTTOM, MAX_NAMED = 3, 3, 5


@dataclass
class AreaFacts:
    """The figures one reading may mention; JSON-ready (``to_dict``)."""
    area: str
    region_code: str
    region_name: str
    lang: str
    level: str = ""                       # the view's level (city/district/township/village)
    child_level: str | None = None
    headline: list[dict] = field(default_factory=list)   # level and change, first item ranked
    rank: dict | None = None              # rank among sibling regions
    league_label: str = ""
    league_unit: str = ""
    leaders: list[dict] = field(default_factory=list)
    leaders_tied: dict | None = None     # more than TOP children share the top value
    laggards: list[dict] = field(default_factory=list)
    league: list[dict] = field(default_factory=list)     # the whole ranking (tables of the 通报)
    jumps: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)    # at risk / off track, worst first
    target_counts: dict = field(default_factory=dict)    # status → number of indicators
    volatile: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)       # children that did not report
    gap_count: int = 0
    gap_dataset: str = ""
    villages_without: int | None = None                  # coverage: villages with no federation
    omitted: list[str] = field(default_factory=list)     # what was left unsaid, and why

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not (self.headline or self.laggards or self.leaders or self.jumps or self.targets
                    or self.gaps or self.villages_without or self.target_counts)


# --- formatting, exactly as the pages ----------------------------------------------------------

def _bare(text: str) -> str:
    """'+0.1 pp' / '-12.5%' → '0.1' / '12.5': the page's rounding, without sign and unit."""
    return text.lstrip("+-").removesuffix(" pp").removesuffix("%")


def item(code: str, value: float, previous: float | None, lang: str, *,
         label: str | None = None, unit: str | None = None, on: dt.date | None = None) -> dict:
    """One headline figure: value and change on the same period last year, as the KPI card shows
    them (fmt.value; fmt.change_pp for rates, fmt.change_pct for counts). A share read on ``on``,
    a day other than today, says that day (as_of_text): the plan values beside it are read on
    today and say so, and two undated values of one figure would contradict each other."""
    m = metric(code)
    unit = unit or m.unit
    dated_on = on is not None and on != clock.today() and m.as_of == "day"
    out = {"metric": code, "label": label or m.label(lang), "unit": unit,
           "as_of_text": figure_date(code, on, lang) if dated_on else "",
           "value": _plain(value), "value_text": fmt.value(value, unit, lang),
           "previous": _plain(previous), "previous_text": None, "change": None,
           "change_text": None, "change_abs_text": None, "trend": None}
    if previous is None or pd.isna(previous):
        return out
    out["previous_text"] = fmt.value(previous, unit, lang)
    change = (value - previous) if unit == "percent" else yoy(value, previous)
    if change is None or pd.isna(change):
        return out
    text = fmt.change_pp(change) if unit == "percent" else fmt.change_pct(change)
    bare = _bare(text)
    out.update(change=_plain(change), change_text=text, change_abs_text=bare,
               trend="flat" if float(bare) == 0 else ("up" if change > 0 else "down"))
    return out


def _last_year_known(src: Source, view, at_date: bool = False) -> bool:
    """Whether the same period last year lies within the data of the reader's scope: a period
    from 2019 read against 2018, before the data begin, has no change to tell (the cards then say
    无上年同期数据, and so does the reading, by saying nothing of a change)."""
    first, _ = src.query("data_period", view.user_scope)
    return view.last_year_within(first, at_date)


def _plain(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else float(x)
    return x


def _named(src: Source, per: pd.DataFrame) -> pd.DataFrame:
    """child prefix → region_code and name (lib/ui/dashboard.with_names without Streamlit)."""
    names = src.names()
    out = per.copy()
    out["region_code"] = out["child"].astype(str).str.ljust(12, "0")
    out["name"] = [names.get(c) for c in out["region_code"]]
    return out[out["name"].notna()].reset_index(drop=True)


def _league_facts(facts: AreaFacts, view, current: pd.DataFrame, previous: pd.DataFrame | None,
                  unit: str, label: str, direction: str = "up") -> None:
    """Leaders, laggards and the whole ranking of the view's children, as the page's league table
    ranks them (lib/metrics/league; the view's own region is no child of it)."""
    current = current[current["region_code"] != view.region_code]
    current = current[current["value"].notna()]
    facts.league_label, facts.league_unit = label, unit
    if len(current) < 2:
        return
    if previous is not None:
        previous = previous[previous["region_code"] != view.region_code]
    table = league(current, previous, direction=direction)
    rows = []
    for r in table.itertuples():
        change = r.rank_change
        rows.append({"code": r.region_code, "name": r.name, "rank": int(r.rank),
                     "value": _plain(r.value), "value_text": fmt.value(r.value, unit, facts.lang),
                     "rank_change": None if pd.isna(change) else int(change),
                     "bottom": bool(r.bottom)})
    facts.league = rows
    if len(rows) > BOTTOM:
        top = [r for r in rows if r["rank"] == 1]
        if len(top) > TOP and top[0]["value"]:
            facts.leaders_tied = {"count": len(top), "value_text": top[0]["value_text"]}
        else:
            facts.leaders = [r for r in rows[:TOP] if not r["bottom"]] \
                if len(rows) > TOP + BOTTOM else rows[:1]
        facts.laggards = [r for r in rows if r["bottom"]]


def _sibling_rank(src: Source, view, facts: AreaFacts, values) -> None:
    """The view's rank among its parent's children; ``values(parent_prefix, child_len)`` returns
    (child, value). Left out when the parent lies outside the reader's scope."""
    parent = src.parents().get(view.region_code)
    if not isinstance(parent, str) or len(src.children_of(parent, view.level)) < 2:
        return  # no sibling (a warehouse's one city under its province): no rank to give or omit
    try:
        p = prefix_of(parent)
    except ValueError:
        return
    if p == view.prefix or len(p) >= len(view.prefix):
        return
    if not p.startswith(view.scope):
        facts.omitted.append("rank:parent_out_of_scope")
        return
    per = values(p, len(view.prefix))
    if per is None or per.empty:
        return
    per = _named(src, per)
    per = per[per["value"].notna() & (per["region_code"] != parent)]
    if len(per) < 2 or view.region_code not in set(per["region_code"]):
        return
    table = league(per[["region_code", "name", "value"]], None)
    mine = table[table["region_code"] == view.region_code].iloc[0]
    of = int(table["rank"].notna().sum())
    facts.rank = {"metric": facts.headline[0]["metric"] if facts.headline else "",
                  "rank": int(mine["rank"]), "of": of, "parent_code": parent,
                  "parent_level": _level_of(parent), "parent_name": src.names().get(parent),
                  "sibling_level": view.level}


def _level_of(code: str) -> str:
    return level_of(code)


def _last_whole_month(view) -> dt.date | None:
    """First day of the period's last complete month (None if the period holds none)."""
    partial = fmt.partial_month_start(view.date_to)
    last = view.date_to.replace(day=1)
    if partial is not None:
        last = (last - dt.timedelta(days=1)).replace(day=1)
    return last if last >= view.date_from.replace(day=1) else None


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def _jumps(src: Source, view, facts: AreaFacts, dataset: str, measure: str,
           area_kw: dict) -> None:
    """Children whose last whole month lies far from their own previous 12 months: at least
    JUMP_Z robust deviations, twice or half the median, and JUMP_MIN apart in counts."""
    if not view.child_len or view.child_level == "village":
        return
    last = _last_whole_month(view)
    if last is None:
        return
    start = _add_months(last, -HISTORY_MONTHS)
    end = _add_months(last, 1) - dt.timedelta(days=1)
    frame = src.query("facts", dataset, view.prefix, start, end, child_len=view.child_len,
                      by_month=True, **area_kw)
    if frame.empty:
        return
    frame = frame.assign(month=pd.to_datetime(frame["month"]).dt.date)
    names = src.names()
    found = []
    for child, part in frame.groupby("child"):
        code = str(child).ljust(12, "0")
        name = names.get(code)
        if not name or code == view.region_code:
            continue
        by_month = dict(zip(part["month"], part[measure].astype(float)))
        if last not in by_month:
            continue  # nothing reported this month: a gap, not a drop
        hist_months = [_add_months(start, i) for i in range(HISTORY_MONTHS)]
        if sum(m in by_month for m in hist_months) < MIN_HISTORY_MONTHS:
            continue
        hist = np.array([by_month.get(m, 0.0) for m in hist_months])
        x = by_month[last]
        med = float(np.median(hist))
        mad = float(np.median(np.abs(hist - med)))
        scale = max(1.4826 * mad, 0.25 * med, 1.0)
        dev = x - med
        far = abs(dev) >= JUMP_Z * scale and abs(dev) >= JUMP_MIN[measure]
        if far and (x >= JUMP_RATIO * med or x <= med / JUMP_RATIO):
            found.append((abs(dev) / scale, {
                "code": code, "name": name, "kind": "month", "measure": measure,
                "label": facts.league_label, "month": last.isoformat(),
                "month_text": fmt.month(last, view.lang), "value": x,
                "value_text": fmt.count(x, view.lang), "baseline": med,
                "baseline_text": fmt.count(med, view.lang), "history_months": HISTORY_MONTHS,
                "direction": "up" if dev > 0 else "down"}))
    found.sort(key=lambda p: -p[0])
    facts.jumps = [j for _, j in found[:TOP]]


def _gaps(src: Source, view, facts: AreaFacts, dataset: str, now: pd.DataFrame,
          expected: set[str]) -> None:
    """Children expected to report (``expected``: 12-digit codes) with no record in the period."""
    if view.child_level not in ("district", "township"):
        return
    kids = src.children_of(view.region_code, view.child_level)
    reported = {str(c).ljust(12, "0") for c in now["child"]} if not now.empty else set()
    names = src.names()
    missing = [c for c in kids if c in expected and c not in reported]
    facts.gap_dataset = dataset
    facts.gap_count = len(missing)
    facts.gaps = [{"code": c, "name": names.get(c, c)} for c in missing[:MAX_NAMED]]


def _target_facts(src: Source, view, facts: AreaFacts, area: str) -> None:
    """At-risk and off-track plan indicators of the area, worst shortfall first (targets page)."""
    # The targets page and the overview assess every indicator (one cached query, shared with the
    # targets page); an area's page only its own (lib.targets.areas).
    own = () if area in ALL_INDICATOR_AREAS else (area,)
    assessments: list[Assessment] = src.query("targets_assess", view.region_code, *own)
    catalog = src.query("indicators")
    computed = {c: (s if isinstance(s, str) else "") for c, s in
                zip(catalog["code"], catalog["computed_from"])}
    mine = [a for a in assessments if in_area(area, a.domain, computed.get(a.code, "").strip())]
    if area in ALL_INDICATOR_AREAS:
        counts: dict[str, int] = {}
        for a in mine:
            counts[a.status] = counts.get(a.status, 0) + 1
        facts.target_counts = {"total": len(mine), **counts}
        facts.volatile = [_target_item(a, view.lang) for a in mine if a.volatile][:MAX_NAMED]
    for a in warnings(mine):
        if a.status in ("at_risk", "off_track"):
            facts.targets.append(_target_item(a, view.lang))
    facts.targets = facts.targets[:TOP]


def _target_item(a: Assessment, lang: str) -> dict:
    return {"code": a.code, "name": TC.indicator_name(a, lang), "status": a.status,
            "status_text": TL.status_label(a.status, lang), "volatile": a.volatile,
            "latest_year": a.latest_year, "latest_label": a.latest_label(lang),
            "latest_text": TC.indicator_value(a.latest_value, a.unit, lang),
            "target_text": TC.indicator_value(a.target_value, a.unit, lang),
            "target_year": a.target_year,
            "projected_text": TC.indicator_value(a.projected_value, a.unit, lang)}


# --- one function per area ---------------------------------------------------------------------

def gather(src: Source, view, area: str) -> AreaFacts:
    """The facts of one area for the view (region ∩ scope, period, urban/rural, language)."""
    if area not in AREAS:
        raise ValueError(f"unknown area {area!r}")
    facts = AreaFacts(area, view.region_code, view.region_name, view.lang, level=view.level,
                      child_level=view.child_level)
    {"overview": _overview, "coverage": _coverage, "training": _training,
     "employment": _employment, "screening": _screening, "targets": _targets}[area](src, view, facts)
    return facts


def _coverage(src: Source, view, facts: AreaFacts) -> None:
    lang, ly_to = view.lang, view.last_year()[1]
    cov = src.query("org_coverage", view.prefix, view.date_to, FED)
    cov_prev = src.query("org_coverage", view.prefix, ly_to, FED)
    mine = cov[cov["area"] == view.area] if view.area else cov
    villages = int(mine.drop_duplicates(["child", "area"])["villages"].sum())
    if villages < MIN_VILLAGES or int(mine["with_org"].sum()) == 0:
        facts.omitted.append("headline:thin")
    else:
        before = coverage(cov_prev, area=view.area) if _last_year_known(src, view, True) else None
        facts.headline.append(item("coverage.federation", coverage(cov, area=view.area),
                                   before, lang, on=view.date_to))
        facts.headline.append(item("coverage.federation.effective",
                                   coverage(cov, area=view.area, effective=True), None, lang,
                                   on=view.date_to))

        def sib(p: str, n: int) -> pd.DataFrame:
            c = src.query("org_coverage", p, view.date_to, FED, child_len=n)
            return _thin_coverage(coverage(c, area=view.area, by_child=True))
        _sibling_rank(src, view, facts, sib)
        gaps = src.query("villages_without", view.prefix, view.date_to, FED)
        if view.area:
            gaps = gaps[gaps["urban_rural_code"].fillna("2").str.startswith(
                "1" if view.area == "urban" else "2")]
        facts.villages_without = int(len(gaps))
    label = metric("coverage.federation").label(lang)
    if facts.headline and view.child_len and view.child_level != "village":
        per = _named(src, _thin_coverage(coverage(
            src.query("org_coverage", view.prefix, view.date_to, FED, child_len=view.child_len),
            area=view.area, by_child=True)))
        prev = _named(src, coverage(
            src.query("org_coverage", view.prefix, ly_to, FED, child_len=view.child_len),
            area=view.area, by_child=True))
        _league_facts(facts, view, per, prev, "percent", label)
        both = per.merge(prev[["region_code", "value"]].rename(columns={"value": "before"}),
                         on="region_code")
        found = []
        for r in both.itertuples():
            if r.region_code == view.region_code or pd.isna(r.before) or pd.isna(r.value):
                continue
            if abs(r.value - r.before) >= COVERAGE_JUMP_PP:
                it = item("coverage.federation", r.value, r.before, lang)
                found.append((abs(r.value - r.before), {
                    "code": r.region_code, "name": r.name, "kind": "year", "label": label,
                    "value_text": it["value_text"], "previous_text": it["previous_text"],
                    "change_abs_text": it["change_abs_text"], "direction": it["trend"]}))
        found.sort(key=lambda p: -p[0])
        facts.jumps = [j for _, j in found[:TOP] if j["direction"] != "flat"]
    _target_facts(src, view, facts, "coverage")


def _thin_coverage(per: pd.DataFrame) -> pd.DataFrame:
    """No coverage rate over fewer than MIN_VILLAGES villages."""
    if per.empty:
        return per
    return per.assign(value=[v if d >= MIN_VILLAGES else float("nan")
                             for v, d in zip(per["value"], per["den"])])


def _counts_area(src: Source, view, facts: AreaFacts, dataset: str, by: tuple[str, ...],
                 area_kw: dict, heads: list[tuple[str, Any]], min_n: int, league_code: str,
                 measure: str, jumps: bool) -> None:
    """Training and employment: headline counts, the children ranked by one count, gaps."""
    lang = view.lang
    ly_from, ly_to = view.last_year()
    cur = src.query("facts", dataset, view.prefix, view.date_from, view.date_to, by=by, **area_kw)
    prev = src.query("facts", dataset, view.prefix, ly_from, ly_to, by=by, **area_kw)
    if float(cur["n"].sum()) < min_n:
        facts.omitted.append("headline:thin")
    else:
        known = _last_year_known(src, view)
        for code, fn in heads:
            facts.headline.append(item(code, fn(cur), fn(prev) if known else None, lang))

        def sib(p: str, n: int) -> pd.DataFrame:
            per = src.query("facts", dataset, p, view.date_from, view.date_to, child_len=n,
                            **area_kw)
            return per.assign(value=per[measure])
        _sibling_rank(src, view, facts, sib)
    label = metric(league_code).label(lang)
    facts.league_label = label
    if not view.child_len:
        return
    per = src.query("facts", dataset, view.prefix, view.date_from, view.date_to,
                    child_len=view.child_len, **area_kw)
    per_prev = src.query("facts", dataset, view.prefix, ly_from, ly_to, child_len=view.child_len,
                         **area_kw)
    if not per.empty:
        _league_facts(facts, view, _named(src, per.assign(value=per[measure])),
                      _named(src, per_prev.assign(value=per_prev[measure])), "count", label)
    if jumps:
        _jumps(src, view, facts, dataset, measure, area_kw)
    before = {str(c).ljust(12, "0") for c in per_prev["child"]} if not per_prev.empty else set()
    _gaps(src, view, facts, dataset, per, before)


def _training(src: Source, view, facts: AreaFacts) -> None:
    heads = [("training.participants", lambda f: float(f["participants"].sum())),
             ("training.sessions", lambda f: float(f["n"].sum()))]
    _counts_area(src, view, facts, "training", ("topic", "audience"),
                 dict(urban_rural=view.area), heads, MIN_SESSIONS, "training.participants",
                 "participants", jumps=True)
    _target_facts(src, view, facts, "training")


def _employment(src: Source, view, facts: AreaFacts) -> None:
    heads = [("employment.positions", lambda f: float(f["positions"].sum())),
             ("employment.fairs", lambda f: float(f["n"].sum())),
             ("employment.intent_rate", lambda f: ratio(f["intents"].sum(),
                                                        f["women_attending"].sum()))]
    # Fairs are held by districts and carry no urban/rural class: a township, or an urban/rural
    # filter, has none of its own, and then the reading (like the page's 不适用 cards) says nothing.
    _counts_area(src, view, facts, "job_fair", ("fair_type",), dict(urban_rural=view.area), heads,
                 MIN_FAIRS,
                 "employment.positions", "positions", jumps=False)
    _target_facts(src, view, facts, "employment")


def _screening_frames(src: Source, view, prefix: str, child_len=None, date_to=None, yr=None):
    """The screening page's ``frames``: year-to-date facts, the 36-month cycle and the targets,
    called with the same arguments (and so the same cache entries)."""
    date_to = date_to or view.date_to
    yr = yr or view.date_to.year
    cl = dict(child_len=child_len, urban_rural=view.area)
    return (src.query("facts", "screening", prefix, dt.date(yr, 1, 1), date_to, **cl),
            src.query("facts", "screening", prefix, sm.cycle_start(date_to), date_to, **cl),
            src.query("screening_targets", prefix, [yr], **cl))


def _screening(src: Source, view, facts: AreaFacts) -> None:
    lang = view.lang
    area_kw = dict(urban_rural=view.area)
    ly_from, ly_to = view.last_year()
    period = src.query("facts", "screening", view.prefix, view.date_from, view.date_to,
                       by=("kind",), **area_kw)
    year_f, cyc_f, tgt = _screening_frames(src, view, view.prefix)
    now = sm.summary(period, year_f, cyc_f, tgt)
    prev_period = src.query("facts", "screening", view.prefix, ly_from, ly_to, by=("kind",),
                            **area_kw)
    prev = sm.summary(prev_period, *_screening_frames(src, view, view.prefix, date_to=ly_to,
                                                      yr=ly_to.year))
    year_screened = float(year_f["screened"].sum()) if not year_f.empty else 0.0
    masked = view.level in ("township", "village") or view.child_level in ("township", "village")
    quota = float(tgt["quota"].sum()) if not tgt.empty else 0.0
    if year_screened < MIN_SCREENED or quota <= 0:
        facts.omitted.append("headline:thin")
    else:
        if not _last_year_known(src, view):
            prev = {k: None for k in prev}
        facts.headline.append(item("screening.completion", now["completion"],
                                   prev["completion"], lang))
        if not pd.isna(now["coverage"]):
            facts.headline.append(item("screening.coverage", now["coverage"], prev["coverage"],
                                       lang))
        if masked:
            facts.omitted.append("treatment:masked")
        elif now["diagnosed"] >= MIN_DIAGNOSED:
            facts.headline.append(item("screening.treatment_rate", now["treatment_rate"],
                                       prev["treatment_rate"], lang))

        def sib(p: str, n: int) -> pd.DataFrame:
            per = sm.per_child(*_screening_frames(src, view, p, n))
            return per.assign(value=[v if q >= MIN_CHILD_QUOTA else float("nan")
                                     for v, q in zip(per["completion"], per["quota"])])
        _sibling_rank(src, view, facts, sib)
    label = metric("screening.completion").label(lang)
    facts.league_label = label
    if not view.child_len:
        _target_facts(src, view, facts, "screening")
        return
    yc, cc, tc = _screening_frames(src, view, view.prefix, view.child_len)
    per = _named(src, sm.per_child(yc, cc, tc))
    ly_y, ly_c, ly_t = _screening_frames(src, view, view.prefix, view.child_len, date_to=ly_to,
                                         yr=ly_to.year)
    prev_per = _named(src, sm.per_child(ly_y, ly_c, ly_t))
    thin = per["quota"] < MIN_CHILD_QUOTA
    _league_facts(facts, view, per.assign(value=per["completion"].mask(thin)),
                  prev_per.assign(value=prev_per["completion"]), "percent", label)
    _jumps(src, view, facts, "screening", "screened", area_kw)
    expected = {str(c).ljust(12, "0") for c, q in zip(tc["child"], tc["quota"]) if q > 0} \
        if not tc.empty else set()
    per_period = src.query("facts", "screening", view.prefix, view.date_from, view.date_to,
                           child_len=view.child_len, **area_kw)
    _gaps(src, view, facts, "screening", per_period, expected)
    _target_facts(src, view, facts, "screening")


def _targets(src: Source, view, facts: AreaFacts) -> None:
    _target_facts(src, view, facts, "targets")
    no_data = facts.target_counts.get("insufficient_data", 0)
    facts.gap_count = int(no_data)
    facts.gap_dataset = "indicator_value"


def _overview(src: Source, view, facts: AreaFacts) -> None:
    """The overview's four headlines (its own queries), the coverage map's laggards and the plan
    targets' warnings."""
    lang = view.lang
    ly_from, ly_to = view.last_year()
    cov_now = src.query("org_coverage", view.prefix, view.date_to, FED)
    cov_prev = src.query("org_coverage", view.prefix, ly_to, FED)
    period = dict(urban_rural=view.area)
    frames = {ds: (src.query("facts", ds, view.prefix, view.date_from, view.date_to, **period),
                   src.query("facts", ds, view.prefix, ly_from, ly_to, **period))
              for ds in ("training", "job_fair", "screening")}
    heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"],
                      frames["screening"], area=view.area)
    thin = {"coverage.federation": int(cov_now["with_org"].sum()) == 0,
            "training.participants": float(frames["training"][0]["n"].sum()) < MIN_SESSIONS,
            "employment.positions": float(frames["job_fair"][0]["n"].sum()) < MIN_FAIRS,
            "screening.screened": float(frames["screening"][0]["screened"].sum()) < MIN_SCREENED}
    for h in heads:
        if thin[h.code] or pd.isna(h.value):
            facts.omitted.append(f"headline:{h.code}:thin")
            continue
        facts.headline.append(item(h.code, h.value, h.previous, lang, unit=h.unit,
                                   on=view.date_to))
    if view.child_len:
        per = _named(src, _thin_coverage(coverage(
            src.query("org_coverage", view.prefix, view.date_to, FED, child_len=view.child_len),
            area=view.area, by_child=True)))
        _league_facts(facts, view, per, None, "percent", metric("coverage.federation").label(lang))
        facts.leaders, facts.leaders_tied = [], None  # the overview names only who lags
    _target_facts(src, view, facts, "overview")
