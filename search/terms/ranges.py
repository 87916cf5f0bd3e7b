"""Vectorised ranges of flat arrays: the slices ``[start, start + count)`` of many pairs in one call."""

from __future__ import annotations

import numpy as np


def gather(source: np.ndarray, starts: np.ndarray, counts: np.ndarray, chunk: int = 1 << 18) -> np.ndarray:
    """``source[s:s + c]`` for each pair, concatenated; in chunks of pairs, so the index
    arrays stay small however long the result."""
    pieces = [
        source[concat_ranges(starts[i : i + chunk], counts[i : i + chunk])] for i in range(0, len(starts), chunk)
    ]
    return np.concatenate(pieces) if pieces else source[:0].copy()


def concat_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + c)`` for each pair (vectorised)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + shift
