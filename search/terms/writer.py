"""Writing the term index: documents into new segments, deletions into masks, then the manifest."""

from __future__ import annotations

import hashlib
import json
import logging
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import IndexCorruptError
from ..storage import atomic
from .format import (
    DIR,
    FIELDS,
    FORMAT_VERSION,
    GROUPS_PREFIX,
    MANIFEST,
    MASK_INFIX,
    POSITIONAL,
    TF_MAX,
    Document,
    fingerprint_key,
    new_groups_name,
    new_mask_name,
    new_segment_name,
    part_path,
    read_ids,
    read_manifest,
    save_npy,
    store_path,
    term_key,
    vocab_path,
    write_ids,
)
from .merge import merge_segments
from .ranges import gather
from .reader import Segment

logger = logging.getLogger(__name__)


#: A writer starts a new segment after this many postings (bounds its memory: about 30 bytes each).
SEGMENT_POSTINGS = 1_000_000
#: More segments than this and the smallest are merged into one.
MAX_SEGMENTS = 10


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
                self.tfs.append(min(len(positions), TF_MAX))
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
        self.fwd_tfs.extend(min(c, TF_MAX) for c in counts.values())
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
        perm = gather(by_code, starts[by_key], counts[by_key])
        del by_code
        offs = np.concatenate(([0], np.cumsum(counts[by_key]))).astype(np.int64)
        docs = np.frombuffer(self.docs, dtype=np.int32)[perm] if len(perm) else np.zeros(0, np.int32)
        tfs = np.frombuffer(self.tfs, dtype=np.uint16)[perm] if len(perm) else np.zeros(0, np.uint16)
        npos = np.frombuffer(self.npos, dtype=np.uint32) if len(self.npos) else np.zeros(0, np.uint32)
        pos_start = np.concatenate(([0], np.cumsum(npos, dtype=np.int64)[:-1])) if len(npos) else np.zeros(0, np.int64)
        pos_all = np.frombuffer(self.pos, dtype=np.int32) if len(self.pos) else np.zeros(0, np.int32)
        npos_sorted = npos[perm]
        pos = gather(pos_all, pos_start[perm], npos_sorted) if len(perm) else np.zeros(0, np.int32)
        del pos_start
        poffs = np.concatenate(([0], np.cumsum(npos_sorted, dtype=np.int64))).astype(np.int64)
        fwd_counts = np.frombuffer(self.fwd_counts, dtype=np.uint32).astype(np.int64)
        fwd_offs = np.concatenate(([0], np.cumsum(fwd_counts))).astype(np.int64)
        fwd_terms = rank[np.frombuffer(self.fwd_terms, dtype=np.int32)].astype(np.int32) if len(self.fwd_terms) else np.zeros(0, np.int32)
        arrays: dict[str, npt.NDArray[Any]] = {
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


def _write_segment(
    folder: Path, name: str, arrays: dict[str, npt.NDArray[Any]], vocab: bytes, store: list[bytes], ids: list[str]
) -> None:
    for part, values in arrays.items():
        save_npy(part_path(folder, name, part), values)
    vocab_path(folder, name).write_bytes(vocab)
    with open(store_path(folder, name), "wb") as fh:
        fh.writelines(store)
    write_ids(folder, name, ids)


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
        self._masks: dict[str, npt.NDArray[np.bool_]] = {}  # segment -> live mask changed in this run
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
                ids = read_ids(self.folder, seg["name"])
                for row, article_id in enumerate(ids):
                    if live is None or live[row]:
                        where[article_id] = (seg["name"], row)
            self._where = where
        return self._where

    def _live(self, seg: dict[str, Any]) -> npt.NDArray[np.bool_] | None:
        name = seg["name"]
        if name in self._masks:
            return self._masks[name]
        if seg.get("deleted"):
            mask: npt.NDArray[np.bool_] = np.load(self.folder / seg["deleted"])
            return mask
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
        name = new_segment_name()
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
                seg["deleted"] = new_mask_name(seg["name"])
                save_npy(self.folder / seg["deleted"], mask)
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
    fps: list[npt.NDArray[np.uint64]] = []
    for entry in segments:
        seg = Segment(folder, entry)
        lens = seg.lens if seg.live is None else seg.lens[:, seg.live]
        totals += lens.sum(axis=1, dtype=np.float64)
        live_docs += entry["live"]
        fps.append(np.array(seg.fingerprints))
        seg.release()
    _unique, groups = np.unique(np.concatenate(fps) if fps else np.zeros(0, np.uint64), return_inverse=True)
    groups_file = new_groups_name()
    save_npy(folder / groups_file, groups.astype(np.int32).reshape(-1))
    manifest = {
        "format": FORMAT_VERSION,
        "segments": segments,
        "live_docs": live_docs,
        "field_lengths": dict(zip(FIELDS, (float(t) for t in totals))),
        "groups": groups_file,
        "n_groups": len(_unique),
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
        if MASK_INFIX in path.name or path.name.startswith(GROUPS_PREFIX):
            if path.name not in keep:
                path.unlink(missing_ok=True)
        elif seg_name not in names:
            path.unlink(missing_ok=True)
