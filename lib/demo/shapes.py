"""The shapes both demos share (city: lib/demo/city.py, national: lib/demo/national.py): categories,
the screening season and the indicators' paths. Its own module so that the national demo does not
import the city demo, whose command line imports it (the two imported each other)."""
from __future__ import annotations

import numpy as np

SECTORS = ["new_economy", "new_social", "internet_platform", "courier_logistics", "ride_hailing",
           "food_delivery", "university"]
TOPICS = ["political_guidance", "rights_law", "family_education", "entrepreneurship",
          "vocational_skills", "health"]
AUDIENCES = ["rural_women", "female_graduates", "domestic_workers", "general_public"]
# Screening campaigns: spring (Mar–May) and autumn (Sep–Nov); January–February are quiet.
MONTH_WEIGHT = np.array([0.03, 0.02, 0.11, 0.13, 0.11, 0.06, 0.05, 0.05, 0.11, 0.13, 0.12, 0.08])
MONTH_WEIGHT = MONTH_WEIGHT / MONTH_WEIGHT.sum()
# (2019 value, latest value) of the city for indicators that are uploaded, not computed.
INDICATOR_PATHS = {
    "H01": (13.5, 9.2), "H04": (74.0, 86.5), "H06": (3.1, 1.6), "H08": (12.5, 10.6),
    "H09": (41.0, 49.0), "H10": (90.2, 92.4), "H11": (87.5, 92.8), "H12": (95.0, 98.6),
    "E01": (95.2, 98.1), "E02": (97.0, 98.6), "E03": (92.0, 95.8), "C01": (41.5, 46.0),
    "D01": (21.0, 26.5), "D02": (47.5, 51.0), "D03": (34.0, 40.5), "S01": (93.0, 96.2),
    "S02": (88.0, 93.5), "S03": (62.0, 90.0), "V01": (90.0, 95.5),
}
VOLATILE = {"H04", "S03"}
