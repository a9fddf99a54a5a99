"""Theil–Sen trend (median of pairwise slopes) with Sen's confidence interval, numpy only."""
from __future__ import annotations

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


def pairwise_slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Slopes of every pair of points with distinct x, sorted."""
    i, j = np.triu_indices(len(x), k=1)
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
    slope = float(np.median(slopes))
    n, m = len(x), len(slopes)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    c = z * math.sqrt(n * (n - 1) * (2 * n + 5) / 18)
    lo_rank = int(math.floor((m - c) / 2))        # 1-based rank of the lower bound
    hi_rank = int(math.ceil((m + c) / 2)) + 1     # 1-based rank of the upper bound
    lo = float(slopes[min(max(lo_rank, 1), m) - 1])
    hi = float(slopes[min(max(hi_rank, 1), m) - 1])
    return Trend(slope=slope, intercept=float(np.median(y - slope * x)),
                 slope_low=lo, slope_high=hi,
                 intercept_low=float(np.median(y - lo * x)),
                 intercept_high=float(np.median(y - hi * x)))
