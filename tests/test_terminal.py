"""Output that fits the terminal: wrapping on visible text, colour choices, and a pager for tall output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from search.cli import cli
from search.cli.terminal import Terminal, detect
from search.models import Snippet
from search.render import display_width, fill_terminal, snippet_terminal, wrap_ranges

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("terminal") / "index"
    assert run("index", CORPUS, "--index", target, "-q").exit_code == 0
    return target


words = st.text(alphabet=st.sampled_from(list("ab腰\u0301é-")), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=30), st.lists(st.sampled_from([" ", "  ", "\t", "\n"]), min_size=1), st.integers(1, 60))
def test_wrapped_lines_fit_and_keep_every_word(parts: list[str], gaps: list[str], width: int) -> None:
    text = "".join(word + gaps[i % len(gaps)] for i, word in enumerate(parts))
    lines = [text[a:b] for a, b in wrap_ranges(text, width)]
    assert all(display_width(re.sub(r"\s", " ", line)) <= width or len(line) == 1 for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost, only white space
    kept = [text[a:b] for a, b in wrap_ranges(text, width, split_long=False)]
    assert [w for line in kept for w in line.split()] == text.split()  # no word split


def test_wide_and_combining_characters_are_measured_as_they_show() -> None:
    assert display_width("腰痛") == 4 and display_width("e\u0301") == 1 and display_width("\x1b") == 4
    assert [len(line) for line in fill_terminal("腰痛 腰痛 腰痛", width=9).split("\n")] == [5, 2]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab <>&\x1b")), max_size=80), st.integers(5, 40), st.data())
def test_marks_are_not_counted_and_close_on_every_line(text: str, width: int, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6, unique=True)))
    snippet = Snippet(text, tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b))
    for line in snippet_terminal(snippet, width=width, indent="  ").split("\n"):
        visible = ANSI.sub("", line)
        assert display_width(visible) <= width or len(visible.split()) == 1
        assert line.count("\x1b[1;33m") == line.count("\x1b[0m")  # a highlight never bleeds into the next line
        assert "\x1b" not in visible  # an escape character from the page shows as \x1b


@pytest.mark.parametrize("columns", [40, 80, 120])
@pytest.mark.parametrize("command", [["query", "back", "pain"], ["show", "sciatica"], ["query", "--explain", "back", "pain"]])
def test_output_fits_the_terminal_width(index_dir: Path, columns: int, command: list[str]) -> None:
    result = run(*command, "--index", index_dir, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    too_wide = [line for line in lines if display_width(line) > columns and len(line.split()) > 1]
    # A line may pass the width only as one id or URL, which must copy whole.
    assert not [line for line in too_wide if not re.fullmatch(r"\s*(\S+:?\s+)?\S+", line)], too_wide
    assert max(display_width(line) for line in lines) > columns * 0.6  # it does use the width


def test_color_choices_and_no_color(index_dir: Path) -> None:
    args = ("query", "back", "pain", "-n", "1", "--index", index_dir)
    assert ANSI.search(run("--color", "always", *args).stdout)
    assert ANSI.search(run(*args, "--color=always").stdout)  # a global option after the subcommand
    assert not ANSI.search(run(*args).stdout)  # auto: not a terminal here
    assert not ANSI.search(run(*args, "--color", "never").stdout)
    assert ANSI.search(run(*args, "--color", "always", env={"NO_COLOR": "1"}).stdout)  # asked for by name


def test_auto_color_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert detect("auto").color and not detect("never").color
    monkeypatch.setenv("NO_COLOR", "1")
    assert not detect("auto").color and detect("always").color
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: set and not empty
    assert detect("auto").color


def pager_command(record: Path) -> str:
    return f"{sys.executable} -c \"import sys; open({str(record)!r}, 'w').write(sys.stdin.read())\""


def test_tall_output_goes_through_the_pager(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "paged.txt"
    out = Terminal(height=5, pager=pager_command(record))
    for n in range(10):
        out.echo(click.style(f"line {n}", bold=True))
    out.flush()
    assert record.read_text() == "\n".join(f"line {n}" for n in range(10)) + "\n"  # unstyled: no colour asked for
    assert capfd.readouterr().out == ""
    short = Terminal(height=50, pager=pager_command(tmp_path / "never.txt"))
    short.echo("one line")
    short.flush()
    assert capfd.readouterr().out == "one line\n" and not (tmp_path / "never.txt").exists()


def test_a_pager_that_does_not_start_prints_instead(capfd: pytest.CaptureFixture[str]) -> None:
    out = Terminal(height=2, pager="/nonexistent/pager -x")
    out.echo("a\nb\nc")
    out.flush()
    assert capfd.readouterr().out == "a\nb\nc\n"


def test_pager_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    for stream in (sys.stdout, sys.stdin):
        monkeypatch.setattr(stream, "isatty", lambda: True)
    monkeypatch.delenv("HEALTHSEARCH_PAGER", raising=False)
    monkeypatch.setenv("PAGER", "more")
    assert detect().pager == "more"
    monkeypatch.setenv("HEALTHSEARCH_PAGER", "most -s")
    assert detect().pager == "most -s" and detect(pager=False).pager == ""
    monkeypatch.delenv("HEALTHSEARCH_PAGER")
    monkeypatch.delenv("PAGER")
    assert detect().pager == "less"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_show_in_a_real_terminal_is_paged_unless_no_pager(index_dir: Path, tmp_path: Path) -> None:
    """``show`` run in a pseudo-terminal 80x24: its 100-odd lines go to the pager, styled."""
    record = tmp_path / "paged.txt"
    env = {**os.environ, "HEALTHSEARCH_PAGER": pager_command(record), "COLUMNS": "80", "LINES": "24", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "search", "show", "sciatica", "--index", str(index_dir)]
    for extra in ([], ["--no-pager"]):
        primary, secondary = os.openpty()
        proc = subprocess.Popen(command + extra, stdin=secondary, stdout=secondary, stderr=secondary, env=env)
        os.close(secondary)
        written = b""
        while True:  # what reached the terminal itself, read as it comes (a full pty would block the child)
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            written += chunk
        os.close(primary)
        proc.wait(timeout=60)
        assert proc.returncode == 0
        if not extra:
            paged = record.read_text()
            assert "\x1b[1m" in paged and len(paged.splitlines()) > 24 and b"Sciatica" not in written
        else:
            assert b"Sciatica" in written and len(written.splitlines()) > 24


def test_an_anchor_text_many_articles_use_is_shown_once_with_their_number(capfd: pytest.CaptureFixture[str]) -> None:
    from search.cli.output import print_article
    from search.models import Article

    out = Terminal()
    print_article(Article("a", "Sciatica", "Text."), ["nerve pain", "sciatica", "sciatica", "sciatica"], out)
    out.flush()
    shown = capfd.readouterr().out.split("Linked from other articles as\n", 1)[1]
    assert shown == "  nerve pain\n  sciatica  (by 3 articles)\n"
