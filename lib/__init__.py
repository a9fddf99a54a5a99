"""halfsky: the analytics cockpit of a women's federation (巾帼数据驾驶舱)."""
