"""lib/reading: facts and sentences from hand-built warehouses (DuckDB and PostgreSQL), and the pure
templates. The reading must name the lagging and the jumping township and the off-track indicator,
say no number its facts do not hold, say nothing where the data are too thin, and stay in scope."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from lib.reading.facts import AREAS, AreaFacts, gather, item
from lib.reading.source import EngineSource
from lib.reading.text import sentences
from lib.filters import make_view
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction
from lib.warehouse.scope import Scope

D = dt.date
DISTRICT = "350111000000"           # 晋安区
OTHER = "350102000000"              # 鼓楼区: a sibling district
TOWNS = {"350111001000": "茶园街道", "350111002000": "王庄街道", "350111003000": "象园街道",
         "350111100000": "鼓山镇", "350111101000": "新店镇", "350111102000": "岳峰镇",
         "350111103000": "宦溪镇"}
LAGGING, JUMPING = "350111103000", "350111101000"   # 宦溪镇 screens little, 新店镇 jumps in Nov
THIN = "350111201000"               # 寿山乡: two women screened, no quota
PERIOD = (D(2026, 1, 1), D(2026, 11, 30))


def _load(engine, **frames) -> None:
    with write_transaction(engine) as conn:
        for name, rows in frames.items():
            table = getattr(s, name)
            frame = pd.DataFrame(rows).assign(batch_id=1)
            for col in table.columns:
                if col.name in frame and col.type.python_type is int:
                    frame[col.name] = frame[col.name].astype("Int64")
            bulk_insert(conn, table, frame)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    return [d.date() for d in pd.date_range(start, end, freq="MS")]


def _screening_row(code: str, month: dt.date, screened: int) -> dict:
    return dict(region_code=code, month=month, kind="cervical", screened=screened,
                abnormal=screened // 20, diagnosed=0, treated=0, aided=0, aid_amount_10k_yuan=0.0)


def build(engine) -> None:
    """Seven townships of 晋安区 screening 100 women a month against a quota of 1,100 a year;
    宦溪镇 screens 40 a month, 新店镇 jumps to 600 in November 2026; a few sessions of training
    per township; 鼓楼区 screens as a sibling; 寿山乡 has two women screened and no quota. The
    district's maternal mortality ratio (H01, target ≤ 10 by 2030) rises year after year."""
    screening, targets, training = [], [], []
    for code in list(TOWNS) + ["350102001000"]:
        for m in _months(D(2024, 1, 1), D(2026, 11, 1)):
            n = 40 if code == LAGGING else 100
            if code == JUMPING and m == D(2026, 11, 1):
                n = 600
            screening.append(_screening_row(code, m, n))
        for year in (2024, 2025, 2026):
            targets.append(dict(region_code=code, year=year, kind="cervical",
                                eligible_women=4000, quota=1100))
    screening.append(_screening_row(THIN, D(2026, 3, 1), 2))
    for i, code in enumerate(TOWNS):
        for j, m in enumerate(_months(D(2025, 1, 1), D(2026, 11, 1))):
            training.append(dict(session_id=f"t{i}-{j}", region_code=code,
                                 held_on=m.replace(day=10), topic="health",
                                 audience="rural_women", mode="onsite", participants=30 + i,
                                 hours=2.0))
    values = [dict(indicator_code="H01", region_code=DISTRICT, year=y, value=v)
              for y, v in zip(range(2020, 2026), [14.0, 15.0, 16.5, 17.0, 18.5, 19.0])]
    _load(engine, screening=screening, screening_target=targets, training_session=training,
          indicator_value=values)


@pytest.fixture
def wh(engine):
    build(engine)
    return engine


def _view(engine, code: str, lang: str = "zh", scope: str = ""):
    names = EngineSource(engine).names()
    return make_view(code, names[code], *PERIOD, lang=lang, scope=scope)


def _numbers(text: str) -> set[str]:
    """Every number in a text, without signs or thousands separators (2,025 → 2025)."""
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _fact_numbers(facts: AreaFacts) -> set[str]:
    """Numbers the facts hold as text (formatted strings, ranks, counts; raw floats excluded)."""
    found: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            found.update(_numbers(x))
        elif isinstance(x, int) and not isinstance(x, bool):
            found.add(str(x))
    walk(facts.to_dict())
    return found


def test_reading_names_the_laggard_the_jump_and_the_off_track_indicator(wh):
    src = EngineSource(wh)
    view = _view(wh, DISTRICT)
    screening = sentences(gather(src, view, "screening"))
    text = "".join(screening)
    assert screening[0].startswith("晋安区两癌筛查任务完成率")
    lag = next(x for x in screening if "排名靠后" in x)
    assert TOWNS[LAGGING] in lag and "需重点督促" in lag
    jump = next(x for x in screening if "核实" in x)
    assert TOWNS[JUMPING] in jump and "2026年11月" in jump and "600" in jump and "明显高于" in jump
    assert TOWNS[LAGGING] not in jump and TOWNS[JUMPING] not in lag
    assert "在福州市2个区（县）中居第" in text  # 晋安区 among 晋安区 and 鼓楼区
    targets = sentences(gather(src, view, "targets"))
    off = next(x for x in targets if "孕产妇死亡率" in x)
    assert "滞后" in off and "19.0/10万" in off
    assert sentences(gather(src, view, "coverage")) == []  # no organisation roster at all
    overview = " ".join(sentences(gather(src, view, "overview")))
    assert "孕产妇死亡率" in overview


def test_english_reading(wh):
    src = EngineSource(wh)
    said = sentences(gather(src, _view(wh, DISTRICT, "en"), "screening"))
    assert said[0].startswith("晋安区: screening completion")
    assert any("Lagging" in x and TOWNS[LAGGING] in x for x in said)
    assert any("far above" in x and TOWNS[JUMPING] in x for x in said)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_number_in_the_text_is_in_the_facts(wh, lang):
    src = EngineSource(wh)
    for code in (DISTRICT, LAGGING, "350100000000"):
        view = _view(wh, code, lang)
        for area in AREAS:
            facts = gather(src, view, area)
            said = " ".join(sentences(facts))
            missing = _numbers(said) - _fact_numbers(facts)
            assert not missing, (code, area, missing, said)


def test_no_sentence_where_the_data_are_too_thin(wh):
    src = EngineSource(wh)
    view = _view(wh, THIN)
    for area in AREAS:
        facts = gather(src, view, area)
        assert sentences(facts) == [], area
        assert any(o.endswith("thin") for o in facts.omitted) or area == "targets"
    # a township with screening but no quota says nothing about completion either
    per = gather(src, _view(wh, DISTRICT), "screening").league
    assert THIN not in {r["code"] for r in per}


def test_small_counts_are_never_said_below_district_level(wh):
    _load(wh, screening=[dict(region_code=LAGGING, month=D(2026, 5, 1), kind="breast",
                              screened=50, abnormal=4, diagnosed=3, treated=2, aided=1,
                              aid_amount_10k_yuan=0.5)])
    facts = gather(EngineSource(wh), _view(wh, LAGGING), "screening")
    assert "treatment:masked" in facts.omitted
    assert all(h["metric"] != "screening.treatment_rate" for h in facts.headline)


def test_a_district_reader_never_gets_a_city_figure(wh):
    asked = []

    class Recording(EngineSource):
        def query(self, name, *args, **kwargs):
            if name in ("facts", "screening_targets", "org_coverage", "org_counts",
                        "villages_without", "freshness", "targets_assess"):
                region = args[1] if name == "facts" else args[0]
                asked.append(region.prefix if isinstance(region, Scope) else str(region))
            return super().query(name, *args, **kwargs)

    src = Recording(wh)
    scoped = _view(wh, DISTRICT, scope="350111")
    for area in AREAS:
        facts = gather(src, scoped, area)
        assert facts.rank is None
    assert asked and all(a.startswith("350111") for a in asked), sorted(set(asked))
    assert "rank:parent_out_of_scope" in gather(src, scoped, "screening").omitted
    # the same view without a scope ranks 晋安区 in the city: the rank was left out, not missing
    assert gather(EngineSource(wh), _view(wh, DISTRICT), "screening").rank["of"] == 2


@pytest.mark.parametrize("parent,parent_level,sibling,rank,of,zh,en", [
    ("晋安区", "district", "township", 7, 9, "，在晋安区9个乡镇（街道）中居第7位",
     ", 7th of the 9 townships in 晋安区"),
    ("福州市", "city", "district", 1, 13, "，在福州市13个区（县）中居第1位",
     ", 1st of the 13 districts in 福州市"),
    ("福建省", "province", "city", 2, 9, "，在福建省9个市（州）中居第2位",
     ", 2nd of the 9 cities in 福建省"),
    ("中国", "country", "province", 3, 31, "，在全国31个省（区、市）中居第3位",
     ", 3rd of the 31 provinces in the country"),
    ("茶园街道", "township", "village", 12, 40, "，在茶园街道40个村（社区）中居第12位",
     ", 12th of the 40 villages in 茶园街道"),
    (None, "district", "township", 11, 13, "，在所在区（县）13个乡镇（街道）中居第11位",
     ", 11th of the 13 townships in its district"),
])
def test_a_rank_names_the_parent_and_its_children(parent, parent_level, sibling, rank, of, zh,
                                                   en):
    """'居全区（县）第7位' left the reader to guess which district and of how many: the rank names
    the parent region (the country as 全国) and counts its children by their level's name."""
    from lib.reading.text import _rank

    r = {"metric": "screening.completion", "rank": rank, "of": of, "parent_code": "x",
         "parent_level": parent_level, "parent_name": parent, "sibling_level": sibling}
    f = AreaFacts("screening", DISTRICT, "某地", "zh", rank=r)
    assert _rank(f, "zh") == zh
    assert _rank(f, "en") == en


def test_the_reading_repeats_the_page_figures():
    """The templates paste the page's formatted figures: fmt.rate and fmt.change_pp rounding."""
    f = AreaFacts("screening", DISTRICT, "晋安区", "zh",
                  headline=[item("screening.completion", 0.95449, 0.95351, "zh")],
                  rank={"metric": "screening.completion", "rank": 6, "of": 13,
                        "parent_code": "350100000000", "parent_level": "city",
                        "parent_name": "福州市", "sibling_level": "district"})
    assert sentences(f) == ["晋安区两癌筛查任务完成率95.4%，在福州市13个区（县）中居第6位，"
                            "较上年同期提高0.1个百分点。"]
    flat = AreaFacts("training", DISTRICT, "晋安区", "en",
                     headline=[item("training.participants", 12345, 12340, "en")])
    assert sentences(flat) == ["晋安区: participants (visits) 12,345, level with the same period "
                               "last year."]
    assert sentences(AreaFacts("training", DISTRICT, "晋安区", "zh")) == []
