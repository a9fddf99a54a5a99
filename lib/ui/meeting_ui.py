"""Meeting mode in Streamlit: full-screen dark slides that advance by themselves, and the brief.

The slides live in a fragment that reruns every N seconds (``st.fragment(run_every=N)``): each tick
re-reads the data version through the cached queries, so a new upload shows on the next slide
without rerunning the whole app. Pause is a full rerun (it changes ``run_every``); back and forward
only rerun the fragment.
"""
from __future__ import annotations

import datetime as dt
import html
import time

import pandas as pd
import streamlit as st

from lib import fmt
from lib.charts.targets import apply_theme
from lib.i18n import t
from lib.meeting import deck
from lib.meeting.brief import brief_pptx
from lib.meeting.slides import MeetingData, Slide, build_slides, deck_title
from lib.metrics.overview import child_coverage, headlines
from lib.targets import assess_region
from lib.ui import dashboard, data
from lib.ui.filters import Filters

K_STATE, K_INTERVAL, K_PAUSED = "m_deck", "m_interval", "m_paused"
ORG_TYPES = ["village_federation", "community_federation"]
DATASETS = ("training", "job_fair", "screening")

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarCollapseButton"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0b0b0b; }
.stApp, .stApp p, .stApp span, .stApp label, .stApp li, .stApp td, .stApp th, .stApp h1,
.stApp h2, .stApp h3, .stApp div[data-testid="stMarkdownContainer"] { color: #f5f5f5; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 1.2rem 2.5rem 0.5rem;
  max-width: 100% !important; }
.stApp h1 { font-size: 3.4rem; font-weight: 800; line-height: 1.15; }
.m-sub { font-size: 1.9rem; color: #cfcfcf !important; }
.m-asof { font-size: 1.6rem; color: #ffd54f !important; }
.m-count { font-size: 1.4rem; color: #9e9e9e !important; text-align: right; }
[data-testid="stMetric"] { background: #1c1c1c; border: 2px solid #555 !important;
  padding: 1.2rem 1.5rem; }
[data-testid="stMetricLabel"] p { font-size: 2rem !important; color: #e0e0e0 !important; }
[data-testid="stMetricValue"] div { font-size: 5rem !important; font-weight: 800; color: #fff; }
[data-testid="stMetricDelta"] div { font-size: 1.6rem !important; }
.stApp table { font-size: 1.7rem; width: 100%; }
.stApp table th { background: #263238; color: #fff !important; }
.stApp table td, .stApp table th { border-color: #555 !important; padding: 0.5rem 0.8rem; }
.stButton button { font-size: 1.2rem; background: #222; color: #fff; border-color: #666; }
</style>
"""


def _register() -> None:
    data.register("targets_assess", assess_region)


def gather(f: Filters) -> MeetingData:
    """Every frame the slides need, through the cached queries (keyed by the data version)."""
    _register()
    ly_from, ly_to = f.last_year()
    period = dict(urban_rural=f.area)
    cov_now = data.query("org_coverage", f.prefix, f.date_to, ORG_TYPES)
    cov_prev = data.query("org_coverage", f.prefix, ly_to, ORG_TYPES)
    frames = {ds: (data.query("facts", ds, f.prefix, f.date_from, f.date_to, **period),
                   data.query("facts", ds, f.prefix, ly_from, ly_to, **period)) for ds in DATASETS}
    heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"],
                      frames["screening"], area=f.area)
    monthly = {ds: data.query("facts", ds, f.prefix, f.date_from, f.date_to, by_month=True,
                              **period) for ds in DATASETS}
    by_child = pd.DataFrame(columns=["child", "num", "den", "value"])
    if f.child_len:
        by_child = child_coverage(data.query("org_coverage", f.prefix, f.date_to, ORG_TYPES,
                                             child_len=f.child_len), area=f.area)
    _, last = data.query("data_period")
    as_of = min(f.date_to, last) if last else None
    period_text = f"{fmt.month(f.date_from, f.lang)} – {fmt.month(f.date_to, f.lang)}"
    return MeetingData(f.region_name, period_text, as_of, heads, monthly, by_child,
                       data.region_lookup("name"),
                       data.query("targets_assess", f.region_code))


def _state() -> deck.DeckState:
    if K_STATE not in st.session_state:
        st.session_state[K_STATE] = deck.DeckState(changed_at=time.monotonic())
    return st.session_state[K_STATE]


def _step(delta: int, n: int) -> None:
    st.session_state[K_STATE] = deck.step(_state(), delta, n, time.monotonic())


def _toggle_pause() -> None:
    st.session_state[K_STATE] = deck.DeckState(_state().index, time.monotonic(),
                                               not _state().paused)


def render(slide: Slide, i: int, n: int, lang: str) -> None:
    head, count = st.columns([5, 1])
    head.title(slide.title)
    head.markdown(f'<div class="m-sub">{html.escape(slide.subtitle)}</div>'
                  f'<div class="m-asof">{html.escape(slide.as_of)}</div>', unsafe_allow_html=True)
    count.markdown(f'<div class="m-count">{html.escape(t("meeting_slide_of", lang).format(i=i + 1, n=n))}'
                   "</div>", unsafe_allow_html=True)
    if slide.chart is not None:
        left, right = st.columns([1, 3]) if slide.kpis else (None, st.container())
        for k in slide.kpis:
            left.metric(k.label, k.value, delta=k.delta, border=True)
        dashboard.altair(apply_theme(slide.chart.properties(height=560), "dark", font_scale=1.8),
                         where=right, theme=None)
    elif slide.kpis:
        for col, k in zip(st.columns(len(slide.kpis)), slide.kpis):
            col.metric(k.label, k.value, delta=k.delta, border=True)
    if slide.table is not None and not slide.table.empty:
        st.table(slide.table.set_index(slide.table.columns[0]))
    if slide.note:
        st.markdown(f'<div class="m-sub">{html.escape(slide.note)}</div>', unsafe_allow_html=True)


def run(f: Filters) -> None:
    """The meeting page: CSS, controls, the self-advancing slides and the brief download."""
    lang = f.lang
    st.html(CSS)  # style only: takes no space
    if K_INTERVAL not in st.session_state:
        st.session_state[K_INTERVAL] = deck.parse_interval(st.query_params.get("interval"))
    interval = int(st.session_state[K_INTERVAL])
    paused = _state().paused

    @st.fragment(run_every=None if paused else interval)
    def slides() -> None:
        items = build_slides(gather(f), lang)  # re-reads the data version on every tick
        n = len(items)
        state = deck.tick(_state(), n, time.monotonic(), interval)
        st.session_state[K_STATE] = state
        render(items[state.index], state.index, n, lang)
        b1, b2, b3, _ = st.columns([1, 1, 1, 5])
        b1.button(t("meeting_back", lang), key="m_back", on_click=_step, args=(-1, n))
        b2.button(t("meeting_resume" if paused else "meeting_pause", lang), key="m_pause",
                  on_click=_toggle_pause, args=(), type="tertiary" if not paused else "primary")
        b3.button(t("meeting_forward", lang), key="m_forward", on_click=_step, args=(1, n))

    slides()
    c1, c2, _ = st.columns([1, 1, 2])
    c1.number_input(t("meeting_interval", lang), min_value=deck.MIN_INTERVAL,
                    max_value=deck.MAX_INTERVAL, step=5, key=K_INTERVAL)
    c2.download_button(t("meeting_brief", lang), lambda: brief(f), key="m_brief",
                       file_name=f"meeting_{f.region_code}_{dt.date.today():%Y%m%d}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")


def brief(f: Filters) -> bytes:
    d = gather(f)
    return brief_pptx(build_slides(d, f.lang), deck_title(d, f.lang), f.lang)
