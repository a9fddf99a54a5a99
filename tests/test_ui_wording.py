"""Wording a leader reads: one word for one thing, and counts with thousands separators."""
import ast
from pathlib import Path

import pytest

from lib.i18n import TEXT

ROOT = Path(__file__).resolve().parents[1]
# Every message of the replace mode: the choice, the dry run, the warning, the result, the column.
REPLACE_KEYS = ["up_mode_replace", "up_dry", "up_retiring", "up_retired", "up_ret_rows"]


def test_replace_mode_says_delete_in_every_message():
    """The dry run said 停用 2 行 and the result 删除 2 行 for the same rows."""
    for key in REPLACE_KEYS:
        zh = TEXT[key]["zh"]
        assert "停用" not in zh and "删除" in zh, (key, zh)
        assert "retire" in TEXT[key]["en"].lower(), key


# (file, i18n key): a count put into the message goes through fmt.exact, never raw.
COUNTED = [("views/upload.py", "up_dry"), ("views/upload.py", "up_retiring"),
           ("views/upload.py", "up_warnings"), ("views/upload.py", "up_refused"),
           ("lib/ui/progress_ui.py", "up_warnings"), ("lib/ui/progress_ui.py", "up_refused"),
           ("views/completeness.py", "cp_of")]


def _format_calls(path: str, key: str) -> list[ast.Call]:
    """``t("key", lang).format(...)`` calls in ``path``."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "format" and isinstance(node.func.value, ast.Call) \
                and node.func.value.args and isinstance(node.func.value.args[0], ast.Constant) \
                and node.func.value.args[0].value == key:
            calls.append(node)
    return calls


@pytest.mark.parametrize("path, key", COUNTED)
def test_counts_in_messages_have_thousands_separators(path, key):
    calls = _format_calls(path, key)
    assert calls, f"{key} is not formatted in {path}"
    for call in calls:
        for arg in call.keywords:
            value = arg.value
            assert isinstance(value, ast.Call) and ast.unparse(value.func) == "fmt.exact", \
                f"{path}: {key}'s {arg.arg}= is {ast.unparse(value)}"


@pytest.mark.parametrize("text, expected", [
    ("选择文件", '"选择文件"'),
    ('a "b" \\ c', '"a \\22 b\\22  \\5c  c"'),
    ("</style><script>", '"\\3c /style\\3e \\3c script\\3e "'),
    ("two\nlines", '"two\\a lines"'),
])
def test_uploader_button_text_is_a_safe_css_string(text, expected):
    from lib.ui.uploader import css_string

    assert css_string(text) == expected
