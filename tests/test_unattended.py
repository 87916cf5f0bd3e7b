"""Unattended runs: real ``healthsearch index`` processes on real files.

What a nightly cron job meets: another run holding the lock, a run killed with SIGKILL at any
moment (by time, at phases of the run, and by a crash injected around ``store.publish``),
queries arriving while a rebuild runs, bad files next to good ones, and output that must stay
quiet unless something is wrong. Everything runs in subprocesses against ``tmp_path``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import page, page_id, small_corpus

import search
from search.storage import generations as store
from search.storage.articles import ArticleStore

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
ENV.pop("HEALTHSEARCH_INDEX", None)
KILLED = -signal.SIGKILL

#: Big enough that one `healthsearch index` run takes a few seconds on a 2-core machine.
N = 700
OLD, NEW = "kappaold", "kappanew"  # version word in every page of state A / changed pages of B
MODIFIED = frozenset(i for i in range(N) if i % 2 == 0)
DELETED = frozenset(i for i in range(N) if i % 10 == 1)  # disjoint from MODIFIED
ADDED = range(N, N + N // 20)
SAMPLE_MODIFIED, SAMPLE_KEPT = (0, 2, N // 2, N - 2), (3, N - 1)
SAMPLE_DELETED, SAMPLE_ADDED = (1, N - 9), (N, ADDED[-1])
WORDS = (
    "pain fever liver kidney insulin diabetes vaccine infection tablet dose symptom nausea blood "
    "pressure heart rest exercise sleep diet iron vitamin protein muscle joint knee back headache "
    "migraine asthma allergy skin rash cough cold virus bacteria antibiotic doctor nurse clinic "
    "hospital treatment therapy recovery pregnancy baby child adult weight sugar salt water fluid "
    "stomach bowel lung breath chest arm leg foot hand eye ear nose throat swelling bruise fracture"
).split()


# -- running the real CLI -------------------------------------------------------------------------


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "search", *map(str, args)]


def hs(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, env=ENV, timeout=timeout, check=False)


def run_killed(
    args: list[str | Path], *, after: float | None = None, when: Callable[[], bool] | None = None, timeout: float = 120
) -> tuple[int, bool]:
    """Start ``healthsearch ARGS``; SIGKILL it ``after`` seconds or as soon as ``when()`` holds.

    Returns (exit status, whether the kill was sent before the process ended by itself).
    """
    proc = subprocess.Popen(command(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.monotonic() + timeout
    try:
        if after is not None:
            try:
                return proc.wait(timeout=after), False
            except subprocess.TimeoutExpired:
                pass
        else:
            assert when is not None
            while proc.poll() is None and not when():
                assert time.monotonic() < deadline, "the awaited moment never came"
                time.sleep(0.001)
            if proc.poll() is not None:
                return proc.returncode, False
        proc.send_signal(signal.SIGKILL)
        return proc.wait(timeout=30), True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- the big corpus: state A, then state B ----------------------------------------------------------


def marker(i: int) -> str:
    return f"zq{i:05d}x"


def pid(i: int) -> str:
    return f"p{i:05d}"


def write_article(folder: Path, i: int, version: str) -> None:
    rng = random.Random(f"{i}-{version}")
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 28))).capitalize() + "."
        for _ in range(rng.randint(5, 11))
    ]
    paragraphs.append(f"Marker {marker(i)} version {version}.")
    title = f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)} note {i}"
    (folder / f"{pid(i)}.html").write_text(page(pid(i), title, paragraphs), encoding="utf-8")


EXPECTED = {  # (articles, pages with OLD, pages with NEW)
    "A": (N, N, 0),
    "B": (N - len(DELETED) + len(ADDED), N - len(MODIFIED) - len(DELETED), len(MODIFIED) + len(ADDED)),
}


@dataclass
class World:
    corpus: Path  # holds state B once the fixture is done
    index_a: Path  # pristine index of state A (copy it, never write to it)
    build_seconds: float
    update_seconds: float
    rebuild_seconds: float
    hashes: dict[str, dict[str, str]] = field(default_factory=dict)

    def copy_a(self, dest: Path) -> Path:
        target = dest / "index"
        shutil.copytree(self.index_a, target)
        return target


def content_hashes(index_dir: Path) -> dict[str, str]:
    """Every indexed article id with the digest of its content, read from the live generation."""
    live = store.current(index_dir)
    assert live is not None
    return {doc_id: state.content_hash for doc_id, state in ArticleStore.open(live).states().items()}


def timed(*args: str | Path) -> float:
    started = time.monotonic()
    proc = hs(*args)
    assert proc.returncode == 0, proc.stderr
    return time.monotonic() - started


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("unattended")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(N):
        write_article(corpus, i, OLD)
    index_a = root / "index-a"
    build_seconds = timed("index", corpus, "--index", index_a)
    hashes_a = content_hashes(index_a)
    assert len(hashes_a) == N
    # state B: rewrite half the pages, delete a tenth, add a twentieth (same folder: same sources)
    for i in MODIFIED:
        write_article(corpus, i, NEW)
    for i in DELETED:
        (corpus / f"{pid(i)}.html").unlink()
    for i in ADDED:
        write_article(corpus, i, NEW)
    shutil.copytree(index_a, root / "index-update")
    update_seconds = timed("index", corpus, "--index", root / "index-update")
    rebuild_seconds = build_seconds * EXPECTED["B"][0] / N  # a fresh build of state B
    w = World(corpus, index_a, build_seconds, update_seconds, rebuild_seconds)
    w.hashes = {"A": hashes_a, "B": content_hashes(root / "index-update")}
    assert state_of(root / "index-update", w) == "B"
    print(f"\nN={N}: build {build_seconds:.2f}s, update {update_seconds:.2f}s")
    return w


def state_of(index_dir: Path, world: World) -> str:
    """"A" or "B" when the index is exactly that state (fails on anything else, e.g. a mix)."""
    ix = search.open_index(index_dir)
    got = (ix.stats().articles, ix.search(OLD).total, ix.search(NEW).total)
    matches = [name for name, expected in EXPECTED.items() if got == expected]
    assert matches, f"articles/old/new = {got}: neither state A {EXPECTED['A']} nor state B {EXPECTED['B']}"
    state = matches[0]
    for i in SAMPLE_MODIFIED + SAMPLE_KEPT:
        hits = ix.search(marker(i)).hits
        assert [h.id for h in hits] == [page_id(pid(i))]
        version = NEW if state == "B" and i in MODIFIED else OLD
        assert f"version {version}" in ix.get(page_id(pid(i))).body, (state, i)
    for i in SAMPLE_DELETED:
        assert ix.search(marker(i)).total == (1 if state == "A" else 0), (state, i)
    for i in SAMPLE_ADDED:
        assert ix.search(marker(i)).total == (0 if state == "A" else 1), (state, i)
    assert content_hashes(index_dir) == world.hashes[state]  # every article, exactly
    return state


def gen_number(gen: Path) -> int:
    return int(gen.name.split("-")[1])


def assert_tidy(index_dir: Path) -> None:
    """Only the live generation and at most one older one remain; no half-published pointer."""
    live = store.current(index_dir)
    gens = store.generations(index_dir)
    assert live is not None and gens[-1] == live, [g.name for g in gens]
    assert len(gens) <= 2, [g.name for g in gens]
    assert not (index_dir / "CURRENT.tmp").exists()


def assert_recovers(index_dir: Path, world: World) -> None:
    proc = hs("index", world.corpus, "--index", index_dir)
    assert proc.returncode == 0, proc.stderr
    assert state_of(index_dir, world) == "B"
    assert_tidy(index_dir)


# -- lock contention ---------------------------------------------------------------------------


def test_locked_index_exits_75_and_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    assert hs("index", corpus, "--index", index_dir).returncode == 0
    live = store.current(index_dir)
    holder_code = (
        "import time\nfrom pathlib import Path\nfrom search.storage import generations as store\n"
        f"with store.write_lock(Path({str(index_dir)!r})):\n"
        "    print('locked', flush=True)\n    time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", holder_code], stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert holder.stdout is not None
        ready, _, _ = select.select([holder.stdout], [], [], 30)
        assert ready and holder.stdout.readline().strip() == "locked"
        (corpus / "anaemia.html").write_text(page("anaemia", "Anaemia", ["Changed text about ferritin."]))
        proc = hs("index", corpus, "--index", index_dir)
        assert proc.returncode == 75
        assert proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("Error: "), proc.stderr
        assert "another process" in proc.stderr
        assert store.current(index_dir) == live and store.generations(index_dir) == [live]  # untouched
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=10) == KILLED
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    started = time.monotonic()
    proc = hs("index", corpus, "--index", index_dir)
    assert proc.returncode == 0, proc.stderr  # the flock died with its holder: no stale lock
    assert time.monotonic() - started < 20
    assert "1 updated" in proc.stdout
    assert [h.id for h in search.open_index(index_dir).search("ferritin").hits] == [page_id("anaemia")]


# -- kill -9 at any moment ---------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.1, 0.4, 0.7, 0.95])
def test_update_killed_at_any_moment_leaves_the_old_or_the_new_state(
    world: World, tmp_path: Path, fraction: float
) -> None:
    index_dir = world.copy_a(tmp_path)
    status, killed = run_killed(["index", world.corpus, "--index", index_dir], after=fraction * world.update_seconds)
    state = state_of(index_dir, world)
    if fraction <= 0.4:  # killed long before the end: nothing of the run may show
        assert (status, killed, state) == (KILLED, True, "A")
    else:
        assert status in (KILLED, 0)
    assert_recovers(index_dir, world)


def _newer_generations(index_dir: Path, live: int) -> list[Path]:
    return [g for g in store.generations(index_dir) if gen_number(g) > live]


@pytest.mark.parametrize("moment", ["generation-created", "segment-assembled", "current-switched"])
def test_update_killed_at_each_phase_leaves_the_old_or_the_new_state(
    world: World, tmp_path: Path, moment: str
) -> None:
    index_dir = world.copy_a(tmp_path)
    live = store.current(index_dir)
    assert live is not None
    number = gen_number(live)

    def reached() -> bool:
        newer = _newer_generations(index_dir, number)
        if moment == "generation-created":  # the hard-linked copy is being made
            return bool(newer)
        if moment == "segment-assembled":  # Whoosh wrote the run's own segment: commit under way
            return any(_links(f) == 1 for g in newer for f in g.glob("*.seg"))
        return (index_dir / store.CURRENT).read_text().strip() != live.name  # published; cleaning up

    status, killed = run_killed(["index", world.corpus, "--index", index_dir], when=reached)
    state = state_of(index_dir, world)
    if moment == "generation-created":  # seconds before the end: nothing of the run may show
        assert (status, killed, state) == (KILLED, True, "A")
    elif moment == "segment-assembled":  # tens of milliseconds before publish: either state
        assert (status, killed) == (KILLED, True)
    else:
        assert state == "B"  # killed (or already gone) after publishing
    assert_recovers(index_dir, world)


def _links(path: Path) -> int:
    try:
        return path.stat().st_nlink
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_rebuild_killed_at_any_moment_leaves_the_old_or_the_new_state(
    world: World, tmp_path: Path, fraction: float
) -> None:
    index_dir = world.copy_a(tmp_path)
    status, killed = run_killed(
        ["index", world.corpus, "--index", index_dir, "--rebuild"], after=fraction * world.rebuild_seconds
    )
    state = state_of(index_dir, world)
    if fraction <= 0.6:
        assert (status, killed, state) == (KILLED, True, "A")
    assert_recovers(index_dir, world)


CRASHING_RUN = """
import os, signal, sys
from search import cli
from search.storage import generations as store

moment = sys.argv[1]
real_publish, real_replace = store.publish, os.replace

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def publish(index_dir, gen):
    if moment == "before-publish":
        die()
    real_publish(index_dir, gen)
    if moment == "after-publish":
        die()

def replace(src, dst, *args, **kwargs):
    if moment == "pointer-written" and os.path.basename(dst) == store.CURRENT:
        die()  # CURRENT.tmp written and synced, not yet renamed over CURRENT
    return real_replace(src, dst, *args, **kwargs)

store.publish = publish
os.replace = replace
sys.argv = ["healthsearch", *sys.argv[2:]]
cli.main()
"""


@pytest.mark.parametrize(
    ("moment", "expected"), [("before-publish", "A"), ("pointer-written", "A"), ("after-publish", "B")]
)
def test_crash_around_publish_leaves_a_consistent_index(
    world: World, tmp_path: Path, moment: str, expected: str
) -> None:
    index_dir = world.copy_a(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, moment, "index", str(world.corpus), "--index", str(index_dir)],
        capture_output=True, text=True, env=ENV, timeout=120, check=False,
    )
    assert proc.returncode == KILLED, proc.stderr  # the crash really happened
    assert state_of(index_dir, world) == expected
    if expected == "A":  # the complete but unpublished generation is left over...
        assert len(_newer_generations(index_dir, gen_number(store.current(index_dir)))) == 1  # type: ignore[arg-type]
    assert (index_dir / "CURRENT.tmp").exists() == (moment == "pointer-written")
    assert_recovers(index_dir, world)  # ...and removed by the next writer


# -- queries during a rebuild ------------------------------------------------------------------------


def test_queries_during_a_rebuild_are_answered_from_the_old_index(world: World, tmp_path: Path) -> None:
    index_dir = world.copy_a(tmp_path)
    old_gen = store.current(index_dir)
    assert old_gen is not None
    opened_before = search.open_index(index_dir)
    expected = {  # query -> (total in the old index, total in the new one)
        OLD: (EXPECTED["A"][1], EXPECTED["B"][1]),
        marker(SAMPLE_DELETED[0]): (1, 0),
        NEW: (EXPECTED["A"][2], EXPECTED["B"][2]),
    }

    def answers() -> list[str]:
        """"old"/"new" for each query, asked through a fresh and a long-open SearchIndex."""
        out = []
        for ix in (search.open_index(index_dir), opened_before):
            for text, (old, new) in expected.items():
                total = ix.search(text).total
                assert total in (old, new), (text, total)  # never a half-built index
                out.append("old" if total == old else "new")
        return out

    proc = subprocess.Popen(
        command("index", world.corpus, "--index", index_dir, "--rebuild"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )
    lock_file = index_dir / store.LOCK_FILE
    during = 0  # rounds of queries answered while the rebuild held the lock and had not published
    history: list[str] = []
    second_writer: subprocess.CompletedProcess[str] | None = None
    try:
        while proc.poll() is None:
            working = lock_file.read_text().strip() == str(proc.pid)
            pointer_before = (index_dir / store.CURRENT).read_text().strip()
            got = answers()
            pointer_after = (index_dir / store.CURRENT).read_text().strip()
            if pointer_before == pointer_after == old_gen.name:
                assert set(got) == {"old"}, got  # not published yet: old answers only
                during += working
            if "new" in got:
                assert pointer_after != old_gen.name, "new content before the new generation was published"
            history += got
            if second_writer is None and working and during >= 3:
                second_writer = hs("index", world.corpus, "--index", index_dir)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    switch = history.index("new") if "new" in history else len(history)
    assert set(history[switch:]) <= {"new"}, "went back to the old index after the new one"
    assert proc.returncode == 0, err
    assert during >= 3, f"only {during} queries ran while the rebuild was working"
    assert second_writer is not None and second_writer.returncode == 75, second_writer
    assert set(answers()) == {"new"}  # a SearchIndex opened before the rebuild follows CURRENT too
    assert state_of(index_dir, world) == "B"
    assert store.generations(index_dir) == [old_gen, store.current(index_dir)]  # the old one kept for rollback


# -- bad input never costs good data ------------------------------------------------------------------


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_bad_files_are_skipped_one_warning_each_and_every_good_page_is_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    good = list(range(40))
    for i in good[:30]:
        write_article(corpus, i, OLD)
    for i in good[30:]:
        write_article(corpus / "sub", i, OLD)
    os.symlink(corpus / "sub", corpus / "sub" / "loop")  # a link inside the corpus: left out silently
    gz_page = page("zipped", "Zipped Page", ["Compressed page about pertussis boosters."])
    (corpus / "zipped.html.gz").write_bytes(gzip.compress(gz_page.encode()))
    # wrongly encoded: declares utf-8, is cp1252 -> decoded leniently and indexed, not a failure
    latin = page("latin", "Café Notes", ["A café near the clinic serves crème brûlée to naïve patients."])
    (corpus / "latin.html").write_bytes(latin.encode("cp1252"))
    os.mkfifo(corpus / "pipe.html")  # not a regular file: skipped with a warning, and never blocks the run
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("page.html", "<p>hi</p>")
    truncated = gzip.compress(page("cut", "Cut Page", ["Words " * 400]).encode())
    bad = {  # file -> reason expected in its warning
        "huge.html": "file too large",
        "image.txt": "binary file",  # PNG bytes
        "photo.html": "binary file",  # really a JPEG
        "archive.htm": "binary file",  # really a ZIP
        "utf16.html": "binary file",  # UTF-16 without a BOM: full of NUL bytes
        "cut.html.gz": "truncated gzip",
        "empty.html": "empty file",
        "sub/empty.txt": "empty file",
        "feed.jsonl:2": "invalid JSON",  # one bad line in a feed; its good line is indexed
    }
    with open(corpus / "huge.html", "wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: cheap to make, over the 50 MB limit
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (corpus / "photo.html").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    (corpus / "archive.htm").write_bytes(archive.getvalue())
    (corpus / "utf16.html").write_bytes(page("u16", "Wide Page", ["Sixteen bit text."]).encode("utf-16-le"))
    (corpus / "cut.html.gz").write_bytes(truncated[: len(truncated) // 2])
    (corpus / "empty.html").write_bytes(b"")
    (corpus / "sub" / "empty.txt").write_bytes(b"")
    (corpus / "feed.jsonl").write_text(
        '{"id": "feed-1", "title": "Feed Article", "body": "Shingles vaccine advice."}\n{"id": "feed-2", "title": \n'
    )
    index_dir = tmp_path / "index"
    proc = hs("index", corpus, "--index", index_dir, timeout=60)
    assert proc.returncode == 1, proc.stderr
    warned = warnings_of(proc.stderr)
    assert len(warned) == len(bad) + 1, proc.stderr
    assert f"warning: {corpus / 'pipe.html'}: not a regular file (a named pipe)" in warned
    for name, reason in bad.items():
        mine = [line for line in warned if f"{corpus / name}: " in line]
        assert len(mine) == 1 and reason in mine[0], (name, warned)
    indexed = len(good) + 3  # + zipped, latin, feed-1
    assert proc.stdout.strip().startswith(
        f"{index_dir}: {indexed} added, 0 updated, 0 unchanged, 0 removed, {len(bad)} failed, 1 skipped in "
    ), proc.stdout
    ix = search.open_index(index_dir)
    assert ix.stats().articles == indexed
    for i in good:
        assert ix.search(marker(i)).total == 1, i
    assert [h.id for h in ix.search("pertussis").hits] == [page_id("zipped")]
    assert [h.id for h in ix.search("shingles").hits] == ["feed-1"]  # a feed record keeps its id
    assert "crème brûlée" in ix.get(page_id("latin")).body
    (hit,) = ix.search(marker(35)).hits  # not also read through sub/loop
    assert ix.get(hit.id).source == str(corpus / "sub" / f"{pid(35)}.html")

    # remove the bad files: a clean run; then two good files go bad and keep their articles
    for name in [*bad, "pipe.html"]:
        if not name.startswith("feed.jsonl"):
            (corpus / name).unlink()
    feed = corpus / "feed.jsonl"
    feed.write_text(feed.read_text().splitlines()[0] + "\n")  # its good line only
    proc = hs("index", corpus, "--index", index_dir)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert f"0 added, 0 updated, {indexed} unchanged, 0 removed, 0 failed" in proc.stdout
    (corpus / f"{pid(3)}.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    data = (corpus / "zipped.html.gz").read_bytes()
    (corpus / "zipped.html.gz").write_bytes(data[: len(data) // 2])
    proc = hs("index", corpus, "--index", index_dir)
    assert proc.returncode == 1
    warned = warnings_of(proc.stderr)
    assert len(warned) == 2, warned
    assert any(f"{pid(3)}.html: binary file" in line for line in warned), warned
    assert any("zipped.html.gz: truncated gzip" in line for line in warned), warned
    assert f"0 added, 0 updated, {indexed - 2} unchanged, 0 removed, 2 failed" in proc.stdout
    ix = search.open_index(index_dir)
    assert ix.stats().articles == indexed
    assert [h.id for h in ix.search(marker(3)).hits] == [page_id(pid(3))]
    assert [h.id for h in ix.search("pertussis").hits] == [page_id("zipped")]


# -- cron-friendly output --------------------------------------------------------------------------


@pytest.fixture()
def cron_corpus(tmp_path: Path) -> Path:
    return small_corpus(tmp_path / "corpus")


def test_quiet_prints_nothing_on_success(cron_corpus: Path, tmp_path: Path) -> None:
    for _ in range(2):  # the first build and a no-op update
        proc = hs("index", cron_corpus, "--index", tmp_path / "index", "--quiet")
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert search.open_index(tmp_path / "index").stats().articles == 4


def test_quiet_failure_prints_only_the_warning_and_the_summary(cron_corpus: Path, tmp_path: Path) -> None:
    (cron_corpus / "empty.html").write_bytes(b"")
    index_dir = tmp_path / "index"
    proc = hs("index", cron_corpus, "--index", index_dir, "-q")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[0] == f"warning: {cron_corpus / 'empty.html'}: empty file"
    summary = rf"{re.escape(str(index_dir))}: 4 added, 0 updated, 0 unchanged, 0 removed, 1 failed in \d+\.\ds"
    assert re.fullmatch(summary, lines[1]), lines[1]


def read_pty(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 2)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        out += chunk
    return out


def test_progress_bar_only_when_stderr_is_a_terminal(cron_corpus: Path, tmp_path: Path) -> None:
    piped = hs("index", cron_corpus, "--index", tmp_path / "piped")
    assert piped.returncode == 0
    assert piped.stderr == ""  # no bar, no carriage returns
    assert piped.stdout.count("\n") == 1 and "4 added" in piped.stdout
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            command("index", cron_corpus, "--index", tmp_path / "tty"),
            stdout=subprocess.PIPE, stderr=slave, env=ENV, timeout=60, check=False,
        )
        os.close(slave)
        slave = -1
        shown = read_pty(master).decode("utf-8", "replace")
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    assert proc.returncode == 0
    assert "Indexing" in shown and "#" in shown  # the same run on a terminal does show a bar
    assert "articles" in shown and " of " in shown  # with the bytes read and the articles so far


def test_json_is_one_object_with_the_report(cron_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    proc = hs("index", cron_corpus, "--index", index_dir, "--json")
    assert proc.returncode == 0 and proc.stderr == ""
    data = json.loads(proc.stdout)
    assert set(data) == {
        "index", "added", "updated", "unchanged", "removed", "failed", "skipped", "seconds", "failures", "warnings",
        "duplicates", "not_pages",
    }
    assert (data["added"], data["failed"], data["failures"]) == (4, 0, [])
    assert isinstance(data["seconds"], float)
    (cron_corpus / "hepatitis-c.html").unlink()
    (cron_corpus / "bad.html").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    proc = hs("index", cron_corpus, "--index", index_dir, "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert (data["added"], data["unchanged"], data["removed"], data["failed"]) == (0, 3, 1, 1)
    assert data["failures"] == [{"path": str(cron_corpus / "bad.html"), "reason": "binary file (PDF document)"}]
    assert warnings_of(proc.stderr) == [f"warning: {cron_corpus / 'bad.html'}: binary file (PDF document)"]


def test_log_file_appends_timestamped_summaries(cron_corpus: Path, tmp_path: Path) -> None:
    index_dir, log = tmp_path / "index", tmp_path / "logs" / "healthsearch.log"
    log.parent.mkdir()
    first = hs("index", cron_corpus, "--index", index_dir, "--quiet", "--log-file", log)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    (cron_corpus / "empty.html").write_bytes(b"")
    second = hs("index", cron_corpus, "--index", index_dir, "--quiet", "--log-file", log)
    assert second.returncode == 1
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} "
    assert all(re.match(stamp, line) for line in lines), lines
    summaries = [line for line in lines if f"{index_dir}: " in line and " failed in " in line]
    assert len(summaries) == 2, lines
    assert "4 added" in summaries[0] and "0 failed" in summaries[0]
    assert "4 unchanged" in summaries[1] and "1 failed" in summaries[1]
    assert any("WARNING" in line and "empty.html: empty file" in line for line in lines)


def test_killed_run_leaves_no_worker_processes(tmp_path: Path) -> None:
    """HTML parsing runs in worker processes; they must die with the indexing process."""
    import signal
    import time as _time

    corpus = tmp_path / "many"
    for n in range(300):
        (corpus / f"p{n:03d}").mkdir(parents=True)
        (corpus / f"p{n:03d}" / "page.html").write_text(
            f"<html><body><article><h1>Page {n}</h1><p>{'Tendon and muscle text. ' * 200}</p></article></body></html>",
            encoding="utf-8",
        )
    proc = subprocess.Popen([sys.executable, "-m", "search", "index", str(corpus), "--index", str(tmp_path / "ix")])
    deadline = _time.monotonic() + 20
    workers: list[str] = []
    while _time.monotonic() < deadline and not workers:
        _time.sleep(0.05)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        workers = [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
    assert workers, "the run finished before any worker started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = _time.monotonic() + 10
    while _time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        _time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
