"""pandera schemas, one per dataset, declared from lib.ingest.specs and run lazily.

The frame they validate is already typed by the normalisers (a cell that could not be read is a problem
already and arrives empty), so the schemas say what a good row is: required values present, counts not
negative, values from the enumerations, dates and years in 2000 … today + 1 year.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa

from lib import clock
from lib.ingest.columns import map_distinct
from lib.ingest.messages import problem
from lib.ingest.specs import DATASETS

FIRST_DATE = dt.date(2000, 1, 1)


def date_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or clock.today()
    try:
        high = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        high = today.replace(year=today.year + 1, day=28)
    return FIRST_DATE, high


def _in_dates(low: dt.date, high: dt.date) -> pa.Check:
    """Dates in [low, high]: compared once per distinct date, not once per row (a million-row ledger
    holds a few hundred dates), with the same failure cases as an element-wise check."""
    def check(col: pd.Series) -> pd.Series:
        ok = map_distinct(col, lambda v: v is None or low <= v <= high, missing=True, dtype=bool)
        return pd.Series(ok, index=col.index)

    return pa.Check(check, name="date_range", ignore_na=True)


def schema_for(dataset: str, today: dt.date | None = None,
               indicator_codes: set[str] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of one dataset's canonical, typed frame."""
    low, high = date_bounds(today)
    columns: dict[str, pa.Column] = {"region_code": pa.Column(object, nullable=True)}
    for col in DATASETS[dataset].columns:
        checks: list[pa.Check] = []
        dtype: object = object
        if col.kind == "count":
            dtype, checks = "Int64", [pa.Check.ge(0, name="negative")]
        elif col.kind == "number":
            dtype = "Float64"
            if col.name != "value":
                checks = [pa.Check.ge(0, name="negative")]
        elif col.kind == "year":
            dtype, checks = "Int64", [pa.Check.in_range(low.year, high.year, name="year_range")]
        elif col.kind in ("date", "month"):
            checks = [_in_dates(low, high)]
        elif col.kind == "enum":
            checks = [pa.Check.isin(sorted(set(col.values.values())), name="bad_enum")]
        elif col.kind == "indicator" and indicator_codes is not None:
            checks = [pa.Check.isin(sorted(indicator_codes), name="unknown_indicator")]
        nullable = not col.required or col.kind == "id"
        columns[col.name] = pa.Column(dtype, checks, nullable=nullable, required=False)
    return pa.DataFrameSchema(columns, name=dataset, strict=False)


def validate(frame: pd.DataFrame, dataset: str, headers: dict[str, str],
             today: dt.date | None = None, indicator_codes: set[str] | None = None) -> list[dict]:
    """Every schema failure as a problem on the file's row and header (lazy: all at once)."""
    schema = schema_for(dataset, today, indicator_codes)
    try:
        # inplace: nothing is coerced, so pandera's defensive copy of the frame would only cost time
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return _problems(exc.failure_cases, dataset, headers, today)
    return []


def _problems(cases: pd.DataFrame, dataset: str, headers: dict[str, str],
              today: dt.date | None) -> list[dict]:
    low, high = date_bounds(today)
    spec = DATASETS[dataset]
    out: list[dict] = []
    for case in cases.itertuples(index=False):
        column, check = case.column, str(case.check)
        row = None if pd.isna(case.index) else int(case.index)
        header = headers.get(column, column or "")
        value = case.failure_case
        if check == "not_nullable":
            out.append(problem(row, header, "", "required_empty"))
        elif check.startswith(("negative", "greater_than_or_equal_to")):
            out.append(problem(row, header, value, "negative"))
        elif check.startswith(("year_range", "in_range")):
            out.append(problem(row, header, value, "year_range", low=low.year, high=high.year))
        elif check.startswith("date_range"):
            out.append(problem(row, header, value, "date_range", low=low, high=high))
        elif check.startswith("isin") and spec.col(column).kind == "indicator":
            out.append(problem(row, header, value, "unknown_indicator"))
        elif check.startswith(("bad_enum", "isin")):
            labels = "、".join(dict.fromkeys(spec.col(column).values))
            out.append(problem(row, header, value, "bad_enum", choices=labels))
        elif check.startswith("unknown_indicator"):
            out.append(problem(row, header, value, "unknown_indicator"))
        else:
            out.append(problem(row, header, value, "invalid", check=check))
    return out
