"""Reporting completeness 报送情况: the status rule (pure), the query on DuckDB and
PostgreSQL (conftest engine), the admin's deadline rule, scope in SQL, the CLI, and the page.

Batch times are set in the test (the loader stamps the wall clock), so no result depends on the day
the suite runs.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select, update

from lib.completeness import (COUNT_COLUMNS, RuleRefused, completeness, deadline_days, deadline_for,
                              main, may_set_rule, month_starts, ranking, reminders, report_status,
                              set_deadline_day)
from lib.ingest import load_prepared, prepare_upload, rollback_batch
from lib.warehouse import schema as s
from lib.warehouse.scope import Scope
from tests.conftest import scope_of

CHAYUAN, WANGZHUANG, XIANGYUAN = "350111001000", "350111002000", "350111003000"
SCREEN = "乡镇（街道）,月份,筛查类型,筛查人数\n"
MAR, APR = dt.date(2024, 3, 1), dt.date(2024, 4, 30)


# --- the rule, without a database --------------------------------------------------------------

def test_deadline_is_the_day_of_the_next_month_across_the_year_end():
    assert deadline_for(dt.date(2024, 3, 1)) == dt.date(2024, 4, 10)
    assert deadline_for(dt.date(2024, 12, 1), 5) == dt.date(2025, 1, 5)
    assert month_starts(dt.date(2024, 11, 15), dt.date(2025, 2, 3)) == [
        dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1)]


@pytest.mark.parametrize("at,status", [
    (None, "missing"),
    (dt.datetime(2024, 3, 31, 9, 0), "reported"),
    (dt.datetime(2024, 4, 10, 23, 59), "reported"),  # the deadline day counts, to its last minute
    (dt.datetime(2024, 4, 11, 0, 1), "late"),
])
def test_status_rule(at, status):
    assert report_status(at, dt.date(2024, 3, 1)) == status


def test_status_rule_follows_the_deadline_day():
    assert report_status(dt.datetime(2024, 4, 15), dt.date(2024, 3, 1), 20) == "reported"
    assert report_status(dt.datetime(2024, 4, 6), dt.date(2024, 3, 1), 5) == "late"


def _frame(rows):
    return pd.DataFrame(rows, columns=["region_code", "region_name", "dataset", "month", "status",
                                       "uploaded_at", "deadline"])


def test_ranking_counts_only_due_months_and_puts_the_punctual_first():
    rows = [("1", "甲", "screening", "2024-03", "late", None, dt.date(2024, 4, 10)),
            ("1", "甲", "screening", "2024-04", "reported", None, dt.date(2024, 5, 10)),
            ("2", "乙", "screening", "2024-03", "reported", None, dt.date(2024, 4, 10)),
            ("2", "乙", "screening", "2024-04", "reported", None, dt.date(2024, 5, 10)),
            ("3", "丙", "screening", "2024-03", "missing", None, dt.date(2024, 4, 10)),
            ("3", "丙", "screening", "2024-04", "reported", None, dt.date(2024, 5, 10)),
            ("3", "丙", "screening", "2024-05", "missing", None, dt.date(2024, 6, 10))]  # not due
    got = ranking(_frame(rows), dt.date(2024, 5, 20))
    assert list(got["region_name"]) == ["乙", "甲", "丙"]
    assert list(got["rank"]) == [1, 2, 2]  # 甲 and 丙 share the on-time rate; 丙 has a missing month
    assert list(got["due"]) == [2, 2, 2] and list(got["missing"]) == [0, 0, 1]
    assert got["on_time_rate"].tolist() == [1.0, 0.5, 0.5]
    todo = reminders(_frame(rows), dt.date(2024, 5, 20))
    assert list(zip(todo["region_name"], todo["month"], todo["days_overdue"])) == [
        ("丙", "2024-03", 40), ("丙", "2024-05", 0)]


# --- the query, on both backends ---------------------------------------------------------------

def _load(engine, *rows, at: dt.datetime, scope="350111") -> int:
    p = prepare_upload(engine, (SCREEN + "\n".join(rows) + "\n").encode(), "s.csv",
                       scope=scope_of(scope))
    assert p.ok, p.problems
    out = load_prepared(engine, p, user="ana")
    assert out.status == "loaded"
    with engine.begin() as conn:  # the batch's time, as if loaded then
        conn.execute(update(s.upload_batch).where(s.upload_batch.c.batch_id == out.batch_id)
                     .values(uploaded_at=at))
    return out.batch_id


def _status(frame) -> dict[tuple[str, str], str]:
    return {(r.region_code, r.month): r.status for r in frame.itertuples(index=False)}


@pytest.fixture
def reported(engine):
    """茶园 reports March on time and April late; 王庄 March on time; 象园 nothing."""
    _load(engine, "茶园,2024-03,宫颈癌筛查,300", "王庄,2024-03,乳腺癌筛查,200",
          at=dt.datetime(2024, 4, 8, 16, 30))
    _load(engine, "茶园,2024-04,宫颈癌筛查,310", at=dt.datetime(2024, 5, 15, 9, 0))
    return engine


def test_reported_late_missing_per_township_and_month(reported):
    got = completeness(reported, "350111", "screening", MAR, APR)
    st = _status(got)
    assert st[(CHAYUAN, "2024-03")] == "reported" and st[(WANGZHUANG, "2024-03")] == "reported"
    assert st[(CHAYUAN, "2024-04")] == "late" and st[(WANGZHUANG, "2024-04")] == "missing"
    assert st[(XIANGYUAN, "2024-03")] == "missing"
    # every township of 晋安区, every month: the missing ones are rows too
    townships = got["region_code"].unique()
    assert len(got) == 2 * len(townships) and len(townships) > 5
    assert all(c.startswith("350111") for c in townships)
    row = got[(got["region_code"] == CHAYUAN) & (got["month"] == "2024-04")].iloc[0]
    assert row["region_name"] == "茶园街道" and row["deadline"] == dt.date(2024, 5, 10)
    assert pd.Timestamp(row["uploaded_at"]) == pd.Timestamp("2024-05-15 09:00")
    assert got[got["status"] == "missing"]["uploaded_at"].isna().all()


def test_a_correction_keeps_the_first_report_time_and_a_rollback_unreports(reported):
    _load(reported, "茶园,2024-03,宫颈癌筛查,333", at=dt.datetime(2024, 6, 1))  # supersedes March
    b = _load(reported, "王庄,2024-04,宫颈癌筛查,50", at=dt.datetime(2024, 5, 2))
    st = _status(completeness(reported, "350111", "screening", MAR, APR))
    assert st[(CHAYUAN, "2024-03")] == "reported" and st[(WANGZHUANG, "2024-04")] == "reported"
    rollback_batch(reported, b, user="ana", scope=Scope.everything())
    st = _status(completeness(reported, "350111", "screening", MAR, APR))
    assert st[(WANGZHUANG, "2024-04")] == "missing"


def test_the_admins_deadline_rule_is_stored_and_applied(reported):
    assert deadline_days(reported) == {"*": 10}
    set_deadline_day(reported, 20, user="root", scope=Scope.everything())
    st = _status(completeness(reported, "350111", "screening", MAR, APR))
    assert st[(CHAYUAN, "2024-04")] == "reported"  # 05-15 is before the 20th
    set_deadline_day(reported, 5, user="root", dataset="screening",
                     scope=Scope.everything())  # a dataset's own rule wins
    assert deadline_days(reported) == {"*": 20, "screening": 5}
    st = _status(completeness(reported, "350111", "screening", MAR, APR))
    assert st[(CHAYUAN, "2024-03")] == "late"  # 04-08 is after the 5th
    for bad in (0, 29, "7"):
        with pytest.raises(RuleRefused):
            set_deadline_day(reported, bad, user="root", scope=Scope.everything())
    with pytest.raises(RuleRefused):
        set_deadline_day(reported, 7, user="root", dataset="org_unit",
                         scope=Scope.everything())
    with reported.connect() as conn:
        actions = conn.execute(select(s.audit_event.c.action, s.audit_event.c.username)).all()
    assert actions.count(("report_rule", "root")) == 2


def test_only_an_admin_over_the_whole_warehouse_changes_the_deadline(reported):
    """The rule is warehouse-wide: a district admin changing it would move every district's
    deadline, so only a scope that holds every region of the warehouse may."""
    for prefix in ("350111", "350111001"):
        assert not may_set_rule(reported, Scope(prefix))
        with pytest.raises(RuleRefused) as err:
            set_deadline_day(reported, 20, user="jin_admin", scope=Scope(prefix))
        assert err.value.code == "cp_rule_refused"
    assert deadline_days(reported) == {"*": 10}
    with reported.connect() as conn:
        assert "report_rule" not in conn.execute(select(s.audit_event.c.action)).scalars().all()
    assert may_set_rule(reported, Scope.everything()) and may_set_rule(reported, Scope("35"))
    set_deadline_day(reported, 20, user="root", scope=Scope("35"))
    assert deadline_days(reported) == {"*": 20}


def test_a_city_admin_holds_the_warehouse_only_when_it_is_that_city(reported):
    with reported.connect() as conn:
        codes = set(conn.execute(select(s.region.c.code)).scalars())
    cities = {c[:4] for c in codes if c[4:] == "0" * 8 and c[2:4] != "00"}
    for city in cities:  # one city: its admin holds it all; two or more: none does
        assert may_set_rule(reported, Scope(city)) is (len(cities) == 1)


def test_scope_is_applied_in_sql(reported):
    town = completeness(reported, "350111001", "screening", MAR, APR)
    assert set(town["region_code"]) == {CHAYUAN}
    other = completeness(reported, "350102", "screening", MAR, APR)  # 鼓楼区: nothing of 晋安区
    assert len(other) and not other["region_code"].str.startswith("350111").any()
    assert (other["status"] == "missing").all()
    districts = completeness(reported, "3501", "screening", MAR, APR, level="district")
    jinan = districts[districts["region_code"] == "350111000000"]
    assert list(jinan["status"]) == ["reported", "late"]


def test_counts_per_child_region_agree_with_the_units(reported):
    """The grid's counts (in SQL, per district of the city) are the per-township statuses added up."""
    from lib.completeness import completeness_counts

    units = completeness(reported, "3501", "screening", MAR, APR)
    got = completeness_counts(reported, "3501", "screening", MAR, APR, group_len=6)
    units["group"] = units["region_code"].str[:6].str.ljust(12, "0")
    want = units.groupby(["group", "month"])["status"].value_counts().unstack(fill_value=0)
    for r in got.itertuples(index=False):
        row = want.loc[(r.region_code, r.month)]
        assert (r.reported, r.late, r.missing) == (row.get("reported", 0), row.get("late", 0),
                                                   row.get("missing", 0)), r
        assert r.units == r.reported + r.late + r.missing
    jinan = got[got["region_code"] == "350111000000"].set_index("month")
    assert jinan.loc["2024-03", "reported"] == 2 and jinan.loc["2024-04", "late"] == 1
    assert jinan.loc["2024-04", "region_name"] == "晋安区"
    assert pd.Timestamp(jinan.loc["2024-04", "uploaded_at"]) == pd.Timestamp("2024-05-15 09:00")
    # the view's own units when the view is a unit (a township), and scope stays in SQL
    town = completeness_counts(reported, "350111001", "screening", MAR, APR, group_len=9)
    assert list(town["region_code"]) == [CHAYUAN, CHAYUAN]
    assert list(town["reported"]) == [1, 0] and list(town["late"]) == [0, 1]
    other = completeness_counts(reported, "350102", "screening", MAR, APR, group_len=9)
    assert not other["region_code"].str.startswith("350111").any()
    assert other["reported"].sum() == 0 and other["late"].sum() == 0


@pytest.fixture
def two_province_engine(reported):
    """晋安区's reports with 南昌市 (江西) beside 福州市 (福建) under the country."""
    from lib.warehouse import bootstrap
    from tests.test_provinces import nanchang_regions

    bootstrap.import_regions(reported, nanchang_regions())
    return reported


def test_country_grid_has_a_row_per_province_however_many_townships(two_province_engine):
    """At the country the grid holds provinces × months: the townships are counted, not listed, so
    its size does not grow with them (the national demo's 40,000 townships are 31 rows)."""
    from lib.completeness import completeness_counts
    from lib.completeness_grid import grid, group_len
    from lib.warehouse.reference import regions_frame

    towns = regions_frame(two_province_engine)
    n_towns = int((towns["level"] == "township").sum())
    got = completeness_counts(two_province_engine, "", "screening", MAR, APR,
                              group_len=group_len("country", "township"))
    assert list(got["region_code"].unique()) == ["350000000000", "360000000000"]
    assert len(got) == 2 * 2 and got.groupby("month")["units"].sum().tolist() == [n_towns] * 2
    fujian = got[got["region_code"] == "350000000000"].set_index("month")
    assert (fujian.loc["2024-03", "reported"], fujian.loc["2024-04", "late"]) == (2, 1)
    text, worst, codes = grid(got, "zh")
    assert text.shape == (2, 2) and list(text.index) == ["福建省", "江西省"]
    assert text.iloc[1, 0] == "未报 4" and worst.iloc[1, 0] == "missing"
    assert text.iloc[0, 1] == f"迟报 1 · 未报 {n_towns - 5}" and codes[1] == "360000000000"


def test_grid_rows_of_the_same_name_stay_apart():
    """Two regions of one name (a 城关镇 in two counties) are two rows, told apart by code: a styled
    table cannot colour rows whose index repeats."""
    from lib.completeness_grid import grid

    rows = [(c, "城关镇", "screening", "2024-03", 1, 1, 0, 0, dt.date(2024, 4, 10), None)
            for c in ("350111001000", "350111002000")]
    text, worst, codes = grid(pd.DataFrame(rows, columns=COUNT_COLUMNS), "zh")
    assert list(text.index) == ["城关镇（350111001000）", "城关镇（350111002000）"]
    assert text.index.is_unique and text.style.apply(lambda _: worst.map(lambda s: f"color: {s}"), axis=None).to_html()


@pytest.mark.parametrize("view,unit,length", [
    ("country", "township", 2), ("province", "township", 4), ("city", "township", 6),
    ("district", "township", 9), ("township", "township", 9), ("city", "district", 6),
    ("district", "district", 6), ("country", "district", 2)])
def test_the_grid_groups_by_the_views_children_never_below_the_unit(view, unit, length):
    from lib.completeness_grid import group_len

    assert group_len(view, unit) == length


def test_village_rows_count_for_their_township(engine):
    from lib.warehouse.loading import load_batch

    village = pd.read_sql(select(s.region.c.code).where(
        s.region.c.level == "village", s.region.c.code.startswith("350111001")).limit(1),
        engine.connect())["code"][0]
    frame = pd.DataFrame([{"session_id": "T1", "region_code": village,
                           "held_on": dt.date(2024, 3, 9), "topic": "health", "audience":
                           "general_public", "mode": "onsite", "participants": 30, "hours": 2.0}])
    bid = load_batch(engine, {"training": frame}, user="t", scope=Scope.everything()).batch_id
    with engine.begin() as conn:
        conn.execute(update(s.upload_batch).where(s.upload_batch.c.batch_id == bid)
                     .values(uploaded_at=dt.datetime(2024, 4, 1)))
    st = _status(completeness(engine, "350111", "training", MAR, MAR))
    assert st[(CHAYUAN, "2024-03")] == "reported" and st[(WANGZHUANG, "2024-03")] == "missing"
    # a dataset dated by day (held_on) is counted by its month in the grid too
    from lib.completeness import completeness_counts

    jinan = completeness_counts(engine, "350111", "training", MAR, MAR, group_len=6).iloc[0]
    assert (jinan["reported"], jinan["late"], jinan["missing"]) == (1, 0, jinan["units"] - 1)


def test_cli_prints_one_json_object_per_region(reported, monkeypatch, capsys):
    from tests.test_cli_settings import cli_target

    cli_target(reported, monkeypatch)  # HALFSKY_DB_URL / HALFSKY_DB_SCHEMA, as the app reads them
    assert main(["--month", "2024-04", "--region", "350111000000", "--dataset", "screening",
                 "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"region_code", "region_name", "dataset", "month", "status",
            "uploaded_at"} <= set(rows[0])
    by = {r["region_code"]: r for r in rows}
    assert by[CHAYUAN]["status"] == "late" and by[CHAYUAN]["uploaded_at"] == "2024-05-15T09:00:00"
    assert by[WANGZHUANG] == {"region_code": WANGZHUANG, "region_name": "王庄街道",
                              "dataset": "screening", "month": "2024-04", "status": "missing",
                              "uploaded_at": None, "deadline": "2024-05-10"}
    assert all(r["region_code"].startswith("350111") for r in rows)
    assert main(["--month", "2024-03", "--region", CHAYUAN, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["dataset"], r["status"]) for r in rows] == [
        ("screening", "reported"), ("training", "missing"), ("job_fair", "missing")]
    with pytest.raises(SystemExit):
        main(["--month", "2024-13"])
