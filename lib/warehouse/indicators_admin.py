"""Admins' changes to the indicator catalog: edit a target, add an indicator — validated and audited.

Each change is one write transaction that bumps the data version and writes its audit event, so the
change and its record commit or roll back together. Bad input raises ``IndicatorRefused`` (every
problem, in Chinese and English) before anything is written.

The catalog is global: a target or a new indicator applies to every region. So only an admin whose
scope is a city or wider (scope prefix of at most 4 digits, or "" for the whole warehouse) may change
it; a district admin is refused here, whatever the page shows. Per-region target overrides (a
district's own target for an indicator, falling back to the catalog's) would let district admins set
targets too; they are a possible later extension, not implemented.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Mapping

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.warehouse import audit
from lib.warehouse import schema as s
from lib.warehouse import rollups
from lib.warehouse.engine import write_transaction
from lib.warehouse.scope import LEVEL_LENGTH, Scope

CODE_PATTERN = re.compile(r"[A-Z][0-9]{2}")  # [0-9]: \d would take full-width digits
DOMAIN_PATTERN = re.compile(r"[a-z_]+")  # an empty catalog accepts any identifier as a domain
DIRECTIONS = ("up", "down", "keep")
UNITS = ("percent", "count", "per_100k")
YEAR_RANGE = (2020, 2050)
PERCENT_RANGE = (0.0, 100.0)
# The longest scope prefix that may change the global catalog: a city admin (as always), a
# province admin ("35") and a country or whole-warehouse admin ("") all may; a district admin not.
GLOBAL_SCOPE_MAX = LEVEL_LENGTH["city"]

# (Chinese, English) per problem; {…} are filled in by _msg.
MESSAGES: dict[str, tuple[str, str]] = {
    "scope_global": ("只有市级（或更高层级）管理员可以修改规划目标和新增指标，因为它们对所有地区生效。",
                     "Only city-level (or wider) admins may change plan targets or add indicators, "
                     "as they apply to every region."),
    "code_format": ("指标代码“{code}”格式不对：应为一个大写字母加两位数字，例如 H12。",
                    "Indicator code “{code}” is malformed: one capital letter and two digits, e.g. H12."),
    "code_exists": ("指标代码 {code} 已存在，请换一个代码。",
                    "Indicator code {code} already exists; choose another code."),
    "code_unknown": ("指标 {code} 不存在。", "Indicator {code} does not exist."),
    "name_zh_missing": ("请填写中文名称。", "The Chinese name is required."),
    "name_en_missing": ("请填写英文名称。", "The English name is required."),
    "domain_unknown": ("领域“{domain}”不在指标目录中（可选：{choices}）。",
                       "Domain “{domain}” is not in the catalog (choose from: {choices})."),
    "direction_bad": ("方向“{direction}”无效：应为 up（越高越好）、down（越低越好）或 keep（保持）。",
                      "Direction “{direction}” is invalid: up, down or keep."),
    "unit_bad": ("单位“{unit}”无效：应为 percent、count 或 per_100k。",
                 "Unit “{unit}” is invalid: percent, count or per_100k."),
    "value_missing": ("请填写目标值（一个数字）。", "The target value must be a number."),
    "value_negative": ("目标值不能为负数（{value}）。", "The target value cannot be negative ({value})."),
    "percent_range": ("百分比指标的目标值应在 0 到 100 之间（填写的是 {value}）。",
                      "A percent target must lie between 0 and 100 (got {value})."),
    "year_bad": ("目标年份应为 2020 到 2050 之间的整数（填写的是 {year}）。",
                 "The target year must be a whole year from 2020 to 2050 (got {year})."),
}


class IndicatorRefused(ValueError):
    """The change was refused; ``problems`` lists (Chinese, English) messages. Nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(en for _, en in problems))

    def message(self, lang: str = "zh") -> str:
        return ("；" if lang == "zh" else "; ").join(zh if lang == "zh" else en
                                                     for zh, en in self.problems)


def _msg(key: str, **values: Any) -> tuple[str, str]:
    zh, en = MESSAGES[key]
    return zh.format(**values), en.format(**values)


def _number(value: Any) -> float | None:
    """A finite float, or None for blanks, text and NaN/inf."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _year(value: Any) -> int | None:
    number = _number(value)
    if number is None or number != int(number):
        return None
    return int(number)


def _target_problems(unit: str, target_value: Any, target_year: Any) -> list[tuple[str, str]]:
    problems = []
    value = _number(target_value)
    if value is None:
        problems.append(_msg("value_missing"))
    elif unit == "percent" and not PERCENT_RANGE[0] <= value <= PERCENT_RANGE[1]:
        problems.append(_msg("percent_range", value=target_value))
    elif value < 0:
        problems.append(_msg("value_negative", value=target_value))
    year = _year(target_year)
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        problems.append(_msg("year_bad", year=target_year))
    return problems


def may_change_catalog(scope: Scope) -> bool:
    """Whether an admin of ``scope`` may change the global catalog (city-level or wider)."""
    return len(scope.prefix) <= GLOBAL_SCOPE_MAX


def _refuse_narrow_scope(scope: Scope) -> None:
    if not isinstance(scope, Scope):
        raise TypeError(f"not a Scope: {scope!r}")
    if not may_change_catalog(scope):
        raise IndicatorRefused([_msg("scope_global")])


def update_target(engine: Engine, code: str, target_value: Any, target_year: Any,
                  user: str | None, *, scope: Scope) -> dict:
    """Set one indicator's target value and year; returns {code, old: (value, year), new: …}.

    ``scope`` is the acting admin's (required, so no caller forgets it): narrower than a city is
    refused, since the target applies to every region.
    """
    _refuse_narrow_scope(scope)
    ind = s.indicator
    with write_transaction(engine) as conn:
        row = conn.execute(select(ind.c.unit, ind.c.target_value, ind.c.target_year)
                           .where(ind.c.code == code)).first()
        if row is None:
            raise IndicatorRefused([_msg("code_unknown", code=code)])
        problems = _target_problems(row.unit, target_value, target_year)
        if problems:
            raise IndicatorRefused(problems)  # leaving the block rolls the version bump back
        new = (_number(target_value), _year(target_year))
        conn.execute(update(ind).where(ind.c.code == code)
                     .values(target_value=new[0], target_year=new[1]))
        change = {"code": code, "old": [row.target_value, row.target_year], "new": list(new)}
        audit.record(conn, "indicator_target", json.dumps(change, ensure_ascii=False), user)
        rollups.mark_current(conn)  # the catalog is not a fact: the rollups stay exact
    return change


def add_indicator(engine: Engine, row: Mapping[str, Any], user: str | None, *,
                  scope: Scope) -> dict:
    """Add one indicator (code, name_zh, name_en, domain, unit, direction, target_value,
    target_year, optional source); its yearly values then come from uploads. Like update_target,
    refused for an admin whose ``scope`` is narrower than a city."""
    _refuse_narrow_scope(scope)
    clean = {
        "code": str(row.get("code") or "").strip(),
        "name_zh": str(row.get("name_zh") or "").strip(),
        "name_en": str(row.get("name_en") or "").strip(),
        "domain": str(row.get("domain") or "").strip(),
        "unit": str(row.get("unit") or "").strip(),
        "direction": str(row.get("direction") or "").strip(),
        "source": str(row.get("source") or "").strip() or None,
        "computed_from": None,
    }
    try:
        return _insert(engine, clean, row, user)
    except IntegrityError:  # the same code added concurrently, after our check
        raise IndicatorRefused([_msg("code_exists", code=clean["code"])]) from None


def _insert(engine: Engine, clean: dict, row: Mapping[str, Any], user: str | None) -> dict:
    ind = s.indicator
    with write_transaction(engine) as conn:
        codes = {c for (c,) in conn.execute(select(ind.c.code))}
        domains = sorted({d for (d,) in conn.execute(select(ind.c.domain).distinct())})
        problems = []
        if not CODE_PATTERN.fullmatch(clean["code"]):
            problems.append(_msg("code_format", code=clean["code"]))
        elif clean["code"] in codes:
            problems.append(_msg("code_exists", code=clean["code"]))
        if not clean["name_zh"]:
            problems.append(_msg("name_zh_missing"))
        if not clean["name_en"]:
            problems.append(_msg("name_en_missing"))
        if clean["domain"] not in domains and (domains or not DOMAIN_PATTERN.fullmatch(clean["domain"])):
            problems.append(_msg("domain_unknown", domain=clean["domain"], choices=", ".join(domains)))
        if clean["direction"] not in DIRECTIONS:
            problems.append(_msg("direction_bad", direction=clean["direction"]))
        if clean["unit"] not in UNITS:
            problems.append(_msg("unit_bad", unit=clean["unit"]))
        problems += _target_problems(clean["unit"], row.get("target_value"), row.get("target_year"))
        if problems:
            raise IndicatorRefused(problems)
        clean["target_value"] = _number(row.get("target_value"))
        clean["target_year"] = _year(row.get("target_year"))
        conn.execute(insert(ind).values(**clean))
        audit.record(conn, "indicator_add", json.dumps(clean, ensure_ascii=False), user)
        rollups.mark_current(conn)  # the catalog is not a fact: the rollups stay exact
    return clean
