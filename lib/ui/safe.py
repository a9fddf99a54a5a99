"""User-supplied text inside Markdown: shown literally, never as links, images, HTML or formatting.

Streamlit renders Markdown in st.markdown, st.caption, st.title/subheader, the st.error/warning/
info/success boxes, st.table cells and widget, tab and expander labels. A string a user typed or uploaded
(an upload's header, an indicator or region name, a file name, a username) put there as is would
fetch a remote image (``![x](http://host/x.png)``), show a live phishing link (``[点我](http://…)``,
a bare ``www.…`` or ``http://…``) or restyle the page. ``md_escape`` makes such a string plain text
for any of those places; HTML blocks written with ``unsafe_allow_html`` keep using ``html.escape``
(Markdown is not parsed inside an HTML block, so a backslash would show there).
"""
from __future__ import annotations

import re

import pandas as pd

# ASCII punctuation that starts or closes a Markdown/GFM construct, or an HTML tag or entity.
# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is always
# literal text: [ ] ( ) ! make no link or image, < > & no HTML or entity, ` no code, * _ ~ no
# emphasis, $ no formula, | no table, # + - . at a line's start no heading or list. Apostrophes,
# quotes, commas and CJK punctuation mean nothing in Markdown and stay as they are, so ordinary
# text reads unchanged.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&@])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# Escapes are not enough against GFM autolink literals: Streamlit's Markdown (remark-gfm) also
# finds "http://host", "www.host" and "a@b.c" in the text *after* escapes are resolved, and links
# them. An invisible WORD JOINER (U+2060) after "://", "www" and "@" leaves nothing those patterns
# accept (each needs a domain character right there); the text looks the same.
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"://|www(?=\.)|@", re.IGNORECASE)


def md_escape(value: object) -> str:
    """``value`` as Markdown source that renders as exactly its text, on one line.

    Line breaks become spaces: a break would let the rest of the string start a heading, a list,
    a quote or a table of its own. A word joiner follows "://", "www" and "@" (see WORD_JOINER).
    ``None`` becomes the empty string.
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK_START.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return _SPECIAL.sub(r"\\\1", text)


def md_join(values, sep: str = "、") -> str:
    """Several user strings escaped and joined (``sep`` is ours and stays as written)."""
    return sep.join(md_escape(v) for v in values)


def md_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table`` (which renders Markdown in every cell and header): text
    cells, column names and index labels escaped; numbers and dates left as they are."""
    def cell(v):
        return md_escape(v) if isinstance(v, str) else v

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    out.columns = [cell(c) for c in out.columns]
    out.index = out.index.map(cell)
    if isinstance(frame.index.name, str):
        out.index.name = md_escape(frame.index.name)
    return out
