"""Assess one indicator's yearly values against its target: progress, projection, status, volatility.

Pure functions (frames and dataclasses in, dataclasses out). Rules, in the indicator's own units:
- baseline: the last observed year ≤ PLAN_BASELINE_YEAR (2020, the plans' base year), else the first
  observed year; the trend is fitted on the years from the baseline on.
- achieved: the latest value meets the target; otherwise the Theil–Sen projection to the target year
  decides: on_track (projection meets), at_risk (only the favourable end of the interval meets),
  off_track (even that misses). Once the target year has passed, the latest value alone decides.
- "meets": up → value ≥ target; down → value ≤ target; keep → |value − target| ≤ KEEP_TOLERANCE.
- fewer than MIN_YEARS observed years: no projection, status insufficient_data, with a reason.
- as of a year (``until_year``): the values of later years are left out, so the assessment is the
  one a report made at that year's end would have given (the mid-term evaluation of 2025 read in
  2027 still judges on the values up to 2025).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from lib.metrics.asof import year_label
from lib.targets.theil_sen import Trend, theil_sen

PLAN_BASELINE_YEAR = 2020
MIN_YEARS = 3
KEEP_TOLERANCE = 5.0        # percentage points around a 'keep' target (e.g. women ≈ 50 % ± 5)
CONFIDENCE = 0.90           # of Sen's slope interval
# Volatility (see is_volatile): a change counts only above 1 % of the target (noise floor); a spike is
# a change larger than SPIKE_MULTIPLE × the median change; a zigzag swings by ZIGZAG_MULTIPLE × trend.
NOISE_SHARE = 0.01
SPIKE_MULTIPLE = 3.0
ZIGZAG_MULTIPLE = 2.0
_EPS = 1e-9


@dataclass(frozen=True)
class Target:
    """One indicator of the catalog (the fields the assessment needs, plus names for display)."""
    code: str
    direction: str                 # up / down / keep
    target_value: float | None
    target_year: int | None
    unit: str = "percent"          # percent / per_100k / count
    domain: str = ""
    name_zh: str = ""
    name_en: str = ""
    keep_tolerance: float = KEEP_TOLERANCE
    computed_from: str = ""        # the ledger figure it is computed from ('' : uploaded)

    @classmethod
    def from_row(cls, row: Mapping) -> "Target":
        def num(v):
            return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA \
                else v
        tv, ty = num(row.get("target_value")), num(row.get("target_year"))
        return cls(code=str(row["code"]), direction=str(row.get("direction") or "up"),
                   target_value=None if tv is None else float(tv),
                   target_year=None if ty is None else int(ty),
                   unit=str(row.get("unit") or "percent"), domain=str(row.get("domain") or ""),
                   name_zh=str(row.get("name_zh") or ""), name_en=str(row.get("name_en") or ""),
                   computed_from=str(num(row.get("computed_from")) or "").strip())


@dataclass(frozen=True)
class Assessment:
    code: str
    region_code: str
    direction: str
    unit: str
    domain: str
    name_zh: str
    name_en: str
    target_value: float | None
    target_year: int | None
    n_years: int = 0
    baseline_year: int | None = None
    baseline_value: float | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    time_progress: float | None = None          # 时间进度, 0..1
    attainment_progress: float | None = None    # 完成进度, ≤ 1 (negative when it moved away)
    pace_value: float | None = None             # the straight line baseline → target, at latest_year
    slope: float | None = None                  # units per year
    slope_low: float | None = None
    slope_high: float | None = None
    projected_value: float | None = None        # at target_year
    projected_low: float | None = None
    projected_high: float | None = None
    status: str = "insufficient_data"
    volatile: bool = False
    shortfall: float | None = None              # projected gap to the target, in units (≥ 0)
    shortfall_share: float | None = None        # shortfall ÷ |target|: comparable across units
    reason: str | None = None                   # key of labels.REASON_LABELS
    observed: tuple[tuple[int, float], ...] = field(default=(), repr=False)
    computed_from: str = ""

    def latest_label(self, lang: str = "zh") -> str:
        """The latest value's date as every surface says it (lib.metrics.asof): 截至2026年11月30日
        for a year still running, 2025年末 for a closed year's stock, 2025年 otherwise."""
        return year_label(self.latest_year, self.computed_from, lang)

    @property
    def is_warning(self) -> bool:
        return self.status in ("at_risk", "off_track") or self.volatile

    def to_dict(self) -> dict:
        d = asdict(self)
        d["observed"] = [list(p) for p in self.observed]
        return d


def _value_of(target: Target) -> float:
    """The target's value; gaps and shares exist only for an indicator that has one (``assess``
    answers ``no_target`` before it measures any)."""
    if target.target_value is None:
        raise ValueError(f"indicator {target.code} has no target value to measure against")
    return target.target_value


def gap(value: float, target: Target) -> float:
    """Distance still to go to the target, ≥ 0 (0 when the value meets it)."""
    t = _value_of(target)
    if target.direction == "down":
        return max(0.0, value - t)
    if target.direction == "keep":
        return max(0.0, abs(value - t) - target.keep_tolerance)
    return max(0.0, t - value)


def meets(value: float, target: Target) -> bool:
    return gap(value, target) <= _EPS * max(1.0, abs(_value_of(target)))


def clip_to_unit(value: float, unit: str) -> float:
    """Projections stay inside what the unit allows: percentages in [0, 100], others ≥ 0."""
    if unit == "percent":
        return min(100.0, max(0.0, value))
    return max(0.0, value)


def is_volatile(years: np.ndarray, values: np.ndarray, slope: float, target_value: float) -> bool:
    """Year-on-year changes swing widely.

    Changes are per year (gaps divided out); changes below the noise floor (1 % of the target) count
    as flat. Volatile when the direction reverses at least once and either one change exceeds
    SPIKE_MULTIPLE × the median absolute change (a spike that came back), or the direction reverses
    at least twice and the median absolute change exceeds ZIGZAG_MULTIPLE × |trend slope| (a zigzag
    that dwarfs the trend).
    """
    if len(values) < 3:
        return False
    changes = np.diff(values) / np.diff(years)
    floor = NOISE_SHARE * max(abs(target_value), 1.0)
    signs = [int(np.sign(c)) for c in changes if abs(c) >= floor]
    reversals = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
    if reversals == 0:
        return False
    abs_changes = np.abs(changes)
    median = float(np.median(abs_changes))
    spike = float(abs_changes.max()) > SPIKE_MULTIPLE * median
    zigzag = reversals >= 2 and median > ZIGZAG_MULTIPLE * abs(slope)
    return spike or zigzag


def _observed(values: pd.DataFrame | tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(years, values) sorted by year, the last value given for a year winning. Takes a frame
    (year, value) or the two float arrays already split out by assess_indicators; numpy rather
    than a pandas groupby because a page assesses ~20 indicators for each of ~100 child regions."""
    if isinstance(values, tuple):
        years, vals = values
    else:
        years = pd.to_numeric(values["year"], errors="coerce").to_numpy(dtype=float)
        vals = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)
    keep = ~(np.isnan(years) | np.isnan(vals))
    years, vals = years[keep], vals[keep]
    order = np.argsort(years, kind="stable")
    years, vals = years[order], vals[order]
    last = np.append(years[1:] != years[:-1], True) if len(years) else np.zeros(0, dtype=bool)
    return years[last].astype(int), vals[last]


def assess(values: pd.DataFrame | tuple[np.ndarray, np.ndarray], target: Target, region_code: str = "", *,
           baseline_year: int = PLAN_BASELINE_YEAR, confidence: float = CONFIDENCE,
           until_year: int | None = None) -> Assessment:
    """Assess one indicator in one region from a frame of (year, value), as of the end of
    ``until_year`` if given (later years' values are ignored)."""
    years, vals = _observed(values)
    if until_year is not None:
        upto = years <= int(until_year)
        years, vals = years[upto], vals[upto]
    base: dict[str, Any]
    base = dict(code=target.code, region_code=region_code, direction=target.direction,
                unit=target.unit, domain=target.domain, name_zh=target.name_zh,
                name_en=target.name_en, target_value=target.target_value,
                target_year=target.target_year, computed_from=target.computed_from,
                observed=tuple((int(y), float(v)) for y, v in zip(years, vals)))
    if len(years) == 0:
        return Assessment(**base, reason="no_data")
    early = years[years <= baseline_year]
    b_year = int(early.max()) if len(early) else int(years[0])
    window = years >= b_year
    years, vals = years[window], vals[window]
    b_value = float(vals[0])
    latest_year, latest_value = int(years[-1]), float(vals[-1])
    base.update(n_years=len(years), baseline_year=b_year, baseline_value=b_value,
                latest_year=latest_year, latest_value=latest_value)
    if target.target_value is None or target.target_year is None:
        return Assessment(**base, reason="no_target")

    span = target.target_year - b_year
    time_progress = 1.0 if span <= 0 else min(1.0, max(0.0, (latest_year - b_year) / span))
    g0, g = gap(b_value, target), gap(latest_value, target)
    attainment = (1.0 if g <= _EPS else 0.0) if g0 <= _EPS else min(1.0, 1.0 - g / g0)
    pace = b_value + (target.target_value - b_value) * time_progress
    base.update(time_progress=time_progress, attainment_progress=attainment, pace_value=pace)

    if len(years) < MIN_YEARS:
        return Assessment(**base, reason="too_few_years")

    trend: Trend = theil_sen(years, vals, confidence)
    volatile = is_volatile(years, vals, trend.slope, target.target_value)
    base.update(slope=trend.slope, slope_low=trend.slope_low, slope_high=trend.slope_high,
                volatile=volatile)
    if latest_year >= target.target_year:
        ok = meets(latest_value, target)
        return Assessment(**base, projected_value=latest_value, projected_low=latest_value,
                          projected_high=latest_value, status="achieved" if ok else "off_track",
                          shortfall=g, shortfall_share=_share(g, target),
                          reason="target_year_passed")

    mid, low, high = (clip_to_unit(v, target.unit) for v in trend.predict(target.target_year))
    base.update(projected_value=mid, projected_low=low, projected_high=high)
    if meets(latest_value, target):
        return Assessment(**base, status="achieved", shortfall=0.0, shortfall_share=0.0)
    short = gap(mid, target)
    if short <= _EPS:
        status = "on_track"
    elif _favourable_meets(low, high, target):
        status = "at_risk"
    else:
        status = "off_track"
    return Assessment(**base, status=status, shortfall=short, shortfall_share=_share(short, target))


def _favourable_meets(low: float, high: float, target: Target) -> bool:
    t = _value_of(target)
    if target.direction == "up":
        return meets(high, target)
    if target.direction == "down":
        return meets(low, target)
    # keep: the interval overlaps the tolerance band
    return low <= t + target.keep_tolerance + _EPS and high >= t - target.keep_tolerance - _EPS


def _share(short: float, target: Target) -> float:
    return short / max(abs(_value_of(target)), _EPS)


def assess_indicators(indicators: pd.DataFrame | list[Target], values: pd.DataFrame,
                      region_code: str, *, baseline_year: int = PLAN_BASELINE_YEAR,
                      until_year: int | None = None) -> list[Assessment]:
    """Every catalog indicator in one region; ``values`` is the tidy frame
    (indicator_code, region_code, year, value) of lib.warehouse.indicator_queries. The catalog
    may come as targets() already, when many regions are assessed against it. ``until_year``:
    as of that year's end (see assess)."""
    if "region_code" in values.columns:
        values = values[values["region_code"] == region_code]
    series = _split_by_code(values)
    none = (np.zeros(0), np.zeros(0))
    return [assess(series.get(target.code, none), target, region_code,
                   baseline_year=baseline_year, until_year=until_year)
            for target in (indicators if isinstance(indicators, list) else targets(indicators))]


def targets(indicators: pd.DataFrame) -> list[Target]:
    """The catalog rows as Targets, in catalog order."""
    return [Target.from_row(row) for row in indicators.to_dict("records")]


def _split_by_code(values: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{indicator code: (years, values) as float arrays}, converted once for the whole frame."""
    years = pd.to_numeric(values["year"], errors="coerce").to_numpy(dtype=float)
    vals = pd.to_numeric(values["value"], errors="coerce").to_numpy(dtype=float)
    rows: dict[str, list[int]] = {}
    for i, code in enumerate(values["indicator_code"].tolist()):
        rows.setdefault(code, []).append(i)
    return {code: (years[idx], vals[idx]) for code, idx in rows.items()}


_SEVERITY = {"off_track": 0, "at_risk": 1, "on_track": 2, "achieved": 3, "insufficient_data": 4}


def warnings(assessments: Iterable[Assessment]) -> list[Assessment]:
    """At-risk, off-track and volatile indicators, largest relative shortfall first."""
    return sorted((a for a in assessments if a.is_warning),
                  key=lambda a: (-(a.shortfall_share or 0.0), _SEVERITY[a.status], a.code))


def assessments_frame(assessments: Iterable[Assessment]) -> pd.DataFrame:
    """One row per assessment (without the observed series), for tables and downloads."""
    rows = [{k: v for k, v in a.to_dict().items() if k != "observed"} for a in assessments]
    return pd.DataFrame(rows)
