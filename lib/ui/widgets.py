"""Shared widgets: KPI cards, the demo banner, the data-freshness footer, the page CSS.

The layout rules for phones and for long (English) labels live in one style sheet (``CSS``),
injected once per run by ``responsive_css``. Its rules apply only inside containers this module
keys (``st.container(key=...)`` gives the class ``st-key-<key>``, public API), so Streamlit's own
layout elsewhere is left alone."""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import streamlit as st

from lib import fmt
from lib.i18n import TEXT, dataset_label, t
from lib.metrics.cards import Card, no_last_year
from lib.ui import data
from lib.ui.safe import md_escape
from lib.warehouse.scope import Scope

KPI_KEY = "kpis_"  # prefix of every KPI row's container key: the CSS finds the rows by it

# Phones (Streamlit stacks columns below 640 px): KPI cards two per row instead of one a row, the
# breadcrumb and download buttons side by side; everywhere: card labels wrap instead of being cut
# off with an ellipsis (English labels are long), and nothing may widen the page past the screen.
CSS = """<style>
[class*="st-key-%(kpi)s"] [data-testid="stMetricLabel"],
[class*="st-key-%(kpi)s"] [data-testid="stMetricLabel"] *,
[class*="st-key-%(kpi)s"] [data-testid="stMetricDelta"],
[class*="st-key-%(kpi)s"] [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; }
[class*="st-key-%(kpi)s"] [data-testid="stMetricLabel"] p { overflow-wrap: anywhere; line-height: 1.3; }
/* cards of one row equally tall, however their labels wrap */
[class*="st-key-%(kpi)s"] [data-testid="stHorizontalBlock"] { align-items: stretch !important; }
[class*="st-key-%(kpi)s"] [data-testid="stColumn"] > [data-testid="stVerticalBlock"],
[class*="st-key-%(kpi)s"] [data-testid="stColumn"] [data-testid="stElementContainer"],
[class*="st-key-%(kpi)s"] [data-testid="stMetric"] { height: 100%% !important; }
@media (max-width: 640px) {
  [class*="st-key-%(kpi)s"] [data-testid="stHorizontalBlock"] {
    flex-direction: row !important; flex-wrap: wrap !important; gap: 0.5rem !important; }
  [class*="st-key-%(kpi)s"] [data-testid="stColumn"] {
    flex: 0 0 calc(50%% - 0.25rem) !important; width: calc(50%% - 0.25rem) !important;
    min-width: 0 !important; max-width: calc(50%% - 0.25rem) !important; }
  [class*="st-key-%(kpi)s"] [data-testid="stMetric"] { padding: 0.5rem 0.6rem !important; }
  [class*="st-key-%(kpi)s"] [data-testid="stMetricValue"] { font-size: 1.5rem !important; }
  [class*="st-key-%(kpi)s"] [data-testid="stMetricDelta"] { font-size: 0.75rem !important; }
}
</style>""" % {"kpi": KPI_KEY}


TIME_SUFFIXES = ("_at", "_until")  # the admin tables' time columns (created_at, locked_until, …)


def labelled(frame: pd.DataFrame, lang: str, *, regions: dict[str, str] | None = None
             ) -> pd.DataFrame:
    """An admin table as a reader sees it: column headers in the UI language (``col_<name>``),
    roles by their label, region codes with their names (``regions``: code → name), times to the
    minute and a missing time blank (an account never locked has no 锁定至, not a grey "None")."""
    out = frame.copy()
    for col in out.columns:
        if _holds_times(out[col]):
            out[col] = [v.strftime("%Y-%m-%d %H:%M") if pd.notna(v) else "" for v in out[col]]
    if "role" in out:
        out["role"] = [t(f"role_{r}", lang) if f"role_{r}" in TEXT else r for r in out["role"]]
    for col in ("scope_code", "region_code"):
        if regions is not None and col in out:
            out[col] = [f"{regions[c]} {c}" if c in regions else c for c in out[col]]
    return out.rename(columns={c: t(f"col_{c}", lang) for c in out.columns if f"col_{c}" in TEXT})


def _holds_times(column: pd.Series) -> bool:
    """A datetime column, or an object column whose values are all times or missing (a column
    read from the warehouse with no time in it yet comes back as objects)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    if column.dtype != object or not column.name or not str(column.name).endswith(TIME_SUFFIXES):
        return False
    return all(pd.isna(v) or isinstance(v, dt.datetime) for v in column)


def responsive_css() -> None:
    """The style sheet above; ``st.html`` with only a <style> takes no space on the page."""
    st.html(CSS)


def demo_banner(lang: str) -> None:
    """Every page says 示例数据 while demo rows are present: made-up numbers are never shown as real."""
    if data.query("has_demo_rows"):
        st.info(t("demo_banner", lang), icon=":material/science:")


def shown_cards(cards: list[Card], f) -> list[Card]:
    """``cards`` as the view ``f`` shows them: a change on a last-year period that began before
    the data reads 无上年同期数据 (the page's row and its shared picture alike)."""
    return [c if last_year_known(f, c.at_date) else no_last_year(c, f.lang) for c in cards]


def kpi_row(cards: list[Card], key: str, f=None) -> None:
    """KPI cards side by side in a keyed container (two per row on a phone: see ``CSS``). With the
    view ``f``, a change on a last-year period that began before the data reads 无上年同期数据."""
    if f is not None:
        cards = shown_cards(cards, f)
    with st.container(key=KPI_KEY + key):
        for col, c in zip(st.columns(len(cards)), cards):
            col.metric(c.label, c.value, delta=c.delta, delta_color=c.delta_color,
                       delta_arrow=c.delta_arrow, help=c.help, border=True)


def freshness_footer(lang: str, scope: Scope) -> None:
    """When each dataset was last loaded, among the batches with rows inside ``scope``."""
    frame: pd.DataFrame = data.query("freshness", scope)
    if frame.empty:
        return
    parts = []
    for row in frame.sort_values("dataset").itertuples():
        when = pd.Timestamp(row.last_upload).strftime("%Y-%m-%d %H:%M")
        parts.append(f"{html.escape(dataset_label(row.dataset, lang))} {when}")
    st.caption(f"{t('freshness', lang)}{t('colon', lang)}" + " · ".join(parts))


def last_year_known(f, at_date: bool = False) -> bool:
    """Does the view's period (its last day: ``at_date``) a year earlier lie within the data?"""
    first, _ = data.query("data_period", data.bound_scope())
    return f.last_year_within(first, at_date)


def data_until(f) -> dt.date | None:
    """The last day the view's period has data for: the period's end, or the last day loaded when
    that comes first (a period to December read on 7 December runs to the 7th). None: no data."""
    _, last = data.query("data_period", data.bound_scope())
    return min(f.date_to, last) if last else None


def until_text(f, lang: str) -> str:
    """截至 2026年12月7日, or "" without data."""
    until = data_until(f)
    return t("data_until", lang).format(day=fmt.day(until, lang)) if until else ""


def period_caption(f, lang: str) -> str:
    """Region · period · urban/rural · the date the data run to, as Markdown (the region name, from
    an imported CSV, escaped): "2026年12月" alone never said the month was 7 days old."""
    period = f"{fmt.month(f.date_from, lang)} – {fmt.month(f.date_to, lang)}"
    parts = [md_escape(f.region_name), period, t(f.area, lang) if f.area else "",
             until_text(f, lang)]
    return " · ".join(p for p in parts if p)


def page_header(f, title_key: str) -> None:
    """Title, the view being shown (region · period · urban/rural) and the demo-data banner."""
    st.title(t(title_key, f.lang))
    st.caption(period_caption(f, f.lang))
    demo_banner(f.lang)


def pick_newest_when_new(key: str, newest: object) -> None:
    """Point the selectbox ``key`` at ``newest`` whenever a newer option has appeared since the last
    run: a widget keeps its earlier choice across reruns, so after a second load in one session the
    rollback picker would still offer the first batch. The analyst's own choice stands until then."""
    seen = f"{key}__newest"
    if st.session_state.get(seen) != newest:
        st.session_state[seen] = newest
        st.session_state[key] = newest
