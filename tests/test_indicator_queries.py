"""lib.warehouse.indicator_queries: yearly indicator values from small hand-made facts, both backends."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction
from lib.warehouse.indicator_queries import (city_region_code, indicator_yearly_values,
                                             scope_prefix, top_region_code)
from lib.warehouse.reference import indicators_frame, regions_frame

D = dt.date
TOWNSHIP = "350111202000"      # 宦溪镇-like: 12 villages, all rural (2xx)
DISTRICT = "350111000000"
CITY = "350100000000"


@pytest.mark.parametrize("code, prefix", [
    ("350100000000", "3501"), ("350111000000", "350111"), ("350111202000", "350111202"),
    ("350111202001", "350111202001"), ("350000000000", "35"), ("350111", "350111"),
])
def test_scope_prefix(code, prefix):
    assert scope_prefix(code) == prefix


def _load(engine, **frames):
    with write_transaction(engine) as conn:
        for name, rows in frames.items():
            table = getattr(s, name)
            frame = pd.DataFrame(rows).assign(batch_id=1)
            for col in table.columns:   # missing counts are NULL, not float NaN (COPY wants ints)
                if col.name in frame and col.type.python_type is int:
                    frame[col.name] = frame[col.name].astype("Int64")
            bulk_insert(conn, table, frame)


def _values(engine, region):
    out = indicator_yearly_values(engine, region, indicators_frame(engine))
    assert (out["region_code"] == region).all()
    return {code: dict(zip(g["year"], g["value"])) for code, g in out.groupby("indicator_code")}


def _org(org_id, region, org_type, est, dissolved=None, last=None, execs=None):
    return dict(org_id=org_id, region_code=region, org_type=org_type, established_on=est,
                dissolved_on=dissolved, last_activity_on=last, exec_members=execs)


def _villages(engine):
    r = regions_frame(engine)
    v = r[(r.level == "village") & (r.parent_code == TOWNSHIP)].sort_values("code")
    assert len(v) == 12 and v["urban_rural_code"].str.startswith("2").all()
    return list(v["code"])


def test_city_region_code(engine):
    assert city_region_code(engine) == CITY
    assert top_region_code(engine) == CITY  # one city: the commands' default is the city


def test_uploaded_values_are_read_for_the_region_only(engine):
    _load(engine, indicator_value=[
        dict(indicator_code="H01", region_code=CITY, year=2021, value=12.5),
        dict(indicator_code="H01", region_code=CITY, year=2022, value=11.0),
        dict(indicator_code="H01", region_code=DISTRICT, year=2022, value=99.0),
        dict(indicator_code="H02", region_code=CITY, year=2022, value=99.0),  # computed: ignored
    ])
    vals = _values(engine, CITY)
    assert vals["H01"] == {2021: 12.5, 2022: 11.0}
    assert "H02" not in vals


def test_roster_coverage_effective_training_and_counts(engine):
    v1, v2, v3, v4, v5 = _villages(engine)[:5]
    _load(engine, org_unit=[
        _org("a", v1, "village_federation", D(2020, 6, 1), last=D(2023, 10, 1), execs=10),
        _org("b", v1, "community_federation", D(2021, 1, 1), last=D(2023, 11, 1), execs=5),
        _org("c", v2, "village_federation", D(2020, 6, 1), D(2022, 3, 1), D(2022, 1, 1), execs=8),
        _org("d", v3, "village_federation", D(2023, 5, 1), last=D(2023, 3, 1), execs=7),
        _org("e", "350111201001", "village_federation", D(2019, 1, 1), execs=99),  # other township
        _org("f", v4, "parent_school", D(2021, 1, 1)),
        _org("g", TOWNSHIP, "sister_station", D(2021, 2, 1)),
        _org("h", v5, "sister_station", D(2022, 1, 1), D(2023, 6, 1)),
    ], training_session=[
        dict(session_id="t1", region_code=TOWNSHIP, held_on=D(2021, 4, 1), topic="exec_duty",
             audience="exec_member", mode="onsite", participants=12),
        dict(session_id="t2", region_code=v1, held_on=D(2021, 5, 1), topic="exec_duty",
             audience="general_public", mode="onsite", participants=50),
        dict(session_id="t3", region_code=TOWNSHIP, held_on=D(2022, 5, 1), topic="health",
             audience="exec_member", mode="online", participants=40),
        dict(session_id="t4", region_code=TOWNSHIP, held_on=D(2023, 5, 1), topic="exec_duty",
             audience="exec_member", mode="onsite", participants=30),
        dict(session_id="t5", region_code="350111201000", held_on=D(2023, 5, 1),
             topic="exec_duty", audience="exec_member", mode="onsite", participants=500),
    ])
    vals = _values(engine, TOWNSHIP)
    pct = lambda n: pytest.approx(100.0 * n / 12)  # noqa: E731
    # physical: villages with a federation active at year end (V1 counted once; V2 dissolved 2022)
    assert vals["O01"] == {2020: pct(2), 2021: pct(2), 2022: pct(1), 2023: pct(2)}
    # effective: last activity after year end − 180 days (V3's last activity predates 2023-07-04)
    assert vals["O02"] == {2020: pct(2), 2021: pct(2), 2022: pct(1), 2023: pct(1)}
    assert vals["F02"] == {2020: 0.0, 2021: pct(1), 2022: pct(1), 2023: pct(1)}
    assert "F01" not in vals          # no urban villages in scope
    assert "H07" not in vals          # no counselling rooms on the roster at all
    assert "F04" not in vals          # a township has no districts
    assert vals["O04"] == {2020: 0.0, 2021: 1.0, 2022: 2.0, 2023: 1.0}
    # exec training: 12 ÷ (10+5+8) in 2021; 0 in 2022; 30 ÷ (10+5+7) capped at 100 in 2023
    assert vals["O03"] == {2021: pytest.approx(1200 / 23), 2022: 0.0, 2023: 100.0}


def test_mediation_committee_district_coverage(engine):
    _load(engine, org_unit=[
        _org("m1", "350111202000", "mediation_committee", D(2022, 1, 1)),   # township of 晋安
        _org("m2", "350102000000", "mediation_committee", D(2020, 1, 1)),   # 鼓楼 itself
        _org("m3", "350102001000", "mediation_committee", D(2020, 1, 1)),   # 鼓楼 again
        _org("x", "350111202001", "village_federation", D(2020, 1, 1), D(2023, 1, 1)),
    ])
    assert _values(engine, DISTRICT)["F04"] == {2020: 0.0, 2021: 0.0, 2022: 100.0, 2023: 100.0}
    assert _values(engine, CITY)["F04"] == {2020: pytest.approx(100 / 13),
                                            2021: pytest.approx(100 / 13),
                                            2022: pytest.approx(200 / 13),
                                            2023: pytest.approx(200 / 13)}


def test_screening_coverage_rural_coverage_and_treatment(engine):
    rural, urban, outside = "350111202000", "350111001000", "350102001000"
    rural_cerv = {2019: 100, 2020: 100, 2021: 100, 2022: 200, 2023: 200, 2024: 300}
    rows = []
    for y in range(2019, 2025):
        for m, share in ((3, 0.5), (9, 0.5)):   # two months a year, summed
            rows.append(dict(region_code=rural, month=D(y, m, 1), kind="cervical",
                             screened=int(rural_cerv[y] * share), diagnosed=2 if y == 2022 else 0,
                             treated=(2 if m == 3 else 1) if y == 2022 else 0))
            rows.append(dict(region_code=rural, month=D(y, m, 1), kind="breast", screened=40))
            rows.append(dict(region_code=urban, month=D(y, m, 1), kind="cervical", screened=25,
                             diagnosed=1 if (y, m) == (2022, 3) else 0,
                             treated=1 if (y, m) == (2022, 3) else 0))
            rows.append(dict(region_code=outside, month=D(y, m, 1), kind="cervical",
                             screened=9999, diagnosed=50, treated=0))
    targets = []
    for y in range(2020, 2025):
        targets += [dict(region_code=rural, year=y, kind="cervical", eligible_women=1000),
                    dict(region_code=rural, year=y, kind="breast", eligible_women=800),
                    dict(region_code=urban, year=y, kind="cervical", eligible_women=500),
                    dict(region_code=outside, year=y, kind="cervical", eligible_women=1)]
    _load(engine, screening=rows, screening_target=targets)
    vals = _values(engine, DISTRICT)
    # cervical: (rural 3-year sum + urban 150) ÷ 1500; 2020 has no full cycle of data
    assert vals["H02"] == pytest.approx({2021: 30.0, 2022: 550 / 15, 2023: 650 / 15,
                                         2024: 850 / 15})
    # rural townships only, both kinds: (cervical sum + 240 breast) ÷ (1000 + 800)
    assert vals["H03"] == pytest.approx({2021: 540 / 18, 2022: 640 / 18, 2023: 740 / 18,
                                         2024: 940 / 18})
    # treated ÷ diagnosed from summed counts (3 + 1) ÷ (4 + 1); years without diagnoses omitted
    assert vals["H05"] == pytest.approx({2022: 80.0})


def test_exec_members_count_federations_alive_on_31_december(engine):
    """The exec-training denominator at a year end: a federation founded on 31 December counts
    that year, one dissolved on 31 December does not; one with no founding date never counts."""
    v1, v2, v3, v4 = _villages(engine)[:4]
    _load(engine, org_unit=[
        _org("a", v1, "village_federation", D(2021, 12, 31), execs=10),
        _org("b", v2, "village_federation", D(2020, 1, 1), D(2022, 12, 31), execs=20),
        _org("c", v3, "community_federation", D(2020, 1, 1), D(2023, 1, 1), execs=40),
        _org("d", v4, "village_federation", None, execs=1000),
        _org("e", v4, "parent_school", D(2020, 1, 1), execs=1000),  # not a federation
    ], training_session=[
        dict(session_id=f"t{y}", region_code=TOWNSHIP, held_on=D(y, 6, 1), topic="exec_duty",
             audience="exec_member", mode="onsite", participants=7) for y in (2021, 2022, 2023)])
    # members at year end: 2021 a+b+c = 70; 2022 a+c = 50 (b dissolved 31 Dec); 2023 a = 10
    assert _values(engine, TOWNSHIP)["O03"] == {2021: pytest.approx(700 / 70),
                                                  2022: pytest.approx(700 / 50),
                                                  2023: pytest.approx(700 / 10)}
