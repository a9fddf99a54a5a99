"""目标监测 Targets: indicator progress by domain, projection per indicator, warnings, child regions;
admins edit targets and add indicators (audited)."""
import streamlit as st

from lib import clock, fmt
from lib.charts import targets as C
from lib.followup import prefills
from lib.i18n import t
from lib.targets import labels as L, monitoring_report_xlsx
from lib.targets.assess import warnings
from lib.ui import dashboard, data, followup_ui, service, share_ui, targets_ui, widgets
from lib.ui.auth_ui import current_user
from lib.ui.frame import current_filters
from lib.ui.safe import md_escape
from lib.warehouse.indicators_admin import DIRECTIONS, UNITS, IndicatorRefused



f = current_filters()
lang = f.lang
st.title(t("page_targets", lang))
st.caption(" · ".join(x for x in (md_escape(f.region_name), t("targets_caption", lang),
                                   widgets.until_text(f, lang)) if x))
widgets.demo_banner(lang)
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "targets")

assessments = data.query("targets_assess", f.region_code)
if all(a.latest_year is None for a in assessments):
    st.info(t("targets_no_data", lang))
labels = C.column_labels(lang)
progress = dict(min_value=0.0, max_value=C.PROGRESS_MAX, format=fmt.RATE_PRINTF)
config = {k: st.column_config.TextColumn(v) for k, v in labels.items()}
pills = C.status_pill_colors(lang)
config |= {"status": st.column_config.MultiselectColumn(labels["status"], options=list(pills),
                                                        color=list(pills.values())),
           "time_progress": st.column_config.ProgressColumn(labels["time_progress"], **progress),
           "attainment_progress": st.column_config.ProgressColumn(labels["attainment_progress"],
                                                                  **progress)}


def show(frame, columns) -> None:
    st.dataframe(C.status_pills(frame, lang), column_order=columns, column_config=config,
                 hide_index=True, width="stretch")


# --- indicator table, grouped by domain -------------------------------------------------------
st.subheader(t("targets_table", lang))
c1, c2 = st.columns([4, 1])
statuses = c1.multiselect(t("targets_status_filter", lang), list(L.STATUSES),
                          default=list(L.STATUSES), key="t_status",
                          format_func=lambda s: L.status_label(s, lang))
volatile_only = c2.checkbox(t("targets_volatile_only", lang), key="t_volatile")
shown = [a for a in assessments if a.volatile or not volatile_only]
table = C.indicator_table(shown, lang, statuses=statuses)
if table.empty:
    st.info(t("targets_empty_filter", lang))
for domain, part in table.groupby("_domain_order", sort=True):
    st.markdown(f"**{md_escape(part['domain'].iloc[0])}**")  # names: text, never Markdown
    show(part, [c for c in C.INDICATOR_COLUMNS if c != "domain"])

# --- one indicator: trend, path and projection --------------------------------------------------
st.subheader(t("targets_chart", lang))
by_code = {a.code: a for a in assessments}
code = st.selectbox(t("targets_indicator", lang), list(by_code), key="t_indicator",
                    format_func=lambda c: f"{c} {C.indicator_name(by_code[c], lang)}")
chosen = by_code[code]
projection = C.projection_spec(chosen, lang)
dashboard.altair(projection)
note = L.reason_text(chosen.reason, lang, n=chosen.n_years)
st.caption(" · ".join(x for x in (C.status_text(chosen, lang), note) if x))

# --- warnings ----------------------------------------------------------------------------------
st.subheader(t("targets_warnings", lang))
warn = C.warning_table(assessments, lang)
if warn.empty:
    st.success(t("targets_no_warnings", lang))
else:
    show(warn, C.WARNING_COLUMNS)
    # 督办 beside each indicator at 有风险 / 滞后 (admins and analysts; nothing for viewers)
    followup_ui.raise_menu([(f"{a.code} {C.indicator_name(a, lang)} · {C.status_text(a, lang)}",
                             prefills.from_assessment(a, lang=lang, today=clock.today()))
                            for a in warnings(assessments) if a.status in ("at_risk", "off_track")],
                           key="t_fu", lang=lang, label=t("fup_raise_targets", lang))

# --- child regions -----------------------------------------------------------------------------
st.subheader(t("targets_children", lang))
kids = data.children_of(f.region_code, f.child_level) if f.child_level != "village" else []
if not kids:
    st.caption(t("targets_children_none", lang))
else:
    computed = st.toggle(t("targets_children_computed", lang), key="t_children_computed")
    children = data.query("targets_children", tuple(kids), computed)
    all_names = data.region_lookup("name")
    names = {c: all_names.get(c, c) for c in kids}
    summary = C.child_summary(children, names, lang)
    st.dataframe(summary, column_order=C.CHILD_SUMMARY_COLUMNS, column_config=config,
                 hide_index=True, width="stretch")
    chosen_name = md_escape(C.indicator_name(chosen, lang))
    st.markdown(f"**{t('targets_children_for', lang)}{t('colon', lang)}{chosen_name}**")
    show(C.child_indicator_table(children, names, code, lang), C.CHILD_COLUMNS)

share_ui.share_button(f, "targets", C.status_cards(assessments, lang), chart=projection,
                      table=C.warning_summary(assessments, lang), where=share)

# --- downloads: the monitoring report as XLSX (this view) and as Word (as of a chosen year) -----
xlsx_box, year_box, docx_box = st.columns([3, 2, 3], vertical_alignment="bottom")
xlsx_box.download_button(t("targets_report", lang),
                         lambda: monitoring_report_xlsx(assessments, lang),
                         file_name=f"monitoring_{f.region_code}.xlsx", key="t_report",
                         on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
with year_box:
    report_year = targets_ui.year_select(lang)
with docx_box:
    targets_ui.report_download(f, report_year)

# --- admins: edit a target, add an indicator (validated, scope-checked, audited in lib/warehouse) --
admin = current_user()
if admin.role == "admin" and not service.may_edit_catalog(admin):
    st.subheader(t("targets_admin", lang))
    st.caption(t("targets_admin_city_only", lang))  # the catalog is global: lib refuses them too
elif admin.role == "admin":
    st.subheader(t("targets_admin", lang))
    flash = st.session_state.pop("t_admin_flash", None)
    if flash:
        st.success(md_escape(flash))  # may carry a name the admin typed

    def _saved(text: str) -> None:
        st.session_state["t_admin_flash"] = text
        st.rerun()  # the tables above were drawn before the change: draw them again

    edit, add = st.columns(2)
    with edit:
        st.markdown(f"##### {t('targets_admin_edit', lang)}")
        e_code = st.selectbox(t("targets_indicator", lang), list(by_code), key="t_adm_code",
                              format_func=lambda c: f"{c} {C.indicator_name(by_code[c], lang)}")
        cur = by_code[e_code]
        e_value = st.number_input(t("targets_admin_value", lang), value=cur.target_value,
                                  key=f"t_adm_value_{e_code}")
        e_year = st.number_input(t("targets_admin_year", lang), value=cur.target_year, step=1,
                                 key=f"t_adm_year_{e_code}")
        if st.button(t("targets_admin_save", lang), key="t_adm_save"):
            try:
                service.set_target(admin, e_code, e_value, e_year)
                _saved(t("targets_admin_saved", lang).format(code=e_code, value=e_value, year=e_year))
            except IndicatorRefused as exc:
                st.error(t("targets_admin_refused", lang).format(msg=md_escape(exc.message(lang))))
    with add, st.form("t_adm_add_form"):
        st.markdown(f"##### {t('targets_admin_add', lang)}")
        row = {
            "code": st.text_input(t("targets_admin_code", lang), key="t_add_code"),
            "name_zh": st.text_input(t("targets_admin_name_zh", lang), key="t_add_name_zh"),
            "name_en": st.text_input(t("targets_admin_name_en", lang), key="t_add_name_en"),
            "domain": st.selectbox(t("targets_admin_domain", lang), list(L.DOMAIN_LABELS),
                                   key="t_add_domain", format_func=lambda d: L.domain_label(d, lang)),
            "unit": st.selectbox(t("targets_admin_unit", lang), UNITS, key="t_add_unit",
                                 format_func=lambda u: t(f"targets_unit_{u}", lang)),
            "direction": st.selectbox(t("targets_admin_direction", lang), DIRECTIONS,
                                      key="t_add_direction",
                                      format_func=lambda d: t(f"targets_dir_{d}", lang)),
            "target_value": st.number_input(t("targets_admin_value", lang), value=None,
                                            key="t_add_value"),
            "target_year": st.number_input(t("targets_admin_year", lang), value=2030, step=1,
                                           key="t_add_year"),
            "source": st.text_input(t("targets_admin_source", lang), key="t_add_source"),
        }
        if st.form_submit_button(t("targets_admin_add_submit", lang), key="t_add_submit"):
            try:
                service.new_indicator(admin, row)
                _saved(t("targets_admin_added", lang).format(code=row["code"].strip()))
            except IndicatorRefused as exc:
                st.error(t("targets_admin_refused", lang).format(msg=md_escape(exc.message(lang))))
