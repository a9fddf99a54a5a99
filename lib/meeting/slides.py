"""The meeting slides as data: headline KPIs, one slide per area of work, the target warnings.

Built from the same frames the overview reads; the screen (lib/ui/meeting_ui) and the PPTX brief
(lib/meeting/brief) draw the same list, so the brief always matches what was projected.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from lib import fmt
from lib.charts import targets as TC
from lib.i18n import t
from lib.meeting import charts
from lib.metrics import metric
from lib.metrics.overview import Headline
from lib.targets.assess import Assessment

AREA_TITLES = {
    "coverage": {"zh": "组织覆盖", "en": "Organisation coverage"},
    "training": {"zh": "培训", "en": "Training"},
    "employment": {"zh": "就业", "en": "Employment"},
    "screening": {"zh": "两癌筛查", "en": "Two-cancer screening"},
}
# area → (headline metric code, dataset of facts, measure drawn per month); coverage draws bars.
AREAS = {
    "coverage": ("coverage.federation", None, None),
    "training": ("training.participants", "training", "participants"),
    "employment": ("employment.positions", "job_fair", "positions"),
    "screening": ("screening.screened", "screening", "screened"),
}
WARNING_ROWS = 8
WARNING_COLUMNS = ["name", "latest", "target", "projected", "status"]


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str = ""


@dataclass(frozen=True)
class Slide:
    key: str                 # "kpis", "area:<area>", "warnings"
    title: str
    as_of: str               # "数据截至 2024年12月31日"
    subtitle: str = ""
    kpis: tuple[Kpi, ...] = ()
    chart: Any = field(default=None, compare=False)             # Altair chart, unthemed
    table: pd.DataFrame | None = field(default=None, compare=False)  # already labelled
    note: str = ""


@dataclass(frozen=True)
class MeetingData:
    region_name: str
    period: str
    as_of: dt.date | None
    headlines: list[Headline]
    monthly: Mapping[str, pd.DataFrame]          # dataset → facts(by_month=True)
    child_coverage: pd.DataFrame                 # child, num, den, value
    child_names: Mapping[str, str]               # 12-digit code → name
    assessments: list[Assessment]


def as_of_text(d: dt.date | None, lang: str = "zh") -> str:
    if d is None:
        return f"{t('as_of', lang)} —"
    day = f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()
    return f"{t('as_of', lang)} {day}"


def _kpi(h: Headline, lang: str) -> Kpi:
    delta = fmt.change_pp(h.change) if h.unit == "percent" else fmt.change_pct(h.change)
    return Kpi(metric(h.code).label(lang), fmt.value(h.value, h.unit, lang),
               f"{delta} {t('vs_last_year', lang)}")


def deck_title(d: MeetingData, lang: str = "zh") -> str:
    return f"{d.region_name} {t('meeting_title', lang)}"


def build_slides(d: MeetingData, lang: str = "zh") -> list[Slide]:
    """Headline KPIs, one slide per area, then the warnings: 6 slides."""
    as_of = as_of_text(d.as_of, lang)
    heads = {h.code: h for h in d.headlines}
    slides = [Slide("kpis", deck_title(d, lang), as_of, subtitle=f"{t('meeting_kpis', lang)} · "
                    f"{d.period}", kpis=tuple(_kpi(h, lang) for h in d.headlines))]
    for area, (code, dataset, measure) in AREAS.items():
        label = metric(code).label(lang)
        if dataset is None:
            chart = charts.child_bars(d.child_coverage, d.child_names, label, lang)
        else:
            frame = d.monthly.get(dataset, pd.DataFrame())
            chart = charts.monthly_trend(frame, measure, label, lang)
        kpis = (_kpi(heads[code], lang),) if code in heads else ()
        slides.append(Slide(f"area:{area}", AREA_TITLES[area][lang], as_of, subtitle=d.period,
                            kpis=kpis, chart=chart))
    warn = TC.warning_table(d.assessments, lang)
    labels = TC.column_labels(lang)
    table = warn[WARNING_COLUMNS].head(WARNING_ROWS).rename(columns=labels)
    note = "" if len(warn) else t("targets_no_warnings", lang)
    slides.append(Slide("warnings", t("meeting_warnings", lang), as_of, subtitle=d.region_name,
                        table=table, note=note))
    return slides
