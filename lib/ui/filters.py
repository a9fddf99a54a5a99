"""Global filters (region, period, urban/rural, language) in the sidebar, mirrored in the URL.

``?region=350111000000&from=2024-01&to=2024-12&area=rural&lang=zh`` reproduces a view: the URL is read
once when a session starts, then the widgets own the state and write it back on every run.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib import clock, fmt
from lib.i18n import LANGS, t
from lib.ui import data
from lib.view import Filters  # noqa: F401  (re-exported: pages and tests use filters.Filters)
from lib.warehouse.scope import ScopeError, level_of, narrow, prefix_of

K_LANG, K_DISTRICT, K_TOWNSHIP = "f_lang", "f_district", "f_township"
K_FROM, K_TO, K_AREA, K_INIT, K_DRILL = "f_from", "f_to", "f_area", "f_init", "f_drill"
_OWN_KEYS = {"region", "from", "to", "lang", "area"}


def _month_options(lo: dt.date, hi: dt.date) -> list[str]:
    return [m.strftime("%Y-%m") for m in pd.date_range(dt.date(lo.year, lo.month, 1), hi, freq="MS")]


def current_lang() -> str:
    lang = st.session_state.get(K_LANG) or st.query_params.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def drill_to(code: str) -> None:
    """Ask the filters to move to ``code`` (e.g. a district clicked on the map) on the next run."""
    st.session_state[K_DRILL] = code


def _init_from_url(regions: pd.DataFrame, scope: str, months: list[str]) -> None:
    qp = st.query_params
    st.session_state[K_INIT] = True
    st.session_state[K_LANG] = qp.get("lang", "zh") if qp.get("lang") in LANGS else "zh"
    st.session_state[K_AREA] = qp.get("area") if qp.get("area") in ("urban", "rural") else "all"
    if months:
        last = months[-1]
        default_from = f"{last[:4]}-01"
        st.session_state[K_FROM] = qp.get("from") if qp.get("from") in months else default_from
        st.session_state[K_TO] = qp.get("to") if qp.get("to") in months else last
    code = qp.get("region")
    if code:
        _apply_region(code, regions, scope, from_url=True)


def _apply_region(code: str, regions: pd.DataFrame, scope: str, from_url: bool = False) -> None:
    known = data.region_lookup("name")
    try:
        level = level_of(code)
        narrow(scope, code)
        if code not in known:
            raise ValueError(code)
    except (ValueError, ScopeError):
        st.session_state["f_bad_region"] = True
        return
    if level == "district":
        st.session_state[K_DISTRICT], st.session_state[K_TOWNSHIP] = code, "all"
    elif level == "township":
        st.session_state[K_DISTRICT] = code[:6].ljust(12, "0")
        st.session_state[K_TOWNSHIP] = code
    elif level in ("city", "province"):
        st.session_state[K_DISTRICT], st.session_state[K_TOWNSHIP] = "all", "all"


def default_region(cities: list[str], scope: str) -> str:
    """The region shown before any choice: the first city inside (or around) the caller's scope.

    Not simply the first city: a user scoped to the warehouse's second city would be sent to the
    first one, which ``narrow`` refuses (issue 15). A scope below a city starts at that city and is
    then shown as the scope itself (see ``sidebar_filters``).
    """
    for city in cities:
        own = prefix_of(city)
        if own.startswith(scope) or scope.startswith(own):
            return city
    return scope.ljust(12, "0")


def sidebar_filters(scope: str = "") -> Filters:
    """Draw the sidebar filters and return the view they select (always within ``scope``)."""
    regions = data.query("regions")
    lo, hi = data.query("data_period")
    today = clock.today()
    months = _month_options(lo or dt.date(today.year, 1, 1), hi or today)
    if not st.session_state.get(K_INIT):
        _init_from_url(regions, scope, months)
    if st.session_state.get(K_DRILL):
        _apply_region(st.session_state.pop(K_DRILL), regions, scope)

    with st.sidebar:
        lang = st.selectbox(t("language", current_lang()), list(LANGS), key=K_LANG,
                            format_func=LANGS.get)
        st.subheader(t("filters", lang))
        names = data.region_lookup("name")
        cities = data.codes_at("city")
        districts = data.codes_at("district")
        district_opts = ["all"] + [d for d in districts if d.startswith(scope)]
        if st.session_state.get(K_DISTRICT) not in district_opts:
            st.session_state[K_DISTRICT] = "all"
        district = st.selectbox(t("district", lang), district_opts, key=K_DISTRICT,
                                format_func=lambda c: t("all", lang) if c == "all" else names[c])
        township_opts = ["all"]
        if district != "all":
            township_opts += data.children_of(district, "township")
        if st.session_state.get(K_TOWNSHIP) not in township_opts:
            st.session_state[K_TOWNSHIP] = "all"
        township = st.selectbox(t("township", lang), township_opts, key=K_TOWNSHIP,
                                format_func=lambda c: t("all", lang) if c == "all" else names[c],
                                disabled=district == "all")
        st.caption(t("period", lang))
        fmt_m = lambda m: fmt.month(dt.date(int(m[:4]), int(m[5:]), 1), lang)  # noqa: E731
        for key, default in ((K_FROM, months[0]), (K_TO, months[-1])):
            if st.session_state.get(key) not in months:
                st.session_state[key] = default
        # one below the other: side by side, "2026年12月" was cut off in the sidebar's half width
        m_from = st.selectbox(t("from", lang), months, key=K_FROM, format_func=fmt_m)
        m_to = st.selectbox(t("to", lang), months, key=K_TO, format_func=fmt_m)
        area = st.radio(t("urban_rural", lang), ["all", "urban", "rural"], key=K_AREA,
                        horizontal=True, format_func=lambda a: t(a, lang))
    if m_from > m_to:
        m_from, m_to = m_to, m_from
    if township != "all":
        code = township
    elif district != "all":
        code = district
    else:
        code = default_region(cities, scope)
    if scope and len(prefix_of(code)) < len(scope):
        # A parent of the caller's scope (the city for a district user) shows the scope: name the
        # scope's own region, so pages keyed by region code (targets, meeting) never get the city.
        code = scope.ljust(12, "0")
    date_from = dt.date(int(m_from[:4]), int(m_from[5:]), 1)
    end_month = pd.Timestamp(m_to + "-01") + pd.offsets.MonthEnd(0)
    date_to = min(end_month.date(), max(today, hi or today))
    # Keys other pages own (e.g. the meeting page's ?interval=) survive the rewrite.
    extra = {k: st.query_params[k] for k in st.query_params if k not in _OWN_KEYS}
    st.query_params.from_dict({**extra, "region": code, "from": m_from, "to": m_to, "lang": lang,
                               **({"area": area} if area != "all" else {})})
    if st.session_state.pop("f_bad_region", False):
        st.warning(t("bad_region", lang))
    return Filters(lang=lang, region_code=code, region_name=names.get(code, code),
                   level=level_of(code), prefix=narrow(scope, code), date_from=date_from,
                   date_to=date_to, area=None if area == "all" else area, scope=scope)
