"""The index folder: generations, the CURRENT pointer, clean-up, rollback and the writer lock."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from search.errors import IndexCorruptError, IndexLockedError, NothingToRollBackError
from search.storage import generations as store


def make_gen(index_dir: Path, payload: str = "x") -> Path:
    """A generation as sequential runs make them: its parent is the newest one before it."""
    existing = store.generations(index_dir)
    gen = store.new_generation(index_dir, parent=existing[-1] if existing else None)
    (gen / "data").write_text(payload)
    return gen


def test_nothing_published_means_no_current(tmp_path: Path) -> None:
    assert store.current(tmp_path) is None
    make_gen(tmp_path)
    assert store.current(tmp_path) is None


def test_publish_switches_current(tmp_path: Path) -> None:
    first = make_gen(tmp_path)
    store.publish(tmp_path, first)
    assert store.current(tmp_path) == first
    second = make_gen(tmp_path)
    assert second.name == "gen-000002"
    store.publish(tmp_path, second)
    assert store.current(tmp_path) == second
    assert not (tmp_path / "CURRENT.tmp").exists()


def test_new_generation_links_files_of_the_old_one(tmp_path: Path) -> None:
    first = make_gen(tmp_path, "segment bytes")
    (first / "_articles_WRITELOCK").write_text("")
    second = store.new_generation(tmp_path, copy_from=first)
    assert (second / "data").read_text() == "segment bytes"
    assert (second / "data").stat().st_ino == (first / "data").stat().st_ino
    assert not (second / "_articles_WRITELOCK").exists()


def test_clean_keeps_the_live_and_one_previous_generation(tmp_path: Path) -> None:
    gens = [make_gen(tmp_path) for _ in range(4)]
    store.publish(tmp_path, gens[2])  # gens[3] is an abandoned, unpublished run
    store.clean(tmp_path)
    assert store.generations(tmp_path) == [gens[1], gens[2]]


def test_rollback_serves_the_previous_generation(tmp_path: Path) -> None:
    first, second = make_gen(tmp_path), make_gen(tmp_path)
    store.publish(tmp_path, first)
    store.publish(tmp_path, second)
    assert store.rollback(tmp_path) == first
    assert store.current(tmp_path) == first
    with pytest.raises(NothingToRollBackError, match="no earlier generation"):
        store.rollback(tmp_path)
    # the next clean-up drops the rolled-back-from generation, and numbering continues
    store.clean(tmp_path)
    assert store.generations(tmp_path) == [first]
    assert make_gen(tmp_path).name == "gen-000002"


@pytest.mark.parametrize(("content", "message"), [("garbage\n", "does not name a generation"), ("gen-000009\n", "missing")])
def test_broken_current_is_a_typed_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "CURRENT").write_text(content)
    with pytest.raises(IndexCorruptError, match=message):
        store.current(tmp_path)


def test_write_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    with store.write_lock(tmp_path):
        with pytest.raises(IndexLockedError):
            with store.write_lock(tmp_path):
                pass
    with store.write_lock(tmp_path):  # released on exit
        pass


def test_lock_of_a_killed_process_does_not_block(tmp_path: Path) -> None:
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom search.storage import generations as store\n"
        f"with store.write_lock(Path({str(tmp_path)!r})):\n    print('locked', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError):
            with store.write_lock(tmp_path):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with store.write_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
