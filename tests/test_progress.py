"""Progress of a run by files, bytes and articles: reported while a large feed is read, never backwards."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from helpers import small_corpus

import search
from search.indexing.progress import REPORT_EVERY_BYTES, Meter
from search.models import Progress


def _feed(path: Path, lines: int) -> int:
    """A feed of ``lines`` short articles, each line padded to about 4 KB with a key the feed
    reader ignores (bytes to read, little to index); returns its size on disk."""
    rows = (
        json.dumps({"id": f"a{n:05d}", "title": f"Article {n}", "body": f"Body of article {n}, marker{n}.",
                    "padding": random.Random(n).randbytes(2000).hex()})
        for n in range(lines)
    )
    data = ("\n".join(rows) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path.stat().st_size


def _check(reports: list[Progress], total: int, articles: int) -> None:
    assert reports, "no progress reported"
    done = [r.bytes_done for r in reports]
    assert done == sorted(done), "bytes went backwards"
    assert [r.articles for r in reports] == sorted(r.articles for r in reports)
    assert [r.files_done for r in reports] == sorted(r.files_done for r in reports)
    assert all(r.bytes_total == total and 0 <= r.bytes_done <= total for r in reports)
    last = reports[-1]
    assert (last.bytes_done, last.articles, last.files_done, last.files_total) == (total, articles, 1, 1)


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz"])
def test_a_large_feed_reports_progress_while_it_is_read(tmp_path: Path, name: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    size = _feed(corpus / name, 1000)  # about 4 MB of text
    reports: list[Progress] = []
    report = search.index([corpus], tmp_path / "index", progress=reports.append)
    assert report.added == 1000
    _check(reports, size, 1000)
    during = [r for r in reports if r.files_done == 0]
    assert len(during) >= 3, f"only {len(during)} reports while the feed was read"
    assert any(0 < r.articles < 1000 for r in during)  # articles counted as they come


def test_progress_counts_unchanged_files_as_done_and_reads_only_the_changed(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    search.index([corpus], tmp_path / "index")
    (corpus / "anaemia.html").write_text((corpus / "anaemia.html").read_text().replace("lentils", "beans"))
    reports: list[Progress] = []
    search.index([corpus], tmp_path / "index", progress=reports.append)
    size = (corpus / "anaemia.html").stat().st_size
    assert reports[0] == Progress(3, 4, 0, size, 3)  # three unchanged files, done before anything is read
    assert reports[-1] == Progress(4, 4, size, size, 4)


def test_the_meter_never_goes_back_or_past_the_total() -> None:
    seen: list[Progress] = []
    meter = Meter(seen.append, files_total=2, bytes_total=3 * REPORT_EVERY_BYTES, articles=lambda: len(seen))
    meter.start(2 * REPORT_EVERY_BYTES)
    for position in (REPORT_EVERY_BYTES, REPORT_EVERY_BYTES // 2, 5 * REPORT_EVERY_BYTES):  # back, then past the end
        meter.read_to(position)
    meter.file_done()
    meter.start(REPORT_EVERY_BYTES)
    meter.file_done()
    assert [p.bytes_done for p in seen] == [REPORT_EVERY_BYTES, 2 * REPORT_EVERY_BYTES, 2 * REPORT_EVERY_BYTES,
                                            3 * REPORT_EVERY_BYTES]
    assert [p.files_done for p in seen] == [0, 0, 1, 2]
