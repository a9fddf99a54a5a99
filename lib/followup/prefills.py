"""What each warning hands to the 督办 create form: the region it names, a subject and an ask in
the reader's language, a reference back to where it was shown, and a due date a month out.

Pure: the pages pass what they already show (an assessment, a league row, a reminder row, an upload
warning), so the prefilled text repeats the page's own figures with the page's rounding.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from lib import fmt
from lib.charts import targets as TC
from lib.followup.model import Prefill
from lib.i18n import TEXT, dataset_label, t
from lib.targets import labels as TL
from lib.targets.assess import Assessment

DUE_IN_DAYS = 30  # a month to act on and report back: the federations' usual rhythm
SUBJECT_MAX = 120  # a subject is a title, not the ask; a long region or indicator name is cut


def default_due(today: dt.date) -> dt.date:
    """The due date a prefilled item proposes: DUE_IN_DAYS from ``today`` (lib.clock.today)."""
    return today + dt.timedelta(days=DUE_IN_DAYS)


def _subject(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_MAX else text[:SUBJECT_MAX - 1] + "…"


def from_assessment(a: Assessment, *, lang: str, today: dt.date) -> Prefill:
    """A plan indicator at 有风险 / 滞后 (a row of 目标监测's warning list) for its region."""
    name = TC.indicator_name(a, lang)
    latest = TC.indicator_value(a.latest_value, a.unit, lang)
    asked = t("fup_ask_indicator", lang).format(
        latest=latest, when=a.latest_label(lang) if a.latest_year else "—",
        target=TC.indicator_value(a.target_value, a.unit, lang), year=a.target_year or "—",
        projected=TC.indicator_value(a.projected_value, a.unit, lang))
    subject = t("fup_subj_indicator", lang).format(name=name, status=TL.status_label(a.status, lang))
    return Prefill(region_code=a.region_code, subject_kind="indicator", subject=_subject(subject),
                   indicator=a.code, ref=f"targets:{a.code}", asked=asked,
                   due=default_due(today))


def from_league_row(row: Mapping[str, Any], *, label: str, count: int, area: str, lang: str,
                    today: dt.date) -> Prefill:
    """A child region near the bottom of a league table or named lagging in a 文字解读 (``row``:
    code, name, rank, value_text, as lib/reading's league rows), among ``count`` ranked regions."""
    subject = t("fup_subj_league", lang).format(region=row["name"], label=label)
    asked = t("fup_ask_league", lang).format(label=label, value=row["value_text"],
                                            count=count, rank=row["rank"])
    return Prefill(region_code=str(row["code"]), subject_kind="figure", subject=_subject(subject),
                   ref=f"{area}:league", asked=asked, due=default_due(today))


def from_reminder(row: Mapping[str, Any], *, lang: str, today: dt.date) -> Prefill:
    """A unit missing a month's report (a row of 报送情况's reminder list: region_code,
    region_name, dataset, month 'YYYY-MM', deadline, days_overdue)."""
    month = str(row["month"])[:7]
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    deadline = row["deadline"]
    deadline = deadline if isinstance(deadline, dt.date) else dt.date.fromisoformat(str(deadline)[:10])
    subject = t("fup_subj_missing", lang).format(region=row["region_name"],
                                                month=fmt.month(first, lang),
                                                dataset=dataset_label(row["dataset"], lang))
    asked = t("fup_ask_missing", lang).format(deadline=fmt.day(deadline, lang),
                                             days=int(row["days_overdue"]))
    return Prefill(region_code=str(row["region_code"]), subject_kind="missing_report",
                   subject=_subject(subject), ref=f"completeness:{row['dataset']}:{month}",
                   asked=asked, due=default_due(today))


def from_upload_warning(row: Mapping[str, Any], *, filename: str, lang: str,
                        today: dt.date) -> Prefill:
    """A warned row of an upload (lib/ingest/warnings: row, region_code, region_name and the
    warning in both languages): the region is asked to check the figure at its source."""
    warning = row["warning_zh" if lang == "zh" else "warning_en"]
    subject = t("fup_subj_upload", lang).format(region=row["region_name"] or row["region_code"])
    asked = t("fup_ask_upload", lang).format(file=filename, row=int(row["row"]), warning=warning)
    return Prefill(region_code=str(row["region_code"]), subject_kind="upload_warning",
                   subject=_subject(subject), ref=f"upload:{filename}#{int(row['row'])}",
                   asked=asked, due=default_due(today))


def source_label(ref: str | None, lang: str) -> str:
    """Where an item was raised, as a reader names it: the page's title and what on it
    ("targets:H08" → 目标监测 · H08, "completeness:training:2026-10" → 报送情况 · 培训 · 2026-10,
    "training:league" → 培训 · 排名); a reference of another shape is shown as it is."""
    if not ref:
        return ""
    page, _, rest = ref.partition(":")
    if f"page_{page}" not in TEXT or page == "followup":
        return ref
    if page == "completeness":
        dataset, _, month = rest.partition(":")
        rest = " · ".join(x for x in (dataset_label(dataset, lang), month) if x)
    elif page == "upload":
        rest = rest.rpartition("#")[0] or rest
    elif rest == "league":
        rest = t("fup_src_league", lang)
    return " · ".join(x for x in (t(f"page_{page}", lang), rest) if x)

