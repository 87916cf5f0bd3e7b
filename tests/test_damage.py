"""A damaged index is an error or a recovery, never a wrong answer (issue 10, rows 5, 10, 11).

The matrix takes an index of two generations and, for one file of every kind in the live
generation (and CURRENT, and the listing itself), truncates it, overwrites it with garbage of
the same size, deletes it, or flips one byte in its middle. Then:

* queries, ``show`` and ``stats`` raise a typed error or answer exactly as before (a flipped
  byte inside a large file may go unseen by them: only ``check`` and indexing read every byte);
* ``check`` reports the damage;
* a plain ``index`` run either continues from an intact generation (and the result is right)
  or refuses with a typed error; it never reports "unchanged" over a damaged generation;
* ``index --rebuild`` repairs the index from any of these states.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import page_id, small_corpus, write_page

import search
from search.cli import cli
from search.errors import IndexCorruptError, IndexDamagedError
from search.storage import generations as store
from search.storage import integrity

QUERIES = ("hepatitis", "knee pain", "iron*", "hepatitis -vaccine", '"knee pain"', "anemia", "kne")
DAMAGES = ("truncate", "garbage", "delete", "flip")


def answers(index_dir: Path) -> list[object]:
    """Everything a user sees: hits with scores and snippets, an article, the stats' count."""
    ix = search.open_index(index_dir)
    out: list[object] = []
    for text in QUERIES:
        results = ix.search(text)
        out.append((results.total, results.suggestion, [(h.id, h.score, h.snippet, h.links) for h in results.hits]))
    out.append(ix.get(page_id("knee-pain")))
    out.append(ix.incoming_anchors(page_id("knee-pain")))
    out.append(ix.stats().articles)
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[object]]:
    """A corpus and an index of two generations (the live one has a segment of its own and a
    deletion mask on the shared one), and the answers it gives."""
    root = tmp_path_factory.mktemp("damage")
    corpus = small_corpus(root / "corpus")
    index_dir = root / "index"
    search.index([corpus], index_dir)
    write_page(corpus, "anaemia", "Iron Deficiency Anaemia", ["Anaemia means too little haemoglobin; iron tablets help."])
    write_page(corpus, "knee-brace", "Knee Braces", ["A knee brace can ease knee pain while the joint heals."])
    search.index([corpus], index_dir)
    return corpus, index_dir, answers(index_dir)


def copy_of(source: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A real copy of the index (damage stays in it); returns it and its live generation."""
    index_dir = tmp_path / "index"
    shutil.copytree(source, index_dir)
    live = store.current(index_dir)
    assert live is not None
    return index_dir, live


def listed(gen: Path, suffix: str) -> Path:
    """The first file of the generation's listing whose name ends with ``suffix``."""
    return next(gen / rel for rel in integrity.read_listing(gen) if rel.endswith(suffix))


def kinds(gen: Path) -> dict[str, str]:
    """One file of each kind in the generation: kind -> path relative to the generation."""
    out: dict[str, str] = {}
    for rel in sorted(integrity.read_listing(gen)):
        kind = re.sub(r"s[0-9a-f]{12}\.|groups-[0-9a-f]+|del-[0-9a-f]+|articles_[a-z0-9]+\.|_articles_\d+", "*", rel)
        out.setdefault(kind, rel)
    return out


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    rng = random.Random(len(data))
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(bytes(rng.randrange(256) for _ in data) if data else b"x")
    elif how == "delete":
        path.unlink()
    else:  # flip one byte in the middle
        if not data:
            path.write_bytes(b"x")
            return
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x5A]) + data[middle + 1 :])


def _cases() -> list[tuple[str, str]]:
    return [(kind, how) for kind in KINDS for how in DAMAGES]


# The kinds of files a live generation of this layout holds (checked against the real listing).
KINDS = (
    "CURRENT", "files.json", "PARENT", "healthsearch.json", "*.toc", "*seg", "terms/manifest.json", "terms/*.npy",
    *(f"terms/*{part}" for part in (
        "chk.npy", "chk_offs.npy", "docs.npy", "fps.npy", "fwd_offs.npy", "fwd_terms.npy", "fwd_tfs.npy", "ids.json",
        "keys.npy", "lens.npy", "offs.npy", "poffs.npy", "pos.npy", "store.bin", "store_offs.npy", "tfs.npy",
        "vocab.bin", "vocab_offs.npy", "*.npy")),
)


def test_the_matrix_covers_every_kind_of_file(pristine: tuple[Path, Path, list[object]]) -> None:
    _corpus, index_dir, _answers = pristine
    live = store.current(index_dir)
    assert live is not None
    found = set(kinds(live)) | {"CURRENT", "files.json"}
    assert found == set(KINDS), found ^ set(KINDS)


def _target(index_dir: Path, kind: str) -> Path:
    live = store.current(index_dir)
    assert live is not None
    if kind == "CURRENT":
        return index_dir / "CURRENT"
    if kind == "files.json":
        return live / "files.json"
    return live / kinds(live)[kind]


@pytest.mark.parametrize(("kind", "how"), _cases())
def test_damage_is_an_error_or_a_recovery_never_a_wrong_answer(
    pristine: tuple[Path, Path, list[object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, how: str
) -> None:
    corpus, source, expected = pristine
    index_dir, _live = copy_of(source, tmp_path)
    damage(_target(index_dir, kind), how)

    # Queries check sizes and headers only (no small-file digests here: the hard case).
    with monkeypatch.context() as patch:
        patch.setattr(integrity, "SMALL_FILE_BYTES", 0)
        try:
            got = answers(index_dir)
        except IndexCorruptError:
            pass
        else:
            if how != "flip":
                assert got == expected, (kind, how)

    found = search.check(index_dir)
    assert not found.ok, (kind, how)
    assert found.role("previous") is None or found.role("previous").ok  # type: ignore[union-attr]

    try:
        report = search.index([corpus], index_dir)
    except IndexCorruptError:
        pass  # refused, with the reason
    else:
        assert report.unchanged + report.updated + report.added == expected[-1], report
        assert search.check(index_dir).role("live").ok  # type: ignore[union-attr]
        assert answers(index_dir) == expected, (kind, how)
        assert report.warnings, report  # it said what it did

    search.index([corpus], index_dir, rebuild=True)
    assert search.check(index_dir).role("live").ok  # type: ignore[union-attr]
    assert _ids(answers(index_dir)) == _ids(expected)


def _ids(found: list[object]) -> list[object]:
    return [[hit[0] for hit in item[2]] if isinstance(item, tuple) else item for item in found]


def test_damage_shared_by_both_generations_needs_the_rebuild_it_names(
    pristine: tuple[Path, Path, list[object]], tmp_path: Path
) -> None:
    """A file both generations share (one inode) damaged: nothing intact to continue from."""
    corpus, source, expected = pristine
    index_dir, _live = copy_of(source, tmp_path)
    gens = store.generations(index_dir)
    shared = sorted(set.intersection(*(set(integrity.read_listing(g)) for g in gens)))
    shared_pos = next(rel for rel in shared if rel.endswith("pos.npy"))
    for gen in gens:
        damage(gen / shared_pos, "truncate")
    with pytest.raises(IndexDamagedError, match=r"pos\.npy is [\d,]+ bytes"):
        search.index([corpus], index_dir)
    result = CliRunner().invoke(cli, ["index", str(corpus), "--index", str(index_dir)])
    assert result.exit_code == 1 and result.stdout == ""
    assert "--rebuild" in result.stderr and result.stderr.count("\n") == 1
    assert not search.check(index_dir).ok
    assert search.index([corpus], index_dir, rebuild=True).added == expected[-1]
    assert _ids(answers(index_dir)) == _ids(expected)


def test_row5_a_garbage_generation_file_or_pointer_is_repaired_by_rebuild(
    pristine: tuple[Path, Path, list[object]], tmp_path: Path
) -> None:
    corpus, source, expected = pristine
    index_dir, live = copy_of(source, tmp_path)
    (live / "healthsearch.json").write_text("{not json")
    (index_dir / "CURRENT").write_bytes(b"\xff\xfe\x00gen\x80")
    runner = CliRunner()
    for args in (["query", "knee"], ["show", page_id("knee-pain")], ["stats"], ["rollback"], ["check"]):
        result = runner.invoke(cli, [*args, "--index", str(index_dir)])
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.startswith("Error: ") or args == ["check"], (args, result.output)
        assert "Traceback" not in result.output and "unexpected" not in result.output
    result = runner.invoke(cli, ["index", str(corpus), "--index", str(index_dir), "--rebuild"])
    assert result.exit_code == 0, result.output
    assert _ids(answers(index_dir)) == _ids(expected)
    assert search.check(index_dir).ok


def test_row10_a_cut_vocabulary_is_an_error_and_a_plain_run_notices(
    pristine: tuple[Path, Path, list[object]], tmp_path: Path
) -> None:
    corpus, source, expected = pristine
    index_dir, live = copy_of(source, tmp_path)
    vocab = listed(live, "vocab.bin")
    vocab.write_bytes(vocab.read_bytes()[:40])
    with pytest.raises(IndexDamagedError, match="vocab.bin is 40 bytes"):
        search.open_index(index_dir).search("iron*")
    report = search.index([corpus], index_dir)  # not "6 unchanged" over a broken generation
    assert "is damaged" in report.warnings[0][1]
    assert answers(index_dir) == expected


def test_row11_a_truncated_whoosh_segment_is_one_line_not_aborted(
    pristine: tuple[Path, Path, list[object]], tmp_path: Path
) -> None:
    _corpus, source, _expected = pristine
    index_dir, live = copy_of(source, tmp_path)
    segment = listed(live, ".seg")
    segment.write_bytes(segment.read_bytes()[:100])
    for args in (["show", page_id("knee-pain")], ["stats"], ["query", "knee"]):
        result = CliRunner().invoke(cli, [*args, "--index", str(index_dir)])
        assert result.exit_code == 1
        assert "Aborted" not in result.output and "unexpected" not in result.output
        assert result.stderr.startswith("Error: the index at") and "is damaged" in result.stderr
        assert result.stderr.count("\n") == 1


def test_a_read_failure_of_an_intact_index_is_still_a_bug(pristine: tuple[Path, Path, list[object]],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The full verification after an unexpected failure finds nothing: the failure stands."""
    from search.ranking import searcher as ranking

    _corpus, index_dir, _expected = pristine
    ix = search.open_index(index_dir)

    def broken(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ranking.Searcher, "search", broken)
    with pytest.raises(ZeroDivisionError):
        ix.search("knee")


def test_rollback_refuses_a_damaged_previous_generation(pristine: tuple[Path, Path, list[object]], tmp_path: Path) -> None:
    _corpus, source, _expected = pristine
    index_dir, live = copy_of(source, tmp_path)
    previous = store.previous(index_dir, live)
    assert previous is not None
    (previous / "healthsearch.json").write_text("{}")
    with pytest.raises(IndexDamagedError, match="gen-000001: healthsearch.json is 2 bytes"):
        search.rollback(index_dir)
    assert store.current(index_dir) == live
    check = json.loads(CliRunner().invoke(cli, ["check", "--json", "--index", str(index_dir)]).stdout)
    assert check["ok"] is False
    assert [(g["role"], bool(g["problems"])) for g in check["generations"]] == [("live", False), ("previous", True)]
