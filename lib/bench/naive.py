"""The naive baseline: the fact tables loaded into pandas once, then filtered and grouped per view.

It answers the same questions as lib/warehouse/queries.py (same filters, same groups), the way a
small app without a warehouse would: boolean masks and ``groupby`` over in-memory frames. Region
codes are Arrow strings (pandas' fast string type), so the baseline is not handicapped by objects.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

Store = dict[str, pd.DataFrame]
MEASURES = {
    "training": ("held_on", ["participants", "hours"]),
    "job_fair": ("held_on", ["employers", "positions", "women_attending", "intents", "hires"]),
    "screening": ("month", ["screened", "abnormal", "diagnosed", "treated", "aided",
                            "aid_amount_10k_yuan"]),
}
TABLES = {"training": "training_session", "job_fair": "job_fair", "screening": "screening",
          "screening_target": "screening_target", "org_unit": "org_unit", "region": "region"}
DATES = ("held_on", "month", "established_on", "dissolved_on", "last_activity_on")


def load(engine: Engine) -> Store:
    """Every fact table (and the regions) as pandas frames, read once."""
    store: Store = {}
    for key, table in TABLES.items():
        sql = f'SELECT * FROM "{table}"'
        if engine.dialect.name == "duckdb":
            with engine.connect() as conn:
                frame = conn.connection.driver_connection.execute(sql).df()
        else:
            with engine.connect() as conn:
                frame = pd.read_sql(text(sql), conn)
        for c in frame.columns:
            if c in DATES:
                frame[c] = pd.to_datetime(frame[c])
            elif frame[c].dtype == object:
                frame[c] = frame[c].astype("string[pyarrow]")
        store[key] = frame
    return store


def _ts(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)


def facts(store: Store, dataset: str, prefix: str, date_from: dt.date, date_to: dt.date, *,
          child_len: int | None = None, by_month: bool = False, by: tuple[str, ...] = ()
          ) -> pd.DataFrame:
    df = store[dataset]
    date_col, measures = MEASURES[dataset]
    m = df[df["region_code"].str.startswith(prefix) & (df[date_col] >= _ts(date_from))
           & (df[date_col] <= _ts(date_to))]
    keys: dict[str, pd.Series] = {}
    if child_len:
        keys["child"] = m["region_code"].str.slice(0, child_len)
    if by_month:
        keys["month"] = m[date_col].dt.to_period("M").dt.to_timestamp()
    for b in by:
        keys[b] = m[b]
    frame = m[measures].assign(**keys, n=1)
    if not keys:
        return frame.sum().to_frame().T
    return frame.groupby(list(keys), observed=True).sum().reset_index()


def screening_targets(store: Store, prefix: str, years: list[int], *,
                      child_len: int | None = None) -> pd.DataFrame:
    df = store["screening_target"]
    m = df[df["region_code"].str.startswith(prefix) & df["year"].isin(years)]
    keys = ["year", "kind"]
    m = m[["year", "kind", "eligible_women", "quota"]].assign(
        **({"child": m["region_code"].str.slice(0, child_len)} if child_len else {}))
    if child_len:
        keys.insert(0, "child")
    return m.groupby(keys, observed=True).sum().reset_index()


def _villages(store: Store, prefix: str, child_len: int | None) -> pd.DataFrame:
    r = store["region"]
    v = r[(r["level"] == "village") & r["code"].str.startswith(prefix)]
    return pd.DataFrame({
        "code": v["code"], "child": v["code"].str.slice(0, child_len) if child_len else "",
        "area": np.where(v["urban_rural_code"].fillna("").str.startswith("1"), "urban", "rural")})


def _alive(store: Store, prefix: str, as_of: dt.date) -> pd.DataFrame:
    o = store["org_unit"]
    t = _ts(as_of)
    return o[o["region_code"].str.startswith(prefix) & (o["established_on"] <= t)
             & (o["dissolved_on"].isna() | (o["dissolved_on"] > t))]


def org_coverage(store: Store, prefix: str, as_of: dt.date, org_types: list[str], *,
                 child_len: int | None = None, active_days: int = 180) -> pd.DataFrame:
    v = _villages(store, prefix, child_len)
    base = v.groupby(["child", "area"]).size().rename("villages").reset_index()
    o = _alive(store, prefix, as_of)
    o = o[o["org_type"].isin(org_types)]
    o = o.merge(v, left_on="region_code", right_on="code")
    recent = o["last_activity_on"] >= _ts(as_of - dt.timedelta(days=active_days))
    o = o.assign(recent_code=o["code"].where(recent))
    cov = (o.groupby(["child", "area", "org_type"], observed=True)
           .agg(with_org=("code", "nunique"), effective=("recent_code", "nunique")).reset_index())
    grid = base.merge(pd.DataFrame({"org_type": org_types}), how="cross")
    return grid.merge(cov, on=["child", "area", "org_type"], how="left").fillna(0)


def org_counts(store: Store, prefix: str, as_of: dt.date, *, by_sector: bool = False
               ) -> pd.DataFrame:
    o = _alive(store, prefix, as_of)
    keys = ["org_type"] + (["sector"] if by_sector else [])
    return (o.groupby(keys, dropna=False, observed=True)
            .agg(orgs=("org_id", "size"), exec_members=("exec_members", "sum")).reset_index())


def villages_without(store: Store, prefix: str, as_of: dt.date, org_types: list[str]
                     ) -> pd.DataFrame:
    r = store["region"]
    o = _alive(store, prefix, as_of)
    has = set(o.loc[o["org_type"].isin(org_types), "region_code"])
    v = r[(r["level"] == "village") & r["code"].str.startswith(prefix)]
    v = v[~v["code"].isin(has)]
    towns = r[r["level"] == "township"][["code", "name"]].rename(
        columns={"code": "parent_code", "name": "township"})
    return v.merge(towns, on="parent_code")[["code", "name", "township", "urban_rural_code"]] \
        .sort_values("code")
