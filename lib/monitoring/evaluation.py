"""The annual monitoring report (and the mid-term and final evaluations) as data.

One report is every catalog indicator of a region assessed as of the end of a year, with what a
reader must know about the figures (demo data, the data version, the last load of each dataset)
and the 督办 items raised on the indicators at risk or behind. Built from any Source (the page's
cached, scope-checked queries or the console's engine) so the page's download and
``python -m lib.targets report`` give the same document. Which follow-up items may be listed is the
caller's question (its account's scope): it hands them in through ``followups``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from lib import clock
from lib.followup.model import Item
from lib.i18n import dataset_label
from lib.reading.source import Source
from lib.targets.assess import Assessment
from lib.warehouse.scope import Scope

MIDTERM_YEAR = 2025   # the plans (2021–2030) are evaluated at mid-term and at their end
FINAL_YEAR = 2030
FIRST_YEAR = 2021     # the plans' first year: no report is made as of an earlier one
FOLLOWUP_STATUSES = ("at_risk", "off_track")  # the indicators whose 督办 items are listed


def kind_of(year: int) -> str:
    """'midterm' for 2025, 'final' for 2030, else 'annual'."""
    return {MIDTERM_YEAR: "midterm", FINAL_YEAR: "final"}.get(int(year), "annual")


def check_year(year: int, today: dt.date | None = None) -> int:
    """The report year, refused (ValueError) before the plans began or after the current year:
    a report as of a year still to come would present today's values as that year's."""
    today = today or clock.today()
    if not FIRST_YEAR <= int(year) <= today.year:
        raise ValueError(f"the report year must lie between {FIRST_YEAR} and {today.year}, "
                         f"not {year}")
    return int(year)


@dataclass(frozen=True)
class MonitoringReport:
    region_code: str
    region_name: str
    year: int
    lang: str
    assessments: tuple[Assessment, ...]
    # indicator code → its 督办 items, for the indicators at risk or behind; an indicator absent
    # here was not asked about (nothing is said of its items)
    followups: Mapping[str, Sequence[Item]] = field(default_factory=dict)
    demo: bool = False
    data_version: int | None = None
    sources: tuple[tuple[str, str], ...] = ()   # (dataset label, last load 'YYYY-MM-DD HH:MM')
    made_on: dt.date | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.year)

    def needs_followups(self) -> list[str]:
        """Codes of the indicators whose follow-up items the report lists."""
        return followup_codes(self.assessments)


def followup_codes(assessments: Sequence[Assessment]) -> list[str]:
    """Codes of the indicators at risk or behind, in catalog order."""
    return [a.code for a in assessments if a.status in FOLLOWUP_STATUSES]


def build_report(src: Source, region_code: str, *, year: int, lang: str, scope: Scope,
                 data_version: int | None,
                 followups: Callable[[list[str]], Mapping[str, Sequence[Item]]] | None = None
                 ) -> MonitoringReport:
    """The report of ``region_code`` as of the end of ``year``. ``scope`` is the reader's scope
    narrowed to the region (which loads the source line names); ``followups`` takes the codes of
    the indicators at risk or behind and returns their items (None: the report lists none)."""
    year = check_year(year)
    names = src.names()
    if region_code not in names:
        raise ValueError(f"unknown region code {region_code!r}")
    assessments = tuple(src.query("targets_assess", region_code, until_year=year))
    fresh = src.query("freshness", scope)
    sources = tuple(
        (dataset_label(row.dataset, lang), pd.Timestamp(row.last_upload).strftime("%Y-%m-%d %H:%M"))
        for row in (fresh.sort_values("dataset").itertuples() if not fresh.empty else ()))
    codes = followup_codes(assessments)
    items = dict(followups(codes)) if followups is not None and codes else {}
    return MonitoringReport(region_code, names[region_code], year, lang, assessments, items,
                            demo=bool(src.query("has_demo_rows")), data_version=data_version,
                            sources=sources, made_on=clock.today())
