"""Reading the term index: a generation's segments, memory-mapped, and their collection statistics."""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import IndexCorruptError
from .format import (
    DIR,
    map_npy,
    part_path,
    read_ids,
    read_manifest,
    store_path,
    term_key,
    vocab_path,
)

#: Row masks a segment keeps (see Segment.rows_where): one per filter a front end repeats.
ROW_MASKS = 32


class Segment:
    """One segment's arrays, memory-mapped on first use, and its vocabulary and stored records.

    Each array (a part of :data:`format.PARTS <search.terms.format.PARTS>`, which says what it
    holds) is read by the property its entry names: ``poffs`` by ``position_offsets``, and so on.
    """

    def __init__(self, folder: Path, entry: dict[str, Any]) -> None:
        self.folder = folder
        self.name: str = entry["name"]
        self.docs_count: int = int(entry["docs"])
        self.deleted: str | None = entry.get("deleted")
        self.vocab_sha256: str | None = entry.get("vocab_sha256")
        self._arrays: dict[str, npt.NDArray[Any]] = {}
        self._maps: list[np.memmap] = []
        self._row_masks: dict[Hashable, npt.NDArray[np.bool_]] = {}

    def release(self) -> None:
        """Let the OS drop the pages read so far from this process's memory (they stay in the
        page cache): a merge reads every segment once and need not keep them resident."""
        for mapped in self._maps:
            mapping = getattr(mapped, "_mmap", None)
            if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
                mapping.madvise(mmap.MADV_DONTNEED)

    def _array(self, part: str) -> npt.NDArray[Any]:
        found = self._arrays.get(part)
        if found is None:
            found, mapping = map_npy(part_path(self.folder, self.name, part))
            if mapping is not None:
                self._maps.append(mapping)
            self._arrays[part] = found
        return found

    # -- the arrays, one property per part of format.PARTS --

    @property
    def keys(self) -> npt.NDArray[np.uint64]:
        return self._array("keys")

    @property
    def offs(self) -> npt.NDArray[np.int64]:
        return self._array("offs")

    @property
    def docs(self) -> npt.NDArray[np.int32]:
        return self._array("docs")

    @property
    def tfs(self) -> npt.NDArray[np.uint16]:
        return self._array("tfs")

    @property
    def position_offsets(self) -> npt.NDArray[np.int64]:
        return self._array("poffs")

    @property
    def pos(self) -> npt.NDArray[np.int32]:
        return self._array("pos")

    @property
    def lens(self) -> npt.NDArray[np.float32]:
        return self._array("lens")

    @property
    def fingerprints(self) -> npt.NDArray[np.uint64]:
        return self._array("fps")

    @property
    def vector_offsets(self) -> npt.NDArray[np.int64]:
        return self._array("fwd_offs")

    @property
    def vector_terms(self) -> npt.NDArray[np.int32]:
        return self._array("fwd_terms")

    @property
    def vector_tfs(self) -> npt.NDArray[np.uint16]:
        return self._array("fwd_tfs")

    @property
    def vocab_offsets(self) -> npt.NDArray[np.int64]:
        return self._array("vocab_offs")

    @property
    def store_offsets(self) -> npt.NDArray[np.int64]:
        return self._array("store_offs")

    @property
    def checkpoint_offsets(self) -> npt.NDArray[np.int64]:
        return self._array("chk_offs")

    @property
    def checkpoints(self) -> npt.NDArray[np.int32]:
        return self._array("chk")

    @cached_property
    def live(self) -> npt.NDArray[np.bool_] | None:
        """Mask of rows not deleted, or None when none are."""
        if not self.deleted:
            return None
        path = self.folder / self.deleted
        try:
            mask: npt.NDArray[np.bool_] = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read {path}: {exc}") from exc
        if mask.shape != (self.docs_count,) or mask.dtype != np.bool_:
            raise IndexCorruptError(f"{path} is not a deletion mask for {self.docs_count} rows")
        return mask

    @cached_property
    def _vocab_blob(self) -> bytes:
        """The vocabulary, checked against its digest (it is read whole anyway)."""
        path = vocab_path(self.folder, self.name)
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if self.vocab_sha256 is not None and hashlib.sha256(blob).hexdigest() != self.vocab_sha256:
            raise IndexCorruptError(f"{path} does not match its checksum")
        return blob

    @cached_property
    def _store(self) -> np.memmap | bytes:
        path = store_path(self.folder, self.name)
        if path.stat().st_size == 0:
            return b""
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
        self._maps.append(mapped)
        return mapped

    @property
    def vocab_size(self) -> int:
        return len(self.vocab_offsets) - 1

    def word(self, tid: int) -> str:
        offs = self.vocab_offsets
        return self._vocab_blob[int(offs[tid]) : int(offs[tid + 1])].decode("utf-8", "surrogatepass")

    def words(self, tids: npt.NDArray[np.integer[Any]]) -> list[str]:
        """The words of the term ids ``tids``, in their order."""
        offs = self.vocab_offsets
        blob = self._vocab_blob
        return [blob[a:b].decode("utf-8", "surrogatepass") for a, b in zip(offs[tids].tolist(), offs[tids + 1].tolist())]

    def encoded_words(self) -> Iterator[bytes]:
        """The vocabulary in order (of term ids), each word as stored: UTF-8."""
        offs = self.vocab_offsets.tolist()
        blob = self._vocab_blob
        for tid in range(len(offs) - 1):
            yield blob[offs[tid] : offs[tid + 1]]

    def vocab_range(self, prefix: str) -> range:
        """Term ids of the words starting with ``prefix`` (the vocabulary is sorted)."""
        words = _Words(self)
        lo = bisect_left(words, prefix)
        hi = bisect_left(words, prefix + "\U0010ffff", lo)
        return range(lo, hi)

    def stored(self, row: int) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(self.stored_bytes(row).decode("utf-8", "surrogatepass"))
        return record

    def stored_bytes(self, row: int) -> bytes:
        offs = self.store_offsets
        return bytes(self._store[int(offs[row]) : int(offs[row + 1])])

    def ids(self) -> list[str]:
        """The article id of every row (read from disk on each call: see :attr:`row_ids`)."""
        return read_ids(self.folder, self.name)

    def rows_where(self, key: Hashable, test: Callable[[str], bool]) -> npt.NDArray[np.bool_]:
        """Per row, whether ``test`` holds for its article id. A published segment never changes,
        so the ids are read once and the masks of the last ROW_MASKS ``key``s are kept (``key``
        names the test: equal keys must mean equal tests)."""
        found = self._row_masks.get(key)
        if found is None:
            if len(self._row_masks) >= ROW_MASKS:
                self._row_masks.clear()
            found = np.fromiter((test(article_id) for article_id in self._row_ids), dtype=bool, count=self.docs_count)
            found.flags.writeable = False  # shared by every query that uses the same filter
            self._row_masks[key] = found
        return found

    @cached_property
    def _row_ids(self) -> list[str]:
        return self.ids()

    def find(self, keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For each key: the start and end of its postings (equal when absent)."""
        table = self.keys
        if len(table) == 0:
            zeros = np.zeros(len(keys), dtype=np.int64)
            return zeros, zeros
        i = np.searchsorted(table, keys)
        i_clipped = np.minimum(i, len(table) - 1)
        found = table[i_clipped] == keys
        offs = self.offs
        lo = np.where(found, offs[i_clipped], 0)
        hi = np.where(found, offs[i_clipped + 1], 0)
        return lo, hi


class _Words:
    """A segment's sorted vocabulary as a read-only sequence (for bisect)."""

    def __init__(self, seg: Segment) -> None:
        self.seg = seg

    def __len__(self) -> int:
        return self.seg.vocab_size

    def __getitem__(self, i: int) -> str:
        return self.seg.word(i)


@dataclass
class TermIndex:
    """The term index of one generation: its segments and collection statistics."""

    gen: Path
    segments: list[Segment] = field(default_factory=list)
    live_docs: int = 0
    field_lengths: dict[str, float] = field(default_factory=dict)
    groups_file: str = ""
    n_groups: int = 0
    _groups: list[npt.NDArray[np.int32]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, gen: Path) -> TermIndex | None:
        """The generation's term index, or None when it has none of this format."""
        manifest = read_manifest(gen)
        if manifest is None:
            return None
        folder = gen / DIR
        return cls(
            gen,
            [Segment(folder, entry) for entry in manifest["segments"]],
            int(manifest["live_docs"]),
            {k: float(v) for k, v in manifest["field_lengths"].items()},
            str(manifest["groups"]),
            int(manifest["n_groups"]),
        )

    def groups(self) -> list[npt.NDArray[np.int32]]:
        """Per segment, each row's copy group (rows of one article's copies share it)."""
        found = self._groups
        if found is None:
            path = self.gen / DIR / self.groups_file
            flat, _mapping = map_npy(path)
            bounds = np.cumsum([0] + [seg.docs_count for seg in self.segments])
            if len(flat) != bounds[-1]:
                raise IndexCorruptError(f"{path} holds {len(flat)} rows, the segments {bounds[-1]}")
            found = self._groups = [flat[a:b] for a, b in itertools.pairwise(bounds)]
        return found

    @property
    def n_docs(self) -> int:
        """Live articles, at least 1: the N of idf and of the average field lengths."""
        return max(self.live_docs, 1)

    def avg_length(self, field_name: str) -> float:
        return self.field_lengths.get(field_name, 0.0) / self.n_docs or 1.0

    def doc_frequencies(self, keys: Sequence[int]) -> npt.NDArray[np.int64]:
        """Documents holding each key, summed over segments (deleted rows count until merged)."""
        arr = np.asarray(keys, dtype=np.uint64)
        total = np.zeros(len(arr), dtype=np.int64)
        for seg in self.segments:
            lo, hi = seg.find(arr)
            total += hi - lo
        return total

    def word_frequencies(self, words: Sequence[str], fields: Sequence[str]) -> npt.NDArray[np.int64]:
        """Documents holding each word in each of ``fields``, summed over the fields."""
        total = np.zeros(len(words), dtype=np.int64)
        for field_name in fields:
            total += self.doc_frequencies([term_key(field_name, word) for word in words])
        return total

    def words_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` vocabulary words starting with ``prefix`` (sorted)."""
        found: set[str] = set()
        for seg in self.segments:
            rng = seg.vocab_range(prefix)
            for tid in rng[: limit + 1]:
                found.add(seg.word(tid))
        return sorted(found)[:limit]

    def words_near(self, letter: str, shortest: int, longest: int) -> Iterator[str]:
        """Vocabulary words starting with ``letter`` of ``shortest`` to ``longest`` characters
        (for spelling suggestions; lengths are checked on the encoded bytes first)."""
        seen: set[str] = set()
        for seg in self.segments:
            rng = seg.vocab_range(letter)
            if not rng:
                continue
            offs = seg.vocab_offsets[rng.start : rng.stop + 1]
            sizes = np.diff(offs)
            # UTF-8 takes at least one byte per character and at most four.
            near = np.flatnonzero((sizes >= shortest) & (sizes <= 4 * longest))
            for word in seg.words(rng.start + near):
                if shortest <= len(word) <= longest and word not in seen:
                    seen.add(word)
                    yield word
