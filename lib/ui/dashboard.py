"""Pieces every dashboard page uses: child-region frames, league tables, downloads, parent prefix."""
from __future__ import annotations


import pandas as pd
import streamlit as st

from lib import export, fmt
from lib.charts.memo import spec_of
from lib.i18n import t
from lib.metrics.league import league
from lib.ui import data
from lib.ui.filters import Filters
from lib.ui.safe import md_escape
from lib.warehouse.scope import prefix_of


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
    not even as an average: DESIGN §8, issue 12)."""
    parent = data.region_lookup("parent_code").get(f.region_code)
    if not isinstance(parent, str):
        return None
    try:
        p = prefix_of(parent)
    except ValueError:
        return None
    if not p.startswith(f.scope) or p == f.prefix:
        return None
    return p


def parent_left_out(f: Filters) -> bool:
    """True when a parent exists but is outside the user's scope: the page says why no line is drawn."""
    parent = data.region_lookup("parent_code").get(f.region_code)
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


def downloads(frame: pd.DataFrame, name: str, key: str, lang: str) -> None:
    """CSV and XLSX of ``frame``; the files are built only when clicked (callables, no rerun)."""
    row = st.container(horizontal=True, gap="small")  # side by side on a phone too
    row.download_button("CSV", lambda: export.csv_bytes(frame), file_name=f"{name}.csv",
                        mime="text/csv", key=f"{key}_csv", on_click="ignore")
    row.download_button("XLSX", lambda: export.xlsx_bytes(frame, name), file_name=f"{name}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"{key}_xlsx", on_click="ignore")


def altair(ch, where=None, **kwargs) -> None:
    """``st.altair_chart`` with the spec built once per chart object (lib/charts/memo) and not
    re-validated against the Vega-Lite schema on every rerun; the builders are validated in tests.
    ``ch`` may also be a spec dict already."""
    spec = ch if isinstance(ch, dict) else spec_of(ch)
    (where or st).vega_lite_chart(spec, width="stretch", **kwargs)


def chart(ch, name: str, key: str) -> None:
    """An Altair chart with a PNG download, rendered with CJK fonts only when clicked."""
    altair(ch)
    st.download_button("PNG", lambda: export.chart_png(ch), file_name=f"{name}.png",
                       mime="image/png", key=f"{key}_png", on_click="ignore")


ROW_PX, MAX_FULL_ROWS = 35, 60


def league_height(rows: int) -> int:
    """Pixels that show every row (header included), so the red bottom three are in view without
    scrolling (issue 11: a 10-row default hid them). Beyond MAX_FULL_ROWS the table scrolls, and the
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
    st.subheader(t("league", lang))
    if previous is not None:
        previous = previous[previous["region_code"] != f.region_code]
    table = league(current, previous, direction=direction)
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
    downloads(shown, f"league_{key}", key, lang)


def monthly_vs_parent(f: Filters, dataset: str, measure: str) -> pd.DataFrame:
    """month, ``measure``, series: the region's monthly totals beside its parent's average per child
    region (a count compared fairly with the level above)."""
    area = dict(urban_rural=f.area)
    monthly = data.query("facts", dataset, f.prefix, f.date_from, f.date_to, by_month=True, **area)
    series = monthly.assign(series=t("this_region", f.lang))[["month", measure, "series"]]
    parent = parent_prefix(f)
    if not parent:
        return series
    pm = data.query("facts", dataset, parent, f.date_from, f.date_to, by_month=True,
                    child_len=len(f.prefix), **area)
    n_children = max(1, pm["child"].nunique())
    pm = pm.groupby("month", as_index=False)[measure].sum()
    pm[measure] = pm[measure] / n_children
    return pd.concat([series, pm.assign(series=t("parent_avg", f.lang))], ignore_index=True)
