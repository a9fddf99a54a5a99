"""lib/charts/memo: equal frames and options give the same chart; specs are built once and copied."""
import pandas as pd

from lib.charts import common as charts
from lib.charts.memo import frame_key, memoised, spec_of


def _frame(v=(3, 4)):
    return pd.DataFrame({"x": ["2024", "2025"], "v": list(v), "s": ["甲", "乙"]})


def test_equal_frames_and_options_give_the_same_chart():
    a = charts.trend(_frame(), x="x", y="v", series="s", title="t", y_title="y")
    b = charts.trend(_frame(), x="x", y="v", series="s", title="t", y_title="y")
    assert a is b
    assert charts.trend(_frame((3, 5)), x="x", y="v", series="s", title="t", y_title="y") is not a
    assert charts.trend(_frame(), x="x", y="v", series="s", title="T", y_title="y") is not a
    assert frame_key(_frame()) != frame_key(_frame().astype({"v": float}))  # dtypes count


def test_spec_is_the_charts_own_and_each_caller_gets_a_copy():
    chart = charts.bars(_frame(), category="x", value="v", title="t", value_title="")
    spec = spec_of(chart)
    assert spec == chart.to_dict()
    spec["title"] = "changed"
    assert spec_of(chart)["title"] != "changed"


def test_unhashable_frames_are_built_every_time():
    calls = []

    @memoised
    def build(frame, **options):
        calls.append(1)
        return object()

    odd = pd.DataFrame({"x": [[1], [2]]})  # lists: pandas cannot hash them
    assert build(odd) is not build(odd) and len(calls) == 2
