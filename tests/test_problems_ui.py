"""The refusal table: a problem about the whole file says so (not the grid's "None")."""
from lib.ingest.messages import problem, problems_frame
from lib.ui.problems_ui import problems_display


def test_whole_file_problem_is_named_and_rows_keep_their_numbers():
    frame = problems_frame([problem(None, "", "", "region_empty"),
                            problem(7, "参训人数", "abc", "region_bad_code")])
    zh = problems_display(frame, "zh")
    assert list(zh.columns) == ["row", "column", "value", "problem_zh"]
    assert zh["row"].tolist() == ["整个文件", "7"]
    assert zh.loc[1, "value"] == "abc" and zh.loc[1, "column"] == "参训人数"
    assert "None" not in zh.to_string() and zh["problem_zh"].str.len().min() > 0
    assert problems_display(frame, "en")["row"].tolist() == ["whole file", "7"]
