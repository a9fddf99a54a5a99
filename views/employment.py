"""就业 Employment: fairs, positions, attendance, intent rate; trend, map and the fair-type mix."""
import pandas as pd
import streamlit as st

from lib import fmt
from lib.charts import common as charts
from lib.i18n import enum_label, t
from lib.metrics import metric
from lib.metrics.compute import ratio, yoy
from lib.ui import dashboard, data, mapview, widgets
from lib.ui.frame import current_filters


f = current_filters()
lang = f.lang
widgets.page_header(f, "page_employment")
ly_from, ly_to = f.last_year()
cur = data.query("facts", "job_fair", f.prefix, f.date_from, f.date_to, by=("fair_type",))
prev = data.query("facts", "job_fair", f.prefix, ly_from, ly_to, by=("fair_type",))


def figures(frame: pd.DataFrame) -> dict[str, float]:
    return {"employment.fairs": frame["n"].sum(), "employment.positions": frame["positions"].sum(),
            "employment.women_attending": frame["women_attending"].sum(),
            "employment.intent_rate": ratio(frame["intents"].sum(), frame["women_attending"].sum()),
            "employment.hires": frame["hires"].sum()}


now, before = figures(cur), figures(prev)
for col, code in zip(st.columns(len(now)), now):
    m = metric(code)
    delta = (fmt.change_pp(now[code] - before[code]) if m.unit == "percent"
             else fmt.change_pct(yoy(now[code], before[code])))
    with col:
        widgets.kpi(m.label(lang), fmt.value(now[code], m.unit, lang),
                    delta=f"{delta} {t('vs_last_year', lang)}", help=m.description(lang))
if f.area:
    st.caption("招聘会多在区级举办，不按城乡拆分。" if lang == "zh"
               else "Fairs are mostly held at district level and are not split urban/rural.")

mapview.breadcrumb(f, "em")
if f.child_len:
    per = data.query("facts", "job_fair", f.prefix, f.date_from, f.date_to, child_len=f.child_len)
    per_prev = data.query("facts", "job_fair", f.prefix, ly_from, ly_to, child_len=f.child_len)
    if not per.empty:
        m = metric("employment.positions")
        shown = dashboard.with_names(per.assign(value=per["positions"], denominator=per["n"]))
        mapview.region_map(f, shown, m.label(lang), "count", key="em_map")
        dashboard.league_table(f, shown,
                               dashboard.with_names(per_prev.assign(value=per_prev["positions"])),
                               "count", m.label(lang), key="em_league")

left, right = st.columns(2)
with left:
    monthly = data.query("facts", "job_fair", f.prefix, f.date_from, f.date_to, by_month=True)
    if not monthly.empty:
        long = monthly.melt(id_vars=["month"], value_vars=["positions", "women_attending", "intents"],
                            var_name="measure", value_name="value")
        long["measure"] = long["measure"].map(
            lambda c: metric(f"employment.{c}").label(lang) if c != "intents"
            else ("达成就业意向人数" if lang == "zh" else "Intents"))
        dashboard.chart(charts.trend(long, x="month", y="value", series="measure",
                                     lang=lang, title=t("trend", lang), y_title="",
                                     **dashboard.partial(f)),
                        "employment_trend", "em_trend")
with right:
    if not cur.empty:
        mix = cur.copy()
        mix["label"] = mix["fair_type"].map(lambda v: enum_label(v, lang))
        dashboard.chart(charts.bars(mix, category="label", value="n", lang=lang,
                                    title=t("fair_mix", lang),
                                    value_title=metric("employment.fairs").label(lang)),
                        "employment_mix", "em_mix")
