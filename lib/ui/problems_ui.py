"""The refusal table of an upload: one row per problem, the file's own row number or "整个文件"."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import t


def problems_display(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The problems as the analyst reads them: a problem about the whole file (no row number)
    says so instead of the grid's grey "None", and only the columns the page shows, in order."""
    problem = "problem_zh" if lang == "zh" else "problem_en"
    out = problems[["row", "column", "value", problem]].copy()
    out["row"] = [t("up_whole_file", lang) if pd.isna(r) else str(int(r)) for r in out["row"]]
    out["column"] = out["column"].fillna("").astype(str)
    out["value"] = out["value"].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                                    else str(v))
    return out


def problems_table(problems: pd.DataFrame, lang: str) -> None:
    problem = "problem_zh" if lang == "zh" else "problem_en"
    st.dataframe(problems_display(problems, lang), hide_index=True, width="stretch",
                 column_order=["row", "column", "value", problem],
                 column_config={"row": t("up_row", lang), "column": t("up_col", lang),
                                "value": t("up_value", lang),
                                problem: st.column_config.TextColumn(t("up_problem", lang),
                                                                     width="large")})
