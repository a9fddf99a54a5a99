"""Progress tables (进度表) on the pages: the upload page's path for a published table (preview,
warnings, dry run, confirm) and the screening page's 进度公示表 download.

Kept out of views/ so the pages only place them.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import fmt
from lib.export_progress import progress_filename, progress_rows, progress_xlsx

from lib.auth.accounts import User
from lib.i18n import enum_label, t
from lib.ingest.errors import IngestRefused
from lib.ingest.progress import capped_rate
from lib.ui import data, service
from lib.ui.safe import md_escape
from lib.warehouse.progress_store import progress_dates, progress_frame


def progress_upload(account: User, raw: bytes, filename: str, *, lang: str) -> None:
    """Show what the progress table holds and load it on confirm (same Outcome as other uploads)."""
    as_of = None
    try:
        table = service.read_progress_table(raw, filename)
    except IngestRefused as exc:
        table = None
        if any("截至" in p for p in exc.problems["problem_zh"]):  # only the date is missing
            as_of = st.date_input(t("pg_as_of", lang), value=None, key="pg_as_of")
            if as_of is not None:
                try:
                    table = service.read_progress_table(raw, filename, as_of=as_of)
                except IngestRefused as again:
                    exc = again
        if table is None:
            _problems(exc.problems, lang)
            return
    kinds = "、".join(enum_label(k, lang) for k in table.kinds)
    st.info(t("pg_detected", lang).format(d=table.as_of.isoformat(),
                                          n=table.rows["region_code"].nunique(), k=kinds))
    preview = table.rows.assign(kind=table.rows["kind"].map(lambda k: enum_label(k, lang)))
    st.dataframe(preview, hide_index=True, width="stretch", key="pg_preview",
                 column_order=["row", "name", "region_code", "kind", "quota", "done"],
                 column_config={"row": st.column_config.NumberColumn(t("up_row", lang), format="%d"),
                                "name": t("pg_region", lang), "region_code": t("pg_code", lang),
                                "kind": t("pg_kind", lang), "quota": t("pg_quota", lang),
                                "done": t("pg_done", lang)})
    dry = service.load_progress_table(account, raw, filename, dry_run=True, as_of=as_of)
    if not dry.ok:
        _problems(dry.problems, lang)
        return
    st.write(md_escape(dry.message_zh if lang == "zh" else dry.message_en))
    if dry.warnings_total:
        st.warning(t("up_warnings", lang).format(n=fmt.exact(dry.warnings_total)))
        wcol = "warning_zh" if lang == "zh" else "warning_en"
        st.dataframe(dry.warnings, hide_index=True, width="stretch", key="pg_warn_table",
                     column_order=["row", wcol],
                     column_config={"row": st.column_config.NumberColumn(t("up_row", lang),
                                                                         format="%d"),
                                    wcol: st.column_config.TextColumn(t("up_warning", lang),
                                                                      width="large")})
    if dry.status == "dry_run" and dry.counts.added + dry.counts.replaced and st.button(
            t("up_confirm", lang), type="primary", key="pg_confirm"):
        out = service.load_progress_table(account, raw, filename, as_of=as_of)
        (st.success if out.ok else st.error)(md_escape(out.message_zh if lang == "zh"
                                                       else out.message_en))
        if not out.ok:
            _problems(out.problems, lang)


def _problems(problems, lang: str) -> None:
    problem = "problem_zh" if lang == "zh" else "problem_en"
    st.error(t("up_refused", lang).format(n=fmt.exact(len(problems))))
    st.dataframe(problems, hide_index=True, width="stretch", key="pg_problems",
                 column_order=["row", "column", "value", problem],
                 column_config={"row": st.column_config.NumberColumn(t("up_row", lang), format="%d"),
                                "column": t("up_col", lang), "value": t("up_value", lang),
                                problem: st.column_config.TextColumn(t("up_problem", lang),
                                                                     width="large")})


def progress_download(f) -> None:
    """A download of the 进度公示表 for the selected region and period: done = screened in the
    period, quota = the targets of the period's years, one row per child region (the region itself
    below district level). Built only when clicked."""
    cl = f.child_len if f.level in ("country", "province", "city", "district") else len(f.prefix)
    years = list(range(f.date_from.year, f.date_to.year + 1))
    facts = data.query("facts", "screening", f.prefix, f.date_from, f.date_to, child_len=cl,
                       by=("kind",), urban_rural=f.area)
    targets = data.query("screening_targets", f.prefix, years, child_len=cl, urban_rural=f.area)
    lookup = data.region_lookup("name")
    children = set(facts.get("child", [])) | set(targets.get("child", []))
    names = {c: lookup.get(str(c).ljust(12, "0")) for c in children}
    rows = progress_rows(facts, targets, {c: n for c, n in names.items() if n})
    if rows.empty:
        return
    region = f.region_name + (f"（{t(f.area, 'zh')}）" if f.area else "")
    demo = bool(data.query("has_demo_rows"))
    version = data.version()
    st.download_button(
        t("pg_download", f.lang),
        lambda: progress_xlsx(rows, region_name=region, date_from=f.date_from, as_of=f.date_to,
                              demo=demo, data_version=version),
        file_name=progress_filename(region, f.date_from, f.date_to),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="sc_progress_xlsx", on_click="ignore")


def stored_progress(f) -> None:
    """The progress tables loaded for this region, as published: cumulative to their as-of date,
    apart from the monthly figures above (never added to them)."""
    engine = data.engine()
    view = service.view_scope(f.region_code)
    dates = progress_dates(engine, view)
    if not dates:
        return
    with st.expander(t("pg_stored", f.lang).format(d=dates[0].isoformat())):
        day = st.selectbox(t("pg_as_of_pick", f.lang), dates, key="sc_progress_day",
                           format_func=lambda d: d.isoformat()) if len(dates) > 1 else dates[0]
        rows = progress_frame(engine, view, day)
        rows = rows.assign(order=rows["kind"].map({"cervical": 0, "breast": 1})).sort_values(
            ["region_code", "order"])  # 宫颈癌 before 乳腺癌, as published
        rates = [capped_rate(d, None if pd.isna(q) else q)
                 for d, q in zip(rows["done"], rows["quota"].astype(object))]
        shown = rows.assign(kind=rows["kind"].map(lambda k: enum_label(k, f.lang)),
                            rate=[None if r is None else round(100 * r, 1) for r in rates])
        st.dataframe(shown, hide_index=True, width="stretch", key="sc_progress_table",
                     column_order=["name", "kind", "quota", "done", "rate"],
                     column_config={"name": t("pg_region", f.lang), "kind": t("pg_kind", f.lang),
                                    "quota": st.column_config.NumberColumn(t("pg_quota", f.lang),
                                                                           format="localized"),
                                    "done": st.column_config.NumberColumn(t("pg_done", f.lang),
                                                                          format="localized"),
                                    "rate": st.column_config.NumberColumn(t("pg_rate", f.lang),
                                                                          format="%.1f%%")})
        st.caption(t("pg_stored_note", f.lang))


def alias_form(admin, lang: str) -> None:
    """The admin's region aliases (经开区 → a code) for progress tables: list, add and remove, each
    only inside the admin's scope (the store narrows every one of them in SQL)."""
    flash = st.session_state.pop("pg_alias_flash", None)
    with st.expander(t("pg_alias_title", lang), expanded=flash is not None):
        if flash:
            st.success(md_escape(flash))
        mine = service.aliases(admin)
        st.dataframe(mine, hide_index=True, width="stretch",
                     key="pg_alias_list",
                     column_config={"alias": t("pg_alias", lang), "region_code": t("pg_alias_code", lang),
                                    "display_name": t("pg_alias_name", lang),
                                    "added_by": t("pg_alias_by", lang),
                                    "added_at": st.column_config.DatetimeColumn(
                                        t("pg_alias_at", lang), format="YYYY-MM-DD HH:mm")})
        with st.form("pg_alias_form", clear_on_submit=True):
            alias = st.text_input(t("pg_alias", lang), key="pg_alias_in")
            code = st.text_input(t("pg_alias_code", lang), key="pg_alias_code_in")
            name = st.text_input(t("pg_alias_name", lang), key="pg_alias_name_in")
            if st.form_submit_button(t("pg_alias_add", lang)):
                try:
                    service.add_region_alias(admin, alias, code, name or None)
                except (ValueError, PermissionError) as exc:
                    st.error(md_escape(str(exc)))
                else:  # drawn again, so the table above lists the new alias
                    st.session_state["pg_alias_flash"] = t("pg_alias_added", lang).format(a=alias,
                                                                                          c=code)
                    st.rerun()
        if len(mine):
            cols = st.columns([3, 1])
            gone = cols[0].selectbox(t("pg_alias_remove_pick", lang), mine["alias"].tolist(),
                                     key="pg_alias_remove_pick")
            if cols[1].button(t("pg_alias_remove", lang), key="pg_alias_remove"):
                if service.remove_region_alias(admin, gone):
                    st.session_state["pg_alias_flash"] = t("pg_alias_removed", lang).format(a=gone)
                    st.rerun()
