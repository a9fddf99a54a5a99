"""数据上传 Upload: choose dataset, upload, preview with header mapping, problems, dry run, confirm;
batch history with rollback; templates; for admins, the official township boundaries."""
import tempfile
from pathlib import Path

import streamlit as st

from lib import clock, export, fmt
from lib.followup import prefills
from lib.i18n import TEXT, dataset_label, enum_label, t
from lib.ingest import DATASETS, RollbackRefused, export_problems_xlsx, template_xlsx
from lib.ingest.errors import IngestRefused
from lib.ingest.readers import xlsx_sheets
from lib.ingest.regions_match import RegionIndex
from lib.ingest.warnings import MAX_PER_REASON
from lib.ingest.specs import REGION_COLUMNS
from lib.ui import data, followup_ui, service, uploader, widgets
from lib.ui.auth_ui import require_role
from lib.ui.problems_ui import problems_table
from lib.ui.frame import current_filters
from lib.ui.safe import md_escape

account = require_role("analyst", "admin")
f = current_filters()
lang = f.lang
st.title(t("page_upload", lang))
widgets.demo_banner(lang)
flash = st.session_state.pop("up_flash", None)
if flash:
    st.success(flash)

names = ["auto"] + list(DATASETS) + ["progress"]  # progress: a published 进度表
dataset = st.selectbox(t("up_dataset", lang), names, key="up_dataset",
                       format_func=lambda d: t("up_guess", lang) if d == "auto" else dataset_label(d, lang))
with st.expander(t("up_templates", lang)):
    cols = st.columns(len(DATASETS))
    for col, name in zip(cols, DATASETS):
        col.download_button(dataset_label(name, lang), template_xlsx(name),
                            file_name=f"template_{name}.xlsx", key=f"up_tpl_{name}")
upload = uploader.file_uploader(t("up_file", lang), ["csv", "xlsx"], "up_file", lang)
sheet = None  # a workbook of several sheets: the analyst chooses (a refusal names those with data)
if upload is not None and upload.getvalue()[:4] == b"PK\x03\x04":
    try:
        sheets = xlsx_sheets(upload.getvalue())
    except IngestRefused:
        sheets = []  # unreadable or over a limit: the reader's refusal below says why
    if len(sheets) > 1:  # preselected: the first sheet with a ledger header, else with data
        holding = [name for name, has_data, _ in sheets if has_data]
        tables = [name for name, _, has_header in sheets if has_header]
        names = [name for name, _, _ in sheets]
        first = (tables or holding or names)[0]
        sheet = st.selectbox(t("up_sheet", lang), names, key="up_sheet", index=names.index(first),
                             format_func=lambda n: n if n in holding else
                             f"{n}（{t('up_sheet_empty', lang)}）")
mode = st.radio(t("up_mode", lang), ["upsert", "replace"], horizontal=True, key="up_mode",
                format_func=lambda m: t(f"up_mode_{m}", lang))

from lib.ingest.progress import looks_like_progress  # noqa: E402
from lib.ui.progress_ui import progress_upload  # noqa: E402

if upload is not None and (dataset == "progress" or dataset == "auto" and looks_like_progress(
        upload.getvalue(), upload.name)):
    progress_upload(account, upload.getvalue(), upload.name, lang=lang)
elif upload is not None:
    raw = upload.getvalue()
    bar = st.progress(0.05, text=t("up_reading", lang))
    prepared = service.prepare(account, raw, upload.name, sheet=sheet,
                               dataset=None if dataset == "auto" else dataset)
    bar.progress(0.6, text=t("up_checking", lang))
    if prepared.dataset:
        msg = t("up_detected", lang).format(ds=dataset_label(prepared.dataset, lang),
                                            rows=prepared.rows_read)
        (st.info if prepared.guessed else st.caption)(msg)
    # the analyst's own Chinese headers (first alias) name the canonical columns
    spec = {name: aliases[0] for name, aliases in REGION_COLUMNS.items()}
    if prepared.dataset:
        spec |= {c.name: c.aliases[0] for c in DATASETS[prepared.dataset].columns if c.aliases}
    if not prepared.mapping.empty:
        st.subheader(t("up_mapping", lang))
        # the field by its Chinese header in Chinese, by its words in English: never a code name
        fields = {c: spec[c] if lang == "zh" else c.replace("_", " ") for c in spec}
        st.dataframe(prepared.mapping.replace({"column": fields | {"": t("up_ignored", lang)}}),
                     hide_index=True, column_config={"header": t("up_header", lang),
                                                     "column": t("up_field", lang)})
    # Messages quote the file's own headers, sheet and region names: text, never Markdown.
    for note in prepared.notes.itertuples(index=False):
        st.warning(md_escape(note.problem_zh if lang == "zh" else note.problem_en))
    if not prepared.ok:
        bar.empty()
        problem = "problem_zh" if lang == "zh" else "problem_en"
        # the table is long; the kinds of problem, by column, say at a glance what to fix
        kinds = prepared.problems.drop_duplicates(["column", problem]).head(5)
        st.error("\n".join([t("up_refused", lang).format(n=fmt.exact(len(prepared.problems))), ""]
                           + [f"- **{md_escape(r.column or '—')}**：{md_escape(getattr(r, problem))}"
                              for r in kinds.itertuples(index=False)]))
        problems_table(prepared.problems, lang)
        st.download_button(t("up_problems_xlsx", lang),
                           export_problems_xlsx(prepared.raw, prepared.problems),
                           file_name=f"问题说明_{upload.name}.xlsx", key="up_problems")
    else:
        st.subheader(t("up_preview", lang))
        preview = prepared.frame.head(50).copy()
        for col in (c.name for c in DATASETS[prepared.dataset].columns if c.kind == "enum"):
            preview[col] = preview[col].map(lambda v: enum_label(v, lang) if isinstance(v, str) else v)
        st.dataframe(preview, width="stretch",
                     column_config={"_index": t("up_row", lang)} | (spec if lang == "zh" else {}))
        dry = service.load(account, prepared, mode=mode, dry_run=True)
        bar.empty()
        c, out = dry.counts, dry
        if dry.ok:
            st.write(t("up_dry", lang).format(add=fmt.exact(c.added), rep=fmt.exact(c.replaced),
                                              same=fmt.exact(c.unchanged),
                                              ret=fmt.exact(c.retired)))
            if len(dry.retiring):  # replace mode: exactly which regions and months lose rows
                st.warning(t("up_retiring", lang).format(n=fmt.exact(dry.retiring["rows"].sum())))
                st.dataframe(
                    dry.retiring.assign(
                        region=dry.retiring["region_name"] + "（" + dry.retiring["region_code"] + "）",
                        kind=dry.retiring["kind"].map(lambda k: enum_label(k, lang) if k else "")),
                    hide_index=True, width="stretch", key="up_retiring",
                    column_order=["region", "period", *(["kind"] if dry.retiring["kind"].any()
                                                         else []), "rows"],
                    column_config={"region": t("up_ret_region", lang),
                                   "period": t("up_ret_period", lang),
                                   "kind": t("up_ret_kind", lang),
                                   "rows": st.column_config.NumberColumn(t("up_ret_rows", lang),
                                                                         format="localized")})
            if dry.warnings_total:  # figures that load but deserve a second look, before confirm
                st.warning(t("up_warnings", lang).format(n=fmt.exact(dry.warnings_total)))
                wcol = "warning_zh" if lang == "zh" else "warning_en"
                st.dataframe(dry.warnings, hide_index=True, width="stretch", key="up_warn_table",
                             column_order=["row", "region_name", wcol, "column", "value"],
                             column_config={"row": st.column_config.NumberColumn(t("up_row", lang),
                                                                                 format="%d"),
                                            "region_name": t("up_w_region", lang),
                                            "column": t("up_col", lang),
                                            "value": t("up_value", lang),
                                            wcol: st.column_config.TextColumn(t("up_warning", lang),
                                                                              width="large")})
                if dry.warnings_total > len(dry.warnings):
                    st.caption(t("up_w_more", lang).format(k=MAX_PER_REASON, n=dry.warnings_total))
            if st.button(t("up_confirm", lang), type="primary", key="up_confirm"):
                bar = st.progress(0.3, text=t("up_loading", lang))
                out = service.load(account, prepared, mode=mode)
                bar.progress(1.0, text=t("up_done", lang))
                (st.success if out.ok else st.error)(
                    md_escape(out.message_zh if lang == "zh" else out.message_en))
            # 督办 a warned row once the file is stored (loaded now, or every row unchanged): the
            # button leaves this page, and a file not yet confirmed would be left behind unloaded
            stored = out.ok if out is not dry else (c.unchanged > 0 and not (
                c.added or c.replaced or c.retired))
            if dry.warnings_total and stored:
                followup_ui.raise_menu(
                    [(f"{r['row']} · {r['region_name']} · {r[wcol]}",
                      prefills.from_upload_warning(r, filename=upload.name, lang=lang,
                                                   today=clock.today()))
                     for r in dry.warnings.to_dict("records")
                     if isinstance(r["region_code"], str) and len(r["region_code"]) == 12],
                    key="up_fu", lang=lang, label=t("fup_raise_upload", lang))
        else:
            st.error(md_escape(dry.message_zh if lang == "zh" else dry.message_en))
        if not out.ok:  # refused by the loader (e.g. records of another scope): the file's rows
            problems_table(out.problems, lang)

st.subheader(t("up_history", lang))
batches = service.batches(account)
if batches.empty:
    st.caption(t("up_no_batches", lang))
else:
    history = ["batch_id", "dataset", "filename", "uploaded_by", "uploaded_at", "mode", "status",
               "is_demo", "rows_read", "rows_loaded", "rows_rejected", "warnings"]
    heads = {c: t(f"up_h_{c}", lang) for c in history}
    label = lambda key, raw: t(key, lang) if key in TEXT else raw  # noqa: E731
    shown = batches.assign(dataset=batches["dataset"].map(lambda d: dataset_label(d, lang)),
                           mode=batches["mode"].map(lambda m: label(f"up_mode_{m}", m)),
                           status=batches["status"].map(lambda s: label(f"up_status_{s}", s)),
                           is_demo=batches["is_demo"].astype(bool))
    st.dataframe(shown, hide_index=True, width="stretch", column_order=history,
                 column_config=heads | {
                     "batch_id": st.column_config.NumberColumn(heads["batch_id"], format="%d"),
                     "uploaded_at": st.column_config.DatetimeColumn(heads["uploaded_at"],
                                                                    format="YYYY-MM-DD HH:mm"),
                     "is_demo": st.column_config.CheckboxColumn(heads["is_demo"])} | {
                     c: st.column_config.NumberColumn(heads[c], format="localized")
                     for c in ("rows_read", "rows_loaded", "rows_rejected", "warnings")})
    widgets_cols = st.columns([2, 1, 3])
    live = batches[(batches["status"] != "rolled_back") & (~batches["is_demo"].astype(bool))]
    if not live.empty:
        files = dict(zip(live["batch_id"].astype(int).tolist(), live["filename"]))
        widgets.pick_newest_when_new("up_rb_pick", max(files))
        pick = widgets_cols[0].selectbox(t("up_rollback_pick", lang), list(files), key="up_rb_pick",
                                         format_func=lambda b: f"{b} · {files[b]}")
        if widgets_cols[1].button(t("up_rollback", lang), key="up_rb"):
            try:
                res = service.rollback(account, int(pick))
                st.session_state["up_flash"] = t("up_rolled_back", lang).format(
                    b=res.batch_id, r=res.removed, s=res.restored)
                st.rerun()  # the history above was drawn before the rollback
            except RollbackRefused as exc:
                st.error(exc.zh if lang == "zh" else exc.en)
    st.download_button(t("download_csv", lang),
                       export.csv_bytes(shown[history].rename(columns=heads)),
                       file_name="batches.csv", key="up_hist_csv")

# --- admins: official township boundaries (polygons replace the seat circles) ---------------------
if account.role == "admin":
    st.divider()
    st.subheader(t("up_geo", lang))
    st.caption(t("up_geo_help", lang))
    geo = uploader.file_uploader(t("up_geo_file", lang), ["geojson", "json", "zip", "gpkg"],
                                 "up_geo_file", lang)
    crs = st.radio(t("up_geo_crs", lang), ["wgs84", "gcj02"], horizontal=True, key="up_geo_crs",
                   format_func=lambda c: t(f"up_geo_crs_{c}", lang))
    if geo is not None and st.button(t("up_geo_import", lang), type="primary", key="up_geo_import"):
        report = None
        with st.spinner(t("up_geo_reading", lang)), tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(geo.name).name  # the suffix tells the reader the format
            path.write_bytes(geo.getvalue())
            try:
                report = service.import_township_boundaries(account, path, crs=crs,
                                                            source=geo.name)
            except Exception as exc:  # unreadable or unmatched file: geopandas/pyogrio raise many types
                st.error(t("up_geo_failed", lang).format(err=md_escape(exc)))
        if report is not None:
            (st.success if report.written else st.warning)(t("up_geo_done", lang).format(
                written=report.written, matched=len(report.matched),
                unmatched=len(report.unmatched), bare=len(report.without_polygon)))
            regions = data.query("regions")
            index = RegionIndex.build(regions, account.scope.prefix)
            reasons = {"no region": "up_geo_r_none", "ambiguous": "up_geo_r_ambiguous",
                       "code ": "up_geo_r_code_name", "not a polygon": "up_geo_r_polygon"}
            rows = []
            for label, reason in report.unmatched:
                key = next((v for k, v in reasons.items() if reason.startswith(k)), None)
                if key == "up_geo_r_ambiguous":
                    cands = [index.label(c.strip()) for c in reason.split(":", 1)[1].split(",")]
                elif key == "up_geo_r_code_name":
                    cands = [index.label(reason.split()[1])]
                else:
                    cands = index.closest("township", label, None)
                rows.append({"feature": label, "reason": t(key, lang) if key else reason,
                             "candidates": "、".join(cands)})
            if rows:
                st.markdown(f"**{t('up_geo_unmatched', lang)}**")
                st.dataframe(rows, hide_index=True, width="stretch",
                             column_config={"feature": t("up_geo_feature", lang),
                                            "reason": t("up_geo_reason", lang),
                                            "candidates": t("up_geo_candidates", lang)})
            if report.without_polygon:
                st.markdown(f"**{t('up_geo_without', lang)}**")
                st.dataframe([{"code": c, "name": n} for c, n in report.without_polygon],
                             hide_index=True, width="stretch",
                             column_config={"code": t("up_geo_code", lang),
                                            "name": t("up_geo_name", lang)})
