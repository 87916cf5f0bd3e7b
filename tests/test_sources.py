"""Finding source files: recursion, hidden names, symbolic links, loops, special files, odd names."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from search.errors import ExtractionError
from search.ingest.sources import open_source, source_key, walk


def make_tree(root: Path) -> None:
    for rel in (
        "b.html",
        "a/z.txt",
        "a/y.jsonl.gz",
        "a/b/c.htm",
        "c.HTML",
        "notes.pdf",
        "image.png",
        ".hidden.html",
        ".git/config.html",
        "a/.cache/x.html",
        "d.html.gz",
        "e.xhtml",
    ):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<p>x</p>", encoding="utf-8")


def rel_files(pairs: list[tuple[Path, Path]], root: Path) -> list[str]:
    return [file.relative_to(root).as_posix() for file, _ in pairs]


def test_walk_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = walk([tmp_path])
    assert rel_files(found.files, tmp_path) == [
        "a/b/c.htm",
        "a/y.jsonl.gz",
        "a/z.txt",
        "b.html",
        "c.HTML",
        "d.html.gz",
        "e.xhtml",
    ]
    assert {root for _, root in found.files} == {tmp_path}
    assert (found.failures, found.skipped) == ([], [])


def test_explicit_file_has_its_parent_as_root(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert walk([tmp_path / "a" / "z.txt"]).files == [(tmp_path / "a" / "z.txt", tmp_path / "a")]


def test_missing_path_raises_before_anything_is_read(tmp_path: Path) -> None:
    make_tree(tmp_path)
    with pytest.raises(ExtractionError, match="no such file or directory") as info:
        walk([tmp_path / "b.html", tmp_path / "missing"])
    assert info.value.path == str(tmp_path / "missing")


def test_explicit_unsupported_file_raises(tmp_path: Path) -> None:
    make_tree(tmp_path)
    with pytest.raises(ExtractionError) as info:
        walk([tmp_path / "notes.pdf"])
    assert info.value.reason == "not a page (a .pdf file)"  # text in it, but its name says it is no page


def test_symlink_loops_terminate(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "a" / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "again").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "self.html").symlink_to(tmp_path / "self.html")
    (tmp_path / "ping.html").symlink_to(tmp_path / "pong.html")
    (tmp_path / "pong.html").symlink_to(tmp_path / "ping.html")
    found = walk([tmp_path])
    files = rel_files(found.files, tmp_path)
    assert sorted(files) == sorted(set(files))  # nothing visited twice
    assert "b.html" in files and "a/z.txt" in files
    assert sorted((n.path, n.reason) for n in found.skipped) == [
        (str(tmp_path / name), "symbolic link loop") for name in ("ping.html", "pong.html", "self.html")
    ]


def test_links_inside_the_folders_are_left_out_silently(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "alias.html").symlink_to(tmp_path / "b.html")
    (tmp_path / "a-alias").symlink_to(tmp_path / "a", target_is_directory=True)
    found = walk([tmp_path])
    assert "alias.html" not in rel_files(found.files, tmp_path)
    assert not any(f.startswith("a-alias") for f in rel_files(found.files, tmp_path))
    assert found.skipped == [] and found.failures == []


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A corpus folder with links to a file and a folder outside it, and to the root."""
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    make_tree(corpus)
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "secret.txt").write_text("Secret\n\nNot for the index.\n", encoding="utf-8")
    (elsewhere / "sub" / "far.html").write_text("<p>far</p>", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(elsewhere / "secret.txt")
    (corpus / "away").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "root").symlink_to("/", target_is_directory=True)
    return corpus


def test_links_leading_outside_are_skipped_with_a_reason(outside: Path) -> None:
    """Issue 10 row 6: a link to /etc/passwd (here: to a file outside), or to /."""
    found = walk([outside])
    files = rel_files(found.files, outside)
    assert "passwd.txt" not in files and not any(f.startswith(("away/", "root/")) for f in files)
    assert [(Path(n.path).name, n.reason.split(",")[0]) for n in found.skipped] == [
        ("away", f"symbolic link to {outside.parent / 'elsewhere'}"),
        ("passwd.txt", f"symbolic link to {outside.parent / 'elsewhere' / 'secret.txt'}"),
        ("root", "symbolic link to /"),
    ]
    assert all("outside the folders being indexed (--follow-symlinks reads it)" in n.reason for n in found.skipped)


def test_follow_symlinks_reads_them(outside: Path) -> None:
    (outside / "root").unlink()  # the whole file system is too much for a test
    found = walk([outside], follow_symlinks=True)
    files = rel_files(found.files, outside)
    assert {"passwd.txt", "away/secret.txt", "away/sub/far.html"} <= set(files)
    assert found.skipped == []


def test_named_pipes_are_skipped_and_never_opened_blocking(tmp_path: Path) -> None:
    make_tree(tmp_path)
    os.mkfifo(tmp_path / "pipe.html")
    os.mkfifo(tmp_path / "ignored-pipe")  # not a source name: not mentioned
    found = walk([tmp_path])
    assert "pipe.html" not in rel_files(found.files, tmp_path)
    assert [(n.path, n.reason) for n in found.skipped] == [(str(tmp_path / "pipe.html"), "not a regular file (a named pipe)")]
    with pytest.raises(ExtractionError, match=r"not a regular file \(a named pipe\)"):
        walk([tmp_path / "pipe.html"])
    with pytest.raises(ExtractionError, match=r"not a regular file \(a named pipe\)"):
        open_source(tmp_path / "pipe.html")  # returns at once: no writer needed


def test_devices_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "null.html").symlink_to("/dev/null")
    found = walk([tmp_path], follow_symlinks=True)
    assert found.files == []
    assert [n.reason for n in found.skipped] == ["not a regular file (a character device)"]


def test_names_in_any_encoding_are_found_and_shown_escaped(tmp_path: Path) -> None:
    """Issue 10 row 3: a file name with a byte that is not UTF-8."""
    folder = os.fsencode(tmp_path)
    for name in (b"caf\xe9.html", b"esc\x1b[2J.html"):
        with open(folder + b"/" + name, "wb") as handle:
            handle.write(b"<p>x</p>")
    found = walk([tmp_path])
    assert sorted(os.fsencode(path.name) for path, _ in found.files) == [b"caf\xe9.html", b"esc\x1b[2J.html"]
    assert sorted(source_key(path) for path, _ in found.files) == [
        f"{tmp_path}/caf\\xe9.html",
        f"{tmp_path}/esc\\x1b[2J.html",
    ]


def test_broken_links_and_unreadable_folders_are_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    (tmp_path / "gone.html").symlink_to(tmp_path / "nowhere.html")
    (tmp_path / "gone.png").symlink_to(tmp_path / "nowhere.png")  # not a source name: ignored
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)).name == "a":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    found = walk([tmp_path])
    assert rel_files(found.files, tmp_path) == ["b.html", "c.HTML", "d.html.gz", "e.xhtml"]
    assert [(e.path, e.reason) for e in found.failures] == [
        (str(tmp_path / "a"), "cannot read directory: Permission denied"),
        (str(tmp_path / "gone.html"), "broken symbolic link"),
    ]
    assert found.failed_paths == [tmp_path / "a", tmp_path / "gone.html"]


def test_source_keys_do_not_resolve_links(tmp_path: Path) -> None:
    (tmp_path / "real.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(tmp_path / "real.html")
    assert source_key(tmp_path / "link.html") == str(tmp_path / "link.html")
    assert source_key(Path("relative.html")) == os.path.join(os.getcwd(), "relative.html")


def test_logging_names_no_raw_control_characters(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = os.fsencode(tmp_path)
    os.symlink(b"/", folder + b"/\x1b]0;x\x07.html")
    with caplog.at_level(logging.DEBUG, logger="search"):
        found = walk([tmp_path])
    assert found.skipped[0].path == f"{tmp_path}/\\x1b]0;x\\x07.html"
    assert not any("\x1b" in record.getMessage() for record in caplog.records)
