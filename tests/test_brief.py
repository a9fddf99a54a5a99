"""The monthly 通报: `python -m lib.brief` (--json shape, refusals, --docx), the Word document, and
the readings on the meeting slides and in the PPTX notes; DuckDB and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from docx import Document
from pptx import Presentation
from sqlalchemy import insert

from lib import brief as cli
from lib.meeting.powerpoint import brief_pptx
from lib.meeting.slides import MeetingData, build_slides, speaker_notes
from lib.metrics.overview import Headline
from lib.reading.bulletin import build_brief
from lib.reading.document import DOC_NUMBER, brief_docx
from lib.reading.source import EngineSource
from lib.warehouse import data_version
from lib.warehouse import schema as s
from lib.warehouse.engine import write_transaction
from tests.conftest import BACKENDS, _open
from tests.test_reading import DISTRICT, JUMPING, LAGGING, PERIOD, TOWNS, _view, build


@pytest.fixture(params=BACKENDS)
def wh_url(request, tmp_path, monkeypatch):
    """The hand-built warehouse of test_reading, and the URL (and schema) the CLI opens it by."""
    engine, url, drop = _open(request.param, tmp_path)
    build(engine)
    url, _, schema = url.partition("#schema=")
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", schema)
    yield engine, url
    drop()


def _texts(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_cli_json_shape(wh_url, capsys):
    _engine, url = wh_url
    code = cli.main(["--db", url, "--region", DISTRICT, "--from", "2026-01", "--to", "2026-11",
                     "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["region_code"] == DISTRICT and out["region_name"] == "晋安区"
    assert out["period"]["from"] == "2026-01-01" and out["period"]["to"] == "2026-11-30"
    assert [x["area"] for x in out["sections"]] == ["overview", "coverage", "training",
                                                    "employment", "screening", "targets"]
    for sec in out["sections"]:
        assert set(sec) >= {"area", "sentences", "facts"}
        assert isinstance(sec["sentences"], list) and sec["facts"]["area"] == sec["area"]
    screening = next(x for x in out["sections"] if x["area"] == "screening")
    assert any(TOWNS[LAGGING] in x for x in screening["sentences"])
    assert screening["facts"]["jumps"][0]["name"] == TOWNS[JUMPING]
    assert isinstance(out["warnings"], list)
    assert any("组织覆盖" in w for w in out["warnings"])  # no roster: said, not invented
    assert out["data_version"] >= 1


def test_cli_refuses_unknown_region_and_bad_period(wh_url, capsys):
    _engine, url = wh_url
    assert cli.main(["--db", url, "--region", "999999000000"]) == 2
    assert cli.main(["--db", url, "--region", DISTRICT, "--from", "2026-09", "--to",
                     "2026-03"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["--db", url, "--region", DISTRICT, "--from", "2026/09"])


def test_cli_writes_a_docx(wh_url, tmp_path, capsys):
    _engine, url = wh_url
    target = tmp_path / "tongbao.docx"
    assert cli.main(["--db", url, "--region", DISTRICT, "--from", "2026-01", "--to", "2026-11",
                     "--docx", str(target)]) == 0
    printed = capsys.readouterr().out
    assert "[两癌筛查]" in printed and TOWNS[LAGGING] in printed
    doc = Document(str(target))
    text = _texts(doc)
    assert doc.paragraphs[0].text == DOC_NUMBER  # left blank for the office's document number
    assert "晋安区妇联重点工作情况通报" in text
    for heading in ("一、总体情况", "二、重点工作进展", "三、规划目标监测", "（一）组织覆盖"):
        assert heading in text
    assert len(doc.tables) >= 2 and len(doc.inline_shapes) >= 1  # rankings and their charts
    ranking = next(t for t in doc.tables if t.cell(0, 0).text == "排名"
                   and "两癌筛查任务完成率" in t.cell(0, 2).text)
    names = [row.cells[1].text for row in ranking.rows[1:]]
    assert names[-1] == TOWNS[LAGGING] and len(names) == len(TOWNS)
    assert any("孕产妇死亡率" in c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "数据版本：" in text and "示例数据" not in text


def test_docx_english_and_demo_mark(wh_url):
    engine, _url = wh_url
    with write_transaction(engine) as conn:
        conn.execute(insert(s.upload_batch).values(
            batch_id=1, dataset="demo", uploaded_at=dt.datetime(2026, 11, 30, 8), status="loaded",
            is_demo=True, rows_read=0, rows_loaded=0, rows_rejected=0))
    src = EngineSource(engine)
    b = build_brief(src, _view(engine, DISTRICT, "en"), data_version=data_version(engine))
    assert b.demo and b.warnings[0].startswith("Demo data")
    doc = Document(io.BytesIO(brief_docx(b, charts=False)))
    text = _texts(doc)
    assert "晋安区: women's federation work report" in text and "1. Overview" in text
    assert doc.sections[0].header.paragraphs[0].text == "Demo data"
    assert f"Data version: {data_version(engine)}" in text
    assert not doc.inline_shapes


def _meeting_data(readings) -> MeetingData:
    heads = [Headline("coverage.federation", 0.9, 0.85, "percent"),
             Headline("training.participants", 1200, 1000, "count"),
             Headline("employment.positions", 300, 400, "count"),
             Headline("screening.screened", 5000, 4000, "count")]
    months = pd.to_datetime(["2026-01-01", "2026-02-01"])
    monthly = {ds: pd.DataFrame({"child": "", "month": months, m: [10, 20]})
               for ds, m in (("training", "participants"), ("job_fair", "positions"),
                             ("screening", "screened"))}
    cov = pd.DataFrame({"child": ["350102"], "num": [9], "den": [10], "value": [0.9]})
    return MeetingData("晋安区", "2026年1月 – 2026年2月", dt.date(2026, 2, 28), heads, monthly, cov,
                       {"350102000000": "鼓楼区"}, [], readings=readings)


def test_meeting_slides_carry_the_reading(wh_url):
    engine, _url = wh_url
    b = build_brief(EngineSource(engine), _view(engine, DISTRICT))
    keys = {"kpis": "overview", "area:screening": "screening", "warnings": "targets"}
    readings = {k: tuple(b.section(a).sentences) for k, a in keys.items()}
    slides = {x.key: x for x in build_slides(_meeting_data(readings), "zh")}
    screening = slides["area:screening"]
    assert screening.subtitle == readings["area:screening"][0]
    notes = speaker_notes(screening, "zh")
    assert all(x in notes for x in readings["area:screening"])
    assert TOWNS[JUMPING] in notes  # the third sentence and later: notes only
    assert slides["area:training"].subtitle == "2026年1月 – 2026年2月"  # no reading given
    prs = Presentation(io.BytesIO(brief_pptx(list(slides.values()), "晋安区 妇联工作情况", "zh",
                                             made_on=dt.date(2026, 3, 1))))
    shown = [sh.text_frame.text for sl in prs.slides for sh in sl.shapes if sh.has_text_frame]
    assert readings["area:screening"][0] in "".join(shown)
    all_notes = "\n".join(sl.notes_slide.notes_text_frame.text for sl in prs.slides)
    assert "孕产妇死亡率" in all_notes and "文字解读" in all_notes


def test_default_period_follows_the_sidebar(wh_url):
    engine, _url = wh_url
    assert cli._period(EngineSource(engine), None, None) == PERIOD
    assert cli._period(EngineSource(engine), (2025, 3), (2025, 6)) == (dt.date(2025, 3, 1),
                                                                        dt.date(2025, 6, 30))


# --- the 通报's follow-up section: open and overdue items, only those of the reader's scope ------

def _followup_table(doc):
    return next(t for t in doc.tables if t.cell(0, 0).text == "序号"
                and t.cell(0, 2).text == "督办事项")


def test_docx_lists_open_and_overdue_items_of_the_readers_scope(wh_url):
    """A 晋安区 viewer's 通报 lists 晋安区's open items, overdue first and marked 逾期, and nothing
    of 鼓楼区 or the city, even when the view asked for is the city; closed items are not listed."""
    from lib import clock
    from lib.auth.accounts import User
    from lib.ui.reading_ui import open_followups
    from tests.test_meeting_followup import seed, specs

    engine, _url = wh_url
    today = clock.today()
    items = specs(today)
    seed(engine, items)
    viewer = User("jinan_viewer", "viewer", DISTRICT)
    listed = open_followups(engine, viewer, DISTRICT)
    # asking for the city shows the viewer's district only, never wider
    assert [i.id for i in open_followups(engine, viewer, "350100000000")] == [i.id for i in listed]
    b = build_brief(EngineSource(engine), _view(engine, DISTRICT))
    doc = Document(io.BytesIO(brief_docx(b, charts=False, followups=listed, today=today)))
    text = _texts(doc)
    assert "四、督办事项落实情况" in text
    mine = [x for x in items if x.region.startswith("350111") and x.closed is None]
    late = [x for x in mine if x.due < today]
    assert f"晋安区未办结的督办事项共{len(mine)}项，其中逾期{len(late)}项" in text
    table = _followup_table(doc)
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    # overdue first, then by due date: the order the test's own specs give
    order = sorted(mine, key=lambda x: (not x.due < today, x.due))
    assert [r[2] for r in rows] == [x.subject for x in order]
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(order) + 1)]
    for r, x in zip(rows, order):
        assert ("逾期" in r[5]) == (x.due < today)
        assert r[4] == f"{x.due.year}年{x.due.month}月{x.due.day}日"
    outside = [x.subject for x in items if not x.region.startswith("350111")]
    closed = [x.subject for x in items if x.closed is not None]
    assert outside and closed
    assert not [s for s in outside + closed if s in text]


def test_docx_of_the_whole_city_names_every_district_and_says_when_none(wh_url):
    from lib import clock
    from lib.followup import service
    from lib.ui.reading_ui import open_followups
    from tests.test_meeting_followup import seed, specs

    engine, _url = wh_url
    today = clock.today()
    b = build_brief(EngineSource(engine), _view(engine, DISTRICT))
    empty = Document(io.BytesIO(brief_docx(b, charts=False, followups=[], today=today)))
    assert f"截至{today.year}年{today.month}月{today.day}日，晋安区无未办结的督办事项。" \
        in _texts(empty)
    assert not [t for t in empty.tables if t.cell(0, 0).text == "序号"]
    without = Document(io.BytesIO(brief_docx(b, charts=False)))  # no items given: no section
    assert "督办事项落实情况" not in _texts(without)
    items = specs(today)
    seed(engine, items)
    city = open_followups(engine, service.CONSOLE, "350100000000")
    doc = Document(io.BytesIO(brief_docx(b, charts=False, followups=city, today=today)))
    subjects = [row.cells[2].text for row in _followup_table(doc).rows[1:]]
    assert sorted(subjects) == sorted(x.subject for x in items if x.closed is None)


def test_cli_docx_has_the_followup_section(wh_url, tmp_path, capsys):
    from lib import clock
    from tests.test_meeting_followup import seed, specs

    engine, url = wh_url
    items = specs(clock.today())
    seed(engine, items)
    target = tmp_path / "tongbao.docx"
    assert cli.main(["--db", url, "--region", DISTRICT, "--from", "2026-01", "--to", "2026-11",
                     "--docx", str(target), "--no-charts"]) == 0
    doc = Document(str(target))
    subjects = [row.cells[2].text for row in _followup_table(doc).rows[1:]]
    assert sorted(subjects) == sorted(x.subject for x in items
                                      if x.region.startswith("350111") and x.closed is None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_followup_rows_order_mark_and_owner(lang):
    """Pure: closed items are left out, overdue first then by due date, 逾期 on the overdue ones,
    a disabled owner said to be disabled, a unit by its region's name."""
    from lib.followup.model import Item
    from lib.i18n import t
    from lib.reading.document import followup_frame

    today = dt.date(2026, 11, 30)
    made = dt.datetime(2026, 11, 1, 9)

    def item(n, due, status, *, owner=None, unit=None, active=True):
        return Item(n, DISTRICT, "晋安区", "text", f"事项{n}", None, None, "", owner,
                    unit and "350111001000", unit, due, status, "console", made, made,
                    made if status == "done" else None, owner_active=active)

    items = [item(1, dt.date(2026, 12, 10), "todo", unit="茶园街道"),
             item(2, dt.date(2026, 11, 29), "doing", owner="wang", active=False),
             item(3, dt.date(2026, 11, 20), "done", owner="li"),
             item(4, dt.date(2026, 11, 25), "todo", owner="li")]
    frame = followup_frame(items, today, lang)
    assert list(frame.iloc[:, 2]) == ["事项4", "事项2", "事项1"]
    overdue = t("fu_overdue", lang)
    assert [overdue in s for s in frame.iloc[:, 5]] == [True, True, False]
    assert list(frame.iloc[:, 3]) == ["li", "wang" + t("fu_owner_disabled", lang), "茶园街道"]
