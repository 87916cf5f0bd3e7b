"""Environment faults are named (issue 10, row 11): a full disk, a read-only folder, a missing
permission, a symbolic link planted in the index folder. Each is one line with the path and
a hint, exit 1, and the previous generation stays live."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import small_corpus, write_page

import search
from search.cli import cli
from search.errors import StorageError
from search.storage import generations as store
from search.terms import writer as terms_writer


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and "Traceback" not in result.output and "unexpected" not in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    write_page(corpus, "new", "New Page", ["A new page about shingles."])
    return corpus, index_dir


def assert_unchanged(index_dir: Path, live: Path | None) -> None:
    assert store.current(index_dir) == live
    assert [g for g in store.generations(index_dir) if g != live] == []  # the failed run left nothing
    assert search.open_index(index_dir).search("hepatitis").total == 2
    assert search.check(index_dir).ok


@pytest.mark.parametrize(
    ("code", "hint"),
    [(errno.ENOSPC, "free some space on the disk holding"), (errno.EACCES, "check who may write to"),
     (errno.EROFS, "read-only file system"), (errno.EDQUOT, "free some space")],
)
def test_a_write_that_fails_is_one_line_and_changes_nothing(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, code: int, hint: str
) -> None:
    corpus, index_dir = built
    live = store.current(index_dir)
    real = terms_writer._write_segment

    def failing(folder: Path, name: str, *args: object) -> None:
        raise OSError(code, os.strerror(code), str(folder / f"{name}.keys.npy"))

    monkeypatch.setattr(terms_writer, "_write_segment", failing)
    with pytest.raises(StorageError) as info:
        search.index([corpus], index_dir)
    assert info.value.errno == code and info.value.path.endswith(".keys.npy")
    one_line_error(run("index", corpus, "--index", index_dir), os.strerror(code), hint, ".keys.npy")
    monkeypatch.setattr(terms_writer, "_write_segment", real)
    assert_unchanged(index_dir, live)
    assert search.index([corpus], index_dir).added == 1  # and the next run just works


def test_a_folder_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    one_line_error(run("index", small_corpus(tmp_path / "corpus"), "--index", tmp_path / "file" / "index"),
                   "cannot lock the index", "Not a directory")


def test_a_symbolic_link_as_the_lock_is_never_followed(built: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, index_dir = built
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (index_dir / store.LOCK_FILE).unlink()
    (index_dir / store.LOCK_FILE).symlink_to(victim)
    one_line_error(run("index", corpus, "--index", index_dir), "write.lock is a symbolic link", "remove the symbolic link")
    assert victim.read_text() == "precious"


def test_planted_links_for_temporary_files_are_replaced_not_followed(built: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, index_dir = built
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    live = store.current(index_dir)
    assert live is not None
    for planted in (index_dir / "CURRENT.tmp", live / "healthsearch.json.tmp", live / "terms" / "manifest.json.tmp",
                    live / "stamps.json.tmp", live / "files.json.tmp"):
        planted.symlink_to(victim)
    (index_dir / "gen-000099").symlink_to(tmp_path, target_is_directory=True)  # not a generation
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    assert victim.read_text() == "precious"
    new = store.current(index_dir)
    assert new is not None and new.name == "gen-000100"  # numbered past the planted name
    assert not any(path.is_symlink() for path in new.rglob("*"))
    assert (index_dir / "gen-000099").is_symlink() and tmp_path.exists()
    assert search.check(index_dir).ok


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_for_real(small_disk: Path, tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = small_disk / "index"
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    live = store.current(index_dir)
    words = " ".join(f"filler{i}" for i in range(3000))
    for n in range(60):
        write_page(corpus, f"big{n}", f"Big {n}", [words])
    one_line_error(run("index", corpus, "--index", index_dir), "No space left on device", "free some space")
    assert_unchanged(index_dir, live)


def test_a_read_only_folder_for_real(small_disk: Path, tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = small_disk / "index"
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    live = store.current(index_dir)
    write_page(corpus, "new", "New Page", ["A new page about shingles."])
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    one_line_error(run("index", corpus, "--index", index_dir), "Read-only file system")
    assert search.open_index(index_dir).search("hepatitis").total == 2  # queries never write
    assert store.current(index_dir) == live


def test_an_immutable_lock_file_still_locks(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    lock = index_dir / store.LOCK_FILE
    if subprocess.run(["chattr", "+i", str(lock)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    try:
        result = run("index", corpus, "--index", index_dir)
        assert result.exit_code == 0, result.output
        assert "1 added" in result.stdout
    finally:
        subprocess.run(["chattr", "-i", str(lock)], check=False)
