"""Percentiles of measured latencies, as the standalone bench modules report them."""

import math


def nearest_rank(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.99 for p99): the smallest value with at least that share of
    the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
