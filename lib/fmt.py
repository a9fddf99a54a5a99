"""Numbers and dates for Chinese readers: 万 for large counts, one decimal on rates, 2024年3月."""
from __future__ import annotations

import datetime as dt
import math


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def count(x: float | int | None, lang: str = "zh") -> str:
    """12,345 → 1.2万 (zh) / 12,345 (en); below 10,000 the plain number with separators."""
    if x is None or _missing(x):
        return "—"
    x = float(x)
    if lang == "zh":
        if abs(x) >= 1e8:
            return f"{x / 1e8:.2f}亿"
        if abs(x) >= 1e4:
            return f"{x / 1e4:.1f}万"
        return f"{x:,.0f}"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f}M"
    return f"{x:,.0f}"


def exact(x: float | int | None) -> str:
    """Every digit, with separators: 40000 → 40,000. For counts a reader checks or adds up (rows
    read, regions reporting), where 4.0万 would hide the last digits."""
    if x is None or _missing(x):
        return "—"
    return f"{round(float(x)):,}"


def rate(x: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage with one decimal: 0.8567 → 85.7%."""
    if x is None or _missing(x):
        return "—"
    return f"{x * 100:.{digits}f}%"


# rate()'s format for a table column holding percentages (0.4444 stored as 44.4): Streamlit's
# printf-style column format, so a table reads like every other rate of the app.
RATE_PRINTF = "%.1f%%"


def points(x: float | None, lang: str = "zh") -> str:
    """A difference of two percentages, unsigned, in percentage points: 32.4个百分点 / 32.4 pp."""
    if x is None or _missing(x):
        return "—"
    return f"{x:.1f}个百分点" if lang == "zh" else f"{x:.1f} pp"


def change_pp(x: float | None) -> str:
    """A change of a rate in percentage points: +2.3个百分点 is shown as +2.3 pp (short, both languages)."""
    if x is None or _missing(x):
        return "—"
    return f"{x * 100:+.1f} pp"


def change_pct(x: float | None) -> str:
    if x is None or _missing(x):
        return "—"
    return f"{x * 100:+.1f}%"


def money_10k(x: float | None, lang: str = "zh") -> str:
    if x is None or _missing(x):
        return "—"
    return f"{x:,.1f}万元" if lang == "zh" else f"¥{x * 1e4:,.0f}"


def month(d: dt.date, lang: str = "zh") -> str:
    return f"{d.year}年{d.month}月" if lang == "zh" else d.strftime("%b %Y")


def partial_month_start(date_to: dt.date) -> dt.date | None:
    """The first day of ``date_to``'s month when the period stops before that month ends (the
    current month, two days in): its totals are not comparable with whole months. None otherwise."""
    nxt = (date_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return None if date_to == nxt - dt.timedelta(days=1) else date_to.replace(day=1)


def day(d: dt.date, lang: str = "zh") -> str:
    """2026年12月7日 / 7 Dec 2026."""
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {d:%b %Y}"


def until_label(date_to: dt.date, lang: str = "zh") -> str:
    """截至11月30日 / to 30 Nov: what an incomplete month's point stands for."""
    return f"截至{date_to.month}月{date_to.day}日" if lang == "zh" else f"to {date_to:%-d %b}"


def small_count(x: float | int | None, masked: bool) -> str:
    """Counts under 5 of diagnosed/treated/aided are shown as '<5' below district level."""
    if x is None or _missing(x):
        return "—"
    if masked and 0 < x < 5:
        return "<5"
    return f"{int(x):,}"


def value(x: float | None, unit: str, lang: str = "zh") -> str:
    """Format by unit: percent (a share), count, per_100k, 10k_yuan."""
    if unit == "percent":
        return rate(x)
    if unit == "count":
        return count(x, lang)
    if unit == "10k_yuan":
        return money_10k(x, lang)
    if x is None or _missing(x):
        return "—"
    return f"{x:,.1f}"
