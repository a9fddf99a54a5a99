"""The monthly brief (通报) as data: every area's reading of one region, and what it rests on.

Built from any Source (a page's cached queries or the CLI's engine), so the overview's download
and ``python -m lib.brief`` produce the same document for the same view.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from lib import clock, fmt
from lib.i18n import dataset_label
from lib.reading.facts import AREAS, AreaFacts, gather
from lib.reading.source import Source
from lib.reading.text import sentences

TITLES = {"overview": {"zh": "总体情况", "en": "Overview"},
          "coverage": {"zh": "组织覆盖", "en": "Organisation coverage"},
          "training": {"zh": "培训", "en": "Training"},
          "employment": {"zh": "就业", "en": "Employment"},
          "screening": {"zh": "两癌筛查", "en": "Two-cancer screening"},
          "targets": {"zh": "规划目标监测", "en": "Plan targets"}}


@dataclass
class Section:
    area: str
    title: str
    sentences: list[str]
    facts: AreaFacts

    def to_dict(self) -> dict:
        return {"area": self.area, "title": self.title, "sentences": self.sentences,
                "facts": self.facts.to_dict()}


@dataclass
class Brief:
    region_code: str
    region_name: str
    lang: str
    date_from: dt.date
    date_to: dt.date
    sections: list[Section]
    warnings: list[str] = field(default_factory=list)
    demo: bool = False
    data_version: int | None = None
    sources: list[dict] = field(default_factory=list)   # dataset, label, last upload
    made_on: dt.date | None = None
    child_level: str | None = None
    level: str = ""

    @property
    def period_text(self) -> str:
        sep = "—" if self.lang == "zh" else " – "
        return f"{fmt.month(self.date_from, self.lang)}{sep}{fmt.month(self.date_to, self.lang)}"

    def section(self, area: str) -> Section:
        return next(s for s in self.sections if s.area == area)

    def to_dict(self) -> dict:
        """The CLI's --json object."""
        return {"region_code": self.region_code, "region_name": self.region_name,
                "lang": self.lang,
                "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                           "text": self.period_text},
                "demo": self.demo, "data_version": self.data_version,
                "sections": [s.to_dict() for s in self.sections], "warnings": self.warnings,
                "sources": self.sources}


def build_brief(src: Source, view, *, data_version: int | None = None,
                areas: tuple[str, ...] = AREAS) -> Brief:
    """Every area's facts and sentences for ``view``, plus the warnings a reader should see."""
    lang = view.lang
    sections = []
    warnings = []
    for area in areas:
        facts = gather(src, view, area)
        said = sentences(facts)
        sections.append(Section(area, TITLES[area][lang], said, facts))
        if not said:
            warnings.append(f"{TITLES[area][lang]}：数据不足，未作解读。" if lang == "zh" else
                            f"{TITLES[area][lang]}: too little data, nothing said.")
        if any(o.startswith("rank:parent_out_of_scope") for o in facts.omitted) and \
                not any("上级" in w or "parent" in w for w in warnings):
            warnings.append("上级地区不在您的权限范围内，未给出排名。" if lang == "zh" else
                            "The parent region is outside your scope: no ranks are given.")
    demo = bool(src.query("has_demo_rows"))
    if demo:
        warnings.insert(0, "示例数据：本通报数字由程序按固定种子生成，仅供演示，不是真实统计。"
                        if lang == "zh" else "Demo data: every figure is synthetic, not real "
                        "statistics.")
    partial = fmt.partial_month_start(view.date_to)
    if partial is not None:
        warnings.append(f"期末月份不完整（{fmt.until_label(view.date_to, lang)}）。" if lang == "zh"
                        else f"The last month is incomplete ({fmt.until_label(view.date_to, lang)}).")
    fresh = src.query("freshness", view.user_scope)
    sources = []
    for row in fresh.sort_values("dataset").itertuples() if not fresh.empty else ():
        sources.append({"dataset": row.dataset, "label": dataset_label(row.dataset, lang),
                        "last_upload": pd.Timestamp(row.last_upload).strftime("%Y-%m-%d %H:%M")})
    return Brief(view.region_code, view.region_name, lang, view.date_from, view.date_to,
                 sections, warnings, demo, data_version, sources, clock.today(),
                 child_level=view.child_level, level=view.level)
