"""The 督办事项 page and the 督办 buttons beside the warnings, through the real login gate
(AppTest, auth on), on DuckDB and PostgreSQL.

Every role opens the page with and without data; a target row at 有风险 hands its prefill to the
create form (and the form reads it back from the address); a viewer gets no create form and no
button; an item assigned to a viewer is closed by that viewer with a note and a file; a 晋安区 admin
never sees a 鼓楼区 item; overdue items come first, marked 逾期.
"""
from __future__ import annotations

import datetime as dt

import pytest

from lib.auth import accounts
from lib.followup import prefills, service as core
from lib.followup.model import Prefill
from lib.warehouse import accounts_store
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_auth import PW

PAGE = "views/followup.py"
TODAY = dt.date(2026, 11, 30)  # tests/conftest.py pins HALFSKY_TODAY
JINAN, GULOU = "350111000000", "350102000000"
GUSHAN = "350111100000"  # 鼓山镇, 晋安区
# username → (role, scope)
ACCOUNTS = {"root": ("admin", "350100000000"), "adam": ("admin", JINAN),
            "ana": ("analyst", JINAN), "vera": ("viewer", JINAN), "gina": ("viewer", GULOU)}
ROLE_USER = {"viewer": "vera", "analyst": "ana", "admin": "adam"}


class Session:
    """An app session signed in through the login form."""

    def __init__(self, engine, username: str, query: dict | None = None):
        url, schema = _url(engine)
        self.env = dict(url=url, schema=schema, demo=False, auth=True)
        with app_env(**self.env):
            self.at = run_page(query=query)
        self.at.text_input(key="login_user").input(username)
        self.at.text_input(key="login_password").input(PW)
        self.at.button(key="login_submit").click()
        self.run()

    def run(self):
        with app_env(**self.env):
            self.at.run()
        assert not self.at.exception, self.at.exception
        return self.at

    def open(self, page: str = PAGE):
        self.at.switch_page(page)
        return self.run()

    def keys(self) -> set[str]:
        return {w.key for w in self.at.main.get("*") if getattr(w, "key", None)} | {
            w.key for kind in ("selectbox", "button", "text_input", "text_area", "date_input",
                               "radio", "button_group", "download_button", "file_uploader")
            for w in self.at.main.get(kind) if getattr(w, "key", None)}

    def text(self) -> str:
        """What the page says: text of its elements and every table's cells."""
        parts = [str(getattr(e, "value", "")) for kind in ("title", "caption", "markdown", "info",
                                                           "success", "warning", "error")
                 for e in self.at.get(kind)]
        parts += [d.value.to_csv() for d in self.at.dataframe]
        parts += [str(o) for s in self.at.selectbox for o in s.options]
        return "\n".join(parts)


def _accounts(engine) -> None:
    for name, (role, scope) in ACCOUNTS.items():
        accounts.create_user(engine, name, PW, role, scope)


def _user(engine, name: str):
    return accounts.get_user(engine, name)


@pytest.fixture
def demo(demo_copy):
    _accounts(demo_copy)
    return demo_copy


@pytest.fixture
def empty(engine):
    _accounts(engine)
    return engine


def _widget(at, kind: str, prefix: str):
    """The one widget of ``kind`` whose key starts with ``prefix`` (the create form's keys carry
    the prefill they were drawn for)."""
    found = [w for w in at.get(kind) if (getattr(w, "key", None) or "").startswith(prefix)]
    assert len(found) == 1, (prefix, [w.key for w in at.get(kind)])
    return found[0]


@pytest.mark.parametrize("top,levels", [
    ("country", ("country", "province", "city")),
    ("city", ("city", "district", "township")),
    ("district", ("district", "township")),
    ("township", ("township",)),
])
def test_the_regions_offered_stop_two_levels_down_and_above_villages(top, levels):
    from lib.ui.followup_page import offered_levels

    assert offered_levels(top) == levels


# --- every role, with and without data ------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_every_role_opens_the_page_with_data(demo, role):
    _opens(demo, role, with_data=True)


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_every_role_opens_the_page_without_data(empty, role):
    _opens(empty, role, with_data=False)


def _opens(engine, role: str, *, with_data: bool) -> None:
    s = Session(engine, ROLE_USER[role])
    at = s.open()
    assert at.title[0].value == "督办事项"
    assert any("示例数据" in i.value for i in at.info) is with_data
    assert any("没有符合条件的督办事项" in i.value for i in at.info)
    views = at.get("button_group")[0]
    # a viewer assigns nothing: no 我交办的, no create form
    assert views.options == (["我负责的", "本辖区全部"] if role == "viewer"
                             else ["我负责的", "我交办的", "本辖区全部"])
    creates = [b for b in at.button if b.key.startswith("fup_f_submit_")]
    assert bool(creates) is (role != "viewer")


# --- prefill: from a 有风险 target row to the create form, and back from the address ------------------

def test_a_target_row_at_risk_prefills_the_create_form(demo):
    s = Session(demo, "ana")
    at = s.open("views/targets.py")
    pick = at.selectbox(key="t_fu_pick")
    labels = list(pick.options)
    assert labels and all(("有风险" in x or "滞后" in x) for x in labels), labels
    chosen = next(i for i, x in enumerate(labels) if "有风险" in x)
    pick.set_value(chosen)
    s.run()
    at.button(key="t_fu_go").click()
    at = s.run()
    assert at.title[0].value == "督办事项"
    code = labels[chosen].split()[0]
    assessment = next(a for a in core_assessments(demo, JINAN) if a.code == code)
    want = prefills.from_assessment(assessment, lang="zh", today=TODAY)
    assert Prefill.from_query({k: at.query_params[k] for k in at.query_params}) == want
    assert _widget(at, "text_input", "fup_f_subject_").value == want.subject
    assert "有风险" in want.subject
    assert _widget(at, "text_area", "fup_f_asked_").value == want.asked
    assert _widget(at, "selectbox", "fup_f_region_").value == JINAN
    assert _widget(at, "date_input", "fup_f_due_").value == dt.date(2026, 12, 30)
    # the sidebar's view survives the trip
    assert at.session_state["_filters"].region_code == JINAN


def core_assessments(engine, region: str):
    from lib.targets import assess_region

    return assess_region(engine, region)


def test_the_address_alone_prefills_the_form(demo):
    """A link (bookmarked, or sent) opens the same prefilled form after signing in."""
    want = Prefill(GUSHAN, "figure", "鼓山镇 参训人次排名靠后", ref="training:league",
                   asked="请说明原因。", due=dt.date(2027, 1, 15))
    s = Session(demo, "ana", query=want.to_query())
    at = s.open()
    assert _widget(at, "text_input", "fup_f_subject_").value == want.subject
    assert _widget(at, "text_area", "fup_f_asked_").value == "请说明原因。"
    assert _widget(at, "selectbox", "fup_f_region_").value == GUSHAN
    assert _widget(at, "date_input", "fup_f_due_").value == dt.date(2027, 1, 15)


def test_a_prefill_outside_the_scope_is_not_offered(demo):
    s = Session(demo, "ana", query=Prefill(GULOU, "text", "鼓楼区 某事").to_query())
    at = s.open()
    assert any("不在您的权限范围内" in w.value for w in at.warning)
    assert _widget(at, "text_input", "fup_f_subject_").value == ""
    assert "鼓楼" not in str(_widget(at, "selectbox", "fup_f_region_").options)


def test_a_viewer_gets_no_create_form_and_no_buttons(demo):
    s = Session(demo, "vera", query=Prefill(JINAN, "text", "某事").to_query())
    at = s.open()
    assert not [b for b in at.button if b.key.startswith("fup_f_")]
    assert any("只有管理员和数据分析员" in i.value for i in at.info)
    at = s.open("views/targets.py")
    assert "t_fu_pick" not in s.keys() and "t_fu_go" not in s.keys()
    at = s.open("views/training.py")
    assert not [k for k in s.keys() if k.endswith("_fu_pick")]


def test_the_buttons_beside_league_tables_and_readings(demo):
    """An analyst's training page offers 督办 for the league's bottom three and the reading's
    lagging townships; each prefill names a 晋安区 township."""
    s = Session(demo, "ana")
    s.open("views/training.py")
    for key in ("tr_league_fu_pick", "reading_training_fu_pick"):
        assert key in s.keys(), key
    s.at.button(key="tr_league_fu_go").click()
    at = s.run()
    assert at.title[0].value == "督办事项"
    assert at.query_params["fu_region"].startswith("350111") and at.query_params["fu_region"] != JINAN
    assert "排名靠后" in _widget(at, "text_input", "fup_f_subject_").value


def test_the_reminder_list_offers_follow_ups(demo):
    s = Session(demo, "ana")
    s.open("views/completeness.py")
    s.at.selectbox(key="cp_dataset").set_value("job_fair")
    s.run()
    pick = s.at.selectbox(key="cp_fu_pick")
    assert pick.options and all("招聘会" in o for o in pick.options)
    s.at.button(key="cp_fu_go").click()
    at = s.run()
    assert "未报送" in _widget(at, "text_input", "fup_f_subject_").value
    assert at.query_params["fu_ref"].startswith("completeness:job_fair:")


# --- create, update, close ------------------------------------------------------------------------

def _create_on_page(s: Session, subject: str, owner: str) -> int:
    at = s.at
    _widget(at, "text_input", "fup_f_subject_").input(subject)
    s.run()
    _widget(at, "selectbox", "fup_f_owner_").set_value(owner)
    s.run()
    _widget(at, "button", "fup_f_submit_").click()
    at = s.run()
    done = [x.value for x in at.success]
    assert done and subject in done[0], ([e.value for e in at.error], done)
    return int(done[0].split("督办事项")[1].split("：")[0])


def test_an_item_assigned_to_a_viewer_is_closed_by_that_viewer(demo):
    s = Session(demo, "ana")
    s.open()
    item_id = _create_on_page(s, "鼓山镇培训进度滞后", "vera")
    assert s.at.selectbox(key="fup_pick").value == item_id
    assert "fu_subject" not in s.at.query_params  # a reload offers no second copy

    v = Session(demo, "vera")
    at = v.open()
    assert at.get("button_group")[0].value == "mine"
    assert at.selectbox(key="fup_pick").value == item_id
    at.text_area(key=f"fup_note_{item_id}").input("已约谈鼓山镇，本月补报。")
    at.radio(key=f"fup_note_status_{item_id}").set_value("done")
    at.file_uploader(key=f"fup_file_up_{item_id}").upload("约谈记录.png", PNG, "image/png")
    v.run()
    at.button(key=f"fup_note_submit_{item_id}").click()
    at = v.run()
    assert any(f"事项 {item_id} 已办结" in x.value for x in at.success)
    item = core.get(demo, _user(demo, "vera"), item_id)
    assert item.status == "done" and item.closed_at is not None
    notes = core.notes(demo, _user(demo, "vera"), item_id)
    assert [(n.author, n.body, n.status_to) for n in notes] == [("vera", "已约谈鼓山镇，本月补报。", "done")]
    assert [f.filename for f in notes[0].files] == ["约谈记录.png"]
    # the page shows the note and offers its file; a closed item takes no more notes
    assert "已约谈鼓山镇，本月补报。" in v.text()
    assert any(b.key == f"fup_file_{notes[0].files[0].id}" for b in at.get("download_button"))
    assert f"fup_note_submit_{item_id}" not in v.keys()
    actions = accounts_store.audit_frame(demo, username="vera", scope=Scope.everything())["action"]
    assert "followup_close" in actions.tolist()


def test_a_viewer_cannot_update_an_item_of_someone_else(demo):
    ana = _user(demo, "ana")
    item = core.create(demo, ana, region_code=GUSHAN, subject="别人的事项", due=TODAY,
                       owner="ana")
    v = Session(demo, "vera")
    at = v.open()
    at.get("button_group")[0].set_value("all")
    at = v.run()
    assert at.selectbox(key="fup_pick").value == item.id
    assert f"fup_note_submit_{item.id}" not in v.keys()
    assert any("只有承办人" in c.value for c in at.caption)


def test_a_district_admin_never_sees_another_districts_item(demo):
    root = _user(demo, "root")
    gulou = core.create(demo, root, region_code=GULOU, subject="鼓楼区事项", due=TODAY,
                        owner="gina")
    mine = core.create(demo, root, region_code=GUSHAN, subject="鼓山镇事项", due=TODAY,
                       owner="vera")
    s = Session(demo, "adam")
    at = s.open()
    assert at.get("button_group")[0].value == "all"
    assert at.selectbox(key="fup_pick").options == [f"{mine.id} · 鼓山镇事项"]
    assert "鼓楼" not in s.text()
    regions = at.selectbox(key="fup_region").options
    assert "晋安区" in regions and "鼓山镇" in regions and "鼓楼区" not in regions
    # a pick of the other item (as the page hands one on after a change) is not honoured
    at.session_state["fup_pick_next"] = gulou.id
    at = s.run()
    assert at.selectbox(key="fup_pick").value == mine.id and "鼓楼" not in s.text()
    # the city's admin sees both: the absence above is the scope's doing
    r = Session(demo, "root")
    r.open()
    assert len(r.at.selectbox(key="fup_pick").options) == 2


def test_overdue_items_come_first_marked_in_red(demo):
    ana = _user(demo, "ana")
    later = core.create(demo, ana, region_code=GUSHAN, subject="按期事项", due=dt.date(2026, 12, 20),
                        owner="vera")
    late = core.create(demo, ana, region_code=GUSHAN, subject="逾期事项", due=dt.date(2026, 6, 1),
                       owner="vera", today=dt.date(2026, 5, 1))
    s = Session(demo, "ana")
    at = s.open()
    table = at.dataframe[0].value
    assert table["id"].tolist() == [late.id, later.id]
    assert [list(flag) for flag in table["flag"]] == [["逾期"], []]
    assert "其中逾期 1 项" in s.text()
    # the due filter's 已逾期 keeps only it
    at.selectbox(key="fup_due").set_value("fup_due_overdue")
    at = s.run()
    assert at.dataframe[0].value["id"].tolist() == [late.id]
    assert at.get("download_button")[0].key == "fup_export"


# a 1×1 PNG: what an owner attaches (the service reads its first bytes)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_an_upload_warning_offers_a_follow_up_once_the_file_is_stored(engine):
    """A warned row (救助 over 确诊) gets its 督办 only after the file is loaded: the button leaves
    the page, and a file not yet confirmed would be left behind unloaded."""
    url, schema = _url(engine)
    csv = "乡镇（街道）,月份,筛查类型,筛查人数,确诊人数,救助人数\n茶园,2026-03,宫颈癌,100,2,5\n"
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_file").upload("筛查.csv", csv.encode(), "text/csv").run()
        assert not at.exception, at.exception
        assert any("发现 1 条提醒" in w.value for w in at.warning)
        with pytest.raises(KeyError):
            at.selectbox(key="up_fu_pick")  # not before it is loaded
        at.button(key="up_confirm").click().run()
        pick = at.selectbox(key="up_fu_pick")
        assert pick.options and "茶园街道" in pick.options[0]
        at.button(key="up_fu_go").click().run()
        assert not at.exception, at.exception
        assert at.title[0].value == "督办事项"
        assert _widget(at, "text_input", "fup_f_subject_").value == "茶园街道 上传数据待核实"
        assert _widget(at, "text_area", "fup_f_asked_").value.startswith("文件「筛查.csv」第 2 行：")
        assert _widget(at, "selectbox", "fup_f_region_").value == "350111001000"
        # AppTest stays on the page it was told to run: follow the script's switch by hand
        at.switch_page(PAGE).run()
        # the dev account holds no account row: a unit owns it, and the item is created
        _widget(at, "radio", "fup_f_kind_").set_value("unit").run()
        _widget(at, "button", "fup_f_submit_").click().run()
        assert any("已创建督办事项" in x.value for x in at.success), [e.value for e in at.error]
    items = core.list_items(engine, core.CONSOLE)
    assert [(i.subject_kind, i.ref, i.owner_region) for i in items] == [
        ("upload_warning", "upload:筛查.csv#2", "350111001000")]
