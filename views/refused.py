"""A page this account may not open, reached by its address (a shared link, a bookmark): the menu
does not list it; this says so in the user's language and shows no data."""
import streamlit as st

from lib.i18n import t
from lib.ui.frame import current_filters

lang = current_filters().lang
st.error(t("page_refused", lang))
st.caption(t("page_refused_hint", lang))
