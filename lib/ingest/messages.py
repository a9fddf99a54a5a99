"""Every user-facing ingest message, in Chinese and English, in one place: the upload page, the
command line and the XLSX of problems say the same words.

Code refers to a message by key and passes values; it never concatenates Chinese text itself.
"""
from __future__ import annotations

import pandas as pd

MESSAGES: dict[str, tuple[str, str]] = {
    # reading
    "empty_file": ("文件为空。", "The file is empty."),
    "too_large": ("文件过大（{size} MB），上限为 {limit} MB。", "The file is too large ({size} MB); the limit is {limit} MB."),
    "too_many_rows": ("数据行数 {rows} 超过上限 {limit}。", "{rows} data rows exceed the limit of {limit}."),
    "binary": ("无法识别的文件：既不是 CSV 文本，也不是 Excel（.xlsx）工作簿。", "Unrecognised file: neither CSV text nor an Excel (.xlsx) workbook."),
    "bad_encoding": ("无法识别文件编码（可读取 UTF-8、UTF-16、GBK/GB18030、Big5）：请另存为 UTF-8 编码的 CSV。", "The text encoding is not UTF-8, UTF-16, GBK/GB18030 or Big5: save the CSV as UTF-8."),
    "corrupt_xlsx": ("Excel 文件已损坏或无法打开：{detail}", "The Excel file is corrupt or cannot be opened: {detail}"),
    "bad_csv": ("CSV 文件格式有误：{detail}", "The CSV file is malformed: {detail}"),
    "xls_legacy": ("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx。", "Legacy .xls is not supported: save it as .xlsx in Excel."),
    "formula_uncached": ("工作表「{sheet}」中的公式没有保存计算结果（如 {cells}），读入会变成空值。请在 Excel 或 WPS 中打开文件、保存后再上传，或把公式复制为数值。", "Formulas on sheet '{sheet}' have no saved results (e.g. {cells}); they would load as blanks. Open the file in Excel or WPS and save it, or paste the formulas as values, then upload again."),
    "no_sheet": ("工作簿中没有名为「{sheet}」的工作表（现有：{sheets}）。", "The workbook has no sheet named '{sheet}' (it has: {sheets})."),
    "no_header": ("未找到表头行：前 {n} 行中没有可识别的列名。", "No header row found: none of the first {n} rows has recognised column names."),
    "no_rows": ("表头下方没有数据行。", "There are no data rows below the header."),
    # limits checked while reading
    "too_many_rows_read": ("数据行数超过上限 {limit}，已停止读取。", "Over the limit of {limit} data rows: reading stopped there."),
    "too_many_columns": ("第 {line} 行有 {n} 列，超过上限 {limit} 列。", "Row {line} has {n} columns; the limit is {limit}."),
    "cell_too_large": ("第 {line} 行「{col}」列的单元格有 {n} 个字符，超过上限 {limit}。", "The cell in row {line}, column {col} holds {n} characters; the limit is {limit}."),
    "line_too_long": ("第 {line} 行超过 {limit} 个字符，不像是台账表格：请检查文件。", "Row {line} is longer than {limit} characters; this does not look like a ledger table."),
    "xlsx_unpacked": ("Excel 文件解压后达 {size} MB，超过上限 {limit} MB：请删去多余的行列，或另存为 CSV 上传。", "The Excel file unpacks to {size} MB, over the limit of {limit} MB: remove unused rows and columns, or save it as CSV."),
    "xlsx_rows": ("Excel 文件超过 {limit} 行，已停止读取：请另存为 CSV 上传（CSV 上限 {csv_limit} 行）。", "The Excel file has more than {limit} rows; reading stopped: save it as CSV (up to {csv_limit} rows)."),
    "xlsx_elements": ("Excel 文件内部结构异常（{part} 含 {limit} 个以上元素），无法读取：请另存为 CSV 上传。", "The Excel file has an abnormal structure ({part} holds more than {limit} elements): save it as CSV."),
    "xlsx_parts": ("Excel 文件内部结构异常（{n} 个部件，上限 {limit}），无法读取。", "The Excel file has an abnormal structure ({n} parts, limit {limit}) and cannot be read."),
    "bad_utf16": ("文件看似 UTF-16 编码，但无法按 UTF-16 读取：请另存为 UTF-8 编码的 CSV。", "The file looks like UTF-16 but does not decode as UTF-16: save it as a UTF-8 CSV."),
    "no_header_sheets": ("工作表「{sheet}」的前 {n} 行中没有可识别的列名。含数据的工作表：{sheets}。请选择工作表（上传页的“工作表”，或命令行 --sheet）。", "No header row in the first {n} rows of sheet '{sheet}'. Sheets holding data: {sheets}. Choose the sheet (Sheet on the upload page, or --sheet on the command line)."),
    # headers
    "unknown_dataset": ("未知的数据集「{dataset}」，可选：{choices}。", "Unknown dataset '{dataset}'; choose one of: {choices}."),
    "cannot_guess": ("无法根据表头判断数据集，请手动选择。", "The dataset cannot be guessed from the headers: choose it."),
    "unknown_column": ("无法识别的列，可接受的列名：{accepted}。", "Unrecognised column; accepted headers: {accepted}."),
    "missing_column": ("缺少必填列「{header}」。", "The required column '{header}' ({name}) is missing."),
    "duplicate_column": ("列「{header}」重复出现。", "Column '{header}' appears more than once."),
    "no_region_column": ("缺少区划列：需要「区划代码」或「乡镇（街道）」「村（社区）」等名称列。", "No region column: give 区划代码 (region_code) or a township/village name column."),
    # totals and footers
    "total_dropped": ("已删除合计行（第 {n} 行）。", "Dropped the total row (row {n})."),
    "footer_dropped": ("已删除表尾说明行（第 {n} 行）。", "Dropped a footer note (row {n})."),
    "total_mismatch": ("合计行「{column}」为 {stated}，与明细之和 {summed} 不符，请核实。", "The total row's {column} is {stated}, but the rows sum to {summed}; please check."),
    "duplicate_natural_key": ("{n} 行的区划、日期等关键信息完全相同，已按出现顺序作为不同记录编号。", "{n} rows share the same natural key; they were numbered by their order as separate records."),
    # values
    "not_integer": ("不是非负整数。", "Not a whole number."),
    "percent_count": ("这是人数（次数）列，不能填百分比：请填写人数。", "This column counts people (or events): a percentage cannot stand here; give the number."),
    "not_number": ("不是数字。", "Not a number."),
    "not_date": ("无法识别的日期。", "Not a recognisable date."),
    "not_month": ("无法识别的月份。", "Not a recognisable month."),
    "not_year": ("无法识别的年份。", "Not a recognisable year."),
    "bad_enum": ("不是可接受的取值，可选：{choices}。", "Not an accepted value; choose one of: {choices}."),
    "unknown_indicator": ("未知的指标代码或名称。", "Unknown indicator code or name."),
    "required_empty": ("必填项为空。", "A required value is empty."),
    "negative": ("不能为负数。", "Must not be negative."),
    "date_range": ("日期超出合理范围（{low} 至 {high}）。", "The date is outside the plausible range {low} to {high}."),
    "year_range": ("年份超出合理范围（{low} 至 {high}）。", "The year is outside the plausible range {low} to {high}."),
    "invalid": ("取值不合规：{check}", "Invalid value: {check}"),
    "duplicate_key": ("与第 {other} 行重复（同一区划、时间和类型）。", "Duplicates row {other} (same region, period and kind)."),
    "ratio": ("「{a}」（{va}）不能大于「{b}」（{vb}）。", "{a_en} ({va}) cannot exceed {b_en} ({vb})."),
    "cycle_ratio": ("三年周期内筛查人数合计 {screened} 超过适龄妇女数 {eligible}。", "Screened over the 3-year cycle ({screened}) exceeds the eligible women ({eligible})."),
    "dissolved_before": ("撤销日期早于成立日期。", "Dissolved before it was established."),
    # regions
    "region_unknown": ("未找到该区划。{hint}", "Unknown region. {hint_en}"),
    "region_ambiguous": ("区划名称不唯一：{candidates}，请改填区划代码或加上所属乡镇（街道）。", "Ambiguous region name: {candidates}; give the region code or the township."),
    "region_out_of_scope": ("该区划（{code}）不在您的权限范围（{scope}）内。", "Region {code} is outside your scope ({scope})."),
    "region_level": ("本数据集要求乡镇（街道）级区划，此处为{level}。", "This dataset needs a township-level region; this one is a {level}."),
    "region_empty": ("区划为空。", "The region is empty."),
    "region_bad_code": ("区划代码应为 6、9 或 12 位数字。", "A region code has 6, 9 or 12 digits."),
    "closest": ("最接近的：{names}。", "Closest: {names}."),
    # personal data
    "personal_id": ("该列含有身份证号码，属个人信息，请删除该列后再上传。", "This column holds ID-card numbers (personal data): remove the column and upload again."),
    "personal_mobile": ("该列含有手机号码，属个人信息，请删除该列后再上传。", "This column holds mobile numbers (personal data): remove the column and upload again."),
    "personal_names": ("该列为个人姓名，属个人信息，请删除该列后再上传。", "This column holds personal names (personal data): remove the column and upload again."),
    # loading
    "load_done": ("已写入批次 {batch}：新增 {added} 行，替换 {replaced} 行，未变 {unchanged} 行，删除 {retired} 行。", "Loaded as batch {batch}: {added} added, {replaced} replaced, {unchanged} unchanged, {retired} retired."),
    "load_unchanged": ("数据已是最新：{unchanged} 行与仓库中完全相同，未写入任何数据。", "Already loaded: all {unchanged} rows are identical to the warehouse; nothing was written."),
    "load_plan": ("试运行：将新增 {added} 行，替换 {replaced} 行，未变 {unchanged} 行，删除 {retired} 行。", "Dry run: {added} to add, {replaced} to replace, {unchanged} unchanged, {retired} to retire."),
    "load_refused": ("文件未通过检查（{n} 个问题），未写入任何数据。", "The file was refused ({n} problems); nothing was written."),
    "strict_refused": ("严格模式：{n} 条提醒按问题处理，未写入任何数据。", "Strict mode: {n} warnings are treated as problems; nothing was written."),
    "load_warned": ("另有 {n} 条提醒（不影响导入，请核实）。", "{n} warnings (they do not block the load; please check)."),
    "out_of_scope": ("文件中有 {n} 行不在您的权限范围（{scope}）内，未写入任何数据。", "{n} rows are outside your scope ({scope}); nothing was written."),
}


def text(key: str, **values) -> tuple[str, str]:
    """The (Chinese, English) message for ``key`` with its values filled in."""
    zh, en = MESSAGES[key]
    return zh.format(**values), en.format(**values)


PROBLEM_COLUMNS = ["row", "column", "value", "problem_zh", "problem_en"]


def problem(row: int | None, column: str, value: object, key: str, **values) -> dict:
    """One row of a problems frame: the file's own row number and column header."""
    zh, en = text(key, **values)
    return {"row": row, "column": column, "value": "" if value is None else str(value),
            "problem_zh": zh, "problem_en": en}


def problems_frame(rows: list[dict]) -> pd.DataFrame:
    """Problems as a frame, one per (row, column, message), ordered as the analyst reads the file."""
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if frame.empty:
        return frame
    # one problem per cell: the first (the cell could not be read) explains the later ones
    on_rows = frame[frame["row"].notna()].drop_duplicates(subset=["row", "column"])
    frame = pd.concat([frame[frame["row"].isna()].drop_duplicates(), on_rows])
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(drop=True)
