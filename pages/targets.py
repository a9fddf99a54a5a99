"""目标监测 Targets: indicator progress by domain, projection per indicator, warnings, child regions."""
import streamlit as st

from lib.charts import targets as C
from lib.i18n import t
from lib.targets import assess_indicators, assess_region, labels as L, monitoring_report_xlsx
from lib.ui import data, widgets
from lib.ui.frame import current_filters, page_guard
from lib.warehouse.indicator_queries import indicator_yearly_values
from lib.warehouse.reference import indicators_frame

page_guard()


def _assess_children(engine, codes: tuple[str, ...], computed: bool) -> dict:
    """{child code: assessments}; without ``computed`` only uploaded indicators (one cheap query
    per child) — computed ones aggregate the ledgers once per child."""
    catalog = indicators_frame(engine)
    if not computed:
        src = catalog["computed_from"].fillna("").astype(str).str.strip()
        catalog = catalog[src == ""]
    return {code: assess_indicators(catalog, indicator_yearly_values(engine, code, catalog), code)
            for code in codes}


data.register("targets_assess", assess_region)
data.register("targets_children", _assess_children)

f = current_filters()
lang = f.lang
st.title(t("page_targets", lang))
st.caption(f"{f.region_name} · {t('targets_caption', lang)}")
widgets.demo_banner(lang)

assessments = data.query("targets_assess", f.region_code)
if all(a.latest_year is None for a in assessments):
    st.info(t("targets_no_data", lang))
labels = C.column_labels(lang)
progress = dict(min_value=0.0, max_value=1.0, format="percent")
config = {k: st.column_config.TextColumn(v) for k, v in labels.items()}
config |= {"time_progress": st.column_config.ProgressColumn(labels["time_progress"], **progress),
           "attainment_progress": st.column_config.ProgressColumn(labels["attainment_progress"],
                                                                  **progress)}


def show(frame, columns) -> None:
    st.dataframe(C.status_styler(frame), column_order=columns, column_config=config,
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
    st.markdown(f"**{part['domain'].iloc[0]}**")
    show(part, [c for c in C.INDICATOR_COLUMNS if c != "domain"])

# --- one indicator: trend, path and projection --------------------------------------------------
st.subheader(t("targets_chart", lang))
by_code = {a.code: a for a in assessments}
code = st.selectbox(t("targets_indicator", lang), list(by_code), key="t_indicator",
                    format_func=lambda c: f"{c} {C.indicator_name(by_code[c], lang)}")
chosen = by_code[code]
st.altair_chart(C.projection_chart(chosen, lang), width="stretch")
note = L.reason_text(chosen.reason, lang, n=chosen.n_years)
st.caption(" · ".join(x for x in (C.status_text(chosen, lang), note) if x))

# --- warnings ----------------------------------------------------------------------------------
st.subheader(t("targets_warnings", lang))
warn = C.warning_table(assessments, lang)
if warn.empty:
    st.success(t("targets_no_warnings", lang))
else:
    show(warn, C.WARNING_COLUMNS)

# --- child regions -----------------------------------------------------------------------------
st.subheader(t("targets_children", lang))
regions = data.query("regions")
kids = regions[(regions["parent_code"] == f.region_code) & (regions["level"] == f.child_level)
               & (f.child_level != "village")]
if kids.empty:
    st.caption(t("targets_children_none", lang))
else:
    computed = st.toggle(t("targets_children_computed", lang), key="t_children_computed")
    children = data.query("targets_children", tuple(kids["code"]), computed)
    names = dict(zip(kids["code"], kids["name"]))
    summary = C.child_summary(children, names, lang)
    st.dataframe(summary, column_order=C.CHILD_SUMMARY_COLUMNS, column_config=config,
                 hide_index=True, width="stretch")
    st.markdown(f"**{t('targets_children_for', lang)}：{C.indicator_name(chosen, lang)}**")
    show(C.child_indicator_table(children, names, code, lang), C.CHILD_COLUMNS)

st.download_button(t("targets_report", lang), monitoring_report_xlsx(assessments, lang),
                   file_name=f"monitoring_{f.region_code}.xlsx", key="t_report",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
