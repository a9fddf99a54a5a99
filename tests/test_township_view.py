"""At a township view the pages rank villages only: a township's own rows (its training sessions,
its job fairs) are no child of it, so no one-row 'ranking' of the township itself."""
import pytest

from lib.i18n import t
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

TOWNSHIP = "350111100000"


@pytest.fixture(autouse=True)
def _no_login(monkeypatch):
    monkeypatch.setenv("HALFSKY_AUTH", "off")


@pytest.mark.parametrize("page", ["views/training.py", "views/employment.py"])
def test_township_is_not_ranked_against_itself(demo_engine, page):
    """(Job fairs are held by districts: at a district view their ranking is left out too.)"""
    url, schema = _url(demo_engine)
    with app_env(url, schema=schema):
        at = run_page(page, query={"region": TOWNSHIP})
        assert not at.exception, at.exception
        name = at.session_state["_filters"].region_name
        for frame in (d.value for d in at.dataframe):
            if t("col_region", "zh") in frame.columns:
                assert list(frame[t("col_region", "zh")]) != [name]
        heads = [h.value for h in at.subheader]
        # no ranking heading with nothing (or the township alone) under it
        assert t("league", "zh") not in heads or any(
            c.value == t("league_too_few", "zh") for c in at.caption)
        if page == "views/employment.py":
            return
        # the same page at the district ranks its townships
        at = run_page(page, query={"region": "350111000000"})
        assert not at.exception
        assert not any(c.value == t("league_too_few", "zh") for c in at.caption)
        assert any(t("col_region", "zh") in d.value.columns and len(d.value) > 2
                   for d in at.dataframe)
