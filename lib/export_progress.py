"""The 进度公示表 a federation publishes, built from the warehouse's screening facts and targets.

Same shape the progress reader (lib/ingest/progress.py) takes in, so an exported table loads back:
a title row with the region and the as-of date (and 示例数据 on demo data), a two-row merged header
(序号, 地区, then per kind 任务数 / 累计完成 / 完成率), the 合计 row first, one row per child region,
and a 注 footnote last saying the period, the 100 % cap and the source. Counts are numbers and the
completion a number formatted as a percentage, so Excel can sum and sort them.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from lib.ingest.exports import neutralise_cell
from lib.ingest.progress import KIND_LABELS, capped_rate

MEASURES = ("任务数", "累计完成", "完成率")


def progress_rows(facts: pd.DataFrame, targets: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per child region and kind: quota (the targets of the period's years) and done (screened in the
    period). ``facts``: child, kind, screened; ``targets``: child, kind, quota; ``names``: child →
    name. Children without a name (outside the region table) are left out."""
    done = (facts.groupby(["child", "kind"], as_index=False)["screened"].sum()
            .rename(columns={"screened": "done"}) if len(facts)
            else pd.DataFrame(columns=["child", "kind", "done"]))
    quota = (targets.groupby(["child", "kind"], as_index=False)["quota"].sum() if len(targets)
             else pd.DataFrame(columns=["child", "kind", "quota"]))
    out = quota.merge(done, on=["child", "kind"], how="outer")
    out["name"] = [names.get(str(c)) for c in out["child"]]
    out = out[out["name"].notna()].copy()
    out["done"] = pd.to_numeric(out["done"]).fillna(0).astype("int64")
    out["quota"] = pd.to_numeric(out["quota"]).round().astype("Int64")
    return out.sort_values(["child", "kind"]).reset_index(drop=True)[["child", "name", "kind",
                                                                     "quota", "done"]]


def _date_zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def progress_title(region_name: str, as_of: dt.date, *, demo: bool = False) -> str:
    title = f"{region_name}“两癌”筛查工作进度公示表（截至{_date_zh(as_of)}）"
    return f"{title}（示例数据）" if demo else title


def progress_xlsx(rows: pd.DataFrame, *, region_name: str, date_from: dt.date, as_of: dt.date,
                  demo: bool = False, source: str = "halfsky 两癌筛查数据",
                  data_version: int | None = None,
                  kinds: tuple[str, ...] = ("cervical", "breast")) -> bytes:
    """The 进度公示表 as XLSX bytes. ``rows``: name, kind, quota, done (one row per region and kind,
    e.g. from ``progress_rows``), regions in the order given."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    names = list(dict.fromkeys(rows["name"].tolist()))
    by = {(r.name, r.kind): r for r in rows.itertuples(index=False)}
    width = 2 + 3 * len(kinds)
    wb = Workbook()
    ws = wb.active
    ws.title = "进度公示表"
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws.cell(1, 1, neutralise_cell(progress_title(region_name, as_of, demo=demo)))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = center
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "序号")
    ws.cell(2, 2, "地区")
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    for i, kind in enumerate(kinds):
        col = 3 + 3 * i
        ws.cell(2, col, KIND_LABELS[kind])
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 2)
        for j, m in enumerate(MEASURES):
            ws.cell(3, col + j, m)

    def put(r: int, label: str, values: list[tuple[int | None, int]]) -> None:
        ws.cell(r, 2, neutralise_cell(label))
        for i, (quota, done) in enumerate(values):
            col = 3 + 3 * i
            if quota is not None:
                ws.cell(r, col, int(quota)).number_format = "#,##0"
            ws.cell(r, col + 1, int(done)).number_format = "#,##0"
            rate = capped_rate(done, quota)
            if rate is not None:
                ws.cell(r, col + 2, round(rate, 4)).number_format = "0.0%"

    def pair(name: str, kind: str) -> tuple[int | None, int]:
        r = by.get((name, kind))
        if r is None:
            return None, 0
        return (None if pd.isna(r.quota) else int(r.quota)), int(r.done)

    per = {n: [pair(n, k) for k in kinds] for n in names}
    totals = []
    for i, _ in enumerate(kinds):
        quotas = [per[n][i][0] for n in names if per[n][i][0] is not None]
        totals.append((sum(quotas) if quotas else None, sum(per[n][i][1] for n in names)))
    put(4, "合计", totals)
    for c in range(1, width + 1):
        ws.cell(4, c).font = Font(bold=True)
    for k, n in enumerate(names, start=1):
        ws.cell(4 + k, 1, k)
        put(4 + k, n, per[n])
    last = 4 + len(names)
    version = f"，数据版本 {data_version}" if data_version is not None else ""
    note = (f"注：1.统计时段为{_date_zh(date_from)}至{_date_zh(as_of)}，累计完成为时段内筛查人数，"
            f"任务数为时段所在年度的任务数；2.完成率=累计完成÷任务数，超过100%的按100%计；"
            f"3.数据来源：{source}{version}。")
    if demo:
        note += "本表为示例数据。"
    ws.cell(last + 1, 1, neutralise_cell(note))
    ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=width)
    ws.cell(last + 1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[last + 1].height = 45
    for r in range(2, last + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).border = box
            if r <= 3:
                ws.cell(r, c).alignment = center
                ws.cell(r, c).font = Font(bold=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 14
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.freeze_panes = "C5"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def progress_filename(region_name: str, date_from: dt.date, as_of: dt.date) -> str:
    """晋安区_两癌筛查进度公示表_2026-01-01_2026-11-30.xlsx"""
    return f"{region_name}_两癌筛查进度公示表_{date_from.isoformat()}_{as_of.isoformat()}.xlsx"
