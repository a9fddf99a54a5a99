"""Small counts stay masked: diagnosed/treated/aided of 1–4 read "<5" below district
level — on the screening page (labels, the chart data sent to the browser), and in meeting mode and
its PPTX brief, which carry none of these counts at all."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest

from lib.metrics import screening as sm
from lib.warehouse.loading import load_batch
from lib.warehouse.scope import Scope
from tests.apptest_util import app_env, run_page
from tests.test_app import _url

TOWN = "350111001000"  # 茶园街道, 晋安区
MONTH = dt.date(2024, 3, 1)
SMALL = {"diagnosed": 3, "treated": 2, "aided": 1}


@pytest.mark.parametrize("stage,value,masked,label,drawn", [
    ("diagnosed", 3, True, "<5", sm.SMALL_DRAWN),
    ("treated", 1, True, "<5", sm.SMALL_DRAWN),
    ("treated", 4, True, "<5", sm.SMALL_DRAWN),
    ("treated", 5, True, "5", 5),
    ("diagnosed", 0, True, "0", 0),
    ("abnormal", 3, True, "3", 3),       # not a masked measure
    ("screened", 2, True, "2", 2),
    ("diagnosed", 3, False, "3", 3),      # district level and above: exact
])
def test_masked_funnel(stage, value, masked, label, drawn):
    out = sm.masked_funnel(pd.DataFrame({"kind": ["cervical"], "stage": [stage],
                                         "value": [float(value)]}), masked)
    assert out["label"].tolist() == [label]
    assert out["value"].tolist() == [drawn]


@pytest.fixture
def small_counts(engine):
    """One township with screening facts whose diagnosed/treated/aided are 1–4."""
    frame = pd.DataFrame([{"region_code": TOWN, "month": MONTH, "kind": "cervical",
                           "screened": 120, "abnormal": 11, **SMALL, "aid_amount_10k_yuan": 0.5}])
    load_batch(engine, {"screening": frame}, filename="small.csv", scope=Scope.everything())
    return engine


def _chart_frames(at) -> list[pd.DataFrame]:
    """The data of every Vega-Lite chart the page sent (inline values and Arrow datasets)."""
    import pyarrow as pa

    frames = []
    for el in at.get("vega_lite_chart"):  # AppTest has no typed element for charts
        proto = el.proto
        spec = json.loads(proto.spec)
        for ds in (spec.get("datasets") or {}).values():
            frames.append(pd.DataFrame(ds))
        for named in proto.datasets:
            frames.append(pa.ipc.open_stream(io.BytesIO(named.data.data)).read_pandas())
    assert frames, "no chart data found"
    return frames


def _funnel_rows(frames) -> pd.DataFrame:
    rows = [f for f in frames if {"stage", "value", "label"} <= set(f.columns)]
    assert rows, "the funnel chart's data was not found"
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("region,masked", [(TOWN, True), ("350111000000", True),
                                           ("350100000000", False)])
def test_screening_page_masks_small_counts(small_counts, region, masked):
    url, schema = _url(small_counts)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/screening.py", query={"region": region})
    assert not at.exception, at.exception
    funnel = _funnel_rows(_chart_frames(at)).set_index("stage")
    for stage in ("diagnosed", "treated"):
        if masked:
            assert funnel.at[stage, "label"] == "<5"
            assert funnel.at[stage, "value"] == sm.SMALL_DRAWN  # the exact count is not sent
        else:
            assert funnel.at[stage, "label"] == str(SMALL[stage])
    captions = " ".join(c.value for c in at.caption)
    assert ("救助人数：<5" in captions) is masked
    assert (f"救助人数：{SMALL['aided']}" in captions) is (not masked)


def test_meeting_slides_and_brief_carry_no_small_counts(small_counts):
    """Meeting mode shows no diagnosed/treated/aided count at all (masked or not): a rule that
    fails as soon as a slide, its chart data or the brief starts to carry one."""
    from pptx import Presentation

    from lib.ui import data, filters, meeting_ui
    from lib.meeting.slides import build_slides

    url, schema = _url(small_counts)
    f = filters.Filters(lang="zh", region_code=TOWN, region_name="茶园街道", level="township",
                        prefix=TOWN[:9], date_from=dt.date(2024, 1, 1),
                        date_to=dt.date(2024, 12, 31), area=None)
    # outside a script run the query boundary needs a bound scope (the whole warehouse here)
    with app_env(url, schema=schema, demo=False), data.scope_bound(Scope.everything()):
        slides = build_slides(meeting_ui.gather(f), "zh")
        pptx = meeting_ui.brief(f)
    assert any(k.value == "120" for s in slides for k in s.kpis)  # the data did reach the slides
    for s in slides:
        if s.chart is not None:
            spec = s.chart.to_dict()
            columns = {c for ds in spec.get("datasets", {}).values() for row in ds for c in row}
            assert not columns & set(sm.MASKED), (s.key, columns)
        assert all(not any(m in k.label for m in ("确诊", "治疗人数", "救助")) for k in s.kpis)
        if s.table is not None:
            assert not set(s.table.columns) & set(sm.MASKED)
    prs = Presentation(io.BytesIO(pptx))
    assert len(prs.slides) == len(slides)
    text = " ".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes
                    if shape.has_text_frame)
    assert "120" in text
    for word in ("确诊", "救助人数"):
        assert word not in text
