"""The file uploader in the UI's language.

Streamlit draws its uploader's button ("Upload") and limits line ("50MB per file • CSV, XLSX") in
English whatever the app's language, and ``st.file_uploader`` has no parameter for either. So the
uploader sits in a keyed container whose CSS (scoped to that key, so nothing else changes) hides
those two texts, names the button in the UI's language, and a caption under it states the limits.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

import streamlit as st

from lib.i18n import t


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (quotes, backslashes, line breaks and ``<`` escaped, so
    it can neither end the string nor the ``<style>`` element)."""
    out = []
    for ch in text:
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>\n\r' else ch)
    return '"' + "".join(out) + '"'


def limits_line(types: Sequence[str], lang: str, mb: int | None = None) -> str:
    """What a file may be: its size limit (``mb``, else the server's own setting) and its kinds."""
    kinds = t("list_sep", lang).join(kind.upper() for kind in types)
    return t("up_limits", lang).format(mb=mb or st.get_option("server.maxUploadSize"), types=kinds)


def _css(key: str, button: str) -> str:
    zone = f'.st-key-{key} [data-testid="stFileUploaderDropzone"]'
    label = f'{zone} button [data-testid="stMarkdownContainer"]'
    return (f"<style>{label} p {{display: none;}}"
            f"{label}::after {{content: {css_string(button)};}}"
            f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] {{display: none;}}'
            "</style>")


def file_uploader(label: str, types: list[str], key: str, lang: str, *, mb: int | None = None
                  ) -> io.BytesIO | None:
    """``st.file_uploader`` (one file of ``types``) that reads in ``lang``; the uploader keeps
    ``key``, its container is ``{key}_box``. ``mb``: a limit of the caller's below the server's,
    stated in the caption (the caller still checks it: the browser enforces only the server's).
    The file Streamlit returns is a BytesIO with ``name`` and ``size``; typed as BytesIO so the
    app names no Streamlit internals."""
    with st.container(key=f"{key}_box"):
        st.html(_css(key, t("up_pick", lang)))
        upload = st.file_uploader(label, type=types, key=key)
        st.caption(limits_line(types, lang, mb))
    return upload
