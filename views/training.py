"""培训 Training: sessions and participants, trend against the parent, topics and audiences, map."""
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
widgets.page_header(f, "page_training")
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "training")
area = dict(urban_rural=f.area)
ly_from, ly_to = f.last_year()
cur = data.query("facts", "training", f.prefix, f.date_from, f.date_to, by=("topic", "audience"),
                 **area)
prev = data.query("facts", "training", f.prefix, ly_from, ly_to, by=("topic", "audience"), **area)
execs = data.query("org_counts", f.prefix, f.date_to)


def exec_coverage(frame: pd.DataFrame) -> float:
    """人次-based estimate: exec-duty participants of exec audiences ÷ execs on village rosters."""
    part = frame[(frame["topic"] == "exec_duty") & (frame["audience"] == "exec_member")]
    roster = execs[execs["org_type"].isin(["village_federation", "community_federation"])]
    return ratio(part["participants"].sum(), roster["exec_members"].sum(), cap=1.0)


figures = [("training.sessions", cur["n"].sum(), prev["n"].sum()),
           ("training.participants", cur["participants"].sum(), prev["participants"].sum()),
           ("training.hours", cur["hours"].sum(), prev["hours"].sum()),
           ("training.exec_coverage", exec_coverage(cur), exec_coverage(prev))]
rows = int(cur["n"].sum() + prev["n"].sum())
cards = [card(metric(c).label(lang), now, before, metric(c).unit, lang,
              applies=figure_applies("training", level=f.level, area=f.area, rows=rows,
                                     uploaded=dashboard.uploaded(f, "training", rows)),
              help=metric(c).description(lang)) for c, now, before in figures]
widgets.kpi_row(cards, "training", f=f)
drawn = None

mapview.breadcrumb(f, "tr")
if f.child_len:
    per = data.query("facts", "training", f.prefix, f.date_from, f.date_to, child_len=f.child_len,
                     **area)
    per_prev = data.query("facts", "training", f.prefix, ly_from, ly_to, child_len=f.child_len,
                          **area)
    m = metric("training.participants")
    shown = dashboard.with_names(per.assign(value=per["participants"], denominator=per["n"]))
    if mapview.region_map(f, shown, m.label(lang), "count", key="tr_map"):
        drawn = share_ui.MapPart(shown, m.label(lang), "count")
    dashboard.league_table(f, shown, dashboard.with_names(per_prev.assign(value=per_prev["participants"])),
                           "count", m.label(lang), key="tr_league")

left, right = st.columns(2)
with left:
    trend = dashboard.trend_vs_parent(f, "training", "participants", "training.participants",
                                      "training_trend", "tr_trend")
with right:
    for col_name, title_key in (("topic", "by_topic"), ("audience", "by_audience")):
        g = cur.groupby(col_name, as_index=False)["participants"].sum()
        if g.empty:
            continue
        g["label"] = g[col_name].map(lambda v: enum_label(v, lang))
        dashboard.chart(charts.bars(g, category="label", value="participants",
                                    lang=lang, title=t(title_key, lang),
                                    value_title=metric("training.participants").label(lang)),
                        f"training_{col_name}", f"tr_{col_name}")
share_ui.share_button(f, "training", cards, map_part=drawn, chart=trend, where=share)
