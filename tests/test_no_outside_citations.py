"""Docstrings, comments and the repository's documents explain in place: they cite no issue number
and no design document a reader of this repository does not have (the design notes, the style
guide, the glossary). A reference to a section of a design note tells a reader nothing."""
from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

# Built from pieces so that this file does not match itself.
CITATION = re.compile(
    "|".join([
        r"\b(?:DESIGN|STYLE|GLOSSARY)(?:\.md)?\s*" + "\u00a7",  # the documents' section sign
        r"\b(?:DESIGN|STYLE|GLOSSARY)\.md\b",
        r"(?<![\w-])" + "iss" + r"ues?\s+#?\d+",                  # a tracker's issue number
        "\u00a7" + r"\s*\d",                                       # a bare section number
    ]), re.IGNORECASE)
SUFFIXES = (".py", ".md", ".toml", ".in", ".txt", ".sh", ".cfg", ".ini")


def _tracked() -> list[str]:
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                         capture_output=True).stdout.decode().split("\0")
    return [f for f in out if f and (f.endswith(SUFFIXES) or f == ".ci/run")
            and not f.startswith("data/") and (ROOT / f).is_file()]


def citations(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if CITATION.search(line)]


def test_the_pattern_finds_what_it_should_and_nothing_else():
    section = "\u00a7"
    assert citations(f"keyed by district (DESIGN {section}2)")
    assert citations(f"one place (STYLE {section}7)")
    assert citations("see GLOSSARY" + ".md, 'Upload headers'")
    assert citations("the written reading, " + "iss" + "ue 14")
    assert citations("(" + "iss" + "ues 12 and 15)")
    assert citations("Iss" + "ue 12 item 7: nothing outside")
    assert citations(f"every date form of {section}3")
    assert not citations("issued 2024; an issue with the file; 12 issues remain; tissue 7")
    assert not citations("the design of the map, the style of a chart")


def test_no_file_cites_an_issue_or_an_outside_document():
    found = {}
    for name in _tracked():
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        if hits := citations(text):
            found[name] = hits[:3]
    assert not found, ("explain in place instead of citing an issue or a document outside the "
                       f"repository: {found}")
