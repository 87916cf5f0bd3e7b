"""Term index on numpy arrays: immutable segments of postings, positions, term vectors and hits.

Whoosh stores the articles; ranking reads this index instead, because Whoosh's pure-Python
matchers score one posting at a time (half a second per query at 100,000 articles) where
numpy scores a whole posting list in one call. A generation folder holds it in ``terms/``::

    terms/manifest.json     the segments, their deletion masks and the collection statistics
    terms/groups-<id>.npy   per row of every segment, its copy group (copies of one article)
    terms/<seg>.<part>.npy  one array per part (see Segment), memory-mapped when read
    terms/<seg>.vocab.bin   the segment's sorted vocabulary, UTF-8, offsets in <seg>.vocab_offs
    terms/<seg>.store.bin   per article: id, title, URL, body and links (JSON), for result pages
    terms/<seg>.ids.json    the article ids by row (what an update needs to find old rows)

Files are never changed once written (generations share them through hard links): a run writes
new segments, new deletion masks and a new manifest. Terms are looked up by a 64-bit hash of
(field, term) in a sorted array. Positions are kept for the fields phrases search.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import json
import logging
import mmap
import os
import secrets
import shutil
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IndexCorruptError
from .storage import atomic

logger = logging.getLogger(__name__)

#: Bump when the files' layout changes: an index with another format is rebuilt.
FORMAT_VERSION = "3"
DIR = "terms"
MANIFEST = "manifest.json"
GROUPS_PREFIX = "groups-"
#: The indexed fields, in the order of the rows of a segment's ``lens`` array.
FIELDS: tuple[str, ...] = ("title", "body", "anchors", "broad")
#: Fields with positions (phrases); ``broad`` is for single words only.
POSITIONAL = frozenset({"title", "body", "anchors"})
#: Fields whose words make the vocabulary (prefixes, spelling suggestions, feedback words).
VOCAB_FIELDS = frozenset({"title", "body", "anchors"})
#: A writer starts a new segment after this many postings (bounds its memory: about 30 bytes each).
SEGMENT_POSTINGS = 1_000_000
#: More segments than this and the smallest are merged into one.
MAX_SEGMENTS = 10
_TF_MAX = 65_535
#: Every CHECKPOINT_STRIDE-th body position, the character offset where it starts: snippets
#: analyse only the stretch around the matches instead of the whole body.
CHECKPOINT_STRIDE = 16

_PARTS = ("keys", "offs", "docs", "tfs", "poffs", "pos", "lens", "fps", "fwd_offs", "fwd_terms", "fwd_tfs",
          "vocab_offs", "store_offs", "chk_offs", "chk")


@functools.lru_cache(maxsize=262_144)
def term_key(field_name: str, term: str) -> int:
    """The 64-bit key of ``term`` in ``field_name`` (stable across processes and machines)."""
    digest = hashlib.blake2b(f"{field_name}\x00{term}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def fingerprint_key(fingerprint: str) -> int:
    """64-bit form of an article's fingerprint (copies of one article share it)."""
    return term_key("", fingerprint)


@dataclass
class Document:
    """One article as the term index takes it: analysed fields plus what a result page shows."""

    id: str
    fingerprint: str
    #: field -> analysed terms in order with their positions
    fields: dict[str, list[tuple[str, int]]]
    #: title + body terms (feedback reads these)
    vector: list[str]
    stored: dict[str, Any]
    #: character offset of body position 0, CHECKPOINT_STRIDE, 2 * CHECKPOINT_STRIDE, ...
    checkpoints: list[int] = field(default_factory=list)


# -- writing ---------------------------------------------------------------------------------------


class _SegmentBuilder:
    """Collects documents in flat arrays; ``write`` sorts them into a segment's files."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self.codes = array("q")  # term id * len(FIELDS) + field index, one per posting
        self.docs = array("i")
        self.tfs = array("H")
        self.npos = array("I")  # positions per posting
        self.pos = array("i")
        self.lens: list[array[float]] = [array("f") for _ in FIELDS]
        self.fps = array("Q")
        self.fwd_counts = array("I")
        self.chk_counts = array("I")
        self.chk = array("i")
        self.fwd_terms = array("i")
        self.fwd_tfs = array("H")
        self.store: list[bytes] = []
        self.store_size = 0
        self.store_offs = array("q", [0])
        self.ids: list[str] = []

    @property
    def rows(self) -> int:
        return len(self.ids)

    def add(self, doc: Document) -> None:
        row = len(self.ids)
        vocab = self.vocab
        width = len(FIELDS)
        for f, name in enumerate(FIELDS):
            tokens = doc.fields.get(name, [])
            self.lens[f].append(float(len(tokens)))
            grouped: dict[str, list[int]] = {}
            for term, position in tokens:
                grouped.setdefault(term, []).append(position)
            positional = name in POSITIONAL
            for term, positions in grouped.items():
                tid = vocab.get(term)
                if tid is None:
                    tid = vocab[term] = len(self.terms)
                    self.terms.append(term)
                self.codes.append(tid * width + f)
                self.docs.append(row)
                self.tfs.append(min(len(positions), _TF_MAX))
                if positional:
                    self.npos.append(len(positions))
                    self.pos.extend(positions)
                else:
                    self.npos.append(0)
        counts: dict[int, int] = {}
        for term in doc.vector:
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(self.terms)
                self.terms.append(term)
            counts[tid] = counts.get(tid, 0) + 1
        self.chk_counts.append(len(doc.checkpoints))
        self.chk.extend(doc.checkpoints)
        self.fwd_counts.append(len(counts))
        self.fwd_terms.extend(counts.keys())
        self.fwd_tfs.extend(min(c, _TF_MAX) for c in counts.values())
        self.fps.append(fingerprint_key(doc.fingerprint))
        record = json.dumps(doc.stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        self.store.append(record)
        self.store_size += len(record)
        self.store_offs.append(self.store_size)
        self.ids.append(doc.id)

    def write(self, folder: Path, name: str) -> dict[str, Any]:
        """Write the segment's files; returns its manifest entry."""
        width = len(FIELDS)
        codes = np.frombuffer(self.codes, dtype=np.int64) if len(self.codes) else np.zeros(0, np.int64)
        # Sorted vocabulary: term ids become ranks, so prefixes are ranges.
        order = sorted(range(len(self.terms)), key=self.terms.__getitem__)
        rank = np.empty(len(self.terms), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        vocab_bytes = [self.terms[i].encode("utf-8", "surrogatepass") for i in order]
        # Postings grouped by (field, term), groups ordered by the hash key. A stable sort by
        # code keeps rows ascending within a group; groups are then reordered by key.
        by_code = np.argsort(codes, kind="stable")
        sorted_codes = codes[by_code]
        starts = np.flatnonzero(np.concatenate(([True], sorted_codes[1:] != sorted_codes[:-1]))) if len(codes) else by_code
        unique = sorted_codes[starts]
        counts = np.diff(np.append(starts, len(codes)))
        del sorted_codes
        keys = np.fromiter(
            (term_key(FIELDS[int(c) % width], self.terms[int(c) // width]) for c in unique), dtype=np.uint64, count=len(unique)
        )
        by_key = np.argsort(keys, kind="stable")
        keys = keys[by_key]
        if len(keys) > 1 and np.any(keys[1:] == keys[:-1]):  # pragma: no cover - 2**-64 per pair
            raise IndexCorruptError("term hash collision; rebuild with another term_key")
        perm = _gather(by_code, starts[by_key], counts[by_key])
        del by_code
        offs = np.concatenate(([0], np.cumsum(counts[by_key]))).astype(np.int64)
        docs = np.frombuffer(self.docs, dtype=np.int32)[perm] if len(perm) else np.zeros(0, np.int32)
        tfs = np.frombuffer(self.tfs, dtype=np.uint16)[perm] if len(perm) else np.zeros(0, np.uint16)
        npos = np.frombuffer(self.npos, dtype=np.uint32) if len(self.npos) else np.zeros(0, np.uint32)
        pos_start = np.concatenate(([0], np.cumsum(npos, dtype=np.int64)[:-1])) if len(npos) else np.zeros(0, np.int64)
        pos_all = np.frombuffer(self.pos, dtype=np.int32) if len(self.pos) else np.zeros(0, np.int32)
        npos_sorted = npos[perm]
        pos = _gather(pos_all, pos_start[perm], npos_sorted) if len(perm) else np.zeros(0, np.int32)
        del pos_start
        poffs = np.concatenate(([0], np.cumsum(npos_sorted, dtype=np.int64))).astype(np.int64)
        fwd_counts = np.frombuffer(self.fwd_counts, dtype=np.uint32).astype(np.int64)
        fwd_offs = np.concatenate(([0], np.cumsum(fwd_counts))).astype(np.int64)
        fwd_terms = rank[np.frombuffer(self.fwd_terms, dtype=np.int32)].astype(np.int32) if len(self.fwd_terms) else np.zeros(0, np.int32)
        arrays = {
            "keys": keys,
            "offs": offs,
            "docs": docs.astype(np.int32),
            "tfs": tfs.astype(np.uint16),
            "poffs": poffs,
            "pos": pos.astype(np.int32),
            "lens": np.vstack([np.frombuffer(a, dtype=np.float32) for a in self.lens]).astype(np.float32)
            if self.rows
            else np.zeros((width, 0), np.float32),
            "fps": np.frombuffer(self.fps, dtype=np.uint64).copy(),
            "fwd_offs": fwd_offs,
            "fwd_terms": fwd_terms,
            "fwd_tfs": np.frombuffer(self.fwd_tfs, dtype=np.uint16).copy(),
            "chk_offs": np.concatenate(([0], np.cumsum(np.frombuffer(self.chk_counts, dtype=np.uint32), dtype=np.int64))).astype(np.int64),
            "chk": np.frombuffer(self.chk, dtype=np.int32).copy() if len(self.chk) else np.zeros(0, np.int32),
            "vocab_offs": np.concatenate(([0], np.cumsum([len(b) for b in vocab_bytes], dtype=np.int64))).astype(np.int64),
            "store_offs": np.frombuffer(self.store_offs, dtype=np.int64).copy(),
        }
        blob = b"".join(vocab_bytes)
        _write_segment(folder, name, arrays, blob, self.store, self.ids)
        return {"name": name, "docs": self.rows, "deleted": None, "vocab_sha256": hashlib.sha256(blob).hexdigest()}


def _gather(source: np.ndarray, starts: np.ndarray, counts: np.ndarray, chunk: int = 1 << 18) -> np.ndarray:
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


def _write_segment(
    folder: Path, name: str, arrays: dict[str, np.ndarray], vocab: bytes, store: list[bytes], ids: list[str]
) -> None:
    for part, values in arrays.items():
        with open(folder / f"{name}.{part}.npy", "wb") as fh:
            np.save(fh, values, allow_pickle=False)
    (folder / f"{name}.vocab.bin").write_bytes(vocab)
    with open(folder / f"{name}.store.bin", "wb") as fh:
        fh.writelines(store)
    (folder / f"{name}.ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")


class Writer:
    """Adds and deletes articles in the term index of one (unpublished) generation folder.

    Documents go to new segments; a replaced or deleted article's old row is masked out.
    ``commit`` writes the new manifest; nothing is visible before, and ``cancel`` leaves the
    folder's manifest as it was.
    """

    def __init__(self, gen: Path) -> None:
        self.folder = gen / DIR
        self.folder.mkdir(exist_ok=True)
        manifest = read_manifest(gen)
        self._segments: list[dict[str, Any]] = [dict(s) for s in manifest["segments"]] if manifest else []
        self._masks: dict[str, np.ndarray] = {}  # segment -> live mask changed in this run
        self._where: dict[str, tuple[str, int]] | None = None  # article id -> (segment, row)
        self._builder = _SegmentBuilder()
        self._pending: dict[str, int] = {}  # article id -> row in the builder
        self._pending_dead: set[int] = set()
        self._written: list[str] = []

    # ids of rows already on disk, loaded on the first change
    def _locate(self) -> dict[str, tuple[str, int]]:
        if self._where is None:
            where: dict[str, tuple[str, int]] = {}
            for seg in self._segments:
                live = self._live(seg)
                ids = json.loads((self.folder / f"{seg['name']}.ids.json").read_text(encoding="utf-8", errors="surrogatepass"))
                for row, article_id in enumerate(ids):
                    if live is None or live[row]:
                        where[article_id] = (seg["name"], row)
            self._where = where
        return self._where

    def _live(self, seg: dict[str, Any]) -> np.ndarray | None:
        name = seg["name"]
        if name in self._masks:
            return self._masks[name]
        if seg.get("deleted"):
            return np.load(self.folder / seg["deleted"])
        return None

    def delete(self, article_id: str) -> None:
        row = self._pending.pop(article_id, None)
        if row is not None:
            self._pending_dead.add(row)
        found = self._locate().pop(article_id, None)
        if found is None:
            return
        name, row = found
        seg = next(s for s in self._segments if s["name"] == name)
        if name not in self._masks:
            live = self._live(seg)
            self._masks[name] = np.ones(seg["docs"], dtype=bool) if live is None else live.copy()
        self._masks[name][row] = False

    def add(self, doc: Document) -> None:
        """Add ``doc``, replacing any article with the same id."""
        self.delete(doc.id)
        self._pending[doc.id] = self._builder.rows
        self._builder.add(doc)
        if len(self._builder.codes) >= SEGMENT_POSTINGS:
            self._flush()

    def _flush(self) -> None:
        builder = self._builder
        if builder.rows == 0:
            return
        name = _new_name()
        entry = builder.write(self.folder, name)
        self._written.append(name)
        if self._pending_dead:
            live = np.ones(builder.rows, dtype=bool)
            live[np.fromiter(self._pending_dead, dtype=np.int64)] = False
            self._masks[name] = live
        self._segments.append(entry)
        if self._where is not None:
            for article_id, row in self._pending.items():
                self._where[article_id] = (name, row)
        else:
            self._where = None
        self._builder = _SegmentBuilder()
        self._pending = {}
        self._pending_dead = set()

    def commit(self, gen: Path) -> None:
        """Write the last segment and the changed masks, merge, and write the manifest.

        The segments this run wrote are merged into one (a query costs about the same per
        segment, whatever its size), then the smallest are merged while there are more than
        MAX_SEGMENTS.
        """
        self._flush()
        for seg in self._segments:
            mask = self._masks.get(seg["name"])
            if mask is not None:
                seg["deleted"] = f"{seg['name']}.del-{secrets.token_hex(4)}.npy"
                with open(self.folder / seg["deleted"], "wb") as fh:
                    np.save(fh, mask, allow_pickle=False)
                self._written.append(seg["deleted"])
            seg["live"] = int(mask.sum()) if mask is not None else seg.get("live", seg["docs"])
        self._segments = [s for s in self._segments if s["live"] > 0]
        new = [s for s in self._segments if s["name"] in self._written]
        if len(new) > 1:
            self._segments = self._merge(new)
        if len(self._segments) > MAX_SEGMENTS:
            ordered = sorted(self._segments, key=lambda s: s["live"])
            self._segments = self._merge(ordered[: len(self._segments) - MAX_SEGMENTS // 2])
        _remove_unreferenced(self.folder, write_manifest(gen, self._segments))

    def _merge(self, group: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The segments with ``group`` replaced by one merged segment (where its first was)."""
        merged = merge_segments(self.folder, group)
        self._written.append(merged["name"])
        names = {s["name"] for s in group}
        at = next(i for i, s in enumerate(self._segments) if s["name"] in names)
        rest = [s for s in self._segments if s["name"] not in names]
        return rest[:at] + [merged] + rest[at:]

    def cancel(self) -> None:
        for name in self._written:
            for path in self.folder.glob(f"{name}*"):
                path.unlink(missing_ok=True)


def _new_name() -> str:
    return f"s{secrets.token_hex(6)}"


#: A merge reads and sorts at most about this many postings at a time (bounds its memory).
MERGE_CHUNK_POSTINGS = 500_000


class _NpyAppender:
    """Writes a 1-D ``.npy`` file in chunks, without knowing its length in advance."""

    def __init__(self, path: Path, dtype: Any) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.length = 0
        self._raw = open(path.with_name(path.name + ".raw"), "w+b")

    def append(self, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values, dtype=self.dtype)
        self._raw.write(values.tobytes())
        self.length += len(values)

    def close(self) -> None:
        self._raw.flush()
        self._raw.seek(0)
        with open(self.path, "wb") as out:
            header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (self.length,)}
            np.lib.format.write_array_header_1_0(out, header)
            shutil.copyfileobj(self._raw, out, 1 << 20)
        self._raw.close()
        os.unlink(self._raw.name)


def _merge_vocabularies(segs: Sequence[Segment], blob_path: Path, offs_path: Path) -> tuple[list[np.ndarray], str]:
    """Write the sorted union of the segments' vocabularies; returns each segment's old term
    id -> new term id, and the SHA-256 of the vocabulary written. A k-way merge of the sorted
    lists, compared as UTF-8 bytes (which sort as their code points do), so the words are
    never all in memory at once."""
    remaps = [np.empty(seg.vocab_size, dtype=np.int64) for seg in segs]

    def entries(k: int, seg: Segment) -> Iterator[tuple[bytes, int, int]]:
        offs = seg.vocab_offs.tolist()
        blob = seg._vocab_blob
        for tid in range(len(offs) - 1):
            yield blob[offs[tid] : offs[tid + 1]], k, tid

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
    with open(offs_path, "wb") as fh:
        np.save(fh, np.frombuffer(new_offs, dtype=np.int64), allow_pickle=False)
    return remaps, digest.hexdigest()


def merge_segments(folder: Path, segments: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Write one segment holding the live rows of ``segments`` (in order); returns its entry.

    Postings are merged a range of term keys at a time (keys are hashes, so ranges of the key
    space hold similar numbers of postings): memory stays bounded however large the index.
    """
    segs = [Segment(folder, s) for s in segments]
    name = _new_name()
    remaps, vocab_sha256 = _merge_vocabularies(segs, folder / f"{name}.vocab.bin", folder / f"{name}.vocab_offs.npy")
    lives, new_rows = [], []
    base = 0
    for seg in segs:
        live = seg.live if seg.live is not None else np.ones(seg.docs_count, dtype=bool)
        lives.append(live)
        new_rows.append((np.cumsum(live) - 1 + base).astype(np.int64))
        base += int(live.sum())
    out = {part: _NpyAppender(folder / f"{name}.{part}.npy", dtype) for part, dtype in
           (("keys", np.uint64), ("offs", np.int64), ("docs", np.int32), ("tfs", np.uint16), ("poffs", np.int64),
            ("pos", np.int32), ("fwd_offs", np.int64), ("fwd_terms", np.int32), ("fwd_tfs", np.uint16),
            ("chk_offs", np.int64), ("chk", np.int32),
            ("store_offs", np.int64))}
    out["offs"].append(np.zeros(1, np.int64))
    out["poffs"].append(np.zeros(1, np.int64))
    total = sum(len(seg.docs) for seg in segs)
    chunks = max(1, -(-total // MERGE_CHUNK_POSTINGS))
    bounds = [int(i * (2**64) // chunks) for i in range(chunks)] + [2**64]
    posting_base = position_base = 0
    for lo_key, hi_key in zip(bounds, bounds[1:]):
        keys_l, docs_l, tfs_l, npos_l, pos_l = [], [], [], [], []
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
            poffs = seg.poffs[p0 : p1 + 1]
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
    out["fwd_offs"].append(np.zeros(1, np.int64))
    out["chk_offs"].append(np.zeros(1, np.int64))
    chk_base = 0
    out["store_offs"].append(np.zeros(1, np.int64))
    fwd_base = store_base = 0
    lens, fps, ids = [], [], []
    with open(folder / f"{name}.store.bin", "wb") as store:
        for seg, live, remap in zip(segs, lives, remaps):
            rows = np.flatnonzero(live)
            fwd_n = np.diff(seg.fwd_offs)[rows]
            sel = concat_ranges(seg.fwd_offs[:-1][rows], fwd_n)
            out["fwd_terms"].append(remap[seg.fwd_terms[sel]])
            out["fwd_tfs"].append(seg.fwd_tfs[sel])
            out["fwd_offs"].append(fwd_base + np.cumsum(fwd_n))
            fwd_base += int(fwd_n.sum())
            chk_n = np.diff(seg.chk_offs)[rows]
            out["chk"].append(seg.chk[concat_ranges(seg.chk_offs[:-1][rows], chk_n)])
            out["chk_offs"].append(chk_base + np.cumsum(chk_n))
            chk_base += int(chk_n.sum())
            store_offs = seg.store_offs
            sizes = (store_offs[1:] - store_offs[:-1])[rows]
            for row in rows.tolist():
                store.write(seg.stored_bytes(row))
            out["store_offs"].append(store_base + np.cumsum(sizes))
            store_base += int(sizes.sum())
            lens.append(seg.lens[:, rows])
            fps.append(seg.fps[rows])
            seg_ids = seg.ids()
            ids.extend(seg_ids[r] for r in rows.tolist())
            seg.release()
    for appender in out.values():
        appender.close()
    arrays = {
        "lens": np.hstack(lens).astype(np.float32) if lens else np.zeros((len(FIELDS), 0), np.float32),
        "fps": np.concatenate(fps).astype(np.uint64) if fps else np.zeros(0, np.uint64),
    }
    for part, values in arrays.items():
        with open(folder / f"{name}.{part}.npy", "wb") as fh:
            np.save(fh, values, allow_pickle=False)
    (folder / f"{name}.ids.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
    logger.debug("merged %d segments into %s (%d articles)", len(segs), name, base)
    return {"name": name, "docs": base, "deleted": None, "live": base, "vocab_sha256": vocab_sha256}


def read_manifest(gen: Path) -> dict[str, Any] | None:
    """The term index manifest of a generation, or None when it has none (or another format)."""
    try:
        data = json.loads((gen / DIR / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {gen / DIR / MANIFEST}: {exc}") from exc
    if data.get("format") != FORMAT_VERSION:
        return None
    return data  # type: ignore[no-any-return]


def write_manifest(gen: Path, segments: list[dict[str, Any]]) -> dict[str, Any]:
    """Compute the collection statistics of ``segments`` and write the manifest atomically
    (returned).

    Also written: the generation's copy groups (``groups-*.npy``): for every row of every
    segment in order, a dense number shared by the copies of one article (same fingerprint),
    so a query counts distinct articles exactly (``total``) in one pass over its matches.
    """
    folder = gen / DIR
    totals = np.zeros(len(FIELDS), dtype=np.float64)
    live_docs = 0
    fps: list[np.ndarray] = []
    for entry in segments:
        seg = Segment(folder, entry)
        lens = seg.lens if seg.live is None else seg.lens[:, seg.live]
        totals += lens.sum(axis=1, dtype=np.float64)
        live_docs += entry["live"]
        fps.append(np.array(seg.fps))
        seg.release()
    _unique, groups = np.unique(np.concatenate(fps) if fps else np.zeros(0, np.uint64), return_inverse=True)
    groups_file = f"{GROUPS_PREFIX}{secrets.token_hex(4)}.npy"
    with open(folder / groups_file, "wb") as fh:
        np.save(fh, groups.astype(np.int32).reshape(-1), allow_pickle=False)
    manifest = {
        "format": FORMAT_VERSION,
        "segments": segments,
        "live_docs": live_docs,
        "field_lengths": dict(zip(FIELDS, (float(t) for t in totals))),
        "groups": groups_file,
        "n_groups": int(len(_unique)),
    }
    atomic.write_json(folder / MANIFEST, manifest, indent=1)
    return manifest


def _remove_unreferenced(folder: Path, manifest: dict[str, Any]) -> None:
    """Delete files of this generation's term index that its manifest no longer names.

    (They are hard links: the generations that still use them keep their own links.)
    """
    segments = manifest["segments"]
    names = {s["name"] for s in segments}
    keep = {s["deleted"] for s in segments if s.get("deleted")} | {manifest["groups"]}
    for path in folder.iterdir():
        if path.name.startswith(MANIFEST):
            continue
        seg_name = path.name.split(".", 1)[0]
        if ".del-" in path.name or path.name.startswith(GROUPS_PREFIX):
            if path.name not in keep:
                path.unlink(missing_ok=True)
        elif seg_name not in names:
            path.unlink(missing_ok=True)


# -- reading ---------------------------------------------------------------------------------------


def map_npy(path: Path) -> tuple[np.ndarray, np.memmap | None]:
    """A ``.npy`` file as a plain array view of its memory mapping (and the mapping, None for
    an empty array, which numpy cannot map); IndexCorruptError when it cannot be read or its
    header does not describe exactly the data that follows it."""
    try:
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
        if isinstance(mapped, np.memmap) and mapped.offset + mapped.nbytes != os.path.getsize(path):
            raise ValueError("its header does not match its size")
        if mapped.size == 0:
            return np.load(path, allow_pickle=False), None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {path}: {exc}") from exc
    # A plain view of the mapping: slicing a np.memmap costs several times more.
    return mapped.view(np.ndarray), mapped


class Segment:
    """One segment's arrays, memory-mapped on first use."""

    def __init__(self, folder: Path, entry: dict[str, Any]) -> None:
        self.folder = folder
        self.name: str = entry["name"]
        self.docs_count: int = int(entry["docs"])
        self.deleted: str | None = entry.get("deleted")
        self.vocab_sha256: str | None = entry.get("vocab_sha256")
        self._arrays: dict[str, np.ndarray] = {}
        self._maps: list[np.memmap] = []

    def release(self) -> None:
        """Let the OS drop the pages read so far from this process's memory (they stay in the
        page cache): a merge reads every segment once and need not keep them resident."""
        for mapped in self._maps:
            mapping = getattr(mapped, "_mmap", None)
            if mapping is not None and hasattr(mmap, "MADV_DONTNEED"):
                mapping.madvise(mmap.MADV_DONTNEED)

    def _array(self, part: str) -> np.ndarray:
        found = self._arrays.get(part)
        if found is None:
            found, mapping = map_npy(self.folder / f"{self.name}.{part}.npy")
            if mapping is not None:
                self._maps.append(mapping)
            self._arrays[part] = found
        return found

    def __getattr__(self, part: str) -> np.ndarray:
        if part in _PARTS:
            return self._array(part)
        raise AttributeError(part)

    @cached_property
    def live(self) -> np.ndarray | None:
        """Mask of rows not deleted, or None when none are."""
        if not self.deleted:
            return None
        path = self.folder / self.deleted
        try:
            mask = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read {path}: {exc}") from exc
        if mask.shape != (self.docs_count,) or mask.dtype != np.bool_:
            raise IndexCorruptError(f"{path} is not a deletion mask for {self.docs_count} rows")
        return mask  # type: ignore[no-any-return]

    @cached_property
    def _vocab_blob(self) -> bytes:
        """The vocabulary, checked against its digest (it is read whole anyway)."""
        path = self.folder / f"{self.name}.vocab.bin"
        try:
            blob = path.read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if self.vocab_sha256 is not None and hashlib.sha256(blob).hexdigest() != self.vocab_sha256:
            raise IndexCorruptError(f"{path} does not match its checksum")
        return blob

    @cached_property
    def _store(self) -> np.memmap | bytes:
        path = self.folder / f"{self.name}.store.bin"
        if path.stat().st_size == 0:
            return b""
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
        self._maps.append(mapped)
        return mapped

    @property
    def vocab_size(self) -> int:
        return len(self.vocab_offs) - 1

    def word(self, tid: int) -> str:
        offs = self.vocab_offs
        return self._vocab_blob[int(offs[tid]) : int(offs[tid + 1])].decode("utf-8", "surrogatepass")

    def vocab_range(self, prefix: str) -> range:
        """Term ids of the words starting with ``prefix`` (the vocabulary is sorted)."""
        words = _Words(self)
        lo = bisect_left(words, prefix)
        hi = bisect_left(words, prefix + "\U0010ffff", lo)
        return range(lo, hi)

    def stored(self, row: int) -> dict[str, Any]:
        return json.loads(self.stored_bytes(row).decode("utf-8", "surrogatepass"))  # type: ignore[no-any-return]

    def stored_bytes(self, row: int) -> bytes:
        offs = self.store_offs
        return bytes(self._store[int(offs[row]) : int(offs[row + 1])])

    def ids(self) -> list[str]:
        return json.loads((self.folder / f"{self.name}.ids.json").read_text(encoding="utf-8", errors="surrogatepass"))  # type: ignore[no-any-return]

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    _groups: list[np.ndarray] | None = field(default=None, repr=False, compare=False)

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

    def groups(self) -> list[np.ndarray]:
        """Per segment, each row's copy group (rows of one article's copies share it)."""
        found = self._groups
        if found is None:
            path = self.gen / DIR / self.groups_file
            flat, _mapping = map_npy(path)
            bounds = np.cumsum([0] + [seg.docs_count for seg in self.segments])
            if len(flat) != bounds[-1]:
                raise IndexCorruptError(f"{path} holds {len(flat)} rows, the segments {bounds[-1]}")
            found = self._groups = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        return found

    def avg_length(self, field_name: str) -> float:
        return self.field_lengths.get(field_name, 0.0) / max(self.live_docs, 1) or 1.0

    def doc_frequencies(self, keys: Sequence[int]) -> np.ndarray:
        """Documents holding each key, summed over segments (deleted rows count until merged)."""
        arr = np.asarray(keys, dtype=np.uint64)
        total = np.zeros(len(arr), dtype=np.int64)
        for seg in self.segments:
            lo, hi = seg.find(arr)
            total += hi - lo
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
            offs = seg.vocab_offs[rng.start : rng.stop + 1]
            sizes = np.diff(offs)
            # UTF-8 takes at least one byte per character and at most four.
            near = np.flatnonzero((sizes >= shortest) & (sizes <= 4 * longest))
            blob = seg._vocab_blob
            starts = offs[near].tolist()
            ends = offs[near + 1].tolist()
            for a, b in zip(starts, ends):
                word = blob[a:b].decode("utf-8", "surrogatepass")
                if shortest <= len(word) <= longest and word not in seen:
                    seen.add(word)
                    yield word


def stored_fields(article: Any) -> dict[str, Any]:
    """What a result page shows of an article (kept in the term index's store)."""
    data = article.to_dict()
    return {key: data[key] for key in ("id", "title", "url", "body", "links")}
