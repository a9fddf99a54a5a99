"""Metrics of coverage, training, employment and screening: pure functions over the warehouse's
aggregate frames, and their registry."""
from lib.metrics.registry import METRICS, Metric, metric

__all__ = ["METRICS", "Metric", "metric"]
