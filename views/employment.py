"""就业 Employment: fairs, positions, attendance, intent rate; trend, map and the fair-type mix."""
import pandas as pd
import streamlit as st

from lib.charts import common as charts
from lib.i18n import enum_label, t
from lib.metrics import metric
from lib.metrics.cards import card, figure_applies
from lib.metrics.compute import ratio
from lib.ui import dashboard, data, mapview, share_ui, widgets
from lib.ui.frame import current_filters


f = current_filters()
lang = f.lang
widgets.page_header(f, "page_employment")
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "employment")
ly_from, ly_to = f.last_year()
# Fairs recorded above township level have no urban/rural class: under a filter they drop out, and
# the cards then say 不适用 rather than 0 (lib/metrics/cards).
area = dict(urban_rural=f.area)
cur = data.query("facts", "job_fair", f.prefix, f.date_from, f.date_to, by=("fair_type",), **area)
prev = data.query("facts", "job_fair", f.prefix, ly_from, ly_to, by=("fair_type",), **area)
rows = int(cur["n"].sum() + prev["n"].sum())
applies = figure_applies("job_fair", level=f.level, area=f.area, rows=rows,
                         uploaded=dashboard.uploaded(f, "job_fair", rows))


def figures(frame: pd.DataFrame) -> dict[str, float]:
    return {"employment.fairs": frame["n"].sum(), "employment.positions": frame["positions"].sum(),
            "employment.women_attending": frame["women_attending"].sum(),
            "employment.intent_rate": ratio(frame["intents"].sum(), frame["women_attending"].sum()),
            "employment.hires": frame["hires"].sum()}


now, before = figures(cur), figures(prev)
cards = [card(metric(c).label(lang), now[c], before[c], metric(c).unit, lang, applies=applies,
              help=metric(c).description(lang)) for c in now]
widgets.kpi_row(cards, "employment", f=f)
drawn = trend = None
if not applies.applies:
    st.caption(t("fairs_held_above" if applies.reason == "na_held_above" else "fairs_not_split",
                 lang))

mapview.breadcrumb(f, "em")
if f.child_len and applies.applies:
    per = data.query("facts", "job_fair", f.prefix, f.date_from, f.date_to, child_len=f.child_len,
                     **area)
    per_prev = data.query("facts", "job_fair", f.prefix, ly_from, ly_to, child_len=f.child_len,
                          **area)
    m = metric("employment.positions")
    shown = dashboard.with_names(per.assign(value=per["positions"], denominator=per["n"]))
    if not shown.empty and (shown["region_code"] == f.region_code).all():
        # every fair was held by this district itself: no map or ranking of its townships
        st.caption(t("fairs_no_children", lang))
    elif not shown.empty:
        if mapview.region_map(f, shown, m.label(lang), "count", key="em_map"):
            drawn = share_ui.MapPart(shown, m.label(lang), "count")
        dashboard.league_table(f, shown,
                               dashboard.with_names(per_prev.assign(value=per_prev["positions"])),
                               "count", m.label(lang), key="em_league")

left, right = st.columns(2)
with left:
    monthly = dashboard.monthly_filled(f, "job_fair", data.query(
        "facts", "job_fair", f.prefix, f.date_from, f.date_to, by_month=True, **area),
        ["positions", "women_attending", "intents"])
    if not monthly.empty:
        long = monthly.melt(id_vars=["month"], value_vars=["positions", "women_attending", "intents"],
                            var_name="measure", value_name="value")
        long["measure"] = long["measure"].map(
            lambda c: metric(f"employment.{c}").label(lang) if c != "intents"
            else t("intents", lang))
        trend = charts.trend(long, x="month", y="value", series="measure", lang=lang,
                             title=t("trend", lang), y_title="", **dashboard.partial(f))
        dashboard.chart(trend, "employment_trend", "em_trend")
with right:
    if not cur.empty:
        mix = cur.copy()
        mix["label"] = mix["fair_type"].map(lambda v: enum_label(v, lang))
        dashboard.chart(charts.bars(mix, category="label", value="n", lang=lang,
                                    title=t("fair_mix", lang),
                                    value_title=metric("employment.fairs").label(lang)),
                        "employment_mix", "em_mix")
share_ui.share_button(f, "employment", cards, map_part=drawn, chart=trend, where=share)
