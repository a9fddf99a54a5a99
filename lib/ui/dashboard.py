"""Pieces every dashboard page uses: child-region frames, league tables, downloads, parent prefix."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from lib import export, fmt
from lib.charts.memo import spec_of
from lib.i18n import t
from lib.metrics.league import league
from lib.ui import data
from lib.ui.filters import Filters
from lib.warehouse.scope import ScopeError, narrow


def with_names(per_child: pd.DataFrame) -> pd.DataFrame:
    """child prefix → region_code (12 digits) and name."""
    names = data.region_lookup("name")  # not a merge with every region: 240,000 at national scale
    out = per_child.copy()
    out["region_code"] = out["child"].astype(str).str.ljust(12, "0")
    out["name"] = [names.get(c) for c in out["region_code"]]
    return out[out["name"].notna()].reset_index(drop=True)


def parent_prefix(f: Filters, scope: str = "") -> str | None:
    """The parent region's prefix, for the 'compared with its parent' line; None at the top."""
    parent = data.region_lookup("parent_code").get(f.region_code)
    if not isinstance(parent, str):
        return None
    try:
        p = narrow(scope, parent)
    except ScopeError:
        return None
    return None if p == f.prefix else p


def parent_name(f: Filters) -> str:
    parent = data.region_lookup("parent_code").get(f.region_code)
    if not isinstance(parent, str):
        return ""
    return data.region_lookup("name").get(parent, "")


def downloads(frame: pd.DataFrame, name: str, key: str, lang: str) -> None:
    """CSV and XLSX of ``frame``; the files are built only when clicked (callables, no rerun)."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("CSV", lambda: export.csv_bytes(frame), file_name=f"{name}.csv",
                       mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button("XLSX", lambda: export.xlsx_bytes(frame, name), file_name=f"{name}.xlsx",
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


def league_table(f: Filters, current: pd.DataFrame, previous: pd.DataFrame | None, unit: str,
                 label: str, key: str, direction: str = "up") -> None:
    """比学赶超: rank, value, change in rank since last year; the bottom three are highlighted."""
    lang = f.lang
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
                 hide_index=True, width="stretch",
                 column_config={flag: st.column_config.MultiselectColumn(
                     flag, options=[flag_text], color=["#c62828"])})
    if any(bottom):
        names = "、".join(table.loc[table["bottom"], "name"])
        st.caption(t("bottom_note", lang).format(names=html.escape(names)))
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
