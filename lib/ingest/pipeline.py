"""read → map headers → refuse personal data → drop totals → normalise → match regions → validate.

``prepare`` never raises for a bad file: everything wrong ends up in ``Prepared.problems`` (file row,
file header, value, Chinese and English), and a file is loadable only when that frame is empty.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import pandas as pd

from lib.ingest import checks
from lib.ingest.errors import IngestRefused
from lib.ingest.headers import describe_mapping, drop_totals, guess_dataset, map_headers
from lib.ingest.ids import derive_ids
from lib.ingest.messages import problem, problems_frame
from lib.ingest.normalise import enum_lookup, is_percent, normalise_column
from lib.ingest.personal import find_personal_data
from lib.ingest.readers import Limits, RawTable, read_table
from lib.ingest.regions_match import RegionIndex, match_regions
from lib.ingest.schemas import validate
from lib.ingest.specs import DATASETS, REGION_COLUMNS
from lib.ingest.warnings import Warnings
from lib.warehouse.bulk import id_scope_column
from lib.warehouse.schema import FACT_TABLES, ID_SCOPE, key_columns
from lib.warehouse.scope import Scope

BAD_CELL = {"count": "not_integer", "number": "not_number", "date": "not_date",
            "month": "not_month", "year": "not_year", "enum": "bad_enum",
            "indicator": "unknown_indicator"}


@dataclass
class Prepared:
    """A file read and checked: ``frame`` is what would be loaded, ``problems`` why it would not."""
    filename: str
    sha256: str
    dataset: str | None
    scope: Scope  # the uploader's: a row outside it is refused here and again by the load
    frame: pd.DataFrame  # canonical table columns, index = file row numbers
    raw: pd.DataFrame  # the cells as read, the file's own headers, index = file row numbers
    mapping: pd.DataFrame  # header → column, for the preview
    problems: pd.DataFrame
    notes: pd.DataFrame  # dropped total rows, total mismatches, shared natural keys (not refusals)
    rows_read: int = 0
    guessed: bool = False
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    title_lines: list[str] = field(default_factory=list)
    # figures that load but deserve a second look (lib/ingest/warnings.py), set by prepare_upload
    warnings: Warnings = field(default_factory=Warnings)
    # stated totals (合计) that are not the rows' sum: row, column (the file's header), value,
    # stated, summed — warnings, so ``--strict`` refuses them
    totals: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.dataset is not None and self.problems.empty


def prepare(data: bytes, filename: str, *, regions: pd.DataFrame, dataset: str | None = None,
            sheet: str | None = None, scope: Scope, indicators: pd.DataFrame | None = None,
            eligible: pd.DataFrame | None = None, today: dt.date | None = None,
            limits: Limits = Limits()) -> Prepared:
    """Read and check one upload against the regions (and indicator catalog) of the warehouse."""
    digest = hashlib.sha256(data or b"").hexdigest()
    empty = pd.DataFrame()
    if not isinstance(scope, Scope):
        raise TypeError(f"prepare needs a Scope, not {scope!r}")
    out = Prepared(filename, digest, dataset, scope, empty, empty,
                   describe_mapping(map_headers([], "training")).iloc[0:0],
                   problems_frame([]), problems_frame([]))
    try:
        raw = read_table(data, filename, sheet=sheet, limits=limits)
    except IngestRefused as exc:
        out.problems = exc.problems
        return out
    _fill_source(out, raw)
    headers = [str(h) for h in raw.frame.columns]
    if dataset is None:
        dataset = guess_dataset(headers)
        out.guessed = dataset is not None
        if dataset is None:
            out.problems = problems_frame([problem(None, "", "", "cannot_guess")])
            return out
    out.dataset = dataset
    try:
        mapping = map_headers(headers, dataset)
    except IngestRefused as exc:
        out.problems = exc.problems
        return out
    out.mapping = describe_mapping(mapping)
    exempt = {h for h, c in mapping.columns.items() if c != "name"}
    personal = find_personal_data(raw.frame, exempt)
    if personal:  # refused before anything else is even looked at
        flagged = {p["column"] for p in personal}
        out.problems = problems_frame(personal + [p for p in mapping.problems
                                                  if p["column"] not in flagged])
        return out
    spec = DATASETS[dataset]
    counts = [c.name for c in spec.columns if c.kind in ("count", "number")]
    body, notes, out.totals = drop_totals(raw.frame, mapping, counts)
    out.rows_read = len(body)
    problems = list(mapping.problems)
    frame, cell_problems = _typed(body, mapping.columns, dataset, indicators)
    problems += cell_problems
    headers_of = {c: h for h, c in mapping.columns.items()}
    region_cols = {c: body[h] for h, c in mapping.columns.items() if c in REGION_COLUMNS}
    if region_cols:
        index = RegionIndex.build(regions, out.scope.prefix)
        codes, region_problems = match_regions(pd.DataFrame(region_cols, index=body.index),
                                               headers_of, index, spec.region_level)
        frame["region_code"] = codes
        problems += region_problems
    codes_known = set(indicators["code"]) if indicators is not None else None
    problems += validate(frame, dataset, headers_of, today, codes_known)
    problems += checks.ratio_problems(frame, dataset, headers_of)
    problems += checks.order_problems(frame, dataset, headers_of)
    if dataset == "screening":
        problems += checks.cycle_problems(frame, eligible, headers_of)
    frame, id_notes, id_problems = _keys(frame, dataset, headers_of)
    out.frame, out.notes = frame, problems_frame(notes + id_notes)
    out.problems = problems_frame(problems + id_problems)
    return out


def _fill_source(out: Prepared, raw: RawTable) -> None:
    out.raw, out.encoding, out.sheet = raw.frame, raw.encoding, raw.sheet
    out.header_row, out.title_lines = raw.header_row, raw.title_lines


def _typed(body: pd.DataFrame, columns: dict[str, str], dataset: str,
           indicators: pd.DataFrame | None) -> tuple[pd.DataFrame, list[dict]]:
    """Each mapped column normalised to its type; unreadable cells become problems."""
    spec = DATASETS[dataset]
    frame = pd.DataFrame(index=body.index)
    problems: list[dict] = []
    for header, canonical in columns.items():
        if canonical in REGION_COLUMNS:
            continue
        col = spec.col(canonical)
        lookup = None
        if col.kind == "enum":
            lookup = enum_lookup(col.values)
        elif col.kind == "indicator":
            lookup = _indicator_lookup(indicators)
        typed, bad = normalise_column(body[header], col.kind, lookup)
        frame[canonical] = typed
        key = BAD_CELL.get(col.kind)
        for row in body.index[bad.to_numpy()]:
            values = {"choices": "、".join(dict.fromkeys(col.values))} if key == "bad_enum" else {}
            cell = body.at[row, header]
            why = "percent_count" if col.kind == "count" and is_percent(cell) else key
            problems.append(problem(int(row), header, cell, why, **values))
    return frame, problems


def _indicator_lookup(indicators: pd.DataFrame | None) -> dict[str, str]:
    if indicators is None or indicators.empty:
        return {}
    pairs = dict(zip(indicators["code"], indicators["code"]))
    pairs.update(zip(indicators["name_zh"], indicators["code"]))
    return enum_lookup(pairs)


def _keys(frame: pd.DataFrame, dataset: str, headers: dict[str, str]
          ) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """The table's columns in order, ids derived where missing, duplicate keys as problems.

    id_scope is not among them: the loader computes it from region_code for every row. Two rows
    share a key when they share the id within one district (the id's namespace).
    """
    spec = DATASETS[dataset]
    table = FACT_TABLES[dataset]
    columns = [c.name for c in table.columns if c.name not in ("batch_id", ID_SCOPE)]
    for c in columns:
        if c not in frame.columns:
            frame[c] = None
    notes: list[dict] = []
    if spec.id_column:
        # only the columns each step needs: a million-row frame is not copied for either
        given = frame[spec.id_column].notna()
        missing = ~given
        if missing.any():
            derived, shared = derive_ids(frame.loc[missing, list(spec.natural_key)], dataset,
                                         spec.natural_key)
            frame.loc[missing, spec.id_column] = derived
            if shared:
                notes.append(problem(None, "", "", "duplicate_natural_key", n=shared))
        ids = frame[[spec.id_column, "region_code"]]
        ids = ids if given.all() else ids.loc[given]
        ids = ids.assign(**{ID_SCOPE: id_scope_column(ids["region_code"])})
        dups = checks.duplicate_key_problems(ids, [ID_SCOPE, spec.id_column],
                                             headers.get(spec.id_column, spec.id_column))
    else:
        key = key_columns(table)
        dups = checks.duplicate_key_problems(frame, key, headers.get(key[-1], key[-1]))
    return frame[columns], notes, dups
