"""The upload page under AppTest: templates, a good file loads, a bad file is refused with nothing written."""
from pathlib import Path

from sqlalchemy import func, select

from lib.warehouse import schema as s
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

FIX = Path(__file__).parent / "fixtures_ingest"


def test_upload_page_renders_with_history(demo_engine):
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page("pages/upload.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="up_dataset").value == "auto"
    assert len(at.dataframe) >= 1  # the batch history holds the demo batch


def test_upload_page_without_data(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("pages/upload.py")
    assert not at.exception, at.exception


def test_personal_data_refused_nothing_written(engine):
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("pages/upload.py")
        if not hasattr(at, "file_uploader"):
            return
        with engine.connect() as conn:
            before = conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()
        at.file_uploader(key="up_file").upload(
            "personal.csv", (FIX / "personal_data.csv").read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    assert any("未导入" in e.value for e in at.error)
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()
    assert after == before
