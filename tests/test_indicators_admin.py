"""Admins' edits of the indicator catalog: validation tables, audit in the same transaction, data version."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.warehouse import audit
from lib.warehouse import schema as s
from lib.warehouse.engine import data_version
from lib.warehouse.indicators_admin import IndicatorRefused, add_indicator, update_target
from lib.warehouse.reference import indicators_frame
from lib.warehouse.scope import Scope
from tests.conftest import scope_of

CITY = "3501"  # the acting admin's scope prefix: 福州市, which may change the global catalog
GOOD = {"code": "Z01", "name_zh": "测试指标", "name_en": "Test indicator", "domain": "health",
        "unit": "percent", "direction": "up", "target_value": 80, "target_year": 2030,
        "source": "测试"}


def _state(engine):
    """Everything an admin change may touch: the catalog, the version, the audit log."""
    with engine.connect() as conn:
        n_audit = conn.execute(select(func.count()).select_from(s.audit_event)).scalar_one()
    return indicators_frame(engine).to_json(), data_version(engine), n_audit


def _events(engine, action):
    ev = audit.events(engine)
    return ev[ev["action"] == action]


def test_update_target_writes_value_audit_and_version(engine):
    before = indicators_frame(engine).set_index("code").loc["H02"]
    version = data_version(engine)
    change = update_target(engine, "H02", 75.5, 2035, "boss", scope=Scope(CITY))
    after = indicators_frame(engine).set_index("code").loc["H02"]
    assert (after["target_value"], after["target_year"]) == (75.5, 2035)
    assert after["name_zh"] == before["name_zh"]  # nothing else changed
    assert data_version(engine) == version + 1
    ev = _events(engine, "indicator_target")
    assert len(ev) == 1 and ev.iloc[0]["username"] == "boss"
    detail = json.loads(ev.iloc[0]["detail"])
    assert detail == change == {"code": "H02", "old": [before["target_value"], before["target_year"]],
                                "new": [75.5, 2035]}


@pytest.mark.parametrize("code, value, year, fragment", [
    ("H02", 101, 2030, "0 到 100"),          # percent over 100
    ("H02", -1, 2030, "0 到 100"),           # percent below 0
    ("H01", -5, 2030, "不能为负数"),          # per_100k below 0
    ("H02", 70, 2019, "2020 到 2050"),
    ("H02", 70, 2051, "2020 到 2050"),
    ("H02", 70, 2030.5, "2020 到 2050"),
    ("H02", 70, "明年", "2020 到 2050"),
    ("H02", None, 2030, "请填写目标值"),
    ("H02", float("nan"), 2030, "请填写目标值"),
    ("H02", "七十", 2030, "请填写目标值"),
    ("Q99", 70, 2030, "不存在"),
])
def test_update_target_refusals_change_nothing(engine, code, value, year, fragment):
    before = _state(engine)
    with pytest.raises(IndicatorRefused) as err:
        update_target(engine, code, value, year, "boss", scope=Scope(CITY))
    assert fragment in err.value.message("zh")
    assert err.value.message("en")  # and an English message for the English UI
    assert _state(engine) == before


@pytest.mark.parametrize("value, year", [(0, 2020), (100, 2050), ("85", "2030"), (12.25, 2030.0)])
def test_update_target_edges_accepted(engine, value, year):
    update_target(engine, "H02", value, year, "boss", scope=Scope(CITY))
    row = indicators_frame(engine).set_index("code").loc["H02"]
    assert (row["target_value"], row["target_year"]) == (float(value), int(float(year)))


def test_per_100k_target_may_exceed_100(engine):
    update_target(engine, "H01", 250, 2030, "boss", scope=Scope(CITY))
    assert indicators_frame(engine).set_index("code").loc["H01", "target_value"] == 250


def test_add_indicator_writes_row_audit_and_version(engine):
    version = data_version(engine)
    n = len(indicators_frame(engine))
    add_indicator(engine, GOOD, "boss", scope=Scope(CITY))
    frame = indicators_frame(engine).set_index("code")
    assert len(frame) == n + 1
    row = frame.loc["Z01"]
    assert (row["name_zh"], row["unit"], row["direction"], row["target_value"], row["target_year"]) \
        == ("测试指标", "percent", "up", 80.0, 2030)
    assert pd.isna(row["computed_from"])  # an added indicator takes uploaded values
    assert data_version(engine) == version + 1
    ev = _events(engine, "indicator_add")
    assert len(ev) == 1 and json.loads(ev.iloc[0]["detail"])["code"] == "Z01"


@pytest.mark.parametrize("change, fragment", [
    ({"code": "H01"}, "已存在"),
    ({"code": "z01"}, "格式不对"),
    ({"code": "Z1"}, "格式不对"),
    ({"code": "Z001"}, "格式不对"),
    ({"code": "Z０1"}, "格式不对"),  # full-width digit
    ({"code": ""}, "格式不对"),
    ({"name_zh": "  "}, "中文名称"),
    ({"name_en": None}, "英文名称"),
    ({"domain": "sports"}, "领域"),
    ({"direction": "sideways"}, "方向"),
    ({"unit": "yuan"}, "单位"),
    ({"target_value": 120}, "0 到 100"),
    ({"unit": "count", "target_value": -3}, "不能为负数"),
    ({"target_year": 2019}, "2020 到 2050"),
    ({"target_year": None}, "2020 到 2050"),
    ({"target_value": ""}, "请填写目标值"),
])
def test_add_indicator_refusals_change_nothing(engine, change, fragment):
    before = _state(engine)
    with pytest.raises(IndicatorRefused) as err:
        add_indicator(engine, GOOD | change, "boss", scope=Scope(CITY))
    assert fragment in err.value.message("zh")
    assert _state(engine) == before


def test_add_indicator_lists_every_problem_at_once(engine):
    bad = GOOD | {"code": "bad", "unit": "yuan", "target_year": 1999}
    with pytest.raises(IndicatorRefused) as err:
        add_indicator(engine, bad, "boss", scope=Scope(CITY))
    assert len(err.value.problems) == 3


def test_count_indicator_target_over_100_accepted(engine):
    add_indicator(engine, GOOD | {"code": "Z02", "unit": "count", "target_value": 500}, "boss",
                  scope=Scope(CITY))
    assert indicators_frame(engine).set_index("code").loc["Z02", "target_value"] == 500


def test_failed_audit_rolls_the_change_back(engine, monkeypatch):
    """The audit event is written in the change's transaction: if it fails, nothing stays."""
    before = _state(engine)

    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        update_target(engine, "H02", 50, 2030, "boss", scope=Scope(CITY))
    with pytest.raises(RuntimeError):
        add_indicator(engine, GOOD, "boss", scope=Scope(CITY))
    assert _state(engine) == before


@pytest.mark.parametrize("scope_prefix", ["350111", "350111001", "350111001001"])
def test_admin_below_city_level_refused_and_nothing_changes(engine, scope_prefix):
    """The catalog is global: a district (or narrower) admin's change would apply to every region."""
    before = _state(engine)
    with pytest.raises(IndicatorRefused) as err:
        update_target(engine, "H02", 75, 2030, "district_admin", scope=scope_of(scope_prefix))
    assert "只有市级" in err.value.message("zh") and "city-level" in err.value.message("en")
    with pytest.raises(IndicatorRefused) as err:
        add_indicator(engine, GOOD, "district_admin", scope=scope_of(scope_prefix))
    assert "只有市级" in err.value.message("zh")
    assert _state(engine) == before


@pytest.mark.parametrize("scope_prefix", ["", "35", "3501"])
def test_city_level_or_wider_admin_may_change_the_catalog(engine, scope_prefix):
    update_target(engine, "H02", 75, 2031, "boss", scope=scope_of(scope_prefix))
    add_indicator(engine, GOOD, "boss", scope=scope_of(scope_prefix))
    frame = indicators_frame(engine).set_index("code")
    assert frame.loc["H02", "target_value"] == 75 and "Z01" in frame.index
