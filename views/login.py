"""登录 Sign in: the only page a visitor without a session can open."""
import streamlit as st

from lib.i18n import t
from lib.ui import auth_ui, data, filters



lang = filters.login_language()
st.title(t("app_title", lang))
message = st.session_state.pop(auth_ui.K_MSG, None)
if message:
    st.info(t(message, lang))
with st.form("login_form"):
    username = st.text_input(t("username", lang), key="login_user")
    password = st.text_input(t("password", lang), type="password", key="login_password")
    submitted = st.form_submit_button(t("login_button", lang), key="login_submit")
auth_ui.bind_browser()  # the sign-in's code will work in this browser only
if auth_ui.oidc_configured():
    st.button(t("login_oidc", lang), key="login_oidc", on_click=st.login)
if submitted:
    result = auth_ui.sign_in(data.engine(), username, password)
    if result.ok:
        st.rerun()
    st.error(t(auth_ui.login_message(result), lang))
