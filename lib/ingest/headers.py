"""The file's headers → canonical columns; dataset guessing; 合计/小计 and footer rows dropped.

Every problem names the file's own header, because that is what the analyst sees in Excel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.ingest.columns import distinct, might_match, spread
from lib.ingest.errors import IngestRefused
from lib.ingest.messages import problem, text
from lib.ingest.normalise import clean_text, parse_number
from lib.ingest.specs import DATASETS, IGNORED_HEADERS, REGION_COLUMNS, header_index, norm_header

TOTAL = re.compile(r"^(合计|总计|小计|总合计|共计)")
TOTAL_HINT = "合|总|小|共|填|制|审|备|说|注|来源|负责|统计"  # any word of TOTAL or FOOTER
FOOTER = re.compile(r"^(填表|制表|审核|备注|说明|注[:：]|注\d|数据来源|单位负责人|统计人)")


def guess_dataset(headers: list[str]) -> str | None:
    """The dataset whose own (non-region) columns the headers name most, when that is unambiguous."""
    scores = {}
    for name, spec in DATASETS.items():
        index = header_index(name)
        own = {c.name for c in spec.columns}
        hits = {index[norm_header(h)] for h in headers if index.get(norm_header(h)) in own}
        required = {c.name for c in spec.columns if c.required}
        scores[name] = (len(hits & required) == len(required), len(hits) / len(own), len(hits))
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, second = ranked[0], ranked[1]
    complete, _, hits = best[1]
    if hits == 0 or best[1] == second[1] or (not complete and hits < 2):
        return None
    return best[0]


@dataclass
class Mapping:
    columns: dict[str, str]  # file header → canonical column
    ignored: list[str]
    problems: list[dict]

    def header_of(self, canonical: str) -> str:
        return next((h for h, c in self.columns.items() if c == canonical), canonical)


def map_headers(headers: list[str], dataset: str) -> Mapping:
    """Match each header to a canonical column; unknown, duplicate and missing required ones are problems."""
    if dataset not in DATASETS:
        raise IngestRefused.single("unknown_dataset", dataset=dataset, choices=", ".join(DATASETS))
    index = header_index(dataset)
    spec = DATASETS[dataset]
    ignored_norm = {norm_header(h) for h in IGNORED_HEADERS}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[dict] = []
    accepted = "、".join(_accepted(dataset))
    for h in headers:
        key = norm_header(h)
        canonical = index.get(key)
        if canonical is None:
            if key in ignored_norm:
                ignored.append(h)
            else:
                problems.append(problem(None, h, "", "unknown_column", accepted=accepted))
        elif canonical in columns.values():
            problems.append(problem(None, h, "", "duplicate_column", header=h))
        else:
            columns[h] = canonical
    have = set(columns.values())
    for col in spec.columns:
        if col.required and col.name not in have:
            label = col.aliases[0] if col.aliases else col.name
            problems.append(problem(None, label, "", "missing_column", header=label, name=col.name))
    if not have & set(REGION_COLUMNS):
        problems.append(problem(None, "", "", "no_region_column"))
    return Mapping(columns, ignored, problems)


def _accepted(dataset: str) -> list[str]:
    spec = DATASETS[dataset]
    out = [a[0] for a in REGION_COLUMNS.values()]
    return out + [c.aliases[0] if c.aliases else c.name for c in spec.columns]


def drop_totals(raw: pd.DataFrame, mapping: Mapping, count_columns: list[str]
                ) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Remove 合计/总计/小计 and footer rows: (the data rows, notes on what was dropped, the stated
    totals that differ from the rows' sum — row, column, value, stated, summed — for the warnings)."""
    notes: list[dict] = []
    mismatches: list[dict] = []
    # cheap vectorised pre-filter: only rows mentioning a total or footer word get a closer look
    hint = np.zeros(len(raw), dtype=bool)
    for col in raw.columns[:4]:
        hint |= might_match(raw[col], TOTAL_HINT, non_ascii=True)
    cand = raw[hint]
    first_text = cand.apply(_first_text, axis=1) if len(cand) else pd.Series(dtype=object)
    filled = cand.map(lambda v: clean_text(v) != "").sum(axis=1)
    is_total = pd.Series(False, index=raw.index)
    is_footer = pd.Series(False, index=raw.index)
    subtotal = pd.Series(False, index=raw.index)
    if len(cand):
        is_total[cand.index] = first_text.map(lambda t: bool(TOTAL.match(t.replace(" ", ""))))
        is_footer[cand.index] = first_text.map(lambda t: bool(FOOTER.match(t))) & filled.le(2)
        subtotal[cand.index] = first_text.map(lambda t: t.replace(" ", "").startswith("小计"))
    dropped = is_total | is_footer
    data = raw[~dropped] if dropped.any() else raw  # no copy of a file without totals
    for row in raw.index[is_footer]:
        notes.append(problem(int(row), "", first_text[row], "footer_dropped", n=int(row)))
    sums: dict[str, float | None] = {}
    for row in raw.index[is_total]:
        notes.append(problem(int(row), "", first_text[row], "total_dropped", n=int(row)))
        if subtotal[row]:
            continue  # subtotals cover a part of the rows we cannot tell apart reliably
        for header, canonical in mapping.columns.items():
            if canonical not in count_columns:
                continue
            if header not in sums:
                sums[header] = _column_sum(data[header])
            try:
                stated = parse_number(raw.at[row, header])
            except ValueError:
                continue
            summed = sums[header]
            if summed is None:
                continue  # a cell of the column is not a number: no sum to compare with
            if stated is not None and abs(stated - summed) > 1e-6 * max(1.0, abs(summed)):
                mismatches.append({"row": int(row), "column": header,
                                   "value": raw.at[row, header], "stated": stated,
                                   "summed": summed})
    return data, notes, mismatches


def _column_sum(col: pd.Series) -> float | None:
    """The sum of a column's numbers, in row order (None when a cell is not a number): each
    distinct cell is parsed once."""
    codes, values = distinct(col)
    try:
        numbers = spread(codes, [parse_number(v) for v in values], None)
    except ValueError:
        return None
    return sum(v for v in numbers if v is not None)


def _first_text(row: pd.Series) -> str:
    for v in row:
        s = clean_text(v)
        if s:
            return s
    return ""


def describe_mapping(mapping: Mapping) -> pd.DataFrame:
    """The header → column table the upload page shows for confirmation."""
    rows = [{"header": h, "column": c} for h, c in mapping.columns.items()]
    rows += [{"header": h, "column": ""} for h in mapping.ignored]
    return pd.DataFrame(rows, columns=["header", "column"])


__all__ = ["Mapping", "describe_mapping", "drop_totals", "guess_dataset", "map_headers", "text"]
