"""The one exception the ingest raises on purpose: a refusal carrying its problems frame."""
from __future__ import annotations

import pandas as pd

from lib.ingest.messages import problem, problems_frame


class IngestRefused(Exception):
    """The file cannot be loaded; ``problems`` says why, row by row, in Chinese and English."""

    def __init__(self, problems: pd.DataFrame):
        self.problems = problems
        first = problems.iloc[0] if len(problems) else None
        super().__init__(first["problem_en"] if first is not None else "refused")

    @classmethod
    def single(cls, key: str, **values) -> "IngestRefused":
        return cls(problems_frame([problem(None, "", "", key, **values)]))
