"""The city demo: synthetic figures on a real city's divisions (built by ``python -m lib.demo``).

Every number here is made up (seeded, reproducible) and the UI labels it 示例数据. The shapes follow
the plans and reports in shared/background: coverage rising toward the 2025 targets, 春风行动 fairs in
February–March, screening campaigns in spring and autumn, a rural/urban gap, a few lagging townships.
No personal data is generated: organisations, sessions and fairs are counts, screening is aggregated.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import pandas as pd

from lib import clock
from lib.demo.shapes import (  # noqa: F401  (SECTORS … VOLATILE re-exported: lib.demo.X still works)
    AUDIENCES, INDICATOR_PATHS, MONTH_WEIGHT, SECTORS, TOPICS, VOLATILE,
)
from lib.warehouse import demo_store
from lib.warehouse.divisions import is_urban
from lib.warehouse.reference import regions_frame

Progress = Callable[[float, str], None]

START = dt.date(2019, 1, 1)
VILLAGE_ORG_TYPES = {
    # org_type: (coverage at start of 2019, coverage now) — rural / urban handled via offsets below
    "womens_home": (0.72, 0.97),
    "parent_school": (0.55, 0.86),
    "volunteer_team": (0.62, 0.97),
    "counselling_room": (0.28, 0.68),
    "womens_micro_home": (0.02, 0.18),
}


def months_until(today: dt.date) -> pd.DatetimeIndex:
    return pd.date_range(START, dt.date(today.year, today.month, 1), freq="MS")


def build_frames(regions: pd.DataFrame, *, seed: int = 7, today: dt.date | None = None,
                 progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Every demo fact table as frames (no batch_id yet), from the region rows of any city."""
    today = today or clock.today()
    rng = np.random.default_rng(seed)
    step = progress or (lambda f, m: None)
    towns = _township_profile(regions, rng)
    villages = regions[regions["level"] == "village"].merge(
        towns[["code", "lag", "district_code"]].rename(columns={"code": "parent_code"}),
        on="parent_code", how="inner")
    step(0.05, "组织 organisations")
    frames = {"org_unit": _org_units(regions, towns, villages, rng, today)}
    step(0.25, "培训 training")
    frames["training"] = _training(towns, villages, rng, today)
    step(0.45, "招聘会 job fairs")
    frames["job_fair"] = _job_fairs(regions, rng, today)
    step(0.55, "两癌筛查 screening")
    frames["screening_target"], frames["screening"] = _screening(towns, rng, today)
    step(0.75, "指标 indicators")
    frames["indicator_value"] = _indicator_values(regions, rng, today)
    return frames


def _township_profile(regions: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    towns = regions[regions["level"] == "township"][["code", "name", "parent_code"]].copy()
    towns = towns.rename(columns={"parent_code": "district_code"}).reset_index(drop=True)
    vil = regions[regions["level"] == "village"]
    urban = vil.assign(u=is_urban(vil["urban_rural_code"]))
    share = urban.groupby("parent_code")["u"].mean()
    count = urban.groupby("parent_code").size()
    towns["urban_share"] = towns["code"].map(share).fillna(0.0).to_numpy()
    towns["n_villages"] = towns["code"].map(count).fillna(0).astype(int).to_numpy()
    n = len(towns)
    lag = np.zeros(n, dtype=bool)
    lag[rng.choice(n, size=max(1, round(n * 0.04)), replace=False)] = True
    towns["lag"] = lag
    # Women aged 35–64: streets are denser than rural towns.
    # (≈ 1.8 million in Fuzhou: 8.4 M residents, about a fifth of them women aged 35–64.)
    base = np.where(towns["urban_share"] > 0.5, rng.uniform(7000, 18000, n),
                    rng.uniform(2600, 10500, n))
    towns["eligible"] = base.round().astype(int)
    return towns


def _ramp(start: float, end: float, years: np.ndarray, span: float) -> np.ndarray:
    """Linear path from start (2019) to end (now), clipped to [0, 1]."""
    return np.clip(start + (end - start) * (years - 2019) / span, 0.0, 1.0)


def _org_units(regions, towns, villages, rng, today) -> pd.DataFrame:
    n_v = len(villages)
    urban = is_urban(villages["urban_rural_code"]).to_numpy()
    lag = villages["lag"].to_numpy()
    span_days = (today - START).days
    parts = []

    def established(p_start: float, p_end: float, size_bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which villages have the org by now, and a founding date consistent with the ramp."""
        p_now = np.clip(p_end + size_bias, 0, 1)
        has = rng.random(n_v) < p_now
        before = rng.random(n_v) < np.clip((p_start + size_bias) / np.maximum(p_now, 1e-9), 0, 1)
        days_before = rng.integers(30, 8 * 365, n_v)
        days_after = rng.integers(0, span_days, n_v)
        date = np.where(before, -days_before, days_after)
        founded = pd.Timestamp(START) + pd.to_timedelta(date, unit="D")
        return has, founded.to_numpy()

    last_gap = np.where(lag, rng.integers(120, 420, n_v), rng.integers(3, 150, n_v))
    last_activity = (pd.Timestamp(today) - pd.to_timedelta(last_gap, unit="D")).to_numpy()

    fed_bias = np.where(lag, -0.18, 0.0)
    has, founded = established(0.93, 0.995, fed_bias)
    kind = np.where(urban, "community_federation", "village_federation")
    parts.append(pd.DataFrame({
        "region_code": villages["code"].to_numpy(), "org_type": kind, "sector": None,
        "name": villages["name"].to_numpy() + "妇联", "established_on": founded,
        "exec_members": rng.integers(7, 16, n_v), "last_activity_on": last_activity})[has])
    for org_type, (p0, p1) in VILLAGE_ORG_TYPES.items():
        bias = np.where(urban, 0.06, -0.04) + np.where(lag, -0.3, 0.0)
        has, founded = established(p0, p1, bias)
        label = {"womens_home": "妇女之家", "parent_school": "家长学校",
                 "volunteer_team": "巾帼志愿服务队", "counselling_room": "心理咨询室",
                 "womens_micro_home": "妇女微家"}[org_type]
        parts.append(pd.DataFrame({
            "region_code": villages["code"].to_numpy(), "org_type": org_type, "sector": None,
            "name": villages["name"].to_numpy() + label, "established_on": founded,
            "exec_members": None, "last_activity_on": last_activity})[has])
    # 姐妹驿站: the work plan's "50 in three years" from 2024, scaled to the city's size.
    n_st = max(3, round(50 * len(towns) / 186))
    pick = rng.choice(n_v, size=min(n_st, n_v), replace=False)
    st_days = rng.integers(0, max(1, (today - dt.date(2024, 1, 1)).days), len(pick))
    parts.append(pd.DataFrame({
        "region_code": villages["code"].to_numpy()[pick], "org_type": "sister_station",
        "sector": None, "name": villages["name"].to_numpy()[pick] + "姐妹驿站",
        "established_on": (pd.Timestamp(2024, 1, 1) + pd.to_timedelta(st_days, unit="D")).to_numpy(),
        "exec_members": None, "last_activity_on": last_activity[pick]}))
    # Township federations, district mediation committees, new-sector organisations.
    n_t = len(towns)
    parts.append(pd.DataFrame({
        "region_code": towns["code"].to_numpy(), "org_type": "township_federation", "sector": None,
        "name": towns["name"].to_numpy() + "妇联", "established_on": pd.Timestamp(2012, 6, 1),
        "exec_members": rng.integers(15, 30, n_t),
        "last_activity_on": (pd.Timestamp(today) - pd.to_timedelta(rng.integers(1, 60, n_t), unit="D")).to_numpy()}))
    districts = regions[regions["level"] == "district"]
    n_d = len(districts)
    late = rng.random(n_d) < 0.2
    parts.append(pd.DataFrame({
        "region_code": districts["code"].to_numpy(), "org_type": "mediation_committee",
        "sector": None, "name": districts["name"].to_numpy() + "婚姻家庭纠纷人民调解委员会",
        "established_on": np.where(late, pd.Timestamp(2024, 9, 1), pd.Timestamp(2018, 3, 1)),
        "exec_members": None, "last_activity_on": pd.Timestamp(today) - pd.Timedelta(days=20)}))
    n_ns = max(5, round(1.4 * n_t))
    where = rng.integers(0, n_t, n_ns)
    ns_days = rng.integers(0, span_days, n_ns)
    sector = rng.choice(SECTORS, n_ns, p=[0.3, 0.2, 0.1, 0.12, 0.08, 0.1, 0.1])
    parts.append(pd.DataFrame({
        "region_code": towns["code"].to_numpy()[where], "org_type": "new_sector_org",
        "sector": sector, "name": [f"新领域妇联{i + 1:05d}" for i in range(n_ns)],
        "established_on": (pd.Timestamp(2017, 1, 1)
                           + pd.to_timedelta(ns_days + 730 * rng.random(n_ns).round(), unit="D")).to_numpy(),
        "exec_members": rng.integers(3, 9, n_ns), "last_activity_on": last_activity[rng.integers(0, n_v, n_ns)]}))
    out = pd.concat(parts, ignore_index=True)
    out["established_on"] = pd.to_datetime(out["established_on"]).dt.date
    out["last_activity_on"] = pd.to_datetime(out["last_activity_on"]).dt.date
    out.loc[out["established_on"] > today, "established_on"] = today
    out["last_activity_on"] = np.maximum(out["last_activity_on"], out["established_on"])
    out["dissolved_on"] = None
    out["org_id"] = [f"DEMO-ORG-{i:07d}" for i in range(len(out))]
    out["exec_members"] = out["exec_members"].astype("Int64")
    return out


def _training(towns, villages, rng, today) -> pd.DataFrame:
    months = months_until(today)
    n_t = len(towns)
    year = months.year.to_numpy()
    season = np.ones(12)
    season[[1]] = 0.4   # Spring Festival
    season[[2]] = 1.6   # 三八 women's day month
    season[[10, 11]] = 1.25
    lam = (np.where(towns["urban_share"].to_numpy() > 0.5, 1.8, 1.2)[:, None]
           * np.where(towns["lag"].to_numpy(), 0.35, 1.0)[:, None]
           * (1 + 0.07 * (year - 2019))[None, :] * season[months.month.to_numpy() - 1][None, :])
    counts = rng.poisson(lam)
    ti, mi = np.nonzero(counts)
    reps = counts[ti, mi]
    ti, mi = np.repeat(ti, reps), np.repeat(mi, reps)
    n = len(ti)
    held = months.to_numpy()[mi] + pd.to_timedelta(rng.integers(0, 28, n), unit="D").to_numpy()
    online = rng.random(n) < np.clip(0.1 + 0.08 * (year[mi] - 2019), 0, 0.5)
    general = pd.DataFrame({
        "region_code": towns["code"].to_numpy()[ti], "held_on": held,
        "topic": rng.choice(TOPICS, n, p=[0.2, 0.18, 0.2, 0.12, 0.18, 0.12]),
        "audience": rng.choice(AUDIENCES, n, p=[0.35, 0.1, 0.1, 0.45]),
        "mode": np.where(online, "online", "onsite"),
        "participants": np.where(online, rng.integers(60, 400, n), rng.integers(20, 100, n)),
        "hours": rng.choice([2.0, 3.0, 4.0, 8.0, 16.0], n, p=[0.35, 0.25, 0.2, 0.15, 0.05])})
    # 执委履职 training: each township trains its village executives a few times a year.
    execs = villages.groupby("parent_code").size().reindex(towns["code"]).fillna(0).to_numpy() * 11
    years = np.arange(2019, today.year + 1)
    rows = []
    for y in years:
        n_s = rng.integers(2, 5, n_t)
        share = np.where(towns["lag"].to_numpy(), 0.4, rng.uniform(0.75, 1.05, n_t)) * (0.8 + 0.05 * (y - 2019))
        if y == today.year:
            share *= today.month / 12
        for k in range(int(n_s.max())):
            mask = n_s > k
            month = np.minimum(rng.integers(3, 12, n_t), today.month if y == today.year else 12)
            rows.append(pd.DataFrame({
                "region_code": towns["code"].to_numpy()[mask],
                "held_on": [dt.date(int(y), int(m), int(d)) for m, d in
                            zip(month[mask], rng.integers(1, 28, mask.sum()))],
                "topic": "exec_duty",
                "audience": rng.choice(["exec_member", "federation_chair"], mask.sum(), p=[0.8, 0.2]),
                "mode": "onsite",
                "participants": np.maximum(5, (execs[mask] * share[mask] / n_s[mask])).round().astype(int),
                "hours": 8.0}))
    out = pd.concat([general] + rows, ignore_index=True)
    out["held_on"] = pd.to_datetime(out["held_on"]).dt.date
    out = out[out["held_on"] <= today].reset_index(drop=True)
    out["session_id"] = [f"DEMO-TR-{i:08d}" for i in range(len(out))]
    return out


def _job_fairs(regions, rng, today) -> pd.DataFrame:
    districts = regions[regions["level"] == "district"]["code"].to_numpy()
    months = months_until(today)
    rows = []
    for m in months:
        for fair_type, lam in (("spring_breeze", 2.5 if m.month in (2, 3) else 0.0),
                               ("female_graduates", 1.0 if m.month in (4, 5, 6) else 0.1),
                               ("online", 0.4 + 0.15 * (m.year - 2019)),
                               ("domestic_service", 0.3), ("general", 0.5)):
            k = rng.poisson(lam * (0.5 if m.year == 2020 and m.month in (2, 3, 4) else 1.0),
                            len(districts))
            for d, c in zip(districts, k):
                for _ in range(c):
                    emp = int(rng.integers(15, 160))
                    pos = int(emp * rng.uniform(6, 25))
                    women = int(pos * rng.uniform(0.5, 1.6))
                    intents = int(women * rng.uniform(0.1, 0.3))
                    rows.append((d, (m + pd.Timedelta(days=int(rng.integers(0, 27)))).date(),
                                 fair_type, emp, pos, women, intents,
                                 int(intents * rng.uniform(0.4, 0.75))))
    out = pd.DataFrame(rows, columns=["region_code", "held_on", "fair_type", "employers",
                                      "positions", "women_attending", "intents", "hires"])
    out = out[out["held_on"] <= today].reset_index(drop=True)
    out["fair_id"] = [f"DEMO-JF-{i:07d}" for i in range(len(out))]
    return out


def _screening(towns, rng, today) -> tuple[pd.DataFrame, pd.DataFrame]:
    years = np.arange(2019, today.year + 1)
    n_t = len(towns)
    targets, facts = [], []
    months = months_until(today)
    rural = towns["urban_share"].to_numpy() <= 0.5
    perf = np.where(towns["lag"].to_numpy(), rng.uniform(0.45, 0.6, n_t), rng.uniform(0.88, 1.06, n_t))
    for kind, abn, diag in (("cervical", (0.03, 0.06), 0.004), ("breast", (0.04, 0.08), 0.0012)):
        eligible0 = towns["eligible"].to_numpy()
        for y in years:
            eligible = (eligible0 * (1 + 0.012 * (y - 2019))).round().astype(int)
            # Quotas grow toward a full 3-year cycle; rural towns start lower.
            cycle = np.clip(np.where(rural, 0.62, 0.7) + 0.06 * (y - 2019), 0, 1.0)
            quota = (eligible / 3 * cycle).round().astype(int)
            targets.append(pd.DataFrame({"region_code": towns["code"].to_numpy(), "year": int(y),
                                         "kind": kind, "eligible_women": eligible, "quota": quota}))
            ym = months[months.year == y]
            w = MONTH_WEIGHT[ym.month.to_numpy() - 1]
            covid = np.where((y == 2020) & np.isin(ym.month.to_numpy(), [2, 3, 4]), 0.3, 1.0)
            screened = rng.poisson((quota * perf)[:, None] * (w * covid)[None, :])
            ab = rng.binomial(screened, rng.uniform(*abn))
            dg = rng.binomial(screened, diag)
            tr = rng.binomial(dg, 0.93)
            aided = rng.binomial(dg, 0.35)
            n_m = len(ym)
            facts.append(pd.DataFrame({
                "region_code": np.repeat(towns["code"].to_numpy(), n_m),
                "month": np.tile(ym.date, n_t), "kind": kind,
                "screened": screened.ravel(), "abnormal": ab.ravel(), "diagnosed": dg.ravel(),
                "treated": tr.ravel(), "aided": aided.ravel(),
                "aid_amount_10k_yuan": (aided.ravel() * rng.uniform(0.5, 1.0, aided.size)).round(2)}))
    return pd.concat(targets, ignore_index=True), pd.concat(facts, ignore_index=True)


def _indicator_values(regions, rng, today) -> pd.DataFrame:
    years = np.arange(2019, today.year)  # annual monitoring: the last full year
    span = max(1, years[-1] - 2019)
    codes = regions[regions["level"].isin(["city", "district"])]["code"].to_numpy()
    rows = []
    for ind, (v0, v1) in INDICATOR_PATHS.items():
        offsets = rng.normal(0, abs(v1 - v0) * 0.25 + 0.3, len(codes))
        offsets[0] = 0.0
        for i, code in enumerate(codes):
            path = v0 + (v1 - v0) * (years - 2019) / span + offsets[i]
            noise = rng.normal(0, (2.5 if ind in VOLATILE else 0.3), len(years))
            vals = np.round(path + noise, 1)
            rows.append(pd.DataFrame({"indicator_code": ind, "region_code": code,
                                      "year": years.astype(int), "value": vals}))
    return pd.concat(rows, ignore_index=True)


def build_demo(engine, *, seed: int = 7, today: dt.date | None = None,
               progress: Progress | None = None) -> dict[str, int]:
    """Build the demo as one batch in the warehouse; refused when one is already there."""
    regions = regions_frame(engine)
    if regions.empty:
        raise RuntimeError("the warehouse has no regions: run `python -m lib.regions import` first")
    frames = build_frames(regions, seed=seed, today=today, progress=progress)
    if progress:
        progress(0.85, "写入 writing")
    counts = demo_store.write_demo_batch(engine, frames, seed=seed)
    if progress:
        progress(1.0, "完成 done")
    return counts
