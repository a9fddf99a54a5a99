"""督办 follow-up values without a database: labels, overdue, order, the JSON line, the prefill
link, and which attachments are accepted (type by content, size cap)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from lib.followup import attachments
from lib.followup.model import (OVERDUE_LABEL, STATUSES, Item, Prefill, sort_key, status_label)

AT = dt.datetime(2026, 11, 2, 9, 30)
JSON_KEYS = {"id", "region_code", "region_name", "subject", "indicator", "owner", "due", "status",
             "created_by", "created_at", "closed_at", "overdue"}


def item(id_: int = 1, *, due: dt.date = dt.date(2026, 12, 10), status: str = "todo",
         owner: str | None = "wang", owner_region: str | None = None,
         closed_at: dt.datetime | None = None) -> Item:
    return Item(id=id_, region_code="350111000000", region_name="晋安区", subject_kind="indicator",
                subject="农村妇女两癌筛查覆盖率 有风险", indicator="H03", ref="screening:rural",
                asked="请说明原因", owner=owner, owner_region=owner_region,
                owner_region_name="晋安区" if owner_region else None, due=due, status=status,
                created_by="jinan", created_at=AT, updated_at=AT, closed_at=closed_at)


def test_status_labels_in_both_languages():
    assert [status_label(s, "zh") for s in STATUSES] == ["待办", "进行中", "已办结"]
    assert [status_label(s, "en") for s in STATUSES] == ["Pending", "In progress", "Closed"]
    assert (OVERDUE_LABEL("zh"), OVERDUE_LABEL("en")) == ("逾期", "Overdue")
    with pytest.raises(ValueError):
        status_label("closed", "zh")


def test_overdue_is_open_and_past_due_by_the_given_day():
    due = dt.date(2026, 12, 10)
    assert not item(due=due).overdue(due)  # due today: not yet
    assert item(due=due).overdue(due + dt.timedelta(days=1))
    assert item(due=due, status="doing").overdue(dt.date(2027, 1, 1))
    assert not item(due=due, status="done", closed_at=AT).overdue(dt.date(2027, 1, 1))
    assert item(due=due).status_text(dt.date(2026, 12, 11), "zh") == "待办 · 逾期"
    assert item(due=due).status_text(dt.date(2026, 12, 9), "en") == "Pending"


def test_sort_puts_overdue_first_then_due_date_then_id():
    today = dt.date(2026, 12, 15)
    later = item(1, due=dt.date(2026, 12, 30))
    overdue_late = item(2, due=dt.date(2026, 12, 14))
    overdue_early = item(3, due=dt.date(2026, 12, 1))
    closed_early = item(4, due=dt.date(2026, 11, 30), status="done", closed_at=AT)
    same_due = item(5, due=dt.date(2026, 12, 30))
    ordered = sorted([same_due, later, closed_early, overdue_late, overdue_early],
                     key=lambda it: sort_key(it, today))
    assert [it.id for it in ordered] == [3, 2, 4, 1, 5]


def test_json_line_has_the_console_keys_and_iso_dates():
    line = item(due=dt.date(2026, 12, 1)).as_json(dt.date(2026, 12, 2))
    assert set(line) == JSON_KEYS
    assert line["due"] == "2026-12-01" and line["created_at"] == "2026-11-02T09:30:00"
    assert line["closed_at"] is None and line["overdue"] is True and line["status"] == "todo"
    assert json.loads(json.dumps(line, ensure_ascii=False)) == line
    unit = item(owner=None, owner_region="350111001000", status="done", closed_at=AT)
    assert unit.as_json(dt.date(2027, 1, 1))["owner"] == "350111001000"
    assert unit.as_json(dt.date(2027, 1, 1))["closed_at"] == "2026-11-02T09:30:00"


def test_owner_is_the_named_account_or_the_units_own_account():
    assert item(owner="wang").owned_by("wang", "350111000000")
    assert not item(owner="wang").owned_by("li", "350111000000")
    unit = item(owner=None, owner_region="350111001000")
    assert unit.owned_by("town", "350111001000")
    assert not unit.owned_by("district", "350111000000")  # the district is not the township unit


def test_prefill_round_trips_through_query_parameters():
    full = Prefill("350111001000", "figure", "培训人次 环比下降", indicator="T01",
                   ref="training:participants", asked="请核实", due=dt.date(2026, 12, 31))
    query = full.to_query()
    assert query["fu_region"] == "350111001000" and query["fu_subject"] == "培训人次 环比下降"
    assert all(isinstance(v, str) for v in query.values())
    assert Prefill.from_query(query) == full
    bare = Prefill("350111000000", "text", "报送缺失")
    assert set(bare.to_query()) == {"fu_region", "fu_kind", "fu_subject"}
    assert Prefill.from_query(bare.to_query()) == bare


@pytest.mark.parametrize("params", [
    {},
    {"fu_subject": "x"},  # no region
    {"fu_region": "350111", "fu_subject": "x"},  # not 12 digits
    {"fu_region": "35011100000０", "fu_subject": "x"},  # a full-width digit
    {"fu_region": "350111000000"},  # no subject
    {"fu_region": "350111000000", "fu_subject": "x", "fu_kind": "bogus"},
    {"fu_region": "350111000000", "fu_subject": "x", "fu_due": "2026-13-01"},
    {"fu_region": "350111000000", "fu_subject": "x" * 201},
])
def test_a_malformed_link_gives_no_prefill(params):
    assert Prefill.from_query(params) is None


# --- attachments --------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%...\n"


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "完成情况"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name,content,mime", [
    ("进度.png", PNG, "image/png"), ("photo.JPG", JPG, "image/jpeg"),
    ("p.jpeg", JPG, "image/jpeg"), ("通报.pdf", PDF, "application/pdf"),
    ("台账.xlsx", None, attachments.XLSX_MIME),
    ("名单.csv", "地区,人数\n晋安区,3\n".encode("utf-8-sig"), "text/csv"),
    ("gbk.csv", "地区,人数\n晋安区,3\n".encode("gbk"), "text/csv"),
])
def test_allowed_types_are_recognised_by_their_content(name, content, mime):
    content = xlsx_bytes() if content is None else content
    got = attachments.check(name, content)
    assert (got.filename, got.mime, got.size) == (name, mime, len(content))


@pytest.mark.parametrize("name,content,reason", [
    ("fake.png", PDF, "fu_file_content"),  # a PDF named .png
    ("fake.pdf", PNG, "fu_file_content"),
    ("fake.xlsx", b"PK\x03\x04not a zip", "fu_file_content"),
    ("zip.xlsx", None, "fu_file_content"),  # a real zip, but no workbook
    ("binary.csv", b"a,b\n\x00\x01\x02", "fu_file_content"),
    ("run.exe", b"MZ\x90\x00", "fu_file_type"),
    ("script.html", b"<script>", "fu_file_type"),
    ("noext", PNG, "fu_file_type"),
    ("empty.png", b"", "fu_file_empty"),
])
def test_a_file_that_is_not_what_it_says_is_refused(name, content, reason):
    if content is None:
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("readme.txt", "hi")
        content = buf.getvalue()
    with pytest.raises(attachments.AttachmentRefused) as err:
        attachments.check(name, content)
    assert err.value.reason_key == reason


def test_size_limit_is_five_megabytes():
    at_limit = b"\x89PNG\r\n\x1a\n" + b"\x00" * (attachments.MAX_BYTES - 8)
    assert attachments.check("big.png", at_limit).size == attachments.MAX_BYTES
    with pytest.raises(attachments.AttachmentRefused) as err:
        attachments.check("big.png", at_limit + b"\x00")
    assert err.value.reason_key == "fu_file_large"


def test_names_lose_folders_and_control_characters():
    assert attachments.safe_name("../../etc/passwd.png") == "passwd.png"
    assert attachments.safe_name("C:\\Users\\x\\进度\n表.pdf") == "进度表.pdf"
    assert attachments.safe_name('a<b>:"c".csv') == "a_b_c_.csv"
    long = attachments.safe_name("长" * 300 + ".xlsx")
    assert len(long) == attachments.NAME_MAX and long.endswith(".xlsx")
