"""总览 Overview: one headline per area of work, the coverage map, data freshness."""
import streamlit as st

from lib import fmt
from lib.i18n import t
from lib.metrics import metric
from lib.metrics.overview import child_coverage, headlines
from lib.ui import dashboard, data, mapview, widgets
from lib.ui.frame import current_filters


f = current_filters()
lang = f.lang
widgets.page_header(f, "app_title")

ly_from, ly_to = f.last_year()
org_types = ["village_federation", "community_federation"]
cov_now = data.query("org_coverage", f.prefix, f.date_to, org_types)
cov_prev = data.query("org_coverage", f.prefix, ly_to, org_types)
period = dict(urban_rural=f.area)
frames = {ds: (data.query("facts", ds, f.prefix, f.date_from, f.date_to, **period),
               data.query("facts", ds, f.prefix, ly_from, ly_to, **period))
          for ds in ("training", "job_fair", "screening")}
heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"], frames["screening"],
                  area=f.area)

cols = st.columns(len(heads))
for col, h in zip(cols, heads):
    m = metric(h.code)
    delta = fmt.change_pp(h.change) if h.unit == "percent" else fmt.change_pct(h.change)
    with col:
        widgets.kpi(m.label(lang), fmt.value(h.value, h.unit, lang),
                    delta=f"{delta} {t('vs_last_year', lang)}", help=m.description(lang))

mapview.breadcrumb(f, "ov")
if f.child_len:
    cov_child = data.query("org_coverage", f.prefix, f.date_to, org_types, child_len=f.child_len)
    per = child_coverage(cov_child, area=f.area)
    per = dashboard.with_names(per).rename(columns={"den": "denominator"})
    st.subheader(t("map_title" if f.child_level == "district" else "map_title_township", lang))
    mapview.region_map(f, per[["region_code", "name", "value", "denominator"]],
                       metric("coverage.federation").label(lang), "percent", key="ov_map")
