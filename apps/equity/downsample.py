"""Which points of a long series to draw: LTTB through tsdownsample, plus the true extremes (no Django)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tsdownsample import LTTBDownsampler

MIN_POINTS = 5  # LTTB needs 3 (first, last, one between), plus the highest and the lowest


def downsample_indices(x: np.ndarray, y: np.ndarray, *, max_points: int) -> np.ndarray:
    """Sorted indices of at most `max_points` points, always holding the first, last, max and min of `y`.

    `x` must be strictly increasing (e.g. epoch seconds); the whole series is returned when it is short enough.
    """
    if max_points < MIN_POINTS:
        raise ValueError(f"max_points must be at least {MIN_POINTS}")
    count = len(y)
    if count <= max_points:
        return np.arange(count, dtype=np.int64)
    x, y = np.ascontiguousarray(x), np.ascontiguousarray(y, dtype=np.float64)
    extremes = {int(np.argmax(y)), int(np.argmin(y))}
    chosen = LTTBDownsampler().downsample(x, y, n_out=max_points).astype(np.int64)
    missing = extremes - set(chosen.tolist())
    if missing:
        # LTTB keeps the first and last point but may step over a lone spike: make room for the true extremes.
        chosen = LTTBDownsampler().downsample(x, y, n_out=max_points - len(missing)).astype(np.int64)
    return np.union1d(chosen, np.array(sorted(extremes), dtype=np.int64))


def lttb_pure_python(x: Sequence[float], y: Sequence[float], n_out: int) -> list[int]:
    """Textbook Largest-Triangle-Three-Buckets in plain Python: the benchmark's baseline and a test oracle."""
    count = len(y)
    if n_out >= count or n_out < 3:
        return list(range(count))
    every = (count - 2) / (n_out - 2)
    chosen, a = [0], 0
    for i in range(n_out - 2):
        start, end = int(i * every) + 1, int((i + 1) * every) + 1
        next_end = min(int((i + 2) * every) + 1, count)
        # The next bucket's average is the third corner (the last point when there is no next bucket).
        span = range(end, next_end) if end < count - 1 else range(count - 1, count)
        avg_x = sum(x[j] for j in span) / len(span)
        avg_y = sum(y[j] for j in span) / len(span)
        best, best_area = start, -1.0
        for j in range(start, end):
            area = abs((x[a] - avg_x) * (y[j] - y[a]) - (x[a] - x[j]) * (avg_y - y[a]))
            if area > best_area:
                best, best_area = j, area
        chosen.append(best)
        a = best
    chosen.append(count - 1)
    return chosen
