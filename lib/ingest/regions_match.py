"""Region names and codes in a file → 12-digit region codes, inside the uploader's scope.

Codes may have 6, 9 or 12 digits; names may drop their 街道/镇/乡 or 社区/村/委员会 suffix. A name is
accepted only when it is unambiguous inside the scope (and inside the district/township the row names);
otherwise the problem lists the closest candidates (difflib) so the analyst can fix the cell.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from lib.ingest.columns import distinct, spread
from lib.ingest.messages import problem, text
from lib.ingest.normalise import clean_text
from lib.regions import pad_code, township_aliases, village_aliases

LEVEL_OF = {"district_name": "district", "township_name": "township", "village_name": "village"}
LEVEL_ZH = {"city": "市", "district": "区县", "township": "乡镇（街道）", "village": "村（社区）"}


def scope_prefix(scope: str | None) -> str:
    """'350111000000' or '350111' → '350111'; '' or None → '' (the whole warehouse)."""
    s = clean_text(scope or "")
    if not s:
        return ""
    if not s.isdigit() or len(s) > 12:
        raise ValueError(f"not a region-code scope: {scope!r}")
    if len(s) == 12:
        for cut, width in ((9, 3), (6, 3), (4, 2), (2, 2)):
            if s[cut:] == "0" * (12 - cut):
                s = s[:cut]
    return s


def _key(name: str) -> str:
    return re.sub(r"\s+", "", clean_text(name))


@dataclass
class RegionIndex:
    """Look-ups of the warehouse's regions inside one scope: by code always, by name on demand.

    The name maps cost a pass over every region's names and aliases (seconds at national scale), so
    they are built the first time a file names a region rather than giving its code.
    """
    frame: pd.DataFrame  # region rows in scope (code, name, level, parent_code, aliases)
    codes: dict[str, str]  # code → level, all regions
    scope: str
    regions: pd.DataFrame = field(repr=False)  # all region rows, for the name maps

    @classmethod
    def build(cls, regions: pd.DataFrame, scope: str = "") -> "RegionIndex":
        scope = scope_prefix(scope)
        in_scope = regions[regions["code"].str.startswith(scope)] if scope else regions
        levels = dict(zip(regions["code"].tolist(), regions["level"].tolist()))
        return cls(in_scope, levels, scope, regions)

    @cached_property
    def everywhere(self) -> dict[tuple[str, str], list[str]]:
        """(level, name or alias) → codes, ignoring scope."""
        out: dict[tuple[str, str], list[str]] = {}
        columns = [self.regions[c].tolist() for c in ("code", "name", "level", "aliases")]
        for code, name, level, aliases in zip(*columns):
            names = {_key(name)} | {_key(a) for a in str(aliases or "").split("|") if a}
            for n in names - {""}:
                out.setdefault((level, n), []).append(code)
        return out

    @cached_property
    def by_name(self) -> dict[tuple[str, str], list[str]]:
        """(level, name or alias) → codes inside the scope."""
        inside = {k: [c for c in v if c.startswith(self.scope)] for k, v in self.everywhere.items()}
        return {k: v for k, v in inside.items() if v}

    def within(self, codes: list[str], parent: str | None) -> list[str]:
        if parent is None:
            return codes
        prefix = scope_prefix(parent)
        return [c for c in codes if c.startswith(prefix) and c != parent]

    def closest(self, level: str, name: str, parent: str | None, n: int = 3) -> list[str]:
        pool = self.frame[self.frame["level"] == level]
        if parent is not None:
            pool = pool[pool["code"].str.startswith(scope_prefix(parent))]
        return difflib.get_close_matches(_key(name), list(pool["name"]), n=n, cutoff=0.3)

    def label(self, code: str) -> str:
        row = self.frame[self.frame["code"] == code]
        return f"{row['name'].iloc[0]}（{code}）" if len(row) else code


def match_regions(rows: pd.DataFrame, headers: dict[str, str], index: RegionIndex,
                  required_level: str | None = None) -> tuple[pd.Series, list[dict]]:
    """A region_code per row (None where unmatched) and the problems, by file row and header.

    ``rows`` holds the canonical region columns present (region_code, district/township/village_name);
    ``headers`` maps those canonical names back to the file's headers. Matching runs once per distinct
    combination, so a million rows naming 200 townships cost 200 look-ups.
    """
    cols = [c for c in ("region_code", "district_name", "township_name", "village_name")
            if c in rows.columns]
    per_col = [distinct(rows[c]) for c in cols]
    cleaned = [[clean_text(v) for v in values] + [""] for _, values in per_col]  # [-1]: missing
    combo, first = _combinations([codes for codes, _ in per_col])
    results = [_match_one({c: cleaned[i][per_col[i][0][row]] for i, c in enumerate(cols)},
                          index, required_level) for row in first]
    codes = pd.Series(spread(combo, [code for code, _ in results], None), index=rows.index,
                      dtype=object)
    problems: list[dict] = []
    for pos in np.flatnonzero(spread(combo, [f is not None for _, f in results], False, bool)):
        col, value, key, values = results[combo[pos]][1]
        problems.append(problem(int(rows.index[pos]), headers.get(col, col), value, key, **values))
    return codes, problems


def _combinations(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(combination id per row, first row of each id) for rows of per-column value codes."""
    ids, _ = pd.factorize(codes[0])
    for col in codes[1:]:
        ids, _ = pd.factorize(ids * (int(col.max(initial=-1)) + 2) + (col + 1))
    # ids count up from 0 in order of first appearance: a row is a first one where the id is new
    running = np.maximum.accumulate(ids) if len(ids) else ids
    first = np.flatnonzero(np.diff(running, prepend=-1) > 0)
    return ids, first


def _match_one(cells: dict[str, str], index: RegionIndex, required_level: str | None):
    code_text = cells.get("region_code", "")
    if code_text:
        return _by_code(code_text, index, required_level)
    parent: str | None = None
    found: str | None = None
    for col in ("district_name", "township_name", "village_name"):
        name = cells.get(col, "")
        if not name:
            continue
        level = LEVEL_OF[col]
        code, failure = _by_name(col, name, level, parent, index)
        if failure is not None:
            return None, failure
        parent = found = code
    if found is None:
        col = next((c for c in cells), "region_code")
        return None, (col, "", "region_empty", {})
    return _check_level(found, index, required_level, _last_col(cells), cells)


def _last_col(cells: dict[str, str]) -> str:
    return [c for c, v in cells.items() if v and c != "region_code"][-1]


def _by_code(text: str, index: RegionIndex, required_level: str | None):
    digits = text.split(".")[0] if re.fullmatch(r"\d+\.0+", text) else text
    try:
        code = pad_code(digits)
    except ValueError:
        return None, ("region_code", text, "region_bad_code", {})
    if code not in index.codes:
        return None, ("region_code", text, "region_unknown", {"hint": "", "hint_en": ""})
    if not code.startswith(index.scope):
        return None, ("region_code", text, "region_out_of_scope",
                      {"code": code, "scope": index.scope or "全部"})
    return _check_level(code, index, required_level, "region_code", {"region_code": text})


def _check_level(code: str, index: RegionIndex, required_level: str | None, col: str, cells):
    level = index.codes[code]
    if required_level and level != required_level:
        return None, (col, cells.get(col, code), "region_level", {"level": LEVEL_ZH.get(level, level)})
    return code, None


def _variants(name: str, level: str) -> list[str]:
    """The name as written, then without its suffix (茶园街道办事处 → 茶园, 三山村 → 三山)."""
    key = _key(name)
    more = township_aliases(key) if level == "township" else village_aliases(key) \
        if level == "village" else [re.sub(r"(区|县|市)$", "", key)]
    return list(dict.fromkeys([key, *more]))


def _by_name(col: str, name: str, level: str, parent: str | None, index: RegionIndex):
    codes: list[str] = []
    for variant in _variants(name, level):
        codes = index.within(index.by_name.get((level, variant), []), parent)
        if codes:
            break
    if len(codes) == 1:
        return codes[0], None
    if len(codes) > 1:
        names = "、".join(index.label(c) for c in codes[:5])
        return None, (col, name, "region_ambiguous", {"candidates": names})
    outside = [c for v in _variants(name, level) for c in index.everywhere.get((level, v), [])]
    if outside and parent is None:
        return None, (col, name, "region_out_of_scope", {"code": outside[0],
                                                          "scope": index.scope or "全部"})
    near = index.closest(level, name, parent)
    hint, hint_en = text("closest", names="、".join(near)) if near else ("", "")
    return None, (col, name, "region_unknown", {"hint": hint, "hint_en": hint_en})
