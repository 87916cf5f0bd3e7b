"""The term index's format table (search.terms.format.PARTS) against what is written and read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from helpers import write_page

import search
from search.storage import generations as store
from search.terms import format as terms_format
from search.terms.reader import Segment, TermIndex


def _term_index(tmp_path: Path) -> TermIndex:
    corpus = tmp_path / "corpus"
    write_page(corpus, "a", "Knee Pain", ["Cold packs ease a swollen knee.", "Rest the knee."])
    write_page(corpus, "b", "Hip Pain", ["Warm baths ease a stiff hip (温浴)."])
    search.index([corpus], tmp_path / "index")
    live = store.current(tmp_path / "index")
    assert live is not None
    ti = TermIndex.open(live)
    assert ti is not None and len(ti.segments) == 1
    return ti


def test_every_part_is_written_with_its_dtype_and_read_by_its_property(tmp_path: Path) -> None:
    ti = _term_index(tmp_path)
    seg = ti.segments[0]
    npy = {p.name for p in seg.folder.glob(f"{seg.name}.*.npy") if terms_format.MASK_INFIX not in p.name}
    assert npy == {terms_format.part_path(seg.folder, seg.name, part).name for part in terms_format.PARTS}
    for part, spec in terms_format.PARTS.items():
        on_disk = np.load(terms_format.part_path(seg.folder, seg.name, part))
        assert on_disk.dtype == np.dtype(spec.dtype), part
        assert isinstance(getattr(Segment, spec.accessor), property), spec.accessor
        read = getattr(seg, spec.accessor)
        assert read.dtype == on_disk.dtype and np.array_equal(read, on_disk), part
    assert seg.lens.shape == (len(terms_format.FIELDS), seg.docs_count)


def test_words_of_term_ids_match_the_vocabulary(tmp_path: Path) -> None:
    seg = _term_index(tmp_path).segments[0]
    tids = np.arange(seg.vocab_size, dtype=np.int64)
    words = seg.words(tids)
    assert words == [seg.word(t) for t in range(seg.vocab_size)] == sorted(words)
    assert "温浴" in words  # multi-byte UTF-8: offsets are in bytes
    assert list(seg.encoded_words()) == [w.encode("utf-8") for w in words]
    assert seg.words(tids[::-1][:3]) == words[::-1][:3]
    assert seg.words(np.zeros(0, dtype=np.int64)) == []


def test_the_query_path_does_not_import_the_writer() -> None:
    """Ranking reads the index: it needs format, reader and ranges, not the writer or the merge."""
    code = "import sys, search.ranking.searcher; print(sorted(m for m in sys.modules if m.startswith('search.terms')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(sorted(["search.terms", "search.terms.format", "search.terms.ranges", "search.terms.reader"]))
