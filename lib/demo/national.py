"""National-scale synthetic demo for the benchmark: ``python -m lib.demo --scale national``.

Provinces and cities are real: 30 cities of 10 provinces (NBS codes and names, three per
province, taken round-robin so that even two cities span two provinces and the app opens on the
country), each under its province row and the country. Everything below is invented: district
codes are the city's prefix and 01–95 (some coincide with real districts' codes, whose names here
are 示例…), townships and villages are numbered under them, and township seats are synthetic points
around the real city's seat. At ``scale=1``: 30 cities, 2,850 districts, 40,000 townships, ~200,000
villages, 10 M screening rows, 2 M training sessions, 0.5 M job fairs, ~1 M organisations.
Generation is vectorised numpy; every fact goes in as one removable demo batch, sorted by region
code, each frame (screening: each chunk of 4,000 townships) committed as it is made so that memory
stays flat, and the rollups rebuilt in a last transaction (``build``).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert

from lib import clock
from lib.demo.shapes import AUDIENCES, INDICATOR_PATHS, MONTH_WEIGHT, SECTORS, TOPICS, VOLATILE
from lib.warehouse.divisions import is_urban, with_roots
from lib.warehouse import audit, demo_store, planner_stats, rollups
from lib.warehouse import schema as s
from lib.warehouse.bootstrap import has_facts
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import next_id, write_transaction
from lib.warehouse.held_open import held_open
from lib.warehouse.reference import replace_regions

Progress = Callable[[float, str], None]

# (city code, name, seat lon, seat lat): three real cities of each of ten provinces, WGS-84 seats.
CITIES: tuple[tuple[str, str, float, float], ...] = (
    ("3501", "福州市", 119.30, 26.08), ("3502", "厦门市", 118.09, 24.48), ("3503", "莆田市", 119.01, 25.45),
    ("3601", "南昌市", 115.86, 28.68), ("3602", "景德镇市", 117.18, 29.27), ("3603", "萍乡市", 113.85, 27.62),
    ("3301", "杭州市", 120.16, 30.27), ("3302", "宁波市", 121.55, 29.87), ("3303", "温州市", 120.70, 28.00),
    ("3201", "南京市", 118.80, 32.06), ("3202", "无锡市", 120.31, 31.49), ("3203", "徐州市", 117.28, 34.20),
    ("4401", "广州市", 113.26, 23.13), ("4402", "韶关市", 113.60, 24.81), ("4403", "深圳市", 114.06, 22.54),
    ("3701", "济南市", 117.12, 36.65), ("3702", "青岛市", 120.38, 36.07), ("3703", "淄博市", 118.05, 36.81),
    ("4101", "郑州市", 113.63, 34.75), ("4102", "开封市", 114.31, 34.80), ("4103", "洛阳市", 112.45, 34.62),
    ("4201", "武汉市", 114.31, 30.59), ("4202", "黄石市", 115.04, 30.20), ("4203", "十堰市", 110.80, 32.63),
    ("4301", "长沙市", 112.94, 28.23), ("4302", "株洲市", 113.13, 27.83), ("4303", "湘潭市", 112.94, 27.83),
    ("5101", "成都市", 104.07, 30.57), ("5103", "自贡市", 104.78, 29.34), ("5104", "攀枝花市", 101.72, 26.58),
)
# Round-robin over the provinces: the first n cities span as many provinces as they can.
CITY_ORDER = tuple(CITIES[i + 3 * k] for i in range(3) for k in range(len(CITIES) // 3))
FULL = {"districts": 2850, "townships": 40_000, "screening": 10_000_000, "training": 2_000_000,
        "job_fair": 500_000, "org_unit": 1_000_000}
DISTRICTS_PER_CITY = 95  # two code digits leave at most 99 districts per city
SCREENING_CHUNK = 4000  # townships per screening chunk (≈1 M rows)
VILLAGE_ORG_TYPES = {  # org_type: share of villages that have one now (urban +0.06, rural −0.04)
    "womens_home": 0.97, "parent_school": 0.86, "volunteer_team": 0.97,
    "counselling_room": 0.68, "womens_micro_home": 0.18,
}


def sizes(scale: float = 1.0) -> dict[str, int]:
    """Row targets at ``scale`` (1.0 = ``FULL``, the national scale the app must stay interactive
    at on DuckDB); every level keeps at least one region."""
    d = max(1, round(FULL["districts"] * scale))
    t = max(d, round(FULL["townships"] * scale))
    return {"cities": math.ceil(d / DISTRICTS_PER_CITY), "districts": d, "townships": t,
            **{k: max(1, round(FULL[k] * scale)) for k in ("screening", "training", "job_fair",
                                                            "org_unit")}}


def months_for(n_townships: int, n_screening: int, today: dt.date) -> pd.DatetimeIndex:
    """The months that make townships × months × 2 kinds ≈ the screening row target."""
    n = max(12, round(n_screening / (2 * n_townships)))
    end = pd.Timestamp(today.year, today.month, 1)
    return pd.date_range(end=end, periods=n, freq="MS")


# --- regions ----------------------------------------------------------------------------------

def build_regions(scale: float = 1.0, *, seed: int = 7) -> pd.DataFrame:
    """Country, province, city, district, township and village rows: real province and city codes
    (``CITY_ORDER``), synthetic ones below them."""
    rng = np.random.default_rng(seed)
    n = sizes(scale)
    n_c, n_d, n_t = n["cities"], n["districts"], n["townships"]
    if n_c > len(CITY_ORDER):
        raise ValueError(f"{n_c} cities asked for, {len(CITY_ORDER)} known: scale ≤ 1")
    chosen = CITY_ORDER[:n_c]
    city_no = np.arange(n_d) % n_c + 1
    dist_no = np.arange(n_d) // n_c + 1
    c_codes = np.array([f"{c[0]}00000000" for c in chosen], dtype=object)
    d_codes = np.array([f"{chosen[c - 1][0]}{k:02d}000000" for c, k in zip(city_no, dist_no)],
                       dtype=object)
    c_lon = np.array([c[2] for c in chosen])
    c_lat = np.array([c[3] for c in chosen])
    d_lon = c_lon[city_no - 1] + rng.normal(0, 0.3, n_d)
    d_lat = c_lat[city_no - 1] + rng.normal(0, 0.25, n_d)
    d_urban = rng.random(n_d) < 0.35
    cities = pd.DataFrame({"code": c_codes, "name": [c[1] for c in chosen],
                           "level": "city", "parent_code": None, "urban_rural_code": None,
                           "seat_lon": c_lon, "seat_lat": c_lat})
    districts = pd.DataFrame({
        "code": d_codes, "name": [f"{chosen[c - 1][1][:-1]}示例{k:02d}{'区' if u else '县'}"
                                  for c, k, u in zip(city_no, dist_no, d_urban)],
        "level": "district", "parent_code": c_codes[city_no - 1], "urban_rural_code": None,
        "seat_lon": d_lon, "seat_lat": d_lat})
    # Townships: an even share per district, the remainder to random districts.
    per = np.full(n_d, n_t // n_d)
    per[rng.choice(n_d, n_t % n_d, replace=False)] += 1
    t_dist = np.repeat(np.arange(n_d), per)
    t_no = np.arange(n_t) - np.repeat(np.cumsum(per) - per, per) + 1
    t_street = rng.random(n_t) < np.where(d_urban[t_dist], 0.6, 0.1)
    t_codes = np.array([d[:6] + f"{k:03d}000" for d, k in zip(d_codes[t_dist], t_no)], dtype=object)
    t_names = np.array([f"{dn[:-1]}{k:03d}{'街道' if st else '镇'}"
                        for dn, k, st in zip(districts["name"].to_numpy()[t_dist], t_no, t_street)],
                       dtype=object)
    townships = pd.DataFrame({
        "code": t_codes, "name": t_names, "level": "township", "parent_code": d_codes[t_dist],
        "urban_rural_code": None, "seat_lon": d_lon[t_dist] + rng.normal(0, 0.08, n_t),
        "seat_lat": d_lat[t_dist] + rng.normal(0, 0.06, n_t)})
    # Villages: 3–7 per township; communities in streets, villages in towns (10 % the other way).
    v_per = rng.integers(3, 8, n_t)
    v_town = np.repeat(np.arange(n_t), v_per)
    v_no = np.arange(len(v_town)) - np.repeat(np.cumsum(v_per) - v_per, v_per) + 1
    v_urban = np.where(rng.random(len(v_town)) < 0.9, t_street[v_town], ~t_street[v_town])
    villages = pd.DataFrame({
        "code": [tc[:9] + f"{k:03d}" for tc, k in zip(t_codes[v_town], v_no)],
        "name": [f"{tn[:-2] if tn.endswith('街道') else tn[:-1]}{k:03d}{'社区' if u else '村'}"
                 for tn, k, u in zip(t_names[v_town], v_no, v_urban)],
        "level": "village", "parent_code": t_codes[v_town],
        "urban_rural_code": np.where(v_urban, "111", "220"), "seat_lon": None, "seat_lat": None})
    out = pd.concat([cities, districts, townships, villages], ignore_index=True)
    out["urban_rural_inferred"] = False
    out["aliases"] = None
    out = with_roots(out)  # the provinces of the chosen cities, and the country above two or more
    for c in ("seat_lon", "seat_lat"):
        out[c] = pd.to_numeric(out[c]).round(5)
    return out


# --- facts ------------------------------------------------------------------------------------

def _profile(regions: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    towns = regions[regions["level"] == "township"][["code", "name", "parent_code"]]
    towns = towns.sort_values("code").reset_index(drop=True)  # screening chunks come out in code order
    vil = regions[regions["level"] == "village"]
    share = vil.assign(u=is_urban(vil["urban_rural_code"])).groupby("parent_code")["u"].mean()
    towns["urban"] = towns["code"].map(share).fillna(0.0).to_numpy() > 0.5
    n = len(towns)
    towns["lag"] = rng.random(n) < 0.04
    towns["eligible"] = np.where(towns["urban"], rng.uniform(9000, 24000, n),
                                 rng.uniform(3500, 14000, n)).round().astype(np.int64)
    return towns


def _dates(months: pd.DatetimeIndex, idx: np.ndarray, rng: np.random.Generator,
           today: dt.date) -> np.ndarray:
    """A day in each picked month, never after today."""
    base = months.to_numpy().astype("datetime64[D]")[idx]
    return np.minimum(base + rng.integers(0, 28, len(idx)).astype("timedelta64[D]"),
                      np.datetime64(today))


def _cat(values: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(values, categories=list(categories))


def screening_chunks(towns: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator,
                     chunk: int = SCREENING_CHUNK) -> Iterator[pd.DataFrame]:
    """Township × month × kind rows, ``chunk`` townships at a time (≈1 M rows each at full size)."""
    years = months.year.to_numpy()
    y0 = int(years.min())
    w = MONTH_WEIGHT[months.month.to_numpy() - 1]
    month_col = months.to_numpy().astype("datetime64[D]")
    for lo in range(0, len(towns), chunk):
        part = towns.iloc[lo:lo + chunk]
        n_t, n_m = len(part), len(months)
        perf = np.where(part["lag"], rng.uniform(0.45, 0.6, n_t), rng.uniform(0.88, 1.06, n_t))
        cycle = np.clip(np.where(part["urban"], 0.7, 0.62)[:, None] + 0.04 * (years - y0)[None, :],
                        0, 1)
        growth = (1 + 0.012 * (years - y0))[None, :]
        lam = part["eligible"].to_numpy()[:, None] * growth / 3 * cycle * perf[:, None] * w[None, :]
        codes = pd.Categorical(np.repeat(part["code"].to_numpy(), n_m))
        for kind, abn, diag in (("cervical", (0.03, 0.06), 0.004), ("breast", (0.04, 0.08), 0.0012)):
            screened = rng.poisson(lam).ravel()
            dg = rng.binomial(screened, diag)
            aided = rng.binomial(dg, 0.35)
            yield pd.DataFrame({
                "region_code": codes, "month": np.tile(month_col, n_t),
                "kind": _cat(np.zeros(len(screened), dtype=np.int8), [kind]),
                "screened": screened, "abnormal": rng.binomial(screened, rng.uniform(*abn)),
                "diagnosed": dg, "treated": rng.binomial(dg, 0.93), "aided": aided,
                "aid_amount_10k_yuan": (aided * rng.uniform(0.5, 1.0, len(aided))).round(2)})


def screening_targets(towns: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    years = np.arange(int(months.year.min()), int(months.year.max()) + 1)
    y0, n_t, n_y = years[0], len(towns), len(years)
    eligible = (towns["eligible"].to_numpy()[:, None] * (1 + 0.012 * (years - y0))[None, :]).round()
    cycle = np.clip(np.where(towns["urban"], 0.7, 0.62)[:, None] + 0.04 * (years - y0)[None, :], 0, 1)
    quota = (eligible / 3 * cycle).round()
    parts = [pd.DataFrame({"region_code": np.repeat(towns["code"].to_numpy(), n_y),
                           "year": np.tile(years, n_t), "kind": kind,
                           "eligible_women": eligible.ravel().astype(np.int64),
                           "quota": quota.ravel().astype(np.int64)})
             for kind in ("cervical", "breast")]
    return pd.concat(parts, ignore_index=True)


def training(towns: pd.DataFrame, months: pd.DatetimeIndex, n: int, rng: np.random.Generator,
             today: dt.date) -> pd.DataFrame:
    weight = np.where(towns["urban"], 1.8, 1.2) * np.where(towns["lag"], 0.35, 1.0)
    ti = rng.choice(len(towns), n, p=weight / weight.sum())
    season = np.ones(12)
    season[1], season[2], season[10], season[11] = 0.4, 1.6, 1.25, 1.25
    mw = season[months.month.to_numpy() - 1] * (1 + 0.07 * (months.year.to_numpy() - 2019))
    mi = rng.choice(len(months), n, p=mw / mw.sum())
    exec_duty = rng.random(n) < 0.08
    topic = np.where(exec_duty, len(TOPICS), rng.choice(len(TOPICS), n,
                                                        p=[0.2, 0.18, 0.2, 0.12, 0.18, 0.12]))
    audiences = AUDIENCES + ["exec_member", "federation_chair"]
    audience = np.where(exec_duty, rng.choice([4, 5], n, p=[0.8, 0.2]),
                        rng.choice(4, n, p=[0.35, 0.1, 0.1, 0.45]))
    online = ~exec_duty & (rng.random(n) < np.clip(0.1 + 0.08 * (months.year.to_numpy()[mi] - 2019),
                                                    0.05, 0.5))
    return pd.DataFrame({
        "session_id": [f"NAT-TR-{i:08d}" for i in range(n)],
        "region_code": pd.Categorical(towns["code"].to_numpy()[ti]),
        "held_on": _dates(months, mi, rng, today),
        "topic": _cat(topic, TOPICS + ["exec_duty"]), "audience": _cat(audience, audiences),
        "mode": _cat(online.astype(np.int8), ["onsite", "online"]),
        "participants": np.where(online, rng.integers(80, 900, n), rng.integers(25, 160, n)),
        "hours": rng.choice([2.0, 3.0, 4.0, 8.0, 16.0], n, p=[0.35, 0.25, 0.2, 0.15, 0.05])})


def job_fairs(districts: np.ndarray, months: pd.DatetimeIndex, n: int, rng: np.random.Generator,
              today: dt.date) -> pd.DataFrame:
    m = months.month.to_numpy()
    types = ["spring_breeze", "female_graduates", "online", "domestic_service", "general"]
    # Per month, the expected fairs of each type (春风行动 in Feb–Mar, graduates in Apr–Jun).
    lam = np.stack([np.where(np.isin(m, [2, 3]), 2.5, 0.0),
                    np.where(np.isin(m, [4, 5, 6]), 1.0, 0.1),
                    0.4 + 0.15 * np.clip(months.year.to_numpy() - 2019, 0, None),
                    np.full(len(m), 0.3), np.full(len(m), 0.5)], axis=1)
    flat = lam.ravel() / lam.sum()
    pick = rng.choice(flat.size, n, p=flat)
    mi, ft = pick // len(types), pick % len(types)
    emp = rng.integers(15, 160, n)
    pos = (emp * rng.uniform(6, 25, n)).astype(np.int64)
    women = (pos * rng.uniform(0.5, 1.6, n)).astype(np.int64)
    intents = (women * rng.uniform(0.1, 0.3, n)).astype(np.int64)
    return pd.DataFrame({
        "fair_id": [f"NAT-JF-{i:07d}" for i in range(n)],
        "region_code": pd.Categorical(districts[rng.integers(0, len(districts), n)]),
        "held_on": _dates(months, mi, rng, today), "fair_type": _cat(ft, types), "employers": emp,
        "positions": pos, "women_attending": women, "intents": intents,
        "hires": (intents * rng.uniform(0.4, 0.75, n)).astype(np.int64)})


def org_units(regions: pd.DataFrame, towns: pd.DataFrame, n_target: int, today: dt.date,
              rng: np.random.Generator) -> pd.DataFrame:
    """Village organisations by coverage share, township federations, new-sector organisations;
    new-sector organisations fill the total up to ``n_target``."""
    vil = regions[regions["level"] == "village"]
    v_codes, v_names = vil["code"].to_numpy(), vil["name"].to_numpy()
    urban = is_urban(vil["urban_rural_code"]).to_numpy()
    lag = vil["parent_code"].map(dict(zip(towns["code"], towns["lag"]))).fillna(False).to_numpy(bool)
    n_v = len(vil)
    t0 = np.datetime64("2010-01-01")
    span = (np.datetime64(today) - t0).astype(int)
    parts = []

    def add(mask, codes, org_type, names, execs=None):
        k = int(mask.sum())
        est = t0 + rng.integers(0, span, k).astype("timedelta64[D]")
        gap = np.where(rng.random(k) < 0.1, rng.integers(120, 420, k), rng.integers(3, 150, k))
        last = np.maximum(np.datetime64(today) - gap.astype("timedelta64[D]"), est)
        parts.append(pd.DataFrame({"region_code": codes[mask], "org_type": org_type,
                                   "name": names[mask], "established_on": est,
                                   "exec_members": execs[mask] if execs is not None else None,
                                   "last_activity_on": last}))

    fed = rng.random(n_v) < np.where(lag, 0.8, 0.995)
    add(fed & urban, v_codes, "community_federation", v_names + "妇联", rng.integers(7, 16, n_v))
    add(fed & ~urban, v_codes, "village_federation", v_names + "妇联", rng.integers(7, 16, n_v))
    labels = {"womens_home": "妇女之家", "parent_school": "家长学校", "volunteer_team": "巾帼志愿服务队",
              "counselling_room": "心理咨询室", "womens_micro_home": "妇女微家"}
    for org_type, p in VILLAGE_ORG_TYPES.items():
        has = rng.random(n_v) < np.clip(p + np.where(urban, 0.06, -0.04) - np.where(lag, 0.3, 0), 0, 1)
        add(has, v_codes, org_type, v_names + labels[org_type])
    t_codes, t_names = towns["code"].to_numpy(), towns["name"].to_numpy()
    add(np.ones(len(towns), bool), t_codes, "township_federation", t_names + "妇联",
        rng.integers(15, 30, len(towns)))
    n_ns = max(1, n_target - sum(len(p) for p in parts))
    where = rng.integers(0, len(towns), n_ns)
    add(np.ones(n_ns, bool), t_codes[where], "new_sector_org",
        np.array([f"新领域妇联{i + 1:07d}" for i in range(n_ns)], dtype=object),
        rng.integers(3, 9, n_ns))
    parts[-1]["sector"] = rng.choice(SECTORS, n_ns, p=[0.3, 0.2, 0.1, 0.12, 0.08, 0.1, 0.1])
    out = pd.concat(parts, ignore_index=True)
    out["dissolved_on"] = pd.NaT
    out["org_id"] = [f"NAT-ORG-{i:08d}" for i in range(len(out))]
    out["exec_members"] = out["exec_members"].astype("Int64")
    for c in ("region_code", "org_type", "sector"):
        out[c] = out[c].astype("category")
    return out


def indicator_values(regions: pd.DataFrame, today: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    years = np.arange(2019, today.year)
    span = max(1, years[-1] - 2019)
    codes = regions[regions["level"].isin(["city", "district"])]["code"].to_numpy()
    parts = []
    for ind, (v0, v1) in INDICATOR_PATHS.items():
        offset = rng.normal(0, abs(v1 - v0) * 0.25 + 0.3, len(codes))[:, None]
        path = v0 + (v1 - v0) * (years - 2019)[None, :] / span + offset
        noise = rng.normal(0, 2.5 if ind in VOLATILE else 0.3, path.shape)
        parts.append(pd.DataFrame({"indicator_code": ind,
                                   "region_code": np.repeat(codes, len(years)),
                                   "year": np.tile(years, len(codes)),
                                   "value": np.round(path + noise, 1).ravel()}))
    return pd.concat(parts, ignore_index=True)


# --- writing ----------------------------------------------------------------------------------

def frames(regions: pd.DataFrame, *, scale: float = 1.0, seed: int = 7,
           today: dt.date | None = None) -> Iterator[tuple[str, pd.DataFrame]]:
    """(dataset, frame) pairs of the whole demo; screening comes in several chunks."""
    today = today or clock.today()
    rng = np.random.default_rng(seed + 1)
    n = sizes(scale)
    towns = _profile(regions, rng)
    months = months_for(len(towns), n["screening"], today)
    districts = regions[regions["level"] == "district"]["code"].to_numpy()
    yield "org_unit", org_units(regions, towns, n["org_unit"], today, rng)
    yield "training", training(towns, months, n["training"], rng, today)
    yield "job_fair", job_fairs(districts, months, n["job_fair"], rng, today)
    yield "screening_target", screening_targets(towns, months)
    for chunk in screening_chunks(towns, months, rng):
        yield "screening", chunk
    yield "indicator_value", indicator_values(regions, today, rng)


def _clustered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in region-code order, as ledgers uploaded region by region arrive: DuckDB then skips
    whole row groups by their min/max code when a query is narrowed to a prefix."""
    keys = [c for c in ("region_code", "held_on", "month", "year") if c in frame.columns]
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    """PostgreSQL's COPY path writes Python values: dates as dates, categories as strings."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
        elif pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.date.astype(object).where(out[c].notna(), None)
    return out


def build(engine: Engine, *, seed: int = 7, scale: float = 1.0, today: dt.date | None = None,
          progress: Progress | None = None) -> dict[str, int]:
    """Load the national regions, then every fact as one demo batch; refused if facts exist.

    Each generated frame (each screening chunk) is committed on its own, and the rollups are
    rebuilt in a last transaction that marks the batch loaded. One transaction for all 14 M rows
    held every new row's primary-key index in memory until the commit (~1 GB on DuckDB, ~2.7 GB
    for the process before the rollups); committed, DuckDB writes the index out and memory stays
    flat. A build that fails part-way removes the rows it wrote (the warehouse held no facts)."""
    step = progress or (lambda f, m: print(f"{f:4.0%} {m}", flush=True))
    if has_facts(engine):
        raise RuntimeError("the warehouse already holds facts: build the national demo into a new "
                           "warehouse file (or clear it first)")
    with held_open(engine):
        regions = build_regions(scale, seed=seed)
        step(0.02, f"regions {len(regions):,}")
        replace_regions(engine, regions)
        batch_id = _open_batch(engine, seed, scale)
        try:
            counts = _write_facts(engine, regions, batch_id, scale=scale, seed=seed, today=today,
                                  step=step)
        except BaseException:
            demo_store.clear_demo(engine)
            raise
    planner_stats.refresh_quietly(engine, planner_stats.tables_written(
        [d for d in counts if d in s.FACT_TABLES]))
    return counts


def _open_batch(engine: Engine, seed: int, scale: float) -> int:
    """The demo batch every fact row points at (its row counts are set when the last row is in)."""
    with write_transaction(engine) as conn:
        batch_id = next_id(conn, s.upload_batch.c.batch_id)
        conn.execute(insert(s.upload_batch).values(
            batch_id=batch_id, dataset="demo", sha256=None,
            filename=f"lib.demo --scale national seed={seed} scale={scale}",
            uploaded_by="system", uploaded_at=dt.datetime.now().replace(microsecond=0),
            rows_read=0, rows_loaded=0, rows_rejected=0, status="loaded", is_demo=True,
            mode="upsert"))
    return batch_id


def _write_facts(engine: Engine, regions: pd.DataFrame, batch_id: int, *, scale: float, seed: int,
                 today: dt.date | None, step: Progress) -> dict[str, int]:
    """Every frame of ``frames`` in its own transaction, then counts, audit and rollups in one."""
    counts: dict[str, int] = {"region": len(regions)}
    duck = engine.dialect.name == "duckdb"
    for dataset, frame in frames(regions, scale=scale, seed=seed, today=today):
        frame = _clustered(frame).assign(batch_id=batch_id)
        with write_transaction(engine) as conn:
            n = bulk_insert(conn, s.FACT_TABLES[dataset], frame if duck else _portable(frame))
        del frame  # before the generator builds the next one
        counts[dataset] = counts.get(dataset, 0) + n
        step(0.1 + 0.85 * min(1.0, sum(counts.values()) / 14.5e6 / max(scale, 1e-9)),
             f"{dataset} {counts[dataset]:,}")
    total = sum(v for k, v in counts.items() if k != "region")
    with write_transaction(engine) as conn:
        conn.execute(s.upload_batch.update().where(s.upload_batch.c.batch_id == batch_id)
                     .values(rows_read=total, rows_loaded=total))
        audit.record(conn, "demo_build", f"national batch {batch_id}, seed {seed}, scale {scale}, "
                                         f"{total} rows", "system")
        rollups.rebuild(conn)
    step(1.0, "rollups")
    return counts
