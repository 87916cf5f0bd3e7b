"""Merging segments: one new segment holding the live rows of several, in bounded memory."""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import os
import shutil
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .format import (
    FIELDS,
    PARTS,
    new_segment_name,
    part_path,
    save_npy,
    store_path,
    vocab_path,
    write_ids,
)
from .ranges import concat_ranges
from .reader import Segment

logger = logging.getLogger(__name__)


#: A merge reads and sorts at most about this many postings at a time (bounds its memory).
MERGE_CHUNK_POSTINGS = 500_000
#: The parts a merge writes in chunks (the others, small, at once; the vocabulary's offsets with it).
_APPENDED = ("keys", "offs", "docs", "tfs", "poffs", "pos", "fwd_offs", "fwd_terms", "fwd_tfs", "chk_offs", "chk", "store_offs")


class _NpyAppender:
    """Writes a 1-D ``.npy`` file in chunks, without knowing its length in advance."""

    def __init__(self, path: Path, dtype: type[np.generic]) -> None:
        self.path = path
        self.dtype: np.dtype[Any] = np.dtype(dtype)
        self.length = 0
        # Open across append() calls; close() closes it (and removes it).
        self._raw = open(path.with_name(path.name + ".raw"), "w+b")  # noqa: SIM115

    def append(self, values: npt.NDArray[Any]) -> None:
        contiguous = np.ascontiguousarray(values, dtype=self.dtype)
        self._raw.write(contiguous.tobytes())
        self.length += len(contiguous)

    def close(self) -> None:
        self._raw.flush()
        self._raw.seek(0)
        with open(self.path, "wb") as out:
            header: dict[str, Any] = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (self.length,)}
            np.lib.format.write_array_header_1_0(out, header)
            shutil.copyfileobj(self._raw, out, 1 << 20)
        self._raw.close()
        os.unlink(self._raw.name)


def _merge_vocabularies(
    segs: Sequence[Segment], blob_path: Path, offs_path: Path
) -> tuple[list[npt.NDArray[np.int64]], str]:
    """Write the sorted union of the segments' vocabularies; returns each segment's old term
    id -> new term id, and the SHA-256 of the vocabulary written. A k-way merge of the sorted
    lists, compared as UTF-8 bytes (which sort as their code points do), so the words are
    never all in memory at once."""
    remaps = [np.empty(seg.vocab_size, dtype=np.int64) for seg in segs]

    def entries(k: int, seg: Segment) -> Iterator[tuple[bytes, int, int]]:
        # (word, segment, term id): equal words come out in segment order.
        return zip(seg.encoded_words(), itertools.repeat(k), itertools.count())

    new_offs = array("q", [0])
    last: bytes | None = None
    new_id = -1
    size = 0
    digest = hashlib.sha256()
    with open(blob_path, "wb") as out:
        for word, k, tid in heapq.merge(*(entries(k, seg) for k, seg in enumerate(segs))):
            if word != last:
                new_id += 1
                out.write(word)
                digest.update(word)
                size += len(word)
                new_offs.append(size)
                last = word
            remaps[k][tid] = new_id
    for seg in segs:
        seg.release()
    save_npy(offs_path, np.frombuffer(new_offs, dtype=np.int64))
    return remaps, digest.hexdigest()


def merge_segments(folder: Path, segments: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Write one segment holding the live rows of ``segments`` (in order); returns its entry.

    Postings are merged a range of term keys at a time (keys are hashes, so ranges of the key
    space hold similar numbers of postings): memory stays bounded however large the index.
    """
    segs = [Segment(folder, s) for s in segments]
    name = new_segment_name()
    remaps, vocab_sha256 = _merge_vocabularies(segs, vocab_path(folder, name), part_path(folder, name, "vocab_offs"))
    lives: list[npt.NDArray[np.bool_]] = []
    new_rows: list[npt.NDArray[np.int64]] = []
    base = 0
    for seg in segs:
        live = seg.live if seg.live is not None else np.ones(seg.docs_count, dtype=bool)
        lives.append(live)
        new_rows.append((np.cumsum(live) - 1 + base).astype(np.int64))
        base += int(live.sum())
    out = {part: _NpyAppender(part_path(folder, name, part), PARTS[part].dtype) for part in _APPENDED}
    _merge_postings(segs, lives, new_rows, out)
    _merge_rows(folder, name, segs, lives, remaps, out)
    for appender in out.values():
        appender.close()
    logger.debug("merged %d segments into %s (%d articles)", len(segs), name, base)
    return {"name": name, "docs": base, "deleted": None, "live": base, "vocab_sha256": vocab_sha256}


def _merge_postings(
    segs: Sequence[Segment],
    lives: Sequence[npt.NDArray[np.bool_]],
    new_rows: Sequence[npt.NDArray[np.int64]],
    out: dict[str, _NpyAppender],
) -> None:
    """Append the live postings and their positions of ``segs`` to ``out``, renumbered to the
    new rows: a range of keys at a time, each range sorted by (key, row)."""
    out["offs"].append(np.zeros(1, np.int64))
    out["poffs"].append(np.zeros(1, np.int64))
    total = sum(len(seg.docs) for seg in segs)
    chunks = max(1, -(-total // MERGE_CHUNK_POSTINGS))
    bounds = [int(i * (2**64) // chunks) for i in range(chunks)] + [2**64]
    posting_base = position_base = 0
    for lo_key, hi_key in itertools.pairwise(bounds):
        keys_l: list[npt.NDArray[np.uint64]] = []
        docs_l: list[npt.NDArray[np.int64]] = []
        tfs_l: list[npt.NDArray[np.uint16]] = []
        npos_l: list[npt.NDArray[np.int64]] = []
        pos_l: list[npt.NDArray[np.int32]] = []
        for seg, live, new_row in zip(segs, lives, new_rows):
            table = seg.keys
            a = int(np.searchsorted(table, np.uint64(lo_key)))
            b = int(np.searchsorted(table, np.uint64(hi_key - 1), side="right"))
            if a == b:
                continue
            offs = seg.offs[a : b + 1]
            p0, p1 = int(offs[0]), int(offs[-1])
            docs = seg.docs[p0:p1]
            keep = live[docs]
            keys_l.append(np.repeat(table[a:b], np.diff(offs))[keep])
            docs_l.append(new_row[docs[keep]])
            tfs_l.append(seg.tfs[p0:p1][keep])
            poffs = seg.position_offsets[p0 : p1 + 1]
            npos = np.diff(poffs)[keep]
            npos_l.append(npos)
            pos_l.append(seg.pos[concat_ranges(poffs[:-1][keep], npos)])
            seg.release()  # everything kept above is a copy
        if not keys_l:
            continue
        keys = np.concatenate(keys_l)
        docs = np.concatenate(docs_l)
        order = np.lexsort((docs, keys))
        unique, counts = np.unique(keys[order], return_counts=True)
        npos = np.concatenate(npos_l).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(npos)[:-1]))
        out["keys"].append(unique)
        out["offs"].append(posting_base + np.cumsum(counts))
        out["docs"].append(docs[order])
        out["tfs"].append(np.concatenate(tfs_l)[order])
        out["poffs"].append(position_base + np.cumsum(npos[order]))
        out["pos"].append(np.concatenate(pos_l)[concat_ranges(starts[order], npos[order])])
        posting_base += len(keys)
        position_base += int(npos.sum())
        del keys, docs, order, npos, starts, keys_l, docs_l, tfs_l, npos_l, pos_l


def _merge_rows(
    folder: Path,
    name: str,
    segs: Sequence[Segment],
    lives: Sequence[npt.NDArray[np.bool_]],
    remaps: Sequence[npt.NDArray[np.int64]],
    out: dict[str, _NpyAppender],
) -> None:
    """Append what ``segs`` hold per live row, in order (term vectors with their term ids
    remapped, checkpoints, stored records), and write the new segment's per-row arrays and ids."""
    out["fwd_offs"].append(np.zeros(1, np.int64))
    out["chk_offs"].append(np.zeros(1, np.int64))
    chk_base = 0
    out["store_offs"].append(np.zeros(1, np.int64))
    fwd_base = store_base = 0
    lens: list[npt.NDArray[np.float32]] = []
    fps: list[npt.NDArray[np.uint64]] = []
    ids: list[str] = []
    with open(store_path(folder, name), "wb") as store:
        for seg, live, remap in zip(segs, lives, remaps):
            rows = np.flatnonzero(live)
            fwd_n = np.diff(seg.vector_offsets)[rows]
            sel = concat_ranges(seg.vector_offsets[:-1][rows], fwd_n)
            out["fwd_terms"].append(remap[seg.vector_terms[sel]])
            out["fwd_tfs"].append(seg.vector_tfs[sel])
            out["fwd_offs"].append(fwd_base + np.cumsum(fwd_n))
            fwd_base += int(fwd_n.sum())
            chk_n = np.diff(seg.checkpoint_offsets)[rows]
            out["chk"].append(seg.checkpoints[concat_ranges(seg.checkpoint_offsets[:-1][rows], chk_n)])
            out["chk_offs"].append(chk_base + np.cumsum(chk_n))
            chk_base += int(chk_n.sum())
            store_offs = seg.store_offsets
            sizes = (store_offs[1:] - store_offs[:-1])[rows]
            store.writelines(seg.stored_bytes(row) for row in rows.tolist())
            out["store_offs"].append(store_base + np.cumsum(sizes))
            store_base += int(sizes.sum())
            lens.append(seg.lens[:, rows])
            fps.append(seg.fingerprints[rows])
            seg_ids = seg.ids()
            ids.extend(seg_ids[r] for r in rows.tolist())
            seg.release()
    arrays: dict[str, npt.NDArray[Any]] = {
        "lens": np.hstack(lens).astype(np.float32) if lens else np.zeros((len(FIELDS), 0), np.float32),
        "fps": np.concatenate(fps).astype(np.uint64) if fps else np.zeros(0, np.uint64),
    }
    for part, values in arrays.items():
        save_npy(part_path(folder, name, part), values)
    write_ids(folder, name, ids)
