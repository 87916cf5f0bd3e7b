"""The term index's on-disk format: its files, their names, the manifest, and how terms are keyed.

Whoosh stores the articles; ranking reads this index instead, because Whoosh's pure-Python
matchers score one posting at a time (half a second per query at 100,000 articles) where
numpy scores a whole posting list in one call. A generation folder holds it in ``terms/``::

    terms/manifest.json        the segments, their deletion masks and the collection statistics
    terms/groups-<id>.npy      per row of every segment, its copy group (copies of one article)
    terms/<seg>.<part>.npy     one array per part (see PARTS), memory-mapped when read
    terms/<seg>.vocab.bin      the segment's sorted vocabulary, UTF-8, offsets in <seg>.vocab_offs
    terms/<seg>.store.bin      per article: id, title, URL, body and links (JSON), for result pages
    terms/<seg>.ids.json       the article ids by row (what an update needs to find old rows)
    terms/<seg>.del-<id>.npy   the segment's deletion mask (one bool per row), once rows are deleted

Files are never changed once written (generations share them through hard links): a run writes
new segments, new deletion masks and a new manifest. Terms are looked up by a 64-bit hash of
(field, term) in a sorted array. Positions are kept for the fields phrases search.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import schema
from ..errors import IndexCorruptError

#: Bump when the files' layout changes: an index with another format is rebuilt.
FORMAT_VERSION = "3"
DIR = "terms"
MANIFEST = "manifest.json"
#: A copy groups file's name: this, then its own id.
GROUPS_PREFIX = "groups-"
#: The indexed fields, in the order of the rows of a segment's ``lens`` array.
FIELDS: tuple[str, ...] = schema.FIELDS
#: Fields with positions (phrases); ``broad`` is for single words only.
POSITIONAL: frozenset[str] = schema.POSITIONAL
#: Counts (tfs, fwd_tfs) are 16-bit: a higher one is stored as this.
TF_MAX = 65_535
#: Every CHECKPOINT_STRIDE-th body position, the character offset where it starts: snippets
#: analyse only the stretch around the matches instead of the whole body.
CHECKPOINT_STRIDE = 16

#: In a deletion mask's file name, between its segment's name and its own id.
MASK_INFIX = ".del-"


@dataclass(frozen=True)
class Part:
    """One array of a segment: its element type, the Segment property that reads it, what it holds."""

    dtype: type[np.generic]
    accessor: str
    meaning: str


#: The arrays of a segment, one ``<seg>.<part>.npy`` file each (the part names are file names:
#: they stay short). A row is an article's number in its segment; a posting list holds the rows
#: of one (field, term), a posting one row of it. An ``*offs`` array has one entry more than the
#: items it indexes: item i spans ``[offs[i], offs[i + 1])`` of the array named after it.
PARTS: dict[str, Part] = {
    "keys": Part(np.uint64, "keys", "per posting list: its term_key, ascending"),
    "offs": Part(np.int64, "offs", "per posting list: where its postings start in docs and tfs"),
    "docs": Part(np.int32, "docs", "per posting: its row (ascending within a list)"),
    "tfs": Part(np.uint16, "tfs", "per posting: the term's count in that field of the row (at most TF_MAX)"),
    "poffs": Part(np.int64, "position_offsets", "per posting: where its positions start in pos"),
    "pos": Part(np.int32, "pos", "the positions of each posting, in order (none in fields not POSITIONAL)"),
    "lens": Part(np.float32, "lens", "per field (FIELDS order) and row, 2-D: the field's length in terms"),
    "fps": Part(np.uint64, "fingerprints", "per row: fingerprint_key of its article (copies share it)"),
    "fwd_offs": Part(np.int64, "vector_offsets", "per row: where its term vector starts in fwd_terms and fwd_tfs"),
    "fwd_terms": Part(np.int32, "vector_terms", "term vectors: the term ids (vocabulary ranks) of a row's title and body"),
    "fwd_tfs": Part(np.uint16, "vector_tfs", "term vectors: each term's count in the row (at most TF_MAX)"),
    "vocab_offs": Part(np.int64, "vocab_offsets", "per term id: where its word starts in <seg>.vocab.bin"),
    "store_offs": Part(np.int64, "store_offsets", "per row: where its record starts in <seg>.store.bin"),
    "chk_offs": Part(np.int64, "checkpoint_offsets", "per row: where its checkpoints start in chk"),
    "chk": Part(np.int32, "checkpoints", "per row: the character offsets of body positions 0, CHECKPOINT_STRIDE, ..."),
}


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


def stored_fields(article: Any) -> dict[str, Any]:
    """What a result page shows of an article (kept in the term index's store)."""
    data = article.to_dict()
    return {key: data[key] for key in schema.RESULT_FIELDS}


# -- file names ------------------------------------------------------------------------------------


def part_path(folder: Path, segment: str, part: str) -> Path:
    """The file of one of a segment's arrays (``part`` as in PARTS)."""
    return folder / f"{segment}.{part}.npy"


def vocab_path(folder: Path, segment: str) -> Path:
    return folder / f"{segment}.vocab.bin"


def store_path(folder: Path, segment: str) -> Path:
    return folder / f"{segment}.store.bin"


def ids_path(folder: Path, segment: str) -> Path:
    return folder / f"{segment}.ids.json"


def new_segment_name() -> str:
    return f"s{secrets.token_hex(6)}"


def new_mask_name(segment: str) -> str:
    """A file name for a new deletion mask of ``segment`` (a new one per change: files are never
    rewritten)."""
    return f"{segment}{MASK_INFIX}{secrets.token_hex(4)}.npy"


def new_groups_name() -> str:
    return f"{GROUPS_PREFIX}{secrets.token_hex(4)}.npy"


# -- files -----------------------------------------------------------------------------------------


def save_npy(path: Path, values: npt.NDArray[Any]) -> None:
    with open(path, "wb") as fh:
        np.save(fh, values, allow_pickle=False)


def write_ids(folder: Path, segment: str, ids: list[str]) -> None:
    ids_path(folder, segment).write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")


def read_ids(folder: Path, segment: str) -> list[str]:
    ids: list[str] = json.loads(ids_path(folder, segment).read_text(encoding="utf-8", errors="surrogatepass"))
    return ids


def read_manifest(gen: Path) -> dict[str, Any] | None:
    """The term index manifest of a generation, or None when it has none (or another format)."""
    try:
        data: dict[str, Any] = json.loads((gen / DIR / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {gen / DIR / MANIFEST}: {exc}") from exc
    if data.get("format") != FORMAT_VERSION:
        return None
    return data


def map_npy(path: Path) -> tuple[npt.NDArray[Any], np.memmap | None]:
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
