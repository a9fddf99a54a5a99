"""Assess every catalog indicator for a region straight from the warehouse."""
from __future__ import annotations

from sqlalchemy import Engine

from lib.targets.areas import catalog_of
from lib.targets.assess import Assessment, assess_indicators, targets
from lib.warehouse.indicator_queries import (indicator_yearly_values, top_region_code,
                                             uploaded_yearly_values)
from lib.warehouse.reference import indicators_frame


def assess_region(engine: Engine, region_code: str | None = None,
                  area: str | None = None, *, until_year: int | None = None) -> list[Assessment]:
    """The indicators of the catalog in one region (default: the whole warehouse's top region, as
    the app opens on: the country, the only province or the city), in catalog order: all of them,
    or those of one page's ``area`` (lib.targets.areas; a page's reading computes no others).
    ``until_year``: as of that year's end, as the annual report and the mid-term and final
    evaluations judge (values of later years left out)."""
    region_code = region_code or top_region_code(engine)
    if region_code is None:
        raise ValueError("the warehouse has no region of level 'city'; pass a region code")
    catalog = catalog_of(indicators_frame(engine), area)
    values = indicator_yearly_values(engine, region_code, catalog)
    return assess_indicators(catalog, values, region_code, until_year=until_year)


def assess_children(engine: Engine, codes: tuple[str, ...],
                    computed: bool) -> dict[str, list[Assessment]]:
    """{child code: assessments}. Without ``computed`` only the uploaded indicators (one cheap query
    per child); computed ones aggregate the ledgers once per child, which is slower."""
    catalog = indicators_frame(engine)
    if computed:
        return {code: assess_indicators(catalog, indicator_yearly_values(engine, code, catalog),
                                        code) for code in codes}
    src = catalog["computed_from"].fillna("").astype(str).str.strip()
    catalog = catalog[src == ""]
    values = uploaded_yearly_values(engine, tuple(codes), list(catalog["code"]))
    by_region = {code: part for code, part in values.groupby("region_code", sort=False)}
    empty = values.iloc[:0]
    goals = targets(catalog)
    return {code: assess_indicators(goals, by_region.get(code, empty), code) for code in codes}
