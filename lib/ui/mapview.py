"""The map widget: pydeck map of the child regions, legend and credits beside it, click to drill."""
from __future__ import annotations

import html
import os

import pandas as pd
import streamlit as st

from lib.geo.deck import build_map, picked_region
from lib.i18n import t
from lib.ui import data, filters
from lib.ui.filters import Filters
from lib.ui.safe import md_escape, md_join


def _shapes(level: str, codes: tuple[str, ...]):
    from lib.geo.shapes import map_shapes

    return map_shapes(data.engine(), level, list(codes))


data.register("map_shapes", lambda engine, level, codes: _shapes(level, codes))


def tile_url() -> str | None:
    """An intranet tile server, if configured; the default map has no basemap at all."""
    return os.environ.get("HALFSKY_TILE_URL") or None


def breadcrumb(f: Filters, key: str) -> None:
    """City › district › township: each ancestor is a button that moves the filters up to it."""
    names = data.region_lookup("name")
    chain = []
    code = f.region_code
    parents = data.region_lookup("parent_code")
    while isinstance(code, str) and code:
        chain.append(code)
        code = parents.get(code)
    chain.reverse()
    cols = st.columns(len(chain) + 4)
    for i, c in enumerate(chain):
        # region names come from imported CSVs; button labels are Markdown too
        label = ("› " if i else "") + md_escape(names.get(c, c))
        if c == f.region_code:
            cols[i].markdown(f"**{label}**")
        elif cols[i].button(label, key=f"{key}_crumb_{c}"):
            filters.drill_to(c)
            st.rerun()


def region_map(f: Filters, values: pd.DataFrame, metric_label: str, unit: str, key: str) -> None:
    """Draw ``values`` (region_code, name, value[, denominator, label]) for the children of ``f``.

    Clicking a district (or township) moves the global filter there: the drill-down of DESIGN §6.
    """
    level = f.child_level
    if level not in ("district", "township") or values.empty:
        return
    shapes = data.query("map_shapes", level, tuple(sorted(values["region_code"])))
    view = build_map(values, level, f.lang, metric_label, unit, shapes=shapes, tile_url=tile_url())
    left, right = st.columns([5, 1])
    with left:
        event = st.pydeck_chart(view.deck, on_select="rerun", selection_mode="single-object",
                                key=key, height=480)
    with right:
        st.markdown(f"**{md_escape(metric_label)}**")
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;background:{c};'
            f'margin-right:6px;border:1px solid #999"></span>{html.escape(lbl)}</div>'
            for c, lbl in view.legend)
        st.markdown(rows, unsafe_allow_html=True)
        if view.not_drawn:
            names = dict(zip(values["region_code"], values["name"]))
            st.caption(t("not_drawn", f.lang) + "：" + md_join(
                names.get(c, c) for c in view.not_drawn))
    st.caption(f"{t('sources', f.lang)}：{view.attribution}")
    code = picked_region(getattr(event, "selection", None) if event is not None else None)
    if code and code != f.region_code and code.startswith(f.prefix):
        filters.drill_to(code)
        st.rerun()
