"""两癌筛查 Screening: completion and coverage maps, monthly trend, the funnel, league table."""
import datetime as dt

import streamlit as st

from lib import fmt
from lib.charts import common as charts
from lib.i18n import enum_label, t
from lib.metrics import metric
from lib.metrics import screening as sm
from lib.metrics.cards import card, figure_applies
from lib.ui import dashboard, data, mapview, share_ui, widgets
from lib.ui.frame import current_filters


f = current_filters()
lang = f.lang
widgets.page_header(f, "page_screening")
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "screening")

year = f.date_to.year
y_from, cyc_from = dt.date(year, 1, 1), sm.cycle_start(f.date_to)
area = dict(urban_rural=f.area)


def frames(prefix, child_len=None, date_to=f.date_to, yr=year):
    cl = dict(child_len=child_len, **area)
    return (data.query("facts", "screening", prefix, dt.date(yr, 1, 1), date_to, **cl),
            data.query("facts", "screening", prefix, sm.cycle_start(date_to), date_to, **cl),
            data.query("screening_targets", prefix, [yr], **cl))


period = data.query("facts", "screening", f.prefix, f.date_from, f.date_to, by=("kind",), **area)
year_f, cyc_f, tgt = frames(f.prefix)
now = sm.summary(period, year_f, cyc_f, tgt)
ly_from, ly_to = f.last_year()
prev_period = data.query("facts", "screening", f.prefix, ly_from, ly_to, by=("kind",), **area)
prev = sm.summary(prev_period, *frames(f.prefix, date_to=ly_to, yr=ly_to.year))

cards = [("screening.completion", "completion"), ("screening.coverage", "coverage"),
         ("screening.screened", "screened"), ("screening.abnormal_rate", "abnormal_rate"),
         ("screening.treatment_rate", "treatment_rate")]
rows = len(period) + len(prev_period)
applies = figure_applies("screening", level=f.level, area=f.area, rows=rows,
                         uploaded=dashboard.uploaded(f, "screening", rows))
cards = [card(metric(code).label(lang), now[key], prev[key], metric(code).unit, lang,
              direction=metric(code).direction, applies=applies,
              help=metric(code).description(lang)) for code, key in cards]
widgets.kpi_row(cards, "screening", f=f)
drawn = None
from lib.ui.progress_ui import progress_download, stored_progress  # noqa: E402
progress_download(f)  # the 进度公示表 of this period, and the uploaded progress tables
stored_progress(f)

mapview.breadcrumb(f, "sc")
masked = f.level in ("township", "village") or f.child_level in ("township", "village")
if mapview.has_map(f):  # screening is recorded per township: a township view has no children
    yc, cc, tc = frames(f.prefix, f.child_len)
    per = dashboard.with_names(sm.per_child(yc, cc, tc))
    choice = st.radio(t("metric_pick", lang), ["completion", "coverage"], horizontal=True,
                      key="sc_metric",
                      format_func=lambda k: metric(f"screening.{k}").label(lang))
    m = metric(f"screening.{choice}")
    den = "quota" if choice == "completion" else "eligible_women"
    shown = per.assign(value=per[choice], denominator=per[den])
    if mapview.region_map(f, shown, m.label(lang), "percent", key="sc_map"):
        drawn = share_ui.MapPart(shown, m.label(lang), "percent")
    ly_y, ly_c, ly_t = frames(f.prefix, f.child_len, date_to=ly_to, yr=ly_to.year)
    prev_per = dashboard.with_names(sm.per_child(ly_y, ly_c, ly_t))
    dashboard.league_table(f, per.assign(value=per[choice]),
                           prev_per.assign(value=prev_per[choice]), "percent", m.label(lang),
                           key="sc_league")

left, right = st.columns(2)
with left:
    trend = dashboard.trend_vs_parent(f, "screening", "screened", "screening.screened",
                                      "screening_trend", "sc_trend")
with right:
    fun = sm.masked_funnel(sm.funnel_frame(period), masked)
    if not fun.empty:
        fun["stage_label"] = fun["stage"].map(lambda s_: t(f"stage_{s_}", lang))
        fun["stage_label"] = fun["kind"].map(lambda k: enum_label(k, lang)) + " · " + fun["stage_label"]
        dashboard.chart(charts.funnel(fun, stage="stage_label", value="value",
                                      lang=lang, title=t("funnel", lang), label="label"),
                        "screening_funnel", "sc_funnel")
    aided = fmt.small_count(now["aided"], masked)
    st.caption(f"{t('aided', lang)}{t('colon', lang)}{aided} · "
               f"{fmt.money_10k(now['aid_amount_10k_yuan'], lang)}")
    if masked:
        st.caption(t("masked_note", lang))
share_ui.share_button(f, "screening", cards, map_part=drawn, chart=trend, where=share)
