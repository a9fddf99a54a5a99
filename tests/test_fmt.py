import datetime as dt
import math

import pytest

from lib import fmt


@pytest.mark.parametrize("x,lang,expected", [
    (0, "zh", "0"), (9999, "zh", "9,999"), (12345, "zh", "1.2万"), (1249000, "zh", "124.9万"),
    (250_000_000, "zh", "2.50亿"), (12345, "en", "12,345"), (2_500_000, "en", "2.50M"),
    (None, "zh", "—"), (math.nan, "zh", "—"),
])
def test_count(x, lang, expected):
    assert fmt.count(x, lang) == expected


@pytest.mark.parametrize("x,expected", [(0.8567, "85.7%"), (1.0, "100.0%"), (0, "0.0%"),
                                        (math.nan, "—")])
def test_rate(x, expected):
    assert fmt.rate(x) == expected


def test_month_and_changes():
    assert fmt.month(dt.date(2024, 3, 1)) == "2024年3月"
    assert fmt.month(dt.date(2024, 3, 1), "en") == "Mar 2024"
    assert fmt.change_pp(0.023) == "+2.3 pp"
    assert fmt.change_pct(-0.105) == "-10.5%"


@pytest.mark.parametrize("x,masked,expected", [(3, True, "<5"), (3, False, "3"), (0, True, "0"),
                                               (5, True, "5"), (1234, True, "1,234")])
def test_small_count_masking(x, masked, expected):
    assert fmt.small_count(x, masked) == expected


@pytest.mark.parametrize("x,expected", [
    (0, "0"), (2850, "2,850"), (40000, "40,000"), (93627, "93,627"), (1_234_567, "1,234,567"),
    (12.0, "12"), (None, "—"), (math.nan, "—"),
])
def test_exact_counts_keep_every_digit_with_separators(x, expected):
    assert fmt.exact(x) == expected
