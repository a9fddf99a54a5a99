"""报送情况 Reporting completeness: how many townships (or districts) of each child region reported
each month, on time or late, drilling down to the units themselves; a timeliness ranking and a
reminder list; admins set the deadline.

All figures come from lib/completeness.py through the cached query boundary, narrowed in SQL to the
signed-in user's scope (Filters.prefix lies inside Filters.scope)."""
import datetime as dt

import pandas as pd
import streamlit as st

from lib import clock, export, fmt
from lib.completeness import (ANY_DATASET, LEVELS, MONTHLY, RuleRefused, deadline_day, ranking,
                              reminders)
from lib.completeness_grid import COLORS, grid, group_len, month_totals
from lib.followup import prefills
from lib.i18n import dataset_label, t
from lib.ui import data, filters, followup_ui, service, widgets
from lib.ui.auth_ui import require_role
from lib.ui.frame import current_filters
from lib.warehouse.scope import LEVEL_LENGTH
MAX_MONTHS = 24

account = require_role("analyst", "admin")
f = current_filters()
lang = f.lang
widgets.page_header(f, "page_completeness")
flash = st.session_state.pop("cp_flash", None)
if flash:
    st.success(flash)

c1, c2 = st.columns([2, 2])
dataset = c1.selectbox(t("cp_dataset", lang), list(MONTHLY), key="cp_dataset",
                       format_func=lambda d: dataset_label(d, lang))
levels = [lv for lv in LEVELS if not (lv == "district" and f.level == "township")]
level = c2.radio(t("cp_level", lang), levels, horizontal=True, key="cp_level",
                 format_func=lambda lv: t(f"cp_level_{lv}", lang))
rules = data.query("completeness_rules")
st.caption(t("cp_caption", lang).format(day=deadline_day(rules, dataset)))
if data.query("has_demo_rows"):  # one batch at build time: its "late" months are an artefact
    st.warning(t("cp_demo_note", lang))

date_from = max(f.date_from, (pd.Timestamp(f.date_to) - pd.DateOffset(months=MAX_MONTHS - 1))
                .date().replace(day=1))
g = group_len(f.level, level)
frame = data.query("completeness_counts", f.prefix, dataset, date_from, f.date_to, level, g)
today = clock.today()
label = {s: t(f"cp_status_{s}", lang) for s in COLORS}

if frame.empty:
    st.info(t("cp_no_regions", lang))
    st.stop()

# --- the month most recently due: how many units reported, late, missing ---------------------------
due = frame[pd.to_datetime(frame["deadline"]).dt.date < today]
month = (due if len(due) else frame)["month"].max()
now = month_totals(frame, month)
m_label = fmt.month(dt.date(int(month[:4]), int(month[5:]), 1), lang)
st.subheader(t("cp_month_kpi", lang).format(month=m_label))
unit_word = t(f"cp_units_{level}", lang)
st.caption(t("cp_kpi_unit", lang).format(unit=unit_word))
for col, status in zip(st.columns(len(COLORS)), COLORS):
    col.metric(label[status], t("cp_of", lang).format(n=fmt.exact(now[status]),
                                                      total=fmt.exact(now["units"])), border=True)

# --- child region × month grid: counts of units, a row drills down ----------------------------------
st.subheader(t("cp_grid", lang))
text, worst, codes = grid(frame, lang)
styled = text.style.apply(
    lambda _: worst.map(lambda s: f"background-color: {COLORS[s]}; color: #1f2328" if s else ""),
    axis=None)
drillable = g > len(f.prefix)
if drillable:
    per_unit = g >= LEVEL_LENGTH[level]
    st.caption(t("cp_grid_drill_units" if per_unit else "cp_grid_drill", lang).format(unit=unit_word))
# keyed by view: a row picked here is not carried, as a stale position, into the next view's grid
event = st.dataframe(styled, width="stretch", height=min(38 + 35 * len(text), 600),
                     key=f"cp_grid_{f.region_code}_{level}",
                     on_select="rerun" if drillable else "ignore", selection_mode="single-row")
picked = getattr(getattr(event, "selection", None), "rows", None) if drillable else None
if picked and picked[0] < len(codes):
    filters.drill_to(codes[picked[0]])
    st.rerun()

# --- timeliness ranking -----------------------------------------------------------------------------
st.subheader(t("cp_ranking", lang))
ranked = ranking(frame, today)
if ranked.empty:
    st.caption(t("cp_no_due", lang))
else:
    st.dataframe(ranked.drop(columns=["region_code"]), hide_index=True, width="stretch",
                 column_config={
                     "rank": st.column_config.NumberColumn(t("cp_rank", lang), format="%d"),
                     "region_name": t("cp_region", lang), "due": t("cp_due", lang),
                     "reported": label["reported"], "late": label["late"],
                     "missing": label["missing"],
                     "on_time_rate": st.column_config.ProgressColumn(
                         t("cp_on_time_rate", lang), min_value=0.0, max_value=1.0,
                         format="percent")})

# --- reminder list: named units, once the rows are the units themselves ------------------------------
st.subheader(t("cp_reminders", lang))
todo = reminders(frame, today) if g >= LEVEL_LENGTH[level] else None
if todo is None:
    st.caption(t("cp_reminders_drill", lang).format(unit=unit_word))
elif todo.empty:
    st.caption(t("cp_reminders_none", lang))
else:
    heads = {"region_code": "区划代码" if lang == "zh" else "Region code",
             "region_name": t("cp_region", lang), "dataset": t("cp_dataset", lang),
             "month": t("cp_month", lang), "deadline": t("cp_deadline", lang),
             "days_overdue": t("cp_days_overdue", lang)}
    shown = todo.assign(dataset=todo["dataset"].map(lambda d: dataset_label(d, lang)))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=heads,
                 height=min(38 + 35 * len(shown), 400))
    # the file says what it is: region, months, dataset, source and when the last upload came in
    last = pd.to_datetime(frame["uploaded_at"]).max()
    title = export.ExportTitle(
        f.region_name, dt.date(int(frame["month"].min()[:4]), int(frame["month"].min()[5:]), 1),
        dt.date(int(frame["month"].max()[:4]), int(frame["month"].max()[5:]), 1),
        f"{t('page_completeness', lang)} {dataset_label(dataset, lang)}", t("cp_source", lang),
        "" if pd.isna(last) else t("export_version", lang).format(when=f"{last:%Y-%m-%d %H:%M}"),
        lang)
    name = title.file_name("xlsx", t("cp_reminders", lang))
    st.download_button(t("cp_reminders_xlsx", lang),
                       export.xlsx_bytes(shown.rename(columns=heads), sheet="催报名单", title=title),
                       file_name=name, key="cp_reminders_xlsx")
    # 督办 a unit still missing a month (only months already due: a report not yet late is no case)
    followup_ui.raise_menu(
        [(f"{r['region_name']} · {r['month']} · {dataset_label(r['dataset'], lang)}",
          prefills.from_reminder(r, lang=lang, today=today))
         for r in todo.to_dict("records") if r["days_overdue"] > 0],
        key="cp_fu", lang=lang, label=t("fup_raise_reminder", lang))

# --- the deadline rule (admins holding the whole warehouse; others see why they may not) ----------
if account.role == "admin":
    may_set = service.may_set_deadline_rule(account)
    with st.expander(t("cp_rule", lang)):
        if not may_set:
            st.info(t("cp_rule_refused", lang))
        target = st.selectbox(t("cp_rule_for", lang), [ANY_DATASET, *MONTHLY], key="cp_rule_for",
                              format_func=lambda d: t("cp_rule_all", lang) if d == ANY_DATASET
                              else dataset_label(d, lang))
        day = st.number_input(t("cp_rule_day", lang), min_value=1, max_value=28, step=1,
                              value=deadline_day(rules, target), key=f"cp_rule_day_{target}",
                              disabled=not may_set)
        if st.button(t("cp_rule_save", lang), key="cp_rule_save", disabled=not may_set):
            try:
                service.set_deadline_rule(account, int(day), dataset=target)
            except RuleRefused as exc:
                st.error(t(exc.code, lang))
            else:
                st.session_state["cp_flash"] = t("cp_rule_saved", lang).format(
                    ds=t("cp_rule_all", lang) if target == ANY_DATASET else dataset_label(target, lang),
                    day=int(day))
                st.rerun()  # the grid above was drawn under the old rule

