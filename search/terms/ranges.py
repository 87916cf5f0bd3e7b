"""Vectorised ranges of flat arrays: the slices ``[start, start + count)`` of many pairs in one call."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

_T = TypeVar("_T", bound=np.generic)


def gather(
    source: npt.NDArray[_T], starts: npt.NDArray[np.integer[Any]], counts: npt.NDArray[np.integer[Any]], chunk: int = 1 << 18
) -> npt.NDArray[_T]:
    """``source[s:s + c]`` for each pair, concatenated; in chunks of pairs, so the index
    arrays stay small however long the result."""
    pieces = [
        source[concat_ranges(starts[i : i + chunk], counts[i : i + chunk])] for i in range(0, len(starts), chunk)
    ]
    return np.concatenate(pieces) if pieces else source[:0].copy()


def concat_ranges(starts: npt.ArrayLike, counts: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Concatenated ``arange(s, s + c)`` for each pair (vectorised)."""
    counts64 = np.asarray(counts, dtype=np.int64)
    total = int(counts64.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts64)
    # (numpy's stubs lose the dtype of the difference; it is int64)
    shift: npt.NDArray[np.int64] = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - counts64), counts64)
    return np.arange(total, dtype=np.int64) + shift
