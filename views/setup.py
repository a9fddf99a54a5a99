"""初始设置 First-time setup: create the first admin of an empty warehouse (no default password)."""
import streamlit as st

from lib.auth import setup_code, accounts
from lib.auth.passwords import PasswordPolicyError
from lib.i18n import t
from lib.ui import auth_ui, data, filters



lang = filters.login_language()
st.title(t("page_setup", lang))
st.info(t("setup_intro", lang))
regions = data.query("regions")
scopes = regions[regions["level"].isin(["country", "province", "city", "district"])]
names = dict(zip(scopes["code"], scopes["name"]))
top = filters.top_of("")  # offered first: the view the app opens on (a one-city warehouse: its city)
with st.form("setup_form"):
    code = st.text_input(t("setup_code", lang), key="setup_code",
                         max_chars=setup_code.MAX_INPUT, help=t("setup_code_help", lang))
    username = st.text_input(t("username", lang), key="setup_user")
    pw = st.text_input(t("password", lang), type="password", key="setup_password")
    pw2 = st.text_input(t("password_again", lang), type="password", key="setup_password2")
    scope = st.selectbox(t("scope", lang), list(names), key="setup_scope",
                         index=list(names).index(top) if top in names else 0,
                         format_func=lambda c: f"{names[c]} {c}")
    submitted = st.form_submit_button(t("setup_button", lang), key="setup_submit")
if submitted:
    try:
        if pw != pw2:
            raise accounts.AccountError("pw_mismatch")
        setup_code.create_first_admin(data.engine(), code, username, pw, scope or "")
    except (accounts.AccountError, PasswordPolicyError) as exc:
        st.error(t(exc.code, lang))
    else:
        auth_ui.sign_in(data.engine(), username, pw)
        st.rerun()
