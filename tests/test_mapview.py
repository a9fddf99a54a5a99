"""The map widget's notes beside the map, rendered by Streamlit's AppTest."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _note_script(names: list[str], lang: str) -> None:
    from lib.ui.mapview import not_drawn_note

    not_drawn_note(names, lang)


@pytest.mark.parametrize("lang,label", [("zh", "90 个地区未绘制（无驻地坐标）"),
                                        ("en", "90 regions not drawn (no seat point)")])
def test_regions_not_drawn_are_a_count_with_the_names_folded_away(lang, label):
    """A national city map listed ~90 names beside its legend as a wall of text: the page shows
    how many, and the names open on demand."""
    names = [f"测试{i}区" for i in range(90)]
    at = AppTest.from_function(_note_script, args=(names, lang), default_timeout=30).run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == [label]
    assert not at.expander[0].proto.expanded
    folded = " ".join(str(c.value) for c in at.expander[0].caption)
    assert all(n in folded for n in names)
    # nothing but the expander at the top level: the names are not printed outside it
    outside = [c for c in at.caption if c not in at.expander[0].caption]
    assert not outside
