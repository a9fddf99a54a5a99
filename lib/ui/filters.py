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
from lib.filters import Filters  # noqa: F401  (re-exported: pages and tests use Filters)
from lib.warehouse.scope import COUNTRY_CODE, Scope, ScopeError, level_of, narrow, pad, prefix_of, top_region

K_LANG, K_DISTRICT, K_TOWNSHIP = "f_lang", "f_district", "f_township"
K_PROVINCE, K_CITY = "f_province", "f_city"
_REGION_KEYS = (K_PROVINCE, K_CITY, K_DISTRICT, K_TOWNSHIP)
K_FROM, K_TO, K_AREA, K_INIT, K_DRILL = "f_from", "f_to", "f_area", "f_init", "f_drill"
K_RESTORE = "f_restore"
_OWN_KEYS = {"region", "from", "to", "lang", "area"}
LEVEL_CITY = 4  # LEVEL_LENGTH["city"]
LEVEL_DISTRICT, LEVEL_TOWNSHIP = 6, 9  # LEVEL_LENGTH["district"], ["township"]


def _month_options(lo: dt.date, hi: dt.date) -> list[str]:
    return [m.strftime("%Y-%m") for m in pd.date_range(dt.date(lo.year, lo.month, 1), hi, freq="MS")]


def current_lang() -> str:
    lang = st.session_state.get(K_LANG) or st.query_params.get("lang", "zh")
    return lang if lang in LANGS else "zh"


def language_box() -> str:
    """The language box at the top of the sidebar: the filters' first widget, and the login page's
    only one (so a visitor reads the form in their language before signing in)."""
    with st.sidebar:
        return st.selectbox(t("language", current_lang()), list(LANGS), key=K_LANG,
                            format_func=lambda code: LANGS[code])


def login_language() -> str:
    """The language box for a visitor not signed in. The choice goes into the URL, which the
    filters read when the signed-in session starts, so signing in keeps it."""
    if K_LANG not in st.session_state:
        st.session_state[K_LANG] = current_lang()
    lang = language_box()
    if st.query_params.get("lang", "zh") != lang:
        st.query_params["lang"] = lang
    return lang


def drill_to(code: str) -> None:
    """Ask the filters to move to ``code`` (e.g. a district clicked on the map) on the next run."""
    st.session_state[K_DRILL] = code


def view_params(f: Filters) -> dict[str, str]:
    """The URL parameters that show ``f`` again: region, months, language, urban/rural."""
    return {"region": f.region_code, "from": f"{f.date_from:%Y-%m}", "to": f"{f.date_to:%Y-%m}",
            "lang": f.lang, **({"area": f.area} if f.area else {})}


def restore_view(f: Filters) -> None:
    """Show ``f`` again from the next run on, whatever the widgets hold by then: leaving meeting
    mode (whose sidebar is hidden) returned to the city for every month when Streamlit had
    forgotten the hidden widgets' state on the way."""
    st.session_state[K_RESTORE] = view_params(f)


def _init_from_url(scope: str, months: list[str], params: dict[str, str] | None = None) -> None:
    qp = st.query_params if params is None else params
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
        _apply_region(code, scope, from_url=True)


def region_choices(code: str) -> dict[str, str]:
    """The sidebar's four selections that show ``code``: its province, city, district and township
    ("all" below its own level). The country (and the whole warehouse) is all four "all"."""
    level = level_of(code)
    out = dict.fromkeys(_REGION_KEYS, "all")
    for key, lvl, n in ((K_PROVINCE, "province", 2), (K_CITY, "city", 4),
                        (K_DISTRICT, "district", 6), (K_TOWNSHIP, "township", 9)):
        if level == "country":
            break
        out[key] = pad(code[:n])
        if level == lvl:
            break
    return out


def _apply_region(code: str, scope: str, from_url: bool = False) -> None:
    known = data.region_lookup("name")
    try:
        level = level_of(code)
        narrow(scope, code)
        if level == "village" or (code not in known and code != COUNTRY_CODE):
            raise ValueError(code)
    except (ValueError, ScopeError):
        st.session_state["f_bad_region"] = True
        return
    st.session_state.update(region_choices(code))


def default_region(cities: list[str], scope: str) -> str:
    """The region shown before any choice: the first city inside (or around) the caller's scope.

    Not simply the first city: a user scoped to the warehouse's second city would be sent to the
    first one, which ``narrow`` refuses. A scope below a city starts at that city and is
    then shown as the scope itself (see ``sidebar_filters``).
    """
    for city in cities:
        own = prefix_of(city)
        if own.startswith(scope) or scope.startswith(own):
            return city
    return scope.ljust(12, "0")


def _select(label: str, options: list[str], key: str, names, lang: str, **kw) -> str:
    """A region select box over ``options`` ("all" first, or the one fixed region), its state reset
    to the first option when no longer offered."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    if hasattr(names, "prefetch"):
        names.prefetch(options)
    return st.selectbox(label, options, key=key, format_func=lambda c: t("all", lang) if c == "all"
                        else names.get(c, c), **kw)


def _within(codes: list[str], *prefixes: str) -> list[str]:
    return [c for c in codes if all(c.startswith(p) for p in prefixes)]


def top_of(scope: str) -> str:
    """The region a user of ``scope`` opens on: the country, the only province, or the city."""
    names = data.region_lookup("name")
    top = top_region(data.codes_at("province"), data.codes_at("city"), scope,
                     known={c for c in (COUNTRY_CODE, *data.codes_at("province")) if c in names})
    return top or default_region(data.codes_at("city"), scope)


def sidebar_filters(scope: Scope) -> Filters:
    """Draw the sidebar filters and return the view they select (always within ``scope``); the
    months offered are those with data inside ``scope``."""
    lo, hi = data.query("data_period", scope)
    own = scope.prefix  # the view below carries the prefix
    today = clock.today()
    months = _month_options(lo or dt.date(today.year, 1, 1), hi or today)
    restore = st.session_state.pop(K_RESTORE, None)
    if not st.session_state.get(K_INIT) or restore:
        _init_from_url(own, months, restore)
    if st.session_state.get(K_DRILL):
        _apply_region(st.session_state.pop(K_DRILL), own)

    lang = language_box()
    with st.sidebar:
        st.subheader(t("filters", lang))
        names = data.region_lookup("name")
        scope_in = own[:LEVEL_CITY]  # a district user's own city still counts as one choice
        provinces = [p for p in data.codes_at("province") if prefix_of(p).startswith(scope_in)
                     or scope_in.startswith(prefix_of(p))]
        cities = data.codes_at("city")
        own_cities = _within(cities, scope_in)
        # Province and city boxes only where there is a choice (a single-city warehouse's sidebar
        # is as it always was); a hidden box means "all", and the view falls back to the top.
        province = city = "all"
        if len(provinces) > 1:
            province = _select(t("province", lang), ["all"] + provinces, K_PROVINCE, names, lang)
        p_prefix = "" if province == "all" else province[:2]
        if len(own_cities) > 1:
            city = _select(t("city", lang), ["all"] + _within(own_cities, p_prefix), K_CITY,
                           names, lang)
        c_prefix = "" if city == "all" else city[:4]
        # A district (township) user's box names that district (township), fixed: "全部" there
        # read as the whole city to the people it was shown to.
        if len(own) >= LEVEL_DISTRICT:
            district = _select(t("district", lang), [pad(own[:LEVEL_DISTRICT])], K_DISTRICT,
                               names, lang, disabled=True)
        elif not c_prefix and len(_within(own_cities, p_prefix)) > 1:
            # several cities and none chosen: their districts (~3,000 at the country) are no list
            # to scroll — the city comes first, as the township box waits for a district
            district = _select(t("district", lang), ["all"], K_DISTRICT, names, lang,
                               disabled=True)
        else:
            district = _select(t("district", lang), ["all"] + _within(
                data.codes_at("district"), own, p_prefix, c_prefix), K_DISTRICT, names, lang)
        if len(own) >= LEVEL_TOWNSHIP:
            township = _select(t("township", lang), [pad(own[:LEVEL_TOWNSHIP])], K_TOWNSHIP,
                               names, lang, disabled=True)
        else:
            township_opts = ["all"]
            if district != "all":
                township_opts += data.children_of(district, "township")
            township = _select(t("township", lang), township_opts, K_TOWNSHIP, names, lang,
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
    code = next((c for c in (township, district, city, province) if c != "all"), None)
    code = code or top_of(own)
    if own and len(prefix_of(code)) < len(own):
        # A parent of the caller's scope (the city for a district user) shows the scope: name the
        # scope's own region, so pages keyed by region code (targets, meeting) never get the city.
        code = own.ljust(12, "0")
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
                   level=level_of(code), prefix=narrow(own, code), date_from=date_from,
                   date_to=date_to, area=None if area == "all" else area, scope=own)
