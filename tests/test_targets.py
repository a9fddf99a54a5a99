"""lib.targets.assess and lib.targets.theil_sen: hand-worked series for every status and direction."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.targets import labels
from lib.targets.assess import Target, assess, assess_indicators, is_volatile, warnings
from lib.targets.theil_sen import pairwise_slopes, theil_sen


def series(values, start=2020):
    return pd.DataFrame({"year": range(start, start + len(values)), "value": values})


UP = Target("U", "up", 70.0, 2030)
DOWN = Target("D", "down", 10.0, 2030, unit="per_100k")
DOWN_PCT = Target("DP", "down", 50.0, 2030)
KEEP = Target("K", "keep", 50.0, 2030)


# Hand-worked: e.g. 50,52,54,55,56 (2020–24) has pairwise slopes 1,1,1,4/3,1.5,1.5,5/3,2,2,2 →
# median 1.5, intercept median(y − 1.5x) → 65.5 in 2030; Sen's 90 % bounds are ranks 1 and 10
# (slopes 1 and 2) → 62 and 70: the projection misses 70 but the favourable end meets it.
@pytest.mark.parametrize("target, values, status, projected", [
    (UP, [60, 65, 72], "achieved", None),
    (UP, [50, 53, 56, 59, 62], "on_track", 80.0),
    (UP, [50, 52, 54, 55, 56], "at_risk", 65.5),
    (UP, [50, 52, 53, 55, 56], "off_track", 65.0),
    (DOWN, [14, 12, 9], "achieved", None),
    (DOWN, [16, 15, 14, 13, 12], "on_track", 6.0),
    (DOWN_PCT, [70, 68, 66, 65, 64], "at_risk", 54.5),
    (DOWN, [16, 15.5, 15, 14.5, 14], "off_track", 11.0),
    (KEEP, [40, 42, 46], "achieved", None),
    (KEEP, [38, 39, 40, 41], "on_track", 48.0),    # 41 + 7 years × 1, inside 45..55
    (KEEP, [25, 27, 29, 30, 31], "at_risk", 40.5),
    (KEEP, [20, 22, 24, 25, 26], "off_track", 35.5),
    (KEEP, [30, 33, 36, 39], "off_track", 60.0),   # overshoots the ±5 band
])
def test_status(target, values, status, projected):
    a = assess(series(values), target, "350100000000")
    assert a.status == status
    if projected is not None:
        assert a.projected_value == pytest.approx(projected)
        assert a.projected_low <= a.projected_value <= a.projected_high


def test_at_risk_interval_is_hand_worked():
    a = assess(series([50, 52, 54, 55, 56]), UP)
    assert (a.slope, a.slope_low, a.slope_high) == pytest.approx((1.5, 1.0, 2.0))
    assert (a.projected_low, a.projected_high) == pytest.approx((62.0, 70.0))
    assert a.shortfall == pytest.approx(4.5)
    assert a.shortfall_share == pytest.approx(4.5 / 70)


@pytest.mark.parametrize("values, reason", [([], "no_data"), ([60], "too_few_years"),
                                            ([60, 62], "too_few_years")])
def test_fewer_than_three_years(values, reason):
    a = assess(series(values), UP)
    assert a.status == "insufficient_data"
    assert a.reason == reason
    assert a.projected_value is None and a.slope is None
    assert labels.reason_text(a.reason, "zh", n=a.n_years)


def test_too_few_years_is_insufficient_even_when_met():
    a = assess(series([75, 80]), UP)
    assert a.status == "insufficient_data" and a.latest_value == 80


@pytest.mark.parametrize("values, volatile", [
    ([50, 60, 50, 60, 50, 60], True),        # zigzag dwarfs the trend
    ([50, 51, 52, 70, 53, 54], True),        # a spike that came back
    ([50, 52, 54, 56], False),               # steady
    ([50, 51, 52, 53, 60], False),           # one jump, no reversal
    ([70.0, 70.5, 70.1, 70.6], False),       # wiggles under the 1 %-of-target noise floor
    ([50, 54, 53.5, 57.5, 57, 61], False),   # small reversals around a strong trend
])
def test_volatile(values, volatile):
    assert assess(series(values), UP).volatile is volatile


def test_volatile_needs_three_points():
    assert not is_volatile(np.array([2020, 2021]), np.array([10.0, 90.0]), 0.0, 70.0)


def test_progress_and_pace():
    a = assess(series([50, 52, 54, 56, 58, 60]), UP)
    assert a.baseline_year == 2020 and a.latest_year == 2025
    assert a.time_progress == pytest.approx(0.5)
    assert a.attainment_progress == pytest.approx(0.5)
    assert a.pace_value == pytest.approx(60.0)


def test_progress_down_moving_away_is_negative():
    a = assess(series([12, 13, 14]), DOWN)
    assert a.attainment_progress == pytest.approx(-1.0)


@pytest.mark.parametrize("start, baseline", [(2016, 2020), (2021, 2021), (2018, 2020)])
def test_baseline_is_2020_or_first_year(start, baseline):
    a = assess(series([50, 52, 54, 56, 58, 60, 62, 64, 66], start=start), UP)
    assert a.baseline_year == baseline
    assert a.n_years == start + 9 - baseline      # the fit starts at the baseline


def test_until_year_judges_as_of_that_years_end():
    """A report as of 2023 ignores the later years: the same values as a series that ends there."""
    values = series([50, 52, 54, 60, 70, 72])            # 2020–25: the jump comes after 2023
    as_of = assess(values, UP, until_year=2023)
    cut = assess(series([50, 52, 54, 60]), UP)
    assert as_of == cut and as_of.latest_year == 2023 and as_of.latest_value == 60.0
    assert as_of.status != assess(values, UP).status    # 2025's values change the verdict
    assert assess(values, UP, until_year=2030) == assess(values, UP)
    early = assess(values, UP, until_year=2021)
    assert early.status == "insufficient_data" and early.reason == "too_few_years"
    assert assess(values, UP, until_year=2019).reason == "no_data"
    frame = values.assign(indicator_code="U", region_code="R")
    assert assess_indicators([UP], frame, "R", until_year=2023) == [
        assess(series([50, 52, 54, 60]), UP, "R")]


def test_percent_projection_is_capped():
    a = assess(series([70, 80, 90]), Target("P", "up", 100.0, 2030))
    assert a.status == "on_track"
    assert a.projected_value == 100.0 and a.projected_high == 100.0


def test_down_projection_not_below_zero():
    a = assess(series([16, 12, 8, 4.5]), Target("Z", "down", 2.0, 2030))
    assert a.projected_value == 0.0 and a.status == "on_track"


@pytest.mark.parametrize("values, status", [([80, 82, 84, 86, 88, 89], "off_track"),
                                            ([80, 84, 88, 90, 91, 92], "achieved")])
def test_target_year_passed_uses_latest(values, status):
    a = assess(series(values, start=2021), Target("F", "up", 90.0, 2025))
    assert a.status == status and a.reason == "target_year_passed"


def test_warnings_sorted_by_relative_shortfall_and_labels_complete():
    cat = pd.DataFrame([
        dict(code="A", direction="up", target_value=70, target_year=2030, unit="percent",
             domain="health", name_zh="甲", name_en="A", computed_from=None),
        dict(code="B", direction="down", target_value=10, target_year=2030, unit="per_100k",
             domain="health", name_zh="乙", name_en="B", computed_from=None),
        dict(code="C", direction="up", target_value=70, target_year=2030, unit="percent",
             domain="family", name_zh="丙", name_en="C", computed_from=None),
    ])
    vals = pd.concat([series([50, 52, 53, 55, 56]).assign(indicator_code="A"),      # short 5/70
                      series([16, 15.5, 15, 14.5, 14]).assign(indicator_code="B"),  # short 1/10
                      series([50, 53, 56, 59, 62]).assign(indicator_code="C")])     # on track
    out = assess_indicators(cat, vals.assign(region_code="R"), "R")
    assert [a.code for a in warnings(out)] == ["B", "A"]
    assert set(labels.STATUS_LABELS) == set(labels.STATUSES)
    assert [labels.status_label(s) for s in labels.STATUSES] == ["达标", "按进度", "有风险", "滞后",
                                                                 "数据不足"]
    assert labels.VOLATILE_LABEL["zh"] == "波动较大"


# --- Theil–Sen ---------------------------------------------------------------------------------

@pytest.mark.parametrize("x, y, slope, intercept", [
    ([0, 1, 2, 3], [2, 5, 8, 11], 3.0, 2.0),
    ([1, 2, 3], [1, 3, 2], 0.5, 0.5),      # slopes 2, 0.5, −1; median(y − x/2) = 0.5
    (list(range(10)), [2 * i for i in range(9)] + [100], 2.0, 0.0),   # one outlier ignored
    ([2020, 2022, 2025], [10, 14, 20], 2.0, -4030.0),      # gaps between years
])
def test_theil_sen_known_slopes(x, y, slope, intercept):
    t = theil_sen(x, y)
    assert t.slope == pytest.approx(slope)
    assert t.intercept == pytest.approx(intercept)
    assert t.slope_low <= t.slope <= t.slope_high


def test_theil_sen_interval_narrows_with_more_points():
    rng = np.random.default_rng(1)
    x = np.arange(30)
    y = 2 * x + rng.normal(0, 1, 30)
    t = theil_sen(x, y)
    s = pairwise_slopes(x, y)
    assert s[0] < t.slope_low < t.slope < t.slope_high < s[-1]


def test_theil_sen_needs_two_distinct_x():
    with pytest.raises(ValueError):
        theil_sen([1, 1], [2, 3])


# --- properties --------------------------------------------------------------------------------

values_st = st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=10)


@settings(max_examples=200, deadline=None)
@given(values_st, st.floats(1, 99), st.sampled_from(["up", "down", "keep"]))
def test_projection_within_interval(vals, target_value, direction):
    a = assess(series(vals), Target("P", direction, target_value, 2030))
    if a.projected_value is not None:
        assert a.projected_low - 1e-9 <= a.projected_value <= a.projected_high + 1e-9
        assert 0.0 <= a.projected_low and a.projected_high <= 100.0
    assert a.time_progress is not None and 0.0 <= a.time_progress <= 1.0
    assert a.attainment_progress <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.5, 10), min_size=3, max_size=8), st.floats(0, 40))
def test_rising_series_against_down_target_is_off_track(steps, start):
    vals = list(np.cumsum([start + 1] + steps))         # strictly increasing, all > target
    a = assess(series(vals), Target("M", "down", 0.5, 2030, unit="count"))
    assert a.status == "off_track"
    assert a.slope > 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.5, 5), min_size=2, max_size=7), st.floats(1, 30))
def test_rising_series_below_up_target_is_never_achieved(steps, start):
    vals = list(np.cumsum([start] + steps))
    target = Target("M", "up", float(vals[-1]) + 1.0, 2030, unit="count")
    a = assess(series(vals), target)
    assert a.status in ("on_track", "at_risk", "off_track")
    # Theil–Sen is robust to a late jump, so the projection may fall below the last observation;
    # what must hold is a rising trend projected above where the series started.
    assert a.slope > 0 and a.projected_value > vals[0]


@settings(max_examples=200, deadline=None)
@given(values_st, st.floats(1, 99))
def test_up_and_down_are_mirror_images(vals, t):
    up = assess(series(vals), Target("A", "up", t, 2030))
    down = assess(series([100 - v for v in vals]), Target("A", "down", 100 - t, 2030))
    assert up.status == down.status
    if up.projected_value is not None:
        assert math.isclose(up.projected_value, 100 - down.projected_value, abs_tol=1e-6)
