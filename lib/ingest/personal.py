"""Personal data detection: ID-card numbers (with checksum), mobile numbers, columns of people's names.

halfsky stores no personal data: no names of women, no ID or phone numbers. A file carrying any is
refused whole, naming the column, so the analyst removes it at the source rather than trusting us
to drop it.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.ingest.columns import might_match
from lib.ingest.messages import problem

ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}"        # area, birth year
                       r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"     # birth month and day
                       r"\d{3}[0-9Xx](?![0-9])")                      # sequence, check digit
MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
NAME_HEADERS = re.compile(r"(姓名|名字|联系人|负责人姓名|填表人|参训人员|学员|患者|身份证|手机|电话|联系方式)")
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
               "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
               "顾毛郝龚邵万钱严覃武戴莫孔向汤翁施游詹卓")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
# One RE2 pre-filter for both (RE2 has no look-arounds: a non-digit or the text's edge is matched
# instead; \p{Nd} is what \d means in Python). It accepts exactly the cells one of the two patterns
# finds something in; the ID checksum stays in Python. Both need at least 11 characters.
_BORDERED = r"(?:^|[^0-9])(?:{})(?:$|[^0-9])"
PERSONAL_CANDIDATE = _BORDERED.format(
    r"[1-9]\p{Nd}{5}(?:19|20)\p{Nd}{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\p{Nd}|3[01])\p{Nd}{3}[0-9Xx]"
    r"|1[3-9]\p{Nd}{9}")
SHORTEST = 11


def id_checksum_ok(number: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17].upper()


def has_id_number(text: str) -> bool:
    return any(id_checksum_ok(m.group(0)) for m in ID_NUMBER.finditer(text))


def looks_like_names(values: pd.Series) -> bool:
    """Most filled cells are 2–3 Han characters starting with a common surname."""
    vals = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if len(vals) < 3:
        return False
    hits = sum(1 for v in vals if _HAN_NAME.match(v) and v[0] in SURNAMES)
    return hits >= 0.6 * len(vals)


def find_personal_data(raw: pd.DataFrame, name_exempt: set[str] = frozenset()) -> list[dict]:
    """One problem per column holding personal data (first offending row and value shown).

    Every cell is looked at: one Arrow pass finds the cells an ID or mobile number pattern matches,
    and only those are checked in Python (ID checksum), in file order.
    """
    problems: list[dict] = []
    for header in raw.columns:
        col = raw[header]
        present = col[col.notna()] if col.hasnans else col
        hits = might_match(present, PERSONAL_CANDIDATE, min_chars=SHORTEST)
        candidates = present.iloc[np.flatnonzero(hits)].astype(str)
        ids = candidates[candidates.map(has_id_number).astype(bool)]
        if len(ids):
            problems.append(problem(int(ids.index[0]), header, _mask(ids.iloc[0]), "personal_id"))
            continue
        phones = candidates[candidates.map(lambda t: MOBILE.search(t) is not None).astype(bool)]
        if len(phones):
            problems.append(problem(int(phones.index[0]), header, _mask(phones.iloc[0]),
                                    "personal_mobile"))
            continue
        named = header not in name_exempt and looks_like_names(present.head(500).astype(str))
        if NAME_HEADERS.search(str(header)) or named:
            first = present.index[0] if len(present) else None
            problems.append(problem(None if first is None else int(first), header,
                                    _mask(str(present.iloc[0])) if len(present) else "",
                                    "personal_names"))
    return problems


def _mask(value: str) -> str:
    """Never echo personal data back in full: keep the first and last characters only."""
    s = str(value)
    return s[:1] + "*" * max(0, len(s) - 2) + s[-1:] if len(s) > 2 else "*" * len(s)
