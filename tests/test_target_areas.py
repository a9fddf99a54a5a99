"""A page's reading assesses only its own plan indicators, and finds what the whole assessment
would have said of them."""
from __future__ import annotations

import pytest

from lib.targets.areas import catalog_of, in_area
from lib.targets.run import assess_region
from lib.warehouse.reference import indicators_frame

CITY = "350100000000"


def test_each_indicator_belongs_where_its_source_says(demo_engine):
    catalog = indicators_frame(demo_engine)
    by_area = {a: set(catalog_of(catalog, a)["code"])
               for a in ("coverage", "training", "employment", "screening")}
    src = dict(zip(catalog["code"], catalog["computed_from"].fillna("")))
    assert by_area["screening"] == {c for c, s in src.items() if s.startswith("screening.")}
    assert by_area["screening"] and by_area["coverage"] and by_area["employment"]
    assert all(src[c] == "" or not src[c].startswith(("screening", "coverage"))
               for c in by_area["employment"])
    assert set(catalog_of(catalog, "targets")["code"]) == set(catalog["code"])
    assert set(catalog_of(catalog, None)["code"]) == set(catalog["code"])
    assert not in_area("coverage", "health", "screening.rural.coverage")
    assert in_area("overview", "health", "")


@pytest.mark.parametrize("area", ["coverage", "training", "employment", "screening"])
def test_an_areas_assessment_is_the_whole_ones_restricted(demo_engine, area):
    whole = assess_region(demo_engine, CITY)
    mine = assess_region(demo_engine, CITY, area)
    catalog = indicators_frame(demo_engine)
    expected = set(catalog_of(catalog, area)["code"])
    assert [a.code for a in mine] == [a.code for a in whole if a.code in expected]
    assert mine == [a for a in whole if a.code in expected]
