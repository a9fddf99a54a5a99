"""Pieces every dashboard page uses: child-region frames, league tables, downloads, parent prefix."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from lib import clock, export, fmt
from lib.charts import common as charts
from lib.charts.memo import spec_of
from lib.charts.months import every_month, first_month
from lib.followup import prefills
from lib.i18n import dataset_label, t
from lib.metrics import metric
from lib.metrics.league import league
from lib.metrics.overview import rows_of
from lib.ui import data, followup_ui
from lib.ui.filters import Filters
from lib.ui.frame import current_filters
from lib.ui.safe import md_escape
from lib.warehouse.scope import prefix_of


# Before any record this app can hold: "ever" for a facts query (the rollups answer it by year).
EVER = dt.date(1949, 10, 1)


def uploaded(f: Filters, dataset: str, rows: int) -> bool:
    """Has the view any record of ``dataset`` up to the period's end? Asked only when the period
    has none (``rows`` 0): then a 0 would be a missing upload, not a finding (lib/metrics/cards)."""
    if rows > 0:
        return True
    return rows_of((data.query("facts", dataset, f.prefix, EVER, f.date_to),)) > 0


def never_uploaded(f: Filters, frames: dict[str, tuple[pd.DataFrame, ...]]) -> frozenset[str]:
    """The datasets of ``frames`` (dataset → its period's facts frames) the view has no record of."""
    return frozenset(ds for ds, pair in frames.items() if not uploaded(f, ds, rows_of(pair)))


def monthly_filled(f: Filters, dataset: str, monthly: pd.DataFrame, counts: list[str],
                   prefix: str | None = None) -> pd.DataFrame:
    """``monthly`` (facts by month of ``prefix``, the view by default) with every month of the
    period: a month without a record is 0 once the ledger holds any record (lib/charts/months), so
    a line never runs straight across a month that held nothing."""
    prefix = f.prefix if prefix is None else prefix
    month0 = pd.Timestamp(f.date_from.replace(day=1))
    held_first = not monthly.empty and (pd.to_datetime(monthly["month"]) <= month0).any()
    before = held_first or (f.date_from > EVER and rows_of((data.query(
        "facts", dataset, prefix, EVER, f.date_from - dt.timedelta(days=1)),)) > 0)
    return every_month(monthly, f.date_from, f.date_to, counts=counts,
                       since=first_month(before, monthly, f.date_from))


def with_names(per_child: pd.DataFrame) -> pd.DataFrame:
    """child prefix → region_code (12 digits) and name."""
    names = data.region_lookup("name")  # not a merge with every region: 240,000 at national scale
    out = per_child.copy()
    out["region_code"] = out["child"].astype(str).str.ljust(12, "0")
    out["name"] = [names.get(c) for c in out["region_code"]]
    return out[out["name"].notna()].reset_index(drop=True)


def parent_prefix(f: Filters) -> str | None:
    """The parent region's prefix, for the 'compared with its parent' line; None at the top and
    whenever the parent lies outside the user's scope (a district user never receives city figures,
    not even as an average)."""
    parent = _parent(f)
    if parent is None:
        return None
    try:
        p = prefix_of(parent)
    except ValueError:
        return None
    if not p.startswith(f.scope) or p == f.prefix:
        return None
    return p


def _parent(f: Filters) -> str | None:
    """The view's parent region, None when there is none worth comparing with: a parent holding
    this region only (the province of a warehouse's one city) averages the region itself."""
    parent = data.region_lookup("parent_code").get(f.region_code)
    if not isinstance(parent, str) or len(data.children_of(parent, f.level)) < 2:
        return None
    return parent


def parent_left_out(f: Filters) -> bool:
    """True when a parent exists but is outside the user's scope: the page says why no line is drawn."""
    parent = _parent(f)
    return isinstance(parent, str) and parent_prefix(f) is None and bool(f.scope) \
        and not prefix_of(parent).startswith(f.scope)


def parent_note(f: Filters) -> None:
    """The caption that replaces a parent comparison the user may not see."""
    if parent_left_out(f):
        st.caption(t("parent_out_of_scope", f.lang))


def partial(f: Filters) -> dict:
    """Trend options marking the view's last month as incomplete when the period stops inside it."""
    return {"partial_from": fmt.partial_month_start(f.date_to),
            "partial_label": fmt.until_label(f.date_to, f.lang)}


def parent_name(f: Filters) -> str:
    parent = data.region_lookup("parent_code").get(f.region_code)
    if not isinstance(parent, str):
        return ""
    return data.region_lookup("name").get(parent, "")


# A download's key prefix → the page's subject and the datasets behind it (file name, source line).
SUBJECTS = {"sc": ("page_screening", ("screening", "screening_target")),
            "tr": ("page_training", ("training",)),
            "em": ("page_employment", ("job_fair",)),
            "cv": ("page_coverage", ("org_unit",))}
PARTS = {"gaps": "export_part_gaps"}  # a second table on a page: its name in the file name


def export_title(f: Filters | None, key: str) -> export.ExportTitle | None:
    """What a download from this view says about itself: region, period, subject, the source and
    the data version (the last load of the datasets behind it, inside the user's scope)."""
    if f is None:
        try:
            f = current_filters()
        except (KeyError, AttributeError):  # no view (a page run on its own in a test)
            return None
    lang = f.lang
    title_key, datasets = SUBJECTS.get(key.split("_")[0], ("", ()))
    fresh = data.query("freshness", f.user_scope)
    if datasets:  # the demo loads every dataset in one batch named "demo"
        fresh = fresh[fresh["dataset"].isin([*datasets, "demo"])]
    source = source_text(fresh, datasets, lang)
    version = ""
    if len(fresh):
        last = pd.Timestamp(fresh["last_upload"].max())
        version = t("export_version", lang).format(when=f"{last:%Y-%m-%d %H:%M}")
    region = f.region_name + (f" · {t(f.area, lang)}" if f.area else "")
    return export.ExportTitle(region, f.date_from, f.date_to,
                              t(title_key, lang) if title_key else "", source, version, lang)


def source_text(fresh: pd.DataFrame, datasets: tuple[str, ...], lang: str) -> str:
    """Where a download's figures come from, from the view's loads (``fresh``: dataset,
    last_upload, is_demo): the federations' ledgers, the demo, or — when real uploads sit beside
    the demo — both, naming the ledgers that are real so a reader knows which part is not."""
    demo = bool(len(fresh)) and bool(fresh["is_demo"].astype(bool).any())
    real = [d for d in fresh.loc[~fresh["is_demo"].astype(bool), "dataset"]
            if d != "demo" and (not datasets or d in datasets)] if len(fresh) else []
    sep = "、" if lang == "zh" else ", "
    named = sep.join(dataset_label(d, lang) for d in (real if demo else datasets))
    ledgers = t("export_source", lang).format(names=named) if named else \
        t("export_source_all", lang)
    if not demo:
        return ledgers
    if not real:
        return t("export_source_demo", lang)
    return t("export_source_mixed", lang).format(ledgers=ledgers)


def _part(name: str, lang: str) -> str:
    if name.startswith("league_"):
        return ""  # the page's main table: 晋安区_两癌筛查_2026-01_2026-11.xlsx
    head = name.split("_")[0]
    return t(PARTS[head], lang) if head in PARTS else name


def downloads(frame: pd.DataFrame, name: str, key: str, lang: str, *,
              numbers: pd.DataFrame | None = None, formats: dict[str, str] | None = None,
              f: Filters | None = None) -> None:
    """CSV and XLSX of ``frame``; the files are built only when clicked (callables, no rerun).

    ``numbers`` is the same table with numbers instead of display text ("101.8%", "1.2万"), and
    ``formats`` their Excel number formats by column: the XLSX holds them as numbers an analyst
    can sum and sort, under a title row naming region, period, source and data version; the CSV
    holds them too (shares as percentages). Files are named 晋安区_两癌筛查_2026-01_2026-11.xlsx."""
    title = export_title(f, key)
    table = frame if numbers is None else numbers
    part = _part(name, lang)
    csv_name = title.file_name("csv", part) if title else f"{name}.csv"
    xlsx_name = title.file_name("xlsx", part) if title else f"{name}.xlsx"
    sheet = (title.heading(part) if title else name)
    row = st.container(horizontal=True, gap="small")  # side by side on a phone too
    row.download_button("CSV", lambda: export.csv_bytes(export.csv_numbers(table, formats)),
                        file_name=csv_name, mime="text/csv", key=f"{key}_csv", on_click="ignore")
    row.download_button("XLSX", lambda: export.xlsx_bytes(table, sheet, title=title, part=part,
                                                          formats=formats),
                        file_name=xlsx_name,
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"{key}_xlsx", on_click="ignore")


def altair(ch, where=None, **kwargs) -> None:
    """``st.altair_chart`` with the spec built once per chart object (lib/charts/memo) and not
    re-validated against the Vega-Lite schema on every rerun; the builders are validated in tests.
    ``ch`` may also be a spec dict already."""
    spec = ch if isinstance(ch, dict) else spec_of(ch)
    (where or st).vega_lite_chart(spec, width="stretch", **kwargs)


def chart(ch, name: str, key: str, f: Filters | None = None) -> None:
    """An Altair chart with a PNG download, rendered with CJK fonts only when clicked; the image
    carries region, period, source and data version, and the file is named after them."""
    altair(ch)
    title = export_title(f, key)
    own = spec_of(ch).get("title") if not isinstance(ch, dict) else ch.get("title")
    own = own.get("text") if isinstance(own, dict) else own
    part = "".join(own) if isinstance(own, list) else (own or "")
    st.download_button("PNG", lambda: export.chart_png(ch, title=title, part=part),
                       file_name=title.file_name("png", part) if title else f"{name}.png",
                       mime="image/png", key=f"{key}_png", on_click="ignore")


ROW_PX, MAX_FULL_ROWS = 35, 60


def league_height(rows: int) -> int:
    """Pixels that show every row (header included), so the red bottom three are in view without
    scrolling (a 10-row default hid them). Beyond MAX_FULL_ROWS the table scrolls, and the
    caption under it still names the bottom three."""
    return (min(rows, MAX_FULL_ROWS) + 1) * ROW_PX + 3


def league_table(f: Filters, current: pd.DataFrame, previous: pd.DataFrame | None, unit: str,
                 label: str, key: str, direction: str = "up") -> None:
    """比学赶超: rank, value, change in rank since last year; the bottom three are highlighted.

    Only child regions are ranked: rows recorded on the view's own region (a township's own training
    sessions at a township view) are no child of it, and fewer than two children make no ranking."""
    lang = f.lang
    current = current[current["region_code"] != f.region_code]
    if len(current) < 2:  # a line, not a heading with nothing under it
        st.caption(t("league_too_few", lang))
        return
    if pd.to_numeric(current["value"], errors="coerce").isna().all():  # e.g. no roster uploaded
        st.caption(t("league_no_values", lang))
        return
    st.subheader(t("league", lang))
    if previous is not None:
        previous = previous[previous["region_code"] != f.region_code]
    table = league(current, previous, direction=direction)
    # a child without a value (thin data, no roster) has no rank: named under the table instead of
    # a row whose rank reads "None"
    unranked = table[table["rank"].isna()]
    table = table[table["rank"].notna()].reset_index(drop=True)
    shown = pd.DataFrame({
        t("col_rank", lang): table["rank"],
        t("col_region", lang): table["name"],
        label: [fmt.value(v, unit, lang) for v in table["value"]],
        t("col_rank_change", lang): [("—" if pd.isna(c) else (f"↑{int(c)}" if c > 0 else
                                      (f"↓{-int(c)}" if c < 0 else "＝")))
                                     for c in table["rank_change"]],
    })
    bottom = table["bottom"].tolist()
    # The bottom three carry a red pill: a pandas Styler row fill cost ~30 ms per rerun.
    flag, flag_text = t("col_flag", lang), t("flag_bottom", lang)
    st.dataframe(shown.assign(**{flag: [[flag_text] if b else [] for b in bottom]}),
                 hide_index=True, width="stretch", height=league_height(len(shown)),
                 column_config={flag: st.column_config.MultiselectColumn(
                     flag, options=[flag_text], color=["#c62828"])})
    if any(bottom):
        names = ("、" if lang == "zh" else ", ").join(table.loc[table["bottom"], "name"])
        st.caption(t("bottom_note", lang).format(names=md_escape(names)))  # names: text, not Markdown
        raise_bottom(table, label, unit, key, lang)
    if len(unranked):
        names = ("、" if lang == "zh" else ", ").join(unranked["name"].astype(str))
        st.caption(t("league_unranked", lang).format(names=md_escape(names)))
    # the same table with numbers, for the downloads (a share 1.018 formatted 101.8%, not text)
    numbers = pd.DataFrame({
        t("col_rank", lang): table["rank"].astype("Int64"),
        t("col_region", lang): table["name"],
        label: pd.to_numeric(table["value"], errors="coerce"),
        t("col_rank_change", lang): pd.to_numeric(table["rank_change"],
                                                  errors="coerce").astype("Int64"),
    })
    downloads(shown, f"league_{key}", key, lang, f=f, numbers=numbers, formats={
        label: export.UNIT_FORMATS.get(unit, export.FLOAT_FORMAT),
        t("col_rank_change", lang): export.CHANGE_FORMAT})


def raise_bottom(table: pd.DataFrame, label: str, unit: str, key: str, lang: str) -> None:
    """督办 beside the bottom three of a league table (admins and analysts only)."""
    area = SUBJECTS.get(key.split("_")[0], ("page_" + key,))[0].removeprefix("page_")
    rows = [{"code": r.region_code, "name": r.name, "rank": int(r.rank),
             "value_text": fmt.value(r.value, unit, lang)}
            for r in table[table["bottom"]].itertuples()]
    followup_ui.raise_menu(
        [(f"{r['name']} · {r['value_text']}",
          prefills.from_league_row(r, label=label, count=len(table), area=area, lang=lang,
                                   today=clock.today())) for r in rows],
        key=f"{key}_fu", lang=lang, label=t("fup_raise_league", lang))


def monthly_vs_parent(f: Filters, dataset: str, measure: str) -> pd.DataFrame:
    """month, ``measure``, series: the region's monthly totals beside its parent's average per child
    region (a count compared fairly with the level above)."""
    area = dict(urban_rural=f.area)
    monthly = monthly_filled(f, dataset, data.query("facts", dataset, f.prefix, f.date_from,
                                                    f.date_to, by_month=True, **area), [measure])
    series = monthly.assign(series=t("this_region", f.lang))[["month", measure, "series"]]
    parent = parent_prefix(f)
    if not parent:
        return series
    pm = data.query("facts", dataset, parent, f.date_from, f.date_to, by_month=True,
                    child_len=len(f.prefix), **area)
    n_children = max(1, pm["child"].nunique())
    pm = monthly_filled(f, dataset, pm.groupby("month", as_index=False)[measure].sum(), [measure],
                        prefix=parent)
    pm[measure] = pm[measure] / n_children
    return pd.concat([series, pm.assign(series=t("parent_avg", f.lang))], ignore_index=True)


def trend_vs_parent(f: Filters, dataset: str, measure: str, metric_code: str, name: str,
                    key: str) -> alt.TopLevelMixin | None:
    """The monthly trend of ``measure`` beside the parent's average (or the note saying why the
    parent is left out), the incomplete last month drawn as such: one block for every page.
    Returns the chart drawn (None: no month to draw), for the page's shared picture."""
    series = monthly_vs_parent(f, dataset, measure)
    drawn = None
    if not series.empty:
        drawn = charts.trend(series, x="month", y=measure, series="series", lang=f.lang,
                             title=t("trend", f.lang), y_title=metric(metric_code).label(f.lang),
                             **partial(f))
        chart(drawn, name, key)
    parent_note(f)
    return drawn
