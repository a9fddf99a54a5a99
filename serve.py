"""halfsky's server: the Streamlit app (app.py) plus the sign-in cookie routes.

Start with ``streamlit run serve.py`` (the README's command). ``streamlit run app.py`` still serves
the app, but a sign-in then lasts only as long as the browser tab: a reload asks again.
"""
import streamlit as st

from lib.ui import data
from lib.web import session_routes

app = st.App("app.py", routes=session_routes.routes(engine=data.engine))
