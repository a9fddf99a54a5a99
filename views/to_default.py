"""The default page's name as an address (/overview, typed or bookmarked): Streamlit serves the
default page at the root and knows no other address for it, so this sends the reader there, with
the same view (region, period, language) in the query."""
import streamlit as st

from lib.ui.nav import PAGES

st.switch_page(next(p.path for p in PAGES if p.default), query_params=st.query_params.to_dict())
