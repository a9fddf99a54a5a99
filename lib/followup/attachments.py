"""Which files an owner may attach to a follow-up note: a type read from the content, a size cap.

A file's name is typed by whoever uploads it, so its extension only says what it claims to be; the
first bytes (and, for XLSX, the zip's own directory) must agree before it is stored. Pure: the
service stores what this accepts.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
NAME_MAX = 120

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_BY_EXT = {".csv": "text/csv", ".xlsx": XLSX_MIME, ".pdf": "application/pdf",
               ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
ALLOWED = tuple(MIME_BY_EXT)
_UNSAFE = re.compile(r"[\\/:*?\"<>|]+")


class AttachmentRefused(ValueError):
    """A file that cannot be attached; ``reason_key`` is an i18n key (lib/i18n.TEXT)."""

    def __init__(self, reason_key: str, detail: str = ""):
        super().__init__(f"{reason_key}: {detail}" if detail else reason_key)
        self.reason_key = reason_key
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    filename: str
    mime: str
    size: int


def safe_name(filename: str) -> str:
    """The file's own name without any folder, control character or character a download name
    cannot hold; the extension is kept."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 \
            else name[:NAME_MAX]
    return name


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _is_text(content: bytes) -> bool:
    """A CSV has no signature: it must be text in one of the encodings uploads accept (UTF-8 with or
    without BOM, UTF-16 with BOM, GB18030 which covers GBK) and hold no NUL byte outside UTF-16."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            content.decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    if b"\x00" in content:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


_SIGNATURES = {
    ".pdf": lambda b: b.startswith(b"%PDF-"),
    ".png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".xlsx": _is_xlsx,
    ".csv": _is_text,
}


def check(filename: str, content: bytes) -> Checked:
    """The stored name and type of an acceptable file; AttachmentRefused otherwise (empty, over
    MAX_BYTES, an extension not in ALLOWED, or content that is not what the extension says)."""
    name = safe_name(filename)
    ext = _extension(name)
    if ext not in MIME_BY_EXT:
        raise AttachmentRefused("fu_file_type", name or "?")
    if not content:
        raise AttachmentRefused("fu_file_empty", name)
    if len(content) > MAX_BYTES:
        raise AttachmentRefused("fu_file_large", name)
    if not _SIGNATURES[ext](content):
        raise AttachmentRefused("fu_file_content", name)
    return Checked(name, MIME_BY_EXT[ext], len(content))
