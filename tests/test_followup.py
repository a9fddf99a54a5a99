"""督办 follow-up items on the warehouse, DuckDB and PostgreSQL: the lifecycle, overdue, scope
(nobody reaches another district's items, by any call), roles, attachments, audit and the export.

The cast: ``city`` (admin of 福州市), ``jinan`` (admin of 晋安区 350111), ``ana`` (analyst of 晋安区),
``vera`` and ``vic`` (viewers of 晋安区), ``town`` (viewer of 茶园街道 350111001, a unit),
``gulou`` (admin of 鼓楼区 350102, the other district).
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from lib import clock
from lib.auth import accounts
from lib.followup import service
from lib.followup.service import FollowupRefused
from lib.warehouse import audit
from lib.warehouse import schema as s
from lib.warehouse.engine import data_version
from lib.warehouse.scope import Scope, ScopeError
from tests.test_auth import PW

CITY, JINAN, GULOU = "350100000000", "350111000000", "350102000000"
CHAYUAN, GUDONG = "350111001000", "350102001000"
TODAY = dt.date(2026, 11, 30)
DUE = dt.date(2026, 12, 15)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


@pytest.fixture
def cast(engine):
    made = {}
    for name, role, code in (("city", "admin", CITY), ("jinan", "admin", JINAN),
                             ("ana", "analyst", JINAN), ("vera", "viewer", JINAN),
                             ("vic", "viewer", JINAN), ("town", "viewer", CHAYUAN),
                             ("gulou", "admin", GULOU)):
        made[name] = accounts.create_user(engine, name, PW, role, code)
    return made


def new(engine, actor, region=JINAN, *, owner="vera", owner_region=None, due=DUE, **kw):
    return service.create(engine, actor, region_code=region, subject=kw.pop("subject", "两癌筛查滞后"),
                          due=due, owner=None if owner_region else owner,
                          owner_region=owner_region, today=TODAY, **kw)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def actions(engine) -> list[tuple[str, str]]:
    log = audit.events(engine)
    rows = log[log["action"].str.startswith("followup")]
    return sorted(zip(rows["action"], rows["username"]))


# --- lifecycle ----------------------------------------------------------------------------------

def test_create_note_doing_close_sets_status_and_closed_at(engine, cast):
    version = data_version(engine)
    item = new(engine, cast["jinan"], subject_kind="indicator", indicator="H03",
               asked="请说明滞后原因并提出措施", ref="targets:H03")
    assert (item.status, item.closed_at, item.owner, item.region_name) == ("todo", None, "vera", "晋安区")
    assert (item.indicator, item.ref, item.created_by) == ("H03", "targets:H03", "jinan")
    note = service.add_note(engine, cast["vera"], item.id, "已联系各街道", status="doing")
    assert (note.status_from, note.status_to, note.author) == ("todo", "doing", "vera")
    assert service.get(engine, cast["vera"], item.id).status == "doing"
    service.add_note(engine, cast["vera"], item.id, "茶园街道已补报")  # progress, no change
    closed = service.close(engine, cast["vera"], item.id, note="已全部补报")
    assert closed.status == "done" and closed.closed_at is not None
    assert closed.closed_at >= closed.created_at and closed.updated_at == closed.closed_at
    got = service.notes(engine, cast["jinan"], item.id)
    assert [(n.body, n.status_from, n.status_to) for n in got] == [
        ("已联系各街道", "todo", "doing"), ("茶园街道已补报", "doing", None),
        ("已全部补报", "doing", "done")]
    assert actions(engine) == [("followup_add", "jinan"), ("followup_close", "vera"),
                               ("followup_note", "vera"), ("followup_note", "vera")]
    # follow-ups are not facts: page caches and the rollups' validity are untouched
    assert data_version(engine) == version


def test_pending_can_close_at_once_but_status_never_goes_back(engine, cast):
    a = new(engine, cast["jinan"])
    assert service.close(engine, cast["jinan"], a.id).status == "done"
    b = new(engine, cast["jinan"])
    service.add_note(engine, cast["vera"], b.id, "开始办理", status="doing")
    with pytest.raises(FollowupRefused) as err:
        service.add_note(engine, cast["vera"], b.id, "退回", status="todo")
    assert err.value.reason_key == "fu_bad_transition"
    with pytest.raises(FollowupRefused) as err:
        service.add_note(engine, cast["jinan"], a.id, "再补一句")
    assert err.value.reason_key == "fu_closed"
    with pytest.raises(FollowupRefused) as err:
        service.add_note(engine, cast["vera"], b.id, "   ")
    assert err.value.reason_key == "fu_empty_note"
    with pytest.raises(FollowupRefused) as err:
        service.add_note(engine, cast["vera"], b.id, "x", status="closed")
    assert err.value.reason_key == "fu_bad_status"
    assert [n.status_to for n in service.notes(engine, cast["jinan"], b.id)] == ["doing"]


def test_overdue_is_judged_by_today_and_listed_first(engine, cast):
    soon = new(engine, cast["jinan"], due=dt.date(2026, 12, 5))
    later = new(engine, cast["jinan"], due=dt.date(2026, 12, 20))
    done = new(engine, cast["jinan"], due=dt.date(2026, 12, 1))
    service.close(engine, cast["jinan"], done.id)
    jinan = cast["jinan"]
    assert service.list_items(engine, jinan, overdue_only=True, today=dt.date(2026, 12, 5)) == []
    late = service.list_items(engine, jinan, overdue_only=True, today=dt.date(2026, 12, 6))
    assert [it.id for it in late] == [soon.id]
    everything = service.list_items(engine, jinan, today=dt.date(2026, 12, 21))
    assert [it.id for it in everything] == [soon.id, later.id, done.id]  # overdue ones, then closed
    assert [it.overdue(dt.date(2026, 12, 21)) for it in everything] == [True, True, False]
    assert [it.id for it in service.list_items(engine, jinan, status="done")] == [done.id]
    assert [it.id for it in service.list_items(engine, jinan, due_before=dt.date(2026, 12, 6))] \
        == [done.id, soon.id]


def test_summary_counts_per_region_inside_the_scope(engine, cast):
    a = new(engine, cast["jinan"], due=dt.date(2026, 12, 1))
    new(engine, cast["jinan"], CHAYUAN, owner="town")
    new(engine, cast["gulou"], GULOU, owner="gulou")
    service.close(engine, cast["jinan"], a.id)
    since = clock.now() - dt.timedelta(days=1)
    frame = service.summary(engine, cast["jinan"].scope, since=since, today=dt.date(2026, 12, 31))
    assert list(frame.columns) == ["region_code", "region_name", "new", "closed", "overdue", "open"]
    rows = {r.region_code: (r.region_name, r.new, r.closed, r.overdue, r.open)
            for r in frame.itertuples()}
    assert rows == {JINAN: ("晋安区", 1, 1, 0, 0), CHAYUAN: ("茶园街道", 1, 0, 1, 1)}
    assert service.summary_totals(frame) == {"new": 2, "closed": 1, "overdue": 1, "open": 1,
                                             "regions": 2}
    whole = service.summary(engine, Scope.everything(), since=clock.now()
                            + dt.timedelta(days=1), today=TODAY)
    assert set(whole["region_code"]) == {JINAN, CHAYUAN, GULOU} and whole["new"].sum() == 0
    assert service.summary_totals(whole.iloc[0:0]) == {"new": 0, "closed": 0, "overdue": 0,
                                                       "open": 0, "regions": 0}


# --- scope --------------------------------------------------------------------------------------

def test_another_districts_item_is_as_absent_as_a_missing_one(engine, cast):
    theirs = new(engine, cast["gulou"], GUDONG, owner="gulou", indicator="H03",
                 subject_kind="indicator")
    service.add_note(engine, cast["gulou"], theirs.id, "附件", attachment=("p.png", PNG))
    file_id = service.notes(engine, cast["gulou"], theirs.id)[0].files[0].id
    mine = new(engine, cast["jinan"], indicator="H03", subject_kind="indicator")
    missing = theirs.id + 100
    jinan = cast["jinan"]
    assert [it.id for it in service.list_items(engine, jinan)] == [mine.id]
    for call in (lambda i: service.get(engine, jinan, i),
                 lambda i: service.notes(engine, jinan, i),
                 lambda i: service.add_note(engine, jinan, i, "越权"),
                 lambda i: service.add_note(engine, jinan, i, "", status="doing"),
                 lambda i: service.close(engine, jinan, i, note="越权")):
        for item_id in (theirs.id, missing):
            with pytest.raises(LookupError) as err:
                call(item_id)
            assert str(err.value) == f"no follow-up item {item_id}"  # the same answer for both
    for fid in (file_id, file_id + 100):
        with pytest.raises(LookupError) as err:
            service.attachment(engine, jinan, fid)
        assert str(err.value) == f"no follow-up file {fid}"
    with pytest.raises(ScopeError):
        service.list_items(engine, jinan, region_code=GULOU)
    with pytest.raises(ScopeError):
        new(engine, jinan, GUDONG, owner="gulou")
    assert [it.id for it in service.for_indicator(engine, jinan.scope, "H03")] == [mine.id]
    with pytest.raises(ScopeError):
        service.for_indicator(engine, jinan.scope, "H03", region_code=GULOU)
    # nothing of 鼓楼's moved, and the city sees both districts
    assert service.get(engine, cast["gulou"], theirs.id).status == "todo"
    assert len(service.notes(engine, cast["gulou"], theirs.id)) == 1
    assert {it.id for it in service.list_items(engine, cast["city"])} == {theirs.id, mine.id}
    assert service.attachment(engine, cast["city"], file_id)[2] == PNG
    assert {it.id for it in service.for_indicator(engine, Scope.everything(), "H03")} == {
        theirs.id, mine.id}


def test_a_region_filter_narrows_inside_the_scope(engine, cast):
    district = new(engine, cast["jinan"])
    township = new(engine, cast["jinan"], CHAYUAN, owner="town")
    jinan = cast["jinan"]
    assert [it.id for it in service.list_items(engine, jinan, region_code=CHAYUAN)] == [township.id]
    # asking for the city (a parent of the scope) shows the scope only, never more
    assert {it.id for it in service.list_items(engine, jinan, region_code=CITY)} == {
        district.id, township.id}
    assert service.list_items(engine, cast["town"], region_code=JINAN)[0].id == township.id
    assert len(service.list_items(engine, cast["town"])) == 1


# --- roles --------------------------------------------------------------------------------------

def test_viewers_see_their_scope_and_update_only_their_own(engine, cast):
    for_vera = new(engine, cast["ana"])  # an analyst assigns too
    for_unit = new(engine, cast["jinan"], CHAYUAN, owner_region=CHAYUAN)
    with pytest.raises(FollowupRefused) as err:
        new(engine, cast["vera"])
    assert err.value.reason_key == "fu_role_refused"
    vic = cast["vic"]
    assert {it.id for it in service.list_items(engine, vic)} == {for_vera.id, for_unit.id}
    for call in (lambda: service.add_note(engine, vic, for_vera.id, "我来办"),
                 lambda: service.close(engine, vic, for_vera.id)):
        with pytest.raises(FollowupRefused) as err:
            call()
        assert err.value.reason_key == "fu_not_owner"
    service.add_note(engine, cast["vera"], for_vera.id, "收到", status="doing")
    # the unit's own account owns the unit's item; the district's viewer does not
    assert service.close(engine, cast["town"], for_unit.id, "已办").status == "done"
    with pytest.raises(FollowupRefused):
        service.add_note(engine, cast["vera"], for_unit.id, "x")
    # an admin or analyst of the scope may update any item in it
    assert service.close(engine, cast["ana"], for_vera.id).closed_at is not None
    assert [it.id for it in service.list_items(engine, cast["vera"], view="mine")] == [for_vera.id]
    assert [it.id for it in service.list_items(engine, cast["ana"], view="assigned")] == [for_vera.id]
    assert service.list_items(engine, cast["vic"], view="mine") == []
    with pytest.raises(FollowupRefused):
        service.list_items(engine, vic, view="everything")


def test_the_console_assigns_anywhere(engine, cast):
    item = new(engine, service.CONSOLE, GULOU, owner="gulou")
    assert item.created_by == "console"
    assert service.get(engine, service.CONSOLE, item.id).region_name == "鼓楼区"
    log = audit.events(engine)
    assert log[log["action"] == "followup_add"]["actor_kind"].tolist() == ["console"]


@pytest.mark.parametrize("change,reason", [
    (dict(region="3501110", owner="vera"), "fu_bad_region"),
    (dict(region="350111999000", owner="vera"), "fu_bad_region"),  # a code with no region
    (dict(subject=""), "fu_bad_subject"),
    (dict(subject="x" * 201), "fu_bad_text"),
    (dict(subject="两癌\x00筛查"), "fu_bad_text"),
    (dict(subject_kind="rumour"), "fu_bad_kind"),
    (dict(indicator="ZZ99"), "fu_bad_indicator"),
    (dict(due=dt.date(2026, 11, 29)), "fu_bad_due"),
    (dict(owner=None), "fu_owner_one"),
    (dict(owner="nobody"), "fu_owner_bad"),
    (dict(owner="gulou"), "fu_owner_bad"),  # an account whose scope does not cover 晋安区
    (dict(owner="town"), "fu_owner_bad"),  # a township account for a district item
    (dict(owner="bad\nname"), "fu_owner_bad"),
    (dict(owner_region=GULOU), "fu_owner_region_bad"),
    (dict(owner_region="350111999000"), "fu_owner_region_bad"),
])
def test_bad_input_is_refused_and_writes_nothing(engine, cast, change, reason):
    change = dict(change)  # shared by both backends' runs
    region = change.pop("region", JINAN)
    with pytest.raises(FollowupRefused) as err:
        new(engine, cast["jinan"], region, **change)
    assert err.value.reason_key == reason
    assert count(engine, s.followup_item) == 0 and actions(engine) == []


def test_both_owners_at_once_are_refused(engine, cast):
    with pytest.raises(FollowupRefused) as err:
        service.create(engine, cast["jinan"], region_code=JINAN, subject="x", due=DUE,
                       owner="vera", owner_region=CHAYUAN, today=TODAY)
    assert err.value.reason_key == "fu_owner_one"


def test_a_disabled_owners_items_stay_and_say_so(engine, cast):
    item = new(engine, cast["jinan"])
    assert item.owner_active
    accounts.update_account(engine, "vera", by="jinan", active=False, within=cast["jinan"].scope)
    kept = service.get(engine, cast["jinan"], item.id)
    assert kept.owner == "vera" and not kept.owner_active
    with pytest.raises(FollowupRefused) as err:
        new(engine, cast["jinan"])  # a disabled account cannot be given new items
    assert err.value.reason_key == "fu_owner_bad"
    unit = new(engine, cast["jinan"], owner_region=JINAN)
    assert unit.owner_active and unit.owner_region_name == "晋安区"


# --- attachments --------------------------------------------------------------------------------

def test_attachments_are_checked_stored_and_read_inside_the_scope(engine, cast):
    item = new(engine, cast["jinan"])
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 10
    note = service.add_note(engine, cast["vera"], item.id, "", attachment=("../报告.pdf", pdf))
    assert [(f.filename, f.mime, f.size) for f in note.files] == [("报告.pdf", "application/pdf",
                                                                  len(pdf))]
    assert service.attachment(engine, cast["jinan"], note.files[0].id) == (
        "报告.pdf", "application/pdf", pdf)
    assert service.notes(engine, cast["vic"], item.id)[0].files == note.files  # viewers may read
    with pytest.raises(LookupError):
        service.attachment(engine, cast["gulou"], note.files[0].id)
    log = audit.events(engine)
    assert "报告.pdf" in log[log["action"] == "followup_note"]["detail"].iloc[0]
    with engine.connect() as conn:
        sha = conn.execute(select(s.followup_file.c.sha256)).scalar_one()
    import hashlib
    assert sha == hashlib.sha256(pdf).hexdigest()


@pytest.mark.parametrize("name,content,reason", [
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024), "fu_file_large"),
    ("fake.png", b"%PDF-1.4 not an image", "fu_file_content"),
    ("tool.exe", b"MZ", "fu_file_type"),
])
def test_a_refused_attachment_writes_nothing(engine, cast, name, content, reason):
    item = new(engine, cast["jinan"])
    with pytest.raises(FollowupRefused) as err:
        service.add_note(engine, cast["vera"], item.id, "附上", status="doing",
                         attachment=(name, content))
    assert err.value.reason_key == reason
    assert count(engine, s.followup_note) == 0 and count(engine, s.followup_file) == 0
    assert service.get(engine, cast["vera"], item.id).status == "todo"


# --- export -------------------------------------------------------------------------------------

def test_export_xlsx_opens_with_chinese_headers_and_the_demo_note(engine, cast):
    from openpyxl import load_workbook

    hostile = '=HYPERLINK("http://evil.example","x")'
    a = new(engine, cast["jinan"], subject=hostile, due=dt.date(2026, 12, 1))
    new(engine, cast["jinan"], CHAYUAN, owner_region=CHAYUAN)
    items = service.list_items(engine, cast["jinan"], today=dt.date(2026, 12, 2))
    wb = load_workbook(io.BytesIO(service.export_xlsx(items, "zh", demo=True,
                                                      today=dt.date(2026, 12, 2))))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "督办事项" and "示例数据" in rows[2][0]
    top = [r[0] for r in rows].index("编号")
    header = rows[top]
    assert header[:4] == ("编号", "地区", "区划代码", "标题") and "承办人" in header
    body = rows[top + 1:]
    assert [r[0] for r in body] == [a.id, items[1].id]
    first = dict(zip(header, body[0]))
    assert first["标题"] == "'" + hostile and first["状态"] == "待办" and first["逾期"] == "是"
    assert first["办理期限"].date() == dt.date(2026, 12, 1) and first["承办人"] == "vera"
    assert dict(zip(header, body[1]))["承办人"] == "茶园街道"
    plain = load_workbook(io.BytesIO(service.export_xlsx(items, "en", demo=False)))
    texts = [c for r in plain.active.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "Subject" in texts and not any("示例数据" in t for t in texts)


def test_a_warehouse_of_the_previous_revision_gains_the_tables(engine):
    """A warehouse at 0007 (before follow-ups) is upgraded on start by 0008, and works."""
    from sqlalchemy import text

    from lib.warehouse import migrations
    from lib.warehouse.engine import ensure_schema, revision_of

    with engine.begin() as conn:
        for name in ("followup_file", "followup_note", "followup_item"):
            conn.execute(text(f"DROP TABLE {name}"))
            conn.execute(text(f"DROP SEQUENCE {name}_id_seq"))
        migrations.stamp(conn, "0007")
    assert ensure_schema(engine)[0] == "0008"
    assert revision_of(engine) == migrations.head()
    item = new(engine, service.CONSOLE, owner_region=JINAN)
    assert service.get(engine, service.CONSOLE, item.id).id == item.id == 1
