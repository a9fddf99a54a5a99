"""管理 Admin: users and scopes, meeting display links, the audit log (filterable, downloadable).

Every list here is narrowed to the admin's scope in lib (SQL), and every change is checked there:
the page calls lib/ui/service with the signed-in admin, never with a scope of its own.
"""
import datetime as dt

import streamlit as st

from lib import export
from lib.auth import accounts
from lib.auth.passwords import PasswordPolicyError
from lib.i18n import t
from lib.ui import auth_ui, service, widgets
from lib.ui.frame import current_filters


admin = auth_ui.require_role("admin")
lang = current_filters().lang
st.title(t("page_admin", lang))

scopes = service.regions_in_scope(admin, ("country", "province", "city", "district", "township"))
scope_names = dict(zip(scopes["code"], scopes["name"]))
scope_label = lambda c: f"{scope_names.get(c, c)} {c}"  # noqa: E731


def _refused(exc: Exception) -> None:
    code = getattr(exc, "code", "bad_scope")
    st.error(t("admin_scope_refused" if code == "scope_refused" else code, lang))


tab_users, tab_sessions, tab_links, tab_audit = st.tabs(
    [t("admin_users", lang), t("admin_sessions", lang), t("admin_links", lang), t("admin_audit", lang)],
    key="admin_tabs", on_change="rerun")  # a widget: the open tab survives a button's rerun

with tab_users:
    account_rows = service.accounts(admin)
    st.dataframe(widgets.labelled(account_rows, lang, regions=scope_names), hide_index=True,
                 width="stretch")
    c_add, c_edit = st.columns(2)
    with c_add, st.form("add_user", clear_on_submit=True):
        st.subheader(t("admin_add_user", lang))
        name = st.text_input(t("username", lang), key="add_name")
        pw = st.text_input(t("password", lang), type="password", key="add_password")
        role = st.selectbox(t("role", lang), accounts.ROLES, key="add_role",
                            format_func=lambda r: t("role_" + r, lang))
        scope = st.selectbox(t("scope", lang), list(scope_names), key="add_scope",
                             format_func=scope_label)
        if st.form_submit_button(t("admin_add_user", lang), key="add_submit"):
            try:
                service.create_account(admin, name, pw, role, scope or "")
                st.success(t("saved", lang))
            except (accounts.AccountError, PasswordPolicyError) as exc:
                _refused(exc)
    with c_edit:
        st.subheader(t("admin_edit_user", lang))
        target = st.selectbox(t("username", lang), account_rows["username"].tolist(), key="edit_name")
        row = account_rows[account_rows["username"] == target].iloc[0] if target else None
        if row is not None:
            with st.form("edit_user"):
                role = st.selectbox(t("role", lang), accounts.ROLES, key="edit_role",
                                    index=accounts.ROLES.index(row["role"]),
                                    format_func=lambda r: t("role_" + r, lang))
                codes = list(scope_names)
                scope = st.selectbox(t("scope", lang), codes, key="edit_scope",
                                     index=codes.index(row["scope_code"])
                                     if row["scope_code"] in codes else 0, format_func=scope_label)
                active = st.checkbox(t("active", lang), value=bool(row["active"]), key="edit_active")
                if st.form_submit_button(t("save", lang), key="edit_submit"):
                    try:
                        service.update_account(admin, target, role=role, scope_code=scope,
                                               active=active)
                        st.success(t("saved", lang))
                    except accounts.AccountError as exc:
                        _refused(exc)
            with st.form("reset_password", clear_on_submit=True):
                new_pw = st.text_input(t("new_password", lang), type="password", key="reset_pw")
                if st.form_submit_button(t("admin_reset_password", lang), key="reset_submit"):
                    try:
                        service.reset_password(admin, target, new_pw)
                        st.success(t("saved", lang))
                    except (accounts.AccountError, PasswordPolicyError) as exc:
                        _refused(exc)

def _end_session() -> None:
    """Button callback: runs before the rerun, so the list below is already without the session."""
    pick = st.session_state.get("session_pick")
    done = bool(pick) and service.end_session(admin, pick, clock=auth_ui.clock)
    st.session_state["_session_flash"] = "session_ended" if done else "admin_scope_refused"


with tab_sessions:
    flash = st.session_state.pop("_session_flash", None)
    if flash == "session_ended":
        st.success(t(flash, lang))
    elif flash:
        st.error(t(flash, lang))
    open_sessions = service.sessions(admin, clock=auth_ui.clock)
    if open_sessions.empty:
        st.info(t("admin_no_sessions", lang))
    else:
        # no session id on screen: it is a handle for the button, not something an admin reads
        shown = open_sessions.drop(columns=["id"]).rename(
            columns={c: t(f"session_{c}", lang) for c in open_sessions.columns})
        st.dataframe(shown, hide_index=True, width="stretch")
        by_id = open_sessions.set_index("id")
        mine = (st.session_state.get(auth_ui.K_AUTH) or {}).get("session_id")
        others = [i for i in by_id.index if i != mine]  # ending one's own: use 退出登录
        st.selectbox(t("session_end", lang), others, key="session_pick",
                     format_func=lambda i: f"{by_id.at[i, 'username']} · "
                                           f"{by_id.at[i, 'created_at']:%m-%d %H:%M} · "
                                           f"{by_id.at[i, 'client'] or ''}")
        st.button(t("session_end", lang), key="session_end", on_click=_end_session)

with tab_links:
    with st.form("add_link"):
        label = st.text_input(t("link_label", lang), key="link_label")
        region = st.selectbox(t("region", lang), list(scope_names), key="link_region",
                              format_func=scope_label)
        days = st.number_input(t("link_days", lang), min_value=1, max_value=366, value=30,
                               key="link_days")
        if st.form_submit_button(t("link_create", lang), key="link_submit"):
            try:
                token = service.create_display_link(admin, region, int(days), label)
                st.success(t("link_created", lang))
                st.code(f"?display={token}", language=None)
            except accounts.AccountError as exc:
                _refused(exc)
    table = service.display_links(admin)
    shown = table.assign(token_hash=table["token_hash"].str[:8],
                         status=[t(f"link_status_{v}", lang) for v in table["status"]])
    st.dataframe(widgets.labelled(shown, lang, regions=scope_names), hide_index=True,
                 width="stretch")
    live = table[table["revoked_at"].isna()]
    if not live.empty:
        pick = st.selectbox(t("link_revoke", lang), live["token_hash"].tolist(), key="link_pick",
                            format_func=lambda h: f"{h[:8]} · {live.set_index('token_hash').at[h, 'label']}")
        if st.button(t("link_revoke", lang), key="link_revoke"):
            try:
                service.revoke_display_link(admin, pick)
            except accounts.AccountError as exc:
                _refused(exc)
            else:
                st.success(t("link_revoked", lang))
                st.rerun()

with tab_audit:
    c1, c2, c3 = st.columns(3)
    who = c1.selectbox(t("audit_user", lang), ["", *account_rows["username"].tolist()], key="audit_user",
                       format_func=lambda u: u or t("all", lang))
    action = c2.selectbox(t("audit_action", lang),
                          ["", *service.audit_actions(admin)],
                          key="audit_action", format_func=lambda a: a or t("all", lang))
    days = c3.number_input(t("audit_days", lang), min_value=1, max_value=3660, value=30,
                           key="audit_days")
    since = dt.datetime.now() - dt.timedelta(days=int(days))
    log = service.audit_log(admin, username=who or None, action=action or None, since=since)
    st.dataframe(widgets.labelled(log, lang), hide_index=True, width="stretch")
    st.download_button(t("download_csv", lang), export.csv_bytes(log),
                       file_name="halfsky_audit.csv", mime="text/csv", key="audit_csv")

from lib.ui.progress_ui import alias_form  # noqa: E402  (region aliases for progress tables)
alias_form(admin, lang)
