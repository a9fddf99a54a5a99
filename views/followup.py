"""督办事项 Follow-ups: what the warnings asked for, who owns it and by when. Admins and analysts
create items (prefilled when a warning's 督办 button brought the reader here); owners add notes,
files and close them; everyone sees the items of their own scope only, overdue first."""
import streamlit as st

from lib import clock
from lib.followup.model import Prefill
from lib.i18n import t
from lib.ui import followup_page as P, service, widgets
from lib.ui.auth_ui import current_user
from lib.ui.followup_ui import may_assign
from lib.ui.frame import current_filters

user = current_user()
lang = current_filters().lang
today = clock.today()
st.title(t("page_followup", lang))
st.caption(t("fup_caption", lang))
widgets.demo_banner(lang)
P.flash()

prefill = Prefill.from_query(st.query_params)
if may_assign(user):
    P.create_form(user, prefill, lang, today)
elif prefill is not None:
    st.info(t("fu_role_refused", lang))

view = P.view_choice(user, lang)
chosen = P.list_filters(user, lang, today)
items = service.followups(user, view=view, **chosen)
if not items:
    st.info(t("fup_none", lang))
else:
    # keyed by the filters: a row picked in one list is not carried, by position, into another
    clicked = P.items_table(items, lang, today, key=f"fup_table_{view}_{hash(tuple(chosen.items()))}")
    P.export_button(items, lang, today)
    item = P.pick(items, clicked, lang)
    if item is not None:
        P.detail(user, item, lang, today)
