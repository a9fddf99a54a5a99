"""Meeting mode in Streamlit: full-screen dark slides that advance by themselves, and the brief.

The slides live in a fragment that reruns every N seconds (``st.fragment(run_every=N)``): each tick
re-reads the data version through the cached queries, so a new upload shows on the next slide
without rerunning the whole app. Pause is a full rerun (it changes ``run_every``); back and forward
only rerun the fragment.

For the back of the room: the buttons carry bundled Material icons (symbol characters such as ⏸ render
as boxes without an emoji font), a presenter remote or keyboard drives them (←/→, PageUp/PageDown,
space, Esc: a small script clicks the buttons, ``KEYS_JS``), an exit button goes back to the
page, region and period meeting mode was opened from, and while demo rows are in the warehouse
every slide shows 示例数据.

A fragment run skips app.py's frame and so the login gate: every tick first re-checks access
(``auth_ui.fragment_gate``) and, once a display link is revoked or expired, an account disabled or
a session over, shows why and draws no slide. The brief download (a deferred callable, run by the
server outside any script run) re-checks the same way before it reads any data.
"""
from __future__ import annotations

import datetime as dt
import html
import time

import pandas as pd
import streamlit as st

from lib import clock, fmt
from lib.charts.targets import apply_theme
from lib.followup import service
from lib.i18n import t
from lib.meeting import deck
from lib.meeting import followup as FU
from lib.meeting.powerpoint import brief_pptx
from lib.meeting.slides import AREAS, MeetingData, Slide, build_slides, deck_title, with_reading
from lib.metrics.overview import child_coverage, headlines
from lib.ui import auth_ui, came_from, dashboard, data, filters, reading_ui, share_ui
from lib.ui.filters import Filters
from lib.ui.safe import md_escape, md_table

K_STATE, K_INTERVAL, K_PAUSED, K_SINCE = "m_deck", "m_interval", "m_paused", "m_since"
ORG_TYPES = ["village_federation", "community_federation"]
DATASETS = ("training", "job_fair", "screening")
MEASURES = {ds: measure for _, (_, ds, measure) in AREAS.items() if ds}  # each trend's measure

# Dark slides for a projector at the back of the room. Every text is light on a dark ground (or
# dark on the yellow of the demo mark) with at least 4.5:1 contrast, checked in the browser by
# tests/test_meeting_browser.py; Streamlit's own light-theme colours (the pale-green change pills,
# white buttons) are replaced, and metric labels wrap instead of being cut off with an ellipsis.
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
.m-sub { font-size: 1.9rem; color: #d6d6d6 !important; }
.m-asof { font-size: 1.6rem; color: #ffd54f !important; }
.m-count { font-size: 1.4rem; color: #bdbdbd !important; text-align: right; }
.m-demo-wrap { text-align: right; margin-top: 0.4rem; }
.m-demo { display: inline-block; background: #ffd54f; color: #111111 !important;
  font-size: 1.6rem; font-weight: 800; padding: 0.15rem 0.9rem; border-radius: 0.4rem; }
.m-keys { font-size: 1rem; color: #bdbdbd !important; padding-top: 2.1rem; }
[data-testid="stMetric"] { background: #1c1c1c; border: 2px solid #555 !important;
  padding: 1.2rem 1.5rem; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *,
[data-testid="stMetricDelta"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; height: auto !important; max-width: 100% !important; }
/* Sizes follow the width: 1920×1080 at 150 % display scaling is a 1280 px wide page. */
[data-testid="stMetricLabel"] p { font-size: clamp(1.3rem, 1.7vw, 2rem) !important;
  line-height: 1.25; color: #e0e0e0 !important; overflow-wrap: anywhere; }
[data-testid="stMetricValue"] div, [data-testid="stMetricValue"] p {
  font-size: clamp(2.2rem, 3.6vw, 4.6rem) !important; line-height: 1.15; font-weight: 800;
  color: #ffffff !important; overflow-wrap: anywhere; }
[data-testid="stMetricDelta"] { background: transparent !important; padding-left: 0 !important;
  height: auto !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] p {
  font-size: clamp(1.1rem, 1.3vw, 1.6rem) !important; }
[data-testid="stMetricDelta"]:has([data-testid="stMetricDeltaIcon-Up"]),
[data-testid="stMetricDelta"]:has([data-testid="stMetricDeltaIcon-Up"]) p { color: #a5d6a7 !important; }
[data-testid="stMetricDelta"]:has([data-testid="stMetricDeltaIcon-Down"]),
[data-testid="stMetricDelta"]:has([data-testid="stMetricDeltaIcon-Down"]) p { color: #ef9a9a !important; }
[data-testid="stMetricDelta"] svg { width: 1.6rem; height: 1.6rem; }
.stApp table { font-size: 1.7rem; width: 100%; }
.stApp table th { background: #263238 !important; color: #fff !important; }
.stApp table td { background: #0b0b0b !important; }
.stApp table td, .stApp table th { border-color: #555 !important; padding: 0.5rem 0.8rem; }
.stButton button, .stDownloadButton button { background: #222 !important; color: #fff !important;
  border: 2px solid #9e9e9e !important; min-height: 3.2rem; padding: 0.3rem 1.2rem; }
.stButton button p, .stDownloadButton button p, .stButton button span,
.stDownloadButton button span { font-size: 1.4rem !important; color: #fff !important; }
.stButton button:hover, .stDownloadButton button:hover, .stButton button:focus-visible,
.stDownloadButton button:focus-visible { border-color: #ffd54f !important; }
.stButton button[data-testid="stBaseButton-primary"] { background: #ffd54f !important;
  border-color: #ffd54f !important; }
.stButton button[data-testid="stBaseButton-primary"] p,
.stButton button[data-testid="stBaseButton-primary"] span { color: #111 !important; }
[data-testid="stNumberInput"] label p { font-size: 1.1rem !important; }
[data-testid="stNumberInput"] input { background: #222 !important; color: #fff !important;
  font-size: 1.3rem; }
[data-testid="stNumberInputContainer"], [data-testid="stNumberInputContainer"] div {
  background-color: #222 !important; border-color: #9e9e9e !important; }
[data-testid="stNumberInputContainer"] button { background: #333 !important; color: #fff !important; }
[data-testid="stNumberInputContainer"] button:disabled { color: #777 !important; }
[data-testid="stDateInput"] label p { font-size: 1.1rem !important; }
[data-testid="stDateInputField"], [data-testid="stDateInputField"] div {
  background-color: #222 !important; border-color: #9e9e9e !important; }
[data-testid="stDateInputField"] span { color: #fff !important; font-size: 1.3rem; }
[data-testid="stDateInputCalendarButton"] { background: #333 !important; color: #fff !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #bdbdbd !important;
  opacity: 1 !important; }
a[data-testid="stSkipToContent"] { color: #ffd54f !important; background: #111 !important; }
</style>
"""


def gather(f: Filters, *, with_readings: bool = True, since: dt.date | None = None) -> MeetingData:
    """Every frame the slides need, through the cached queries (keyed by the data version), and
    the follow-up items since ``since`` (the last meeting; default 30 days ago).

    ``with_readings=False`` leaves the written readings out: the projected deck shows one slide a
    run and reads that slide's alone (``reading_of``); six readings cost a cold run ~0.5 s at
    national scale. The brief (every slide) takes them all."""
    ly_from, ly_to = f.last_year()
    period = dict(urban_rural=f.area)
    cov_now = data.query("org_coverage", f.prefix, f.date_to, ORG_TYPES)
    cov_prev = data.query("org_coverage", f.prefix, ly_to, ORG_TYPES)
    frames = {ds: (data.query("facts", ds, f.prefix, f.date_from, f.date_to, **period),
                   data.query("facts", ds, f.prefix, ly_from, ly_to, **period)) for ds in DATASETS}
    heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"],
                      frames["screening"], area=f.area, level=f.level,
                      never_uploaded=dashboard.never_uploaded(f, frames))
    monthly = {ds: dashboard.monthly_filled(f, ds, data.query(
        "facts", ds, f.prefix, f.date_from, f.date_to, by_month=True, **period), [MEASURES[ds]])
        for ds in DATASETS}
    by_child = pd.DataFrame(columns=["child", "num", "den", "value"])
    if f.child_len:
        by_child = child_coverage(data.query("org_coverage", f.prefix, f.date_to, ORG_TYPES,
                                             child_len=f.child_len), area=f.area)
    first, last = data.query("data_period", data.bound_scope())
    as_of = min(f.date_to, last) if last else None
    period_text = f"{fmt.month(f.date_from, f.lang)} – {fmt.month(f.date_to, f.lang)}"
    return MeetingData(f.region_name, period_text, as_of, heads, monthly, by_child,
                       data.region_lookup("name"),
                       data.query("targets_assess", f.region_code),
                       demo=bool(data.query("has_demo_rows")),
                       readings=readings(f) if with_readings else {},
                       partial_from=fmt.partial_month_start(f.date_to),
                       partial_label=fmt.until_label(f.date_to, f.lang),
                       last_year=f.last_year_within(first),
                       last_year_day=f.last_year_within(first, at_date=True),
                       followup=followup_summary(f, since))


def followup_summary(f: Filters, since: dt.date | None = None) -> FU.FollowupSummary:
    """The meeting region's follow-up items since ``since``, by child region. Read fresh on every
    run (a small grouped count): an item closed during the meeting shows on the next slide cycle.
    Narrowed in SQL to the meeting's region, itself inside the viewer's bound scope (a region
    outside it raises ScopeError before anything is read)."""
    today = clock.today()
    since = since or FU.default_since(today)
    scope = data.bound_scope().narrow(f.region_code)
    frame = service.summary(data.engine(), scope, since=FU.since_start(since), today=today)
    rows = FU.by_child(frame, f.region_code, f.region_name, data.region_lookup("name"), f.lang)
    return FU.FollowupSummary(since, today, rows)


def last_meeting(lang: str) -> dt.date:
    """上次会议日期: the date box's value, first read from ``?since=`` in the meeting link (a bad
    date says so and counts from the default); a change is written back to the link, so a reload
    or a copied address keeps it."""
    today = clock.today()
    if K_SINCE not in st.session_state:
        try:
            st.session_state[K_SINCE] = FU.parse_since(st.query_params.get("since"), today)
        except ValueError:
            st.session_state[K_SINCE] = FU.default_since(today)
            st.warning(t("mfu_bad_since", lang))
    since = st.session_state[K_SINCE]
    if not isinstance(since, dt.date) or not FU.earliest_since(today) <= since <= today:
        since = st.session_state[K_SINCE] = FU.default_since(today)
    if st.query_params.get("since") != since.isoformat():
        st.query_params["since"] = since.isoformat()
    return since


# slide key → the area whose written reading it carries (lib/reading)
READING_OF = {"kpis": "overview", "area:coverage": "coverage", "area:training": "training",
              "area:employment": "employment", "area:screening": "screening", "warnings": "targets"}


def readings(f: Filters) -> dict[str, tuple[str, ...]]:
    """Each slide's reading, from the page readings' facts (same cached queries as the slides)."""
    return {key: tuple(reading_ui.sentences_of(f, area)) for key, area in READING_OF.items()}


def reading_of(slide: Slide, f: Filters) -> Slide:
    """``slide`` with its written reading, as ``build_slides`` attaches it from ``readings``."""
    area = READING_OF.get(slide.key)
    return with_reading(slide, tuple(reading_ui.sentences_of(f, area)), f.lang) if area else slide


def _state() -> deck.DeckState:
    if K_STATE not in st.session_state:
        st.session_state[K_STATE] = deck.DeckState(changed_at=time.monotonic())
    return st.session_state[K_STATE]


def _step(delta: int, n: int) -> None:
    auth_ui.touch_session()  # a click is activity; a timer tick is not
    st.session_state[K_STATE] = deck.step(_state(), delta, n, time.monotonic())


def _toggle_pause() -> None:
    auth_ui.touch_session()
    st.session_state[K_STATE] = deck.DeckState(_state().index, time.monotonic(),
                                               not _state().paused)


# Keys of a keyboard or a presenter remote (which sends PageUp/PageDown or arrows) → the key of the
# button they click. The script runs in the page itself (st.html, not an iframe) and clicks the
# Streamlit buttons found by their key's CSS class, so a key does exactly what a click does,
# through the same callbacks and the same access checks. It stays idle on other pages (no such
# buttons) and leaves keys alone while a text or number field has the focus.
KEYS = {"ArrowRight": "m_forward", "PageDown": "m_forward", "ArrowLeft": "m_back",
        "PageUp": "m_back", " ": "m_pause", "Escape": "m_exit"}
KEYS_JS = """<script>
(() => {
  const keys = %s;
  if (window.__halfskyMeetingKeys) {
    document.removeEventListener("keydown", window.__halfskyMeetingKeys, true);
  }
  window.__halfskyMeetingKeys = (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.shiftKey || e.repeat) return;
    const key = keys[e.key];
    if (!key) return;
    const target = e.target;
    if (target && target.closest &&
        target.closest("input, textarea, select, [contenteditable='true'], [role='listbox']")) return;
    const button = document.querySelector(".st-key-" + key + " button");
    if (!button || button.disabled) return;
    e.preventDefault();
    e.stopPropagation();
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    button.click();
  };
  document.addEventListener("keydown", window.__halfskyMeetingKeys, true);
})();
</script>"""


def keys_script() -> str:
    """The key handler with the key map filled in (JSON: only our own constants)."""
    import json

    return KEYS_JS % json.dumps(KEYS)


def exit_target() -> str | None:
    """The page the exit button opens: the one meeting mode was opened from, else this user's start
    page. None for a display link, whose navigation holds meeting mode only (nowhere to go back to)."""
    pages = [p for p in auth_ui.pages_of(auth_ui.current_user()) if p.url_path != "meeting"]
    before = came_from.page_before(pages)
    if before is not None:
        return before
    start = [p for p in pages if p.default] or pages
    return start[0].path if start else None


def leave(f: Filters, target: str) -> None:
    """Back to ``target`` showing the region and period the meeting showed (the view it came
    with: the sidebar is hidden here, so nothing changed it)."""
    filters.restore_view(f)
    st.switch_page(target, query_params=filters.view_params(f))


def render(slide: Slide, i: int, n: int, lang: str) -> None:
    head, count = st.columns([5, 1])
    head.title(md_escape(slide.title))  # names a region: text from an imported CSV
    head.markdown(f'<div class="m-sub">{html.escape(slide.subtitle)}</div>'
                  f'<div class="m-asof">{html.escape(slide.as_of)}</div>', unsafe_allow_html=True)
    demo = (f'<div class="m-demo-wrap"><span class="m-demo">{html.escape(t("meeting_demo", lang))}'
            "</span></div>") if slide.demo else ""
    count.markdown(f'<div class="m-count">{html.escape(t("meeting_slide_of", lang).format(i=i + 1, n=n))}'
                   f"</div>{demo}", unsafe_allow_html=True)
    if slide.chart is not None:
        left, right = st.columns([1, 3]) if slide.kpis else (None, st.container())
        for k in slide.kpis:
            left.metric(k.label, k.value, delta=k.delta or None, delta_color=k.delta_color,
                        delta_arrow=k.delta_arrow, border=True)
        scale = 1.8
        chart = apply_theme(slide.chart.properties(height=540), "dark", font_scale=scale)
        chart = chart.configure_text(color="#f5f5f5", fontSize=round(12 * scale))  # bar values
        dashboard.altair(chart, where=right, theme=None)
    elif slide.kpis:
        for col, k in zip(st.columns(len(slide.kpis)), slide.kpis):
            col.metric(k.label, k.value, delta=k.delta or None, delta_color=k.delta_color,
                       delta_arrow=k.delta_arrow, border=True)
    if slide.table is not None and not slide.table.empty:
        # st.table renders Markdown in cells: region and indicator names are escaped
        st.table(md_table(slide.table.set_index(slide.table.columns[0])))
    if slide.note:
        st.markdown(f'<div class="m-sub">{html.escape(slide.note)}</div>', unsafe_allow_html=True)


def run(f: Filters) -> None:
    """The meeting page: CSS, controls, the self-advancing slides and the brief download."""
    lang = f.lang
    st.html(CSS)  # style only: takes no space
    if K_INTERVAL not in st.session_state:
        st.session_state[K_INTERVAL] = deck.parse_interval(st.query_params.get("interval"))
    interval = int(st.session_state[K_INTERVAL])
    paused = _state().paused  # a pause is a full rerun: the timer stops with it
    since = last_meeting(lang)  # a change of date is a full rerun too

    @st.fragment(run_every=None if paused else interval)
    def slides() -> None:
        if auth_ui.fragment_gate(data.engine(), lang) is None:
            return  # access ended since the last full run: a message, no data
        # re-reads the data version on every tick; the reading of the slide shown only
        items = build_slides(gather(f, with_readings=False, since=since), lang)
        n = len(items)
        state = deck.tick(_state(), n, time.monotonic(), interval)
        st.session_state[K_STATE] = state
        shown = reading_of(items[state.index], f)
        render(shown, state.index, n, lang)
        b1, b2, b3, b4, _ = st.columns([1, 1, 1, 1.2, 2.8], vertical_alignment="center")
        b1.button(t("meeting_back", lang), key="m_back", on_click=_step, args=(-1, n),
                  icon=":material/chevron_left:", width="stretch", wrap=True)
        if b2.button(t("meeting_resume" if paused else "meeting_pause", lang), key="m_pause",
                     icon=":material/play_arrow:" if paused else ":material/pause:",
                     type="primary" if paused else "secondary", width="stretch", wrap=True):
            _toggle_pause()
            st.rerun(scope="app")  # run_every changes: the timer stops or starts again
        b3.button(t("meeting_forward", lang), key="m_forward", on_click=_step, args=(1, n),
                  icon=":material/chevron_right:", icon_position="right", width="stretch",
                  wrap=True)
        share_ui.slide_button(f, shown, state.index, where=b4)

    slides()
    c_interval, c_since, c_brief, c_keys, c_exit = st.columns([1, 1, 1.3, 2.4, 1.3],
                                                              vertical_alignment="bottom")
    c_interval.number_input(t("meeting_interval", lang), min_value=deck.MIN_INTERVAL,
                            max_value=deck.MAX_INTERVAL, step=5, key=K_INTERVAL)
    today = clock.today()
    c_since.date_input(t("mfu_since_input", lang), key=K_SINCE,
                       min_value=FU.earliest_since(today), max_value=today, format="YYYY-MM-DD")
    grant = auth_ui.current_grant()  # the download runs outside the script: capture what to check
    c_brief.download_button(t("meeting_brief", lang), lambda: checked_brief(f, grant, since),
                            key="m_brief",
                            file_name=f"meeting_{f.region_code}_{clock.today():%Y%m%d}.pptx",
                            mime="application/vnd.openxmlformats-officedocument.presentationml."
                                 "presentation",
                            icon=":material/download:", width="stretch", wrap=True)
    c_keys.markdown(f'<div class="m-keys">{html.escape(t("meeting_keys", lang))}</div>',
                    unsafe_allow_html=True)
    target = exit_target()
    if target is not None and c_exit.button(t("meeting_exit", lang), key="m_exit",
                                            icon=":material/logout:", width="stretch", wrap=True):
        leave(f, target)
    with c_keys:
        st.html(keys_script(), unsafe_allow_javascript=True)


def checked_brief(f: Filters, grant: auth_ui.Grant | None, since: dt.date | None = None) -> bytes:
    """The brief for the download button, only while ``grant`` still holds: Streamlit runs this
    when the button is clicked, in a server thread with no script run and so no gate."""
    reason = auth_ui.recheck(data.engine(), grant)
    if reason is not None:
        raise PermissionError(t(reason, f.lang))  # Streamlit answers the click with an error
    with data.scope_bound(grant.user.scope):  # no session state in this thread
        return brief(f, since)


def brief(f: Filters, since: dt.date | None = None) -> bytes:
    d = gather(f, since=since)
    return brief_pptx(build_slides(d, f.lang), deck_title(d, f.lang), f.lang)
