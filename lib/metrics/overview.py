"""The overview's headline figure per domain: value and change on the same period last year."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.metrics.cards import APPLIES, Applicability, figure_applies, share_applies
from lib.metrics.compute import coverage, organisations, ratio, villages, yoy


@dataclass(frozen=True)
class Headline:
    code: str  # metric code in the registry
    value: float
    previous: float
    unit: str
    applies: Applicability = APPLIES  # 不适用 when the figure is not defined for the view

    @property
    def change(self) -> float:
        """pp difference for rates, relative change for counts."""
        if self.unit == "percent":
            return self.value - self.previous
        return yoy(self.value, self.previous)


def headlines(cov_now: pd.DataFrame, cov_prev: pd.DataFrame, training: tuple[pd.DataFrame, pd.DataFrame],
              fairs: tuple[pd.DataFrame, pd.DataFrame], screening: tuple[pd.DataFrame, pd.DataFrame],
              area: str | None = None, level: str | None = None,
              never_uploaded: frozenset[str] = frozenset()) -> list[Headline]:
    """Four headlines (coverage, training, employment, screening) from current and last-year frames.

    With the view's ``level`` each headline also says whether it is defined there (a township's job
    fairs, a rural filter's fairs, a dataset in ``never_uploaded``: lib/metrics/cards); without it
    every headline applies."""
    def total(frame: pd.DataFrame, col: str) -> float:
        return float(frame[col].sum()) if not frame.empty else 0.0

    def applies(dataset: str, pair: tuple[pd.DataFrame, pd.DataFrame]) -> Applicability:
        if level is None:
            return APPLIES
        return figure_applies(dataset, level=level, area=area, rows=rows_of(pair),
                              uploaded=dataset not in never_uploaded)

    return [
        Headline("coverage.federation", coverage(cov_now, area=area),
                 coverage(cov_prev, area=area), "percent",
                 APPLIES if level is None else share_applies(villages(cov_now, area),
                                                             organisations(cov_now))),
        Headline("training.participants", total(training[0], "participants"),
                 total(training[1], "participants"), "count", applies("training", training)),
        Headline("employment.positions", total(fairs[0], "positions"),
                 total(fairs[1], "positions"), "count", applies("job_fair", fairs)),
        Headline("screening.screened", total(screening[0], "screened"),
                 total(screening[1], "screened"), "count", applies("screening", screening)),
    ]


def rows_of(frames: tuple[pd.DataFrame, ...]) -> int:
    """Fact rows behind ``facts`` frames (their ``n`` column, or their length)."""
    return int(sum(float(f["n"].sum()) if "n" in f else len(f) for f in frames))


def child_coverage(cov: pd.DataFrame, area: str | None = None) -> pd.DataFrame:
    """child, num, den, value (federation coverage) for the map and league tables."""
    return coverage(cov, area=area, by_child=True)


__all__ = ["Headline", "headlines", "child_coverage", "ratio", "rows_of"]
