"""The term index's on-disk format: its files, their names, the manifest, and how terms are keyed.

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
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError

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
TF_MAX = 65_535
#: Every CHECKPOINT_STRIDE-th body position, the character offset where it starts: snippets
#: analyse only the stretch around the matches instead of the whole body.
CHECKPOINT_STRIDE = 16

PARTS = ("keys", "offs", "docs", "tfs", "poffs", "pos", "lens", "fps", "fwd_offs", "fwd_terms", "fwd_tfs",
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


def stored_fields(article: Any) -> dict[str, Any]:
    """What a result page shows of an article (kept in the term index's store)."""
    data = article.to_dict()
    return {key: data[key] for key in ("id", "title", "url", "body", "links")}


def new_segment_name() -> str:
    return f"s{secrets.token_hex(6)}"


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
