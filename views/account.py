"""我的账户 My account: who I am, my scope, and changing my own password."""
import streamlit as st

from lib.auth import accounts
from lib.auth.passwords import PasswordPolicyError
from lib.i18n import t
from lib.ui import auth_ui, data
from lib.ui.frame import current_filters


lang = current_filters().lang
user = auth_ui.current_user()
st.title(t("page_account", lang))
st.text(f"{t('username', lang)}：{user.username} · {t('role', lang)}："
         f"{t('role_' + user.role, lang)} · {t('scope', lang)}：{user.scope_code or t('all', lang)}")
if auth_ui.auth_disabled() or user.role == "display":
    st.stop()
st.subheader(t("change_password", lang))
with st.form("password_form", clear_on_submit=True):
    old = st.text_input(t("old_password", lang), type="password", key="pw_old")
    new = st.text_input(t("new_password", lang), type="password", key="pw_new")
    new2 = st.text_input(t("password_again", lang), type="password", key="pw_new2")
    submitted = st.form_submit_button(t("change_password", lang), key="pw_submit")
if submitted:
    try:
        if new != new2:
            raise accounts.AccountError("pw_mismatch")
        # this browser's sign-in stays; every other one of the account ends
        here = (st.session_state.get(auth_ui.K_AUTH) or {}).get("session_id")
        accounts.change_password(data.engine(), user.username, old, new, keep_session=here)
    except (accounts.AccountError, PasswordPolicyError) as exc:
        st.error(t(exc.code, lang))
    else:
        st.success(t("password_changed", lang))
