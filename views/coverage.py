"""组织覆盖 Coverage: map by organisation type, yearly trend vs parent, urban/rural, gap list."""

import pandas as pd
import streamlit as st

from lib.charts import common as charts
from lib.i18n import enum_label, t
from lib.metrics import metric
from lib.metrics.asof import dated, figure_date, point_label, trend_days
from lib.metrics.cards import card, share_applies
from lib.metrics.compute import FEDERATION_TYPES, coverage, organisations, villages
from lib.ui import dashboard, data, mapview, share_ui, widgets
from lib.ui.frame import current_filters


TYPES = {"federation": list(FEDERATION_TYPES), "womens_home": ["womens_home"],
         "parent_school": ["parent_school"], "volunteer_team": ["volunteer_team"],
         "counselling_room": ["counselling_room"], "womens_micro_home": ["womens_micro_home"],
         "sister_station": ["sister_station"]}
ALL_TYPES = sorted({x for v in TYPES.values() for x in v})

f = current_filters()
lang = f.lang
widgets.page_header(f, "page_coverage")
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "coverage")
choice = st.selectbox(t("org_type_pick", lang), list(TYPES), key="cv_type",
                      format_func=lambda k: enum_label(k, lang))
types = tuple(TYPES[choice])
ly_to = f.last_year()[1]
# Split by child region whenever the page draws its children: the cards' totals are sums over the
# children (every village lies in one), so the map and league below reuse the same two frames.
has_children = bool(f.child_len) and f.child_level != "village"
split = {"child_len": f.child_len} if has_children else {}
cov = data.query("org_coverage", f.prefix, f.date_to, ALL_TYPES, **split)
cov_prev = data.query("org_coverage", f.prefix, ly_to, ALL_TYPES, **split)
# A share of villages of a class the view has none of (城镇 in a township of villages only) is
# not defined: 不适用, not "—" or 0 (lib/metrics/cards).
cards = [(metric("coverage.org_type").label(lang), f.area, coverage(cov, types, area=f.area),
          coverage(cov_prev, types, area=f.area), True),
         (metric("coverage.federation.effective").label(lang) if choice == "federation" else
          t("effective_coverage", lang), f.area,
          coverage(cov, types, area=f.area, effective=True), None, False),
         (t("urban", lang), "urban", coverage(cov, types, area="urban"),
          coverage(cov_prev, types, area="urban"), True),
         (t("rural", lang), "rural", coverage(cov, types, area="rural"),
          coverage(cov_prev, types, area="rural"), True)]
# A share is read on the period's last day: the cards say which (a plan value of the same figure,
# in the reading, may be read on another day and says its own).
on = figure_date("coverage.org_type", f.date_to, lang)
cards = [card(dated(f"{enum_label(choice, lang)} · {label}", on, lang), now, before, "percent",
              lang, applies=share_applies(villages(cov, a), organisations(cov)), compare=compare,
              at_date=True)
         for label, a, now, before, compare in cards]
widgets.kpi_row(cards, "coverage", f=f)
drawn = None

mapview.breadcrumb(f, "cv")
if has_children:
    per = dashboard.with_names(coverage(cov, types, area=f.area, by_child=True))
    prev = dashboard.with_names(coverage(cov_prev, types, area=f.area, by_child=True))
    label = f"{enum_label(choice, lang)} · {metric('coverage.org_type').label(lang)}"
    shown = per.rename(columns={"den": "denominator"})
    if mapview.region_map(f, shown, label, "percent", key="cv_map"):
        drawn = share_ui.MapPart(shown, label, "percent")
    dashboard.league_table(f, per, prev, "percent", label, key="cv_league")

left, right = st.columns(2)
with left:
    as_of = trend_days(f.date_to)
    parent = dashboard.parent_prefix(f)
    lines = [(t("this_region", lang), f.prefix)] + ([(dashboard.parent_name(f), parent)]
                                                     if parent else [])
    rows = []
    for series, prefix in lines:
        cov_years = data.query("org_coverage_series", prefix, as_of, ALL_TYPES)
        for d, part in cov_years.groupby("as_of", sort=True):
            rows.append({"year": point_label(d, lang), "series": series,
                         "value": coverage(part, types, area=f.area)})
    trend = charts.trend(pd.DataFrame(rows), x="year", y="value", series="series", lang=lang,
                         title=t("trend", lang), y_title=enum_label(choice, lang), percent=True)
    dashboard.chart(trend, "coverage_trend", "cv_trend")
    dashboard.parent_note(f)
with right:
    by_type = []
    for k, tl in TYPES.items():
        for a in ("urban", "rural"):
            by_type.append({"type": enum_label(k, lang), "area": t(a, lang),
                            "value": coverage(cov, tuple(tl), area=a)})
    dashboard.chart(charts.bars(pd.DataFrame(by_type), category="type", value="value",
                                lang=lang, title=t("by_type", lang), value_title="", color="area",
                                percent=True), "coverage_by_type", "cv_by_type")

ns = data.query("org_counts", f.prefix, f.date_to, by_sector=True)
ns = ns[ns["org_type"] == "new_sector_org"]
if not ns.empty:
    ns = ns.groupby("sector", as_index=False)["orgs"].sum()
    ns["label"] = ns["sector"].map(lambda v: enum_label(v, lang))
    dashboard.chart(charts.bars(ns, category="label", value="orgs", lang=lang, title=t("new_sector", lang),
                                value_title=""), "new_sector", "cv_ns")

share_ui.share_button(f, "coverage", cards, map_part=drawn, chart=trend, where=share)

st.subheader(t("gap_list", lang))
gaps = data.query("villages_without", f.prefix, f.date_to, list(types))
if f.area:
    gaps = gaps[gaps["urban_rural_code"].fillna("2").str.startswith("1" if f.area == "urban" else "2")]
if gaps.empty:
    st.success(t("gap_none", lang))
else:
    shown = pd.DataFrame({t("township", lang): gaps["township"], t("village", lang): gaps["name"],
                          t("region_code", lang): gaps["code"]})
    st.dataframe(shown, hide_index=True, width="stretch", height=300)
    st.caption(f"{len(shown):,}")
    dashboard.downloads(shown, f"gaps_{choice}", "cv_gaps", lang)
