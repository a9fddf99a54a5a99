"""Theil–Sen trend (median of pairwise slopes) with Sen's confidence interval, numpy only."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class Trend:
    slope: float
    intercept: float
    slope_low: float
    slope_high: float
    intercept_low: float
    intercept_high: float

    def predict(self, x: float) -> tuple[float, float, float]:
        """(value, low, high) at x; low/high are the lines of the slope bounds, ordered."""
        mid = self.intercept + self.slope * x
        a = self.intercept_low + self.slope_low * x
        b = self.intercept_high + self.slope_high * x
        return mid, min(a, b, mid), max(a, b, mid)


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, k=1)


def _median(a: np.ndarray, *, is_sorted: bool = False) -> float:
    """np.median's result without its generic machinery (~60 µs a call): a page fits ~2,000 of
    these lines on arrays of a dozen values."""
    s = a if is_sorted else np.sort(a)
    n = len(s)
    m = n // 2
    return float(s[m]) if n % 2 else float((s[m - 1] + s[m]) / 2)


def pairwise_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Slopes of every pair of points with distinct x, sorted."""
    i, j = _pairs(len(x))
    dx = x[j] - x[i]
    keep = dx != 0
    return np.sort((y[j] - y[i])[keep] / dx[keep])


def theil_sen(x, y, confidence: float = 0.90) -> Trend:
    """Median slope; intercept = median(y − slope·x) (Conover); Sen's interval of the slope.

    The interval is the order statistics of the pairwise slopes around Kendall's S variance
    (Sen 1968, no tie correction); for a handful of points it widens to the full range of slopes.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2 or len(np.unique(x)) < 2:
        raise ValueError("Theil–Sen needs at least two distinct x values")
    slopes = pairwise_slopes(x, y)
    slope = _median(slopes, is_sorted=True)
    n, m = len(x), len(slopes)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    c = z * math.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    lo_rank = int(math.floor((m - c) / 2))        # 1-based rank of the lower bound
    hi_rank = int(math.ceil((m + c) / 2)) + 1     # 1-based rank of the upper bound
    lo = float(slopes[min(max(lo_rank, 1), m) - 1])
    hi = float(slopes[min(max(hi_rank, 1), m) - 1])
    return Trend(slope=slope, intercept=_median(y - slope * x),
                 slope_low=lo, slope_high=hi,
                 intercept_low=_median(y - lo * x),
                 intercept_high=_median(y - hi * x))
