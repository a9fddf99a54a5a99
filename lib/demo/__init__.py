"""Synthetic demo data (示例数据) on real divisions: the city demo the app opens on (``city``), the
national one the benchmark measures (``national``), the shapes both draw from (``shapes``) and the
command that builds either (``python -m lib.demo``).

Every number they make is invented, seeded and reproducible; none is a statistic and none describes
a person. The names most callers want are re-exported here.
"""
from lib.demo.city import build_demo, build_frames

__all__ = ["build_demo", "build_frames"]
