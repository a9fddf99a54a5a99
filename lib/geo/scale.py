"""Sequential colour classes for choropleths and their legend (pydeck draws no legend itself)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from lib import fmt

# ColorBrewer YlGnBu, 5 classes: sequential and colour-blind safe (colorbrewer2.org).
YLGNBU_5 = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#d9d9d9"
NO_DATA_LABEL = {"zh": "无数据", "en": "No data"}
# One class only: no region leads or lags, so no end of the palette (the pale one reads as the
# laggards') but a mid blue-grey that is neither the palette's ends nor the no-data grey.
UNIFORM = "#8da0b6"
ALIKE_LABEL = {"zh": "各地区相同：{value}", "en": "All regions alike: {value}"}


@dataclass(frozen=True)
class Bins:
    """Class edges (ascending, len = classes + 1) and one colour per class."""
    edges: tuple[float, ...]
    colors: tuple[str, ...]
    empty: bool = False  # made from no value at all: the legend lists no class, only 无数据
    n_values: int = 0  # how many regions have a value: "all alike" needs two at least

    @property
    def uniform(self) -> bool:
        """Every value in one class: nothing to rank, so no colour of the scale applies."""
        return not self.empty and len(self.colors) == 1

    def classify(self, values: pd.Series) -> pd.Series:
        """The class index of each value (0 … k-1), -1 where the value is missing."""
        v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        inner = np.asarray(self.edges[1:-1], dtype=float)
        idx = np.searchsorted(inner, v, side="right")
        idx = np.where(np.isnan(v), -1, idx)
        return pd.Series(idx, index=values.index, dtype=int)

    def color_of(self, values: pd.Series) -> list[str]:
        colors = (UNIFORM,) if self.uniform else self.colors
        return [colors[i] if i >= 0 else NO_DATA for i in self.classify(values)]


def make_bins(values: pd.Series, *, k: int = 5, method: str = "quantile",
              breaks: list[float] | None = None, palette: tuple[str, ...] = YLGNBU_5,
              label_of: Callable[[float], str] | None = None) -> Bins:
    """Quantile classes (the default), equal-width classes, or fixed ``breaks`` (inner edges).

    ``label_of`` formats an edge as the legend shows it: classes whose edges read the same after
    rounding merge, so a legend never offers "98.7% – 98.7%" beside "98.7% – 98.8%" (two colours
    a reader cannot tell apart by their numbers)."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if breaks is not None:
        inner = sorted(float(b) for b in breaks)
        lo = min([inner[0], *v]) if len(v) else inner[0]
        hi = max([inner[-1], *v]) if len(v) else inner[-1]
        edges = [lo, *inner, hi]
    elif len(v) == 0:
        edges = [0.0, 0.0]
    elif method == "quantile":
        edges = list(np.quantile(v, np.linspace(0, 1, k + 1)))
    elif method == "equal":
        edges = list(np.linspace(v.min(), v.max(), k + 1))
    else:
        raise ValueError(f"unknown binning method {method!r}")
    # Ties (few distinct values) collapse into fewer classes rather than empty ones.
    dedup = [edges[0]] + [e for prev, e in zip(edges, edges[1:]) if not math.isclose(e, prev)]
    if len(dedup) == 1:
        dedup = [dedup[0], dedup[0]]
    if label_of is not None:
        dedup = _distinct_labels(dedup, label_of)
    n = len(dedup) - 1
    colors = _spread(palette, n)
    return Bins(tuple(float(e) for e in dedup), colors, empty=breaks is None and len(v) == 0,
                n_values=len(v))


def _distinct_labels(edges: list[float], label_of: Callable[[float], str]) -> list[float]:
    """The edges with every inner edge that reads like the one before it dropped; the last edge
    (the top value) is kept, replacing an inner edge that reads like it."""
    kept = [edges[0]]
    for e in edges[1:-1]:
        if label_of(e) != label_of(kept[-1]):
            kept.append(e)
    last = edges[-1]
    if len(kept) > 1 and label_of(last) == label_of(kept[-1]):
        kept[-1] = last
    else:
        kept.append(last)
    return kept


def _spread(palette: tuple[str, ...], n: int) -> tuple[str, ...]:
    """n colours taken evenly from the palette (keeps the dark end for the top class)."""
    if n >= len(palette):
        return tuple(palette[:n]) if n == len(palette) else tuple(palette) + (palette[-1],) * (
            n - len(palette))
    idx = np.round(np.linspace(0, len(palette) - 1, n)).astype(int)
    return tuple(palette[i] for i in idx)


def legend(bins: Bins, unit: str, lang: str = "zh", *, has_missing: bool = False
           ) -> list[tuple[str, str]]:
    """(colour hex, range label) per class, lowest first; plus 'no data' when some value is missing."""
    out = []
    for i, color in enumerate(() if bins.empty else bins.colors):
        lo, hi = fmt.value(bins.edges[i], unit, lang), fmt.value(bins.edges[i + 1], unit, lang)
        label = lo if lo == hi else f"{lo} – {hi}"
        if bins.uniform:
            color = UNIFORM
            if bins.n_values > 1:
                label = ALIKE_LABEL[lang].format(value=label)
        out.append((color, label))
    if has_missing:
        out.append((NO_DATA, NO_DATA_LABEL[lang]))
    return out


def hex_to_rgba(color: str, alpha: int = 220) -> list[int]:
    c = color.lstrip("#")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha]
