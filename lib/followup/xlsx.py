"""督办事项 as a workbook: one row per item under Chinese (or English) headers.

The file is forwarded alone, so it says what it holds: a title line, 示例数据 while the warehouse
holds the demo, and the date the overdue marks were judged on. Typed text (titles, requests,
names) is neutralised against spreadsheet formulas.
"""
from __future__ import annotations

import datetime as dt
import io

from lib import clock
from lib.followup.model import Item, status_label
from lib.i18n import t
from lib.ingest.exports import neutralise_cell

HEADERS = {
    "zh": ["编号", "地区", "区划代码", "标题", "指标", "办理要求", "承办人", "办理期限", "状态",
           "逾期", "交办人", "交办时间", "办结时间"],
    "en": ["ID", "Region", "Region code", "Subject", "Indicator", "Asked", "Owner", "Due",
           "Status", "Overdue", "Assigned by", "Assigned at", "Closed at"],
}
TITLE = {"zh": "督办事项", "en": "Follow-up items"}
DEMO_NOTE = {"zh": "示例数据：本表事项基于程序生成的示例数据，不是真实统计。",
             "en": "示例数据 Demo data: these items refer to synthetic data, not real statistics."}
AS_OF = {"zh": "逾期按 {d} 判断", "en": "Overdue as of {d}"}


def owner_text(item: Item, lang: str = "zh") -> str:
    """The owner as shown: the account (marked when disabled) or the unit's region name."""
    if item.owner is not None:
        return item.owner + ("" if item.owner_active else t("fu_owner_disabled", lang))
    return item.owner_region_name or item.owner_region or ""


def export_xlsx(items: list[Item], lang: str = "zh", *, demo: bool,
                today: dt.date | None = None) -> bytes:
    """The items as an XLSX workbook (openpyxl), in the order given."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = lang if lang in HEADERS else "zh"
    today = today or clock.today()
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE[lang][:31]
    ws.cell(1, 1, TITLE[lang]).font = Font(bold=True, size=14)
    ws.cell(2, 1, AS_OF[lang].format(d=today.isoformat()))
    top = 3
    if demo:
        ws.cell(3, 1, DEMO_NOTE[lang]).font = Font(bold=True, color="B00000")
        top = 4
    header_row = top + 1
    for j, name in enumerate(HEADERS[lang], start=1):
        ws.cell(header_row, j, name).font = Font(bold=True)
    yes = "是" if lang == "zh" else "yes"
    for i, item in enumerate(items, start=header_row + 1):
        values = [item.id, item.region_name, item.region_code, item.subject, item.indicator or "",
                  item.asked, owner_text(item, lang), item.due, status_label(item.status, lang),
                  yes if item.overdue(today) else "", item.created_by, item.created_at,
                  item.closed_at]
        for j, value in enumerate(values, start=1):
            cell = ws.cell(i, j, neutralise_cell(value))
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    widths = [8, 14, 15, 36, 10, 40, 16, 12, 10, 8, 12, 17, 17]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
