"""总览 Overview: one headline per area of work, the coverage map, data freshness."""
from lib.i18n import t
from lib.metrics import metric
from lib.metrics.cards import headline_cards
from lib.metrics.overview import child_coverage, headlines
from lib.ui import dashboard, data, mapview, share_ui, widgets
from lib.ui.frame import current_filters


f = current_filters()
lang = f.lang
widgets.page_header(f, "app_title")
share = share_ui.slot()
from lib.ui import reading_ui  # noqa: E402  (the written reading)
reading_ui.reading(f, "overview")
reading_ui.docx_download(f)

ly_from, ly_to = f.last_year()
org_types = ["village_federation", "community_federation"]
cov_now = data.query("org_coverage", f.prefix, f.date_to, org_types)
cov_prev = data.query("org_coverage", f.prefix, ly_to, org_types)
period = dict(urban_rural=f.area)
frames = {ds: (data.query("facts", ds, f.prefix, f.date_from, f.date_to, **period),
               data.query("facts", ds, f.prefix, ly_from, ly_to, **period))
          for ds in ("training", "job_fair", "screening")}
heads = headlines(cov_now, cov_prev, frames["training"], frames["job_fair"], frames["screening"],
                  area=f.area, level=f.level, never_uploaded=dashboard.never_uploaded(f, frames))
cards = headline_cards(heads, f.date_to, lang)
widgets.kpi_row(cards, "overview", f=f)
drawn = None

mapview.breadcrumb(f, "ov")
if mapview.has_map(f):
    cov_child = data.query("org_coverage", f.prefix, f.date_to, org_types, child_len=f.child_len)
    per = child_coverage(cov_child, area=f.area)
    per = dashboard.with_names(per).rename(columns={"den": "denominator"})
    shown = per[["region_code", "name", "value", "denominator"]]
    label, title = metric("coverage.federation").label(lang), t(
        {"province": "map_title_province", "city": "map_title_city",
         "district": "map_title"}.get(f.child_level, "map_title_township"), lang)
    if mapview.region_map(f, shown, label, "percent", key="ov_map", title=title):
        drawn = share_ui.MapPart(shown, label, "percent", title)
else:
    mapview.no_map_note(f)
share_ui.share_button(f, "overview", cards, map_part=drawn, where=share)
