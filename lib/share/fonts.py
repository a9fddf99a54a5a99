"""The Chinese font the shared picture is drawn in: the pages' own Noto Sans CJK SC where installed.

The dashboards name "Noto Sans CJK SC" first (lib/charts/common.FONT) and vl-convert draws the
chart PNGs with it, so the picture's text and its chart read alike. Pillow needs a file, not a
family name: fontconfig is asked where the family lives (``fc-match``/``fc-list``), then a few
well-known paths are tried. A .ttc collection holds JP, KR, SC, TC and HK faces, so the face is
picked by its name, never by a fixed index. Without any font that covers Chinese the picture
cannot be drawn legibly at all: ``MissingFont`` says so and names the package to install, instead
of a picture of empty boxes.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = ("no Chinese (CJK) font found for the shared picture: install fonts-noto-cjk "
                "(Debian/Ubuntu: apt-get install fonts-noto-cjk), which provides Noto Sans CJK SC")
# Where the usual CJK sans fonts live when fontconfig is absent or does not list them.
KNOWN_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{style}.ttc",            # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{style}.ttc",                  # Arch, Alpine
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{style}.ttc",           # Fedora, RHEL
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-{style}.otf",
    "/System/Library/Fonts/PingFang.ttc",                                 # macOS
    "C:/Windows/Fonts/msyh.ttc",                                          # Windows: 微软雅黑
)
MAX_FACES = 16  # faces tried in one collection (Noto's has 10)


class MissingFont(RuntimeError):
    """No font that covers Chinese is installed: the picture would be boxes instead of words."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: the file and the index of the face inside a collection."""
    path: str
    index: int
    name: str  # family and style, as the file names them


def _fontconfig(pattern: str) -> list[str]:
    """Files fontconfig offers for ``pattern``: the best match first, then every Chinese font."""
    if shutil.which("fc-match") is None:
        return []
    out: list[str] = []
    for cmd in (["fc-match", "-f", "%{file}\n", pattern],
                ["fc-list", ":lang=zh-cn", "file"]):
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        out += [line.split(":")[0].strip() for line in done.stdout.splitlines() if line.strip()]
    return out


def _faces(path: str) -> list[FontFace]:
    faces = []
    for index in range(MAX_FACES):
        try:
            font = ImageFont.truetype(path, 12, index=index)
        except OSError:
            break  # past the last face of a collection (or not a font at all)
        family, style = font.getname()
        faces.append(FontFace(path, index, f"{family} {style}".strip()))
    return faces


def _rank(face: FontFace, bold: bool) -> tuple[int, int, int]:
    """Lower is better: the pages' family first, sans before serif, the asked weight first."""
    name = face.name.lower()
    return (0 if name.startswith(FAMILY.lower()) else 1,
            0 if "sans" in name and "mono" not in name else 1,
            0 if ("bold" in name) == bold else 1)


@functools.lru_cache(maxsize=4)
def find_face(bold: bool = False) -> FontFace:
    """The face the picture uses for regular (or bold) text; ``MissingFont`` when none exists."""
    style = "Bold" if bold else "Regular"
    files = _fontconfig(f"{FAMILY}:style={style}") + [p.format(style=style) for p in KNOWN_FILES]
    faces: list[FontFace] = []
    for path in dict.fromkeys(files):
        if path and Path(path).is_file():
            faces += _faces(path)
    chinese = [f for f in faces if _covers_chinese(f)]
    if not chinese:
        raise MissingFont()
    return min(chinese, key=lambda f: _rank(f, bold))


def _covers_chinese(face: FontFace) -> bool:
    """Does the face draw 中 as a glyph of its own? A font without it draws the same empty box
    (.notdef) for 中 as for a private-use character no font has."""
    font = ImageFont.truetype(face.path, 24, index=face.index)
    han, box = font.getmask("中"), font.getmask("\ue000")
    return han.getbbox() is not None and bytes(han) != bytes(box)


@functools.lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The picture's font at ``size`` pixels."""
    face = find_face(bold)
    return ImageFont.truetype(face.path, size, index=face.index)
