"""Shared widgets: KPI cards, the demo banner, the data-freshness footer."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from lib import fmt
from lib.i18n import dataset_label, t
from lib.ui import data
from lib.ui.safe import md_escape


def demo_banner(lang: str) -> None:
    """Every page says 示例数据 while demo rows are present: made-up numbers are never shown as real."""
    if data.query("has_demo_rows"):
        st.info(t("demo_banner", lang), icon=":material/science:")


def kpi(label: str, value: str, delta: str | None = None, help: str | None = None,
        delta_color: str = "normal") -> None:
    st.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)


def freshness_footer(lang: str, scope: str = "") -> None:
    frame: pd.DataFrame = data.query("freshness", scope)
    if frame.empty:
        return
    parts = []
    for row in frame.sort_values("dataset").itertuples():
        when = pd.Timestamp(row.last_upload).strftime("%Y-%m-%d %H:%M")
        parts.append(f"{html.escape(dataset_label(row.dataset, lang))} {when}")
    st.caption(f"{t('freshness', lang)}：" + " · ".join(parts))


def period_caption(f, lang: str) -> str:
    """Region · period · urban/rural, as Markdown (the region name, from an imported CSV, escaped)."""
    return (f"{md_escape(f.region_name)} · {fmt.month(f.date_from, lang)} – "
            f"{fmt.month(f.date_to, lang)}" + (f" · {t(f.area, lang)}" if f.area else ""))


def page_header(f, title_key: str) -> None:
    """Title, the view being shown (region · period · urban/rural) and the demo-data banner."""
    st.title(t(title_key, f.lang))
    st.caption(period_caption(f, f.lang))
    demo_banner(f.lang)
