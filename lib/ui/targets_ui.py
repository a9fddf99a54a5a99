"""The 目标监测 page's download of the annual monitoring report (Word), as the signed-in account.

The document is built when the button is clicked, in a server thread outside the script run: the
session's grant is checked again there and its scope bound, so the report's figures and the 督办
items it lists are those the account may see (lib/ui/data.query and lib/ui/service).
"""
from __future__ import annotations

import streamlit as st

from lib import clock
from lib.i18n import t
from lib.monitoring.document import monitoring_report_docx
from lib.monitoring.evaluation import FIRST_YEAR, build_report, kind_of
from lib.ui import auth_ui, data, service
from lib.ui.filters import Filters
from lib.ui.reading_ui import DOCX_MIME, UiSource


def year_label(year: int, lang: str) -> str:
    """2026年度 / 2025（中期评估）/ 2030（终期评估）: what the year's report is."""
    return t(f"targets_docx_{kind_of(year)}", lang).format(year=year)


def report_docx(f: Filters, grant, year: int, *, charts: bool = True) -> bytes:
    """The report of the page's region as of the end of ``year``, while ``grant`` still holds."""
    reason = auth_ui.recheck(data.engine(), grant)
    if reason is not None:
        raise PermissionError(t(reason, f.lang))
    account = grant.user
    with data.scope_bound(account.scope):  # no session state in this thread
        report = build_report(
            UiSource(), f.region_code, year=year, lang=f.lang,
            scope=service.view_scope(f.region_code), data_version=data.version(),
            followups=lambda codes: service.indicator_followups(account, f.region_code, codes))
        return monitoring_report_docx(report, charts=charts)


def year_select(lang: str) -> int:
    """The report's year: this year by default; 2025 is the mid-term evaluation, 2030 the final."""
    years = list(range(clock.today().year, FIRST_YEAR - 1, -1))
    return st.selectbox(t("targets_docx_year", lang), years, key="t_docx_year",
                        format_func=lambda y: year_label(y, lang))


def report_download(f: Filters, year: int) -> None:
    """The button that writes the report as of the end of ``year`` when clicked."""
    grant = auth_ui.current_grant()
    st.download_button(t("targets_docx", f.lang), lambda: report_docx(f, grant, year),
                       file_name=f"monitoring_{f.region_code}_{year}.docx", mime=DOCX_MIME,
                       key="t_docx", on_click="ignore", icon=":material/description:")
