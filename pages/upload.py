"""数据上传 Upload: choose dataset, upload, preview with header mapping, problems, dry run, confirm;
batch history with rollback; templates."""
import streamlit as st

from lib import export
from lib.i18n import dataset_label, t
from lib.ingest import (DATASETS, RollbackRefused, export_problems_xlsx, list_batches,
                        load_prepared, prepare_upload, rollback_batch, template_xlsx)
from lib.ui import data, widgets
from lib.ui.auth_ui import require_role
from lib.ui.frame import current_filters, page_guard

page_guard()
account = require_role("analyst", "admin")
f = current_filters()
lang = f.lang
user, scope = account.username, account.scope_prefix
st.title(t("page_upload", lang))
widgets.demo_banner(lang)

names = ["auto"] + list(DATASETS)
dataset = st.selectbox(t("up_dataset", lang), names, key="up_dataset",
                       format_func=lambda d: t("up_guess", lang) if d == "auto" else dataset_label(d, lang))
with st.expander(t("up_templates", lang)):
    cols = st.columns(len(DATASETS))
    for col, name in zip(cols, DATASETS):
        col.download_button(dataset_label(name, lang), template_xlsx(name),
                            file_name=f"template_{name}.xlsx", key=f"up_tpl_{name}")
upload = st.file_uploader(t("up_file", lang), type=["csv", "xlsx"], key="up_file")
mode = st.radio(t("up_mode", lang), ["upsert", "replace"], horizontal=True, key="up_mode",
                format_func=lambda m: t(f"up_mode_{m}", lang))

if upload is not None:
    raw = upload.getvalue()
    with st.spinner(t("up_reading", lang)):
        prepared = prepare_upload(data.engine(), raw, upload.name,
                                  dataset=None if dataset == "auto" else dataset, scope=scope)
    if prepared.dataset:
        msg = t("up_detected", lang).format(ds=dataset_label(prepared.dataset, lang),
                                            rows=prepared.rows_read)
        (st.info if prepared.guessed else st.caption)(msg)
    if not prepared.mapping.empty:
        st.subheader(t("up_mapping", lang))
        st.dataframe(prepared.mapping, hide_index=True, use_container_width=True)
    for note in prepared.notes.itertuples(index=False):
        st.warning(note.problem_zh if lang == "zh" else note.problem_en)
    if not prepared.ok:
        st.error(t("up_refused", lang).format(n=len(prepared.problems)))
        probs = prepared.problems.rename(columns={"row": t("up_row", lang),
                                                  "column": t("up_col", lang)})
        st.dataframe(probs, hide_index=True, use_container_width=True)
        st.download_button(t("up_problems_xlsx", lang),
                           export_problems_xlsx(prepared.raw, prepared.problems),
                           file_name=f"问题说明_{upload.name}.xlsx", key="up_problems")
    else:
        st.subheader(t("up_preview", lang))
        st.dataframe(prepared.frame.head(50), use_container_width=True)
        dry = load_prepared(data.engine(), prepared, mode=mode, user=user, dry_run=True)
        c = dry.counts
        st.write(t("up_dry", lang).format(add=c.added, rep=c.replaced, same=c.unchanged,
                                          ret=c.retired))
        if st.button(t("up_confirm", lang), type="primary", key="up_confirm"):
            bar = st.progress(0.3, text=t("up_loading", lang))
            out = load_prepared(data.engine(), prepared, mode=mode, user=user)
            bar.progress(1.0)
            (st.success if out.ok else st.error)(out.message_zh if lang == "zh" else out.message_en)

st.subheader(t("up_history", lang))
batches = list_batches(data.engine(), scope=scope)
if batches.empty:
    st.caption("—")
else:
    shown = batches.assign(dataset=batches["dataset"].map(lambda d: dataset_label(d, lang)))
    st.dataframe(shown, hide_index=True, use_container_width=True)
    widgets_cols = st.columns([2, 1, 3])
    live = batches[(batches["status"] != "rolled_back") & (~batches["is_demo"].astype(bool))]
    if not live.empty:
        pick = widgets_cols[0].selectbox(t("up_rollback_pick", lang), live["batch_id"].tolist(),
                                         key="up_rb_pick")
        if widgets_cols[1].button(t("up_rollback", lang), key="up_rb"):
            try:
                res = rollback_batch(data.engine(), int(pick), user=user, scope=scope)
                st.success(t("up_rolled_back", lang).format(b=res.batch_id, r=res.removed,
                                                             s=res.restored))
            except RollbackRefused as exc:
                st.error(str(exc))
    st.download_button("CSV", export.csv_bytes(shown), file_name="batches.csv", key="up_hist_csv")
