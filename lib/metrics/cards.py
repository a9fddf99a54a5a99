"""Whether a figure is defined for the view, and how a KPI card shows it (pure: no Streamlit).

A card must not claim what the data cannot say. The cases the data model knows of:

- A figure that is **not defined** for the view is shown as 不适用 / n/a, never 0, and gets no
  change on last year: job fairs are held by districts (a fair's region is the unit that
  held it; the demo and most ledgers record them on the district), so a township has no fairs of its
  own and, since facts above township level have no urban/rural class (lib/warehouse/queries), a
  rural or urban filter leaves nothing to count. A share of villages of a class the view has none
  of (城镇 coverage in a township of villages only) has no denominator at all.
- A count or rate of a dataset the view has **never had a record of** (up to the period's end) is
  not 0 but no data: that ledger has not been uploaded there yet (暂无数据 · 尚未上传此类数据).
- A share of villages when the view's roster holds **no organisation at all** is not 0 % but no
  data: the roster has not been uploaded there (every village has its 村妇联 in a real roster, so
  an empty one is a missing upload, not a finding). Shown as 暂无数据 with the reason.
- A change with **no comparison base** (nothing last year, or a value missing) is shown as "—"
  without colour or arrow, and a change of zero is grey too: a green ↑ beside "— 较上年同期" or
  "+0.0 pp" reads as progress where there is none.

The pages, the overview's headlines and the meeting slides all draw their cards from ``card``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lib import fmt
from lib.i18n import t
from lib.metrics.asof import dated, figure_date
from lib.metrics.compute import yoy
from lib.metrics.registry import metric

LEVELS = ("country", "province", "city", "district", "township", "village")
# The lowest level a dataset's facts are expected at, where that is above the village: below it a
# view without rows of its own has no such figure (not a figure of zero).
HELD_AT = {"job_fair": "district"}
# Datasets recorded above township level: their facts have no urban/rural class.
NOT_SPLIT_BY_AREA = frozenset({"job_fair"})


@dataclass(frozen=True)
class Applicability:
    applies: bool = True
    reason: str = ""  # i18n key of the short reason shown in place of a change (when not applies)
    shown: str = "not_applicable"  # i18n key of what the card shows in place of the value


APPLIES = Applicability()


def figure_applies(dataset: str, *, level: str, area: str | None, rows: int,
                   uploaded: bool = True) -> Applicability:
    """Is a count or rate of ``dataset`` defined at a view of ``level`` filtered to ``area``?

    ``rows`` counts the dataset's facts in the view over this period and the comparison period: a
    view with facts of its own always has the figure (a township that did hold a fair shows it).
    Without any, the figure is not defined where the data model puts the facts above the view
    (``HELD_AT``), or when an urban/rural filter is set and the facts carry no such class; and
    where the view has no record of the dataset at all (``uploaded`` False), there is no data."""
    if rows > 0:
        return APPLIES
    held = HELD_AT.get(dataset)
    if held and level in LEVELS and LEVELS.index(level) > LEVELS.index(held):
        return Applicability(False, "na_held_above")
    if area and dataset in NOT_SPLIT_BY_AREA:
        return Applicability(False, "na_not_split")
    if not uploaded:
        return Applicability(False, "na_not_uploaded", "no_data")
    return APPLIES


def share_applies(units: float | None, organisations: float | None = None) -> Applicability:
    """A share of villages/communities (coverage) is defined only when the view has any of them
    (``units``: the denominator, e.g. the urban communities of a township) and its roster holds
    any organisation at all (``organisations``, of every type and class the page read; None: not
    known, not checked)."""
    if units is None or (isinstance(units, float) and math.isnan(units)) or units <= 0:
        return Applicability(False, "na_no_units")
    if organisations is not None and not _missing(organisations) and organisations <= 0:
        return Applicability(False, "na_no_roster", "no_data")
    return APPLIES


@dataclass(frozen=True)
class Card:
    """What ``st.metric`` draws: delta None means no change line at all."""
    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"  # normal / inverse / off
    delta_arrow: str = "auto"    # auto / off
    help: str | None = None
    compared: bool = False       # the delta is a change on the same period last year
    at_date: bool = False        # a figure on the period's last day (coverage), not a sum over it


def no_last_year(c: Card, lang: str = "zh") -> Card:
    """``c`` with 无上年同期数据 instead of its change, grey and without an arrow: the same period
    last year began before the data did, so no change can be read from it."""
    if not c.compared:
        return c
    return replace(c, delta=t("no_last_year", lang), delta_color="off", delta_arrow="off",
                   compared=False)


def _missing(x) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def change(now: float | None, before: float | None, unit: str) -> float:
    """Percentage points for a share, relative change for anything else; NaN without a base."""
    if _missing(now) or _missing(before):
        return float("nan")
    if unit == "percent":
        return float(now) - float(before)
    return yoy(now, before)


def card(label: str, now: float | None, before: float | None, unit: str, lang: str = "zh", *,
         direction: str = "up", applies: Applicability = APPLIES, help: str | None = None,
         compare: bool = True, at_date: bool = False) -> Card:
    """One KPI card: the value in its unit and its change on the same period last year.

    Not applicable: 不适用 and the reason, grey, no arrow. No base for the change: "—", grey, no
    arrow. A change that rounds to zero: grey, no arrow. Otherwise green/red by ``direction``
    (a falling abnormal rate is good news). ``compare=False``: no change line (no last-year figure
    exists for this card). ``at_date``: the figure holds on the period's last day (a coverage), so
    its change compares two days, not two periods."""
    if not applies.applies:
        return Card(label, t(applies.shown, lang), t(applies.reason, lang), "off", "off", help)
    value = fmt.value(now, unit, lang)
    if not compare:
        return Card(label, value, None, help=help)
    vs = t("vs_last_year", lang)
    x = change(now, before, unit)
    if _missing(x):
        return Card(label, value, f"— {vs}", "off", "off", help, compared=True, at_date=at_date)
    text = fmt.change_pp(x) if unit == "percent" else fmt.change_pct(x)
    if round(x * 100, 1) == 0:
        text = "0.0 pp" if unit == "percent" else "0.0%"
        return Card(label, value, f"{text} {vs}", "off", "off", help, compared=True, at_date=at_date)
    return Card(label, value, f"{text} {vs}", "inverse" if direction == "down" else "normal",
                "auto", help, compared=True, at_date=at_date)


def headline_cards(heads, date_to, lang: str = "zh") -> list[Card]:
    """The overview's cards: each headline (lib.metrics.overview.Headline) under its registry
    label, a share with the day it is read on (截至…: the plan values in the reading say theirs),
    its definition as help."""
    return [card(dated(metric(h.code).label(lang), figure_date(h.code, date_to, lang), lang),
                 h.value, h.previous, h.unit, lang, applies=h.applies,
                 help=metric(h.code).description(lang),
                 at_date=metric(h.code).domain == "coverage") for h in heads]
