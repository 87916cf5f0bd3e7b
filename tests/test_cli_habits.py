"""The command line as people type it: query words unquoted, among options or with leading dashes; a friendly entry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from helpers import small_corpus
from hypothesis import given
from hypothesis import strategies as st

import search
from search.cli import cli
from search.cli.parsing import split_words


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("words")
    assert run("index", small_corpus(root / "corpus"), "--index", root / "index").exit_code == 0
    return root / "index"


def query_json(*args: str | Path) -> dict[str, object]:
    result = run("query", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    assert isinstance(data.pop("took_ms"), float)  # differs from run to run
    return data


def test_unquoted_words_are_one_query(index_dir: Path) -> None:
    assert query_json("hepatitis", "b", "--index", index_dir) == query_json("hepatitis b", "--index", index_dir)


def test_options_go_anywhere(index_dir: Path) -> None:
    expected = query_json("--index", index_dir, "-n", "1", "hepatitis b")
    assert query_json("hepatitis", "-n", "1", "b", "--index", index_dir) == expected
    assert query_json("hepatitis", "b", "--limit=1", f"--index={index_dir}") == expected
    assert query_json("hepatitis", "b", "-n1", "--index", index_dir) == expected


def test_a_word_may_start_with_a_dash(index_dir: Path) -> None:
    assert query_json("hepatitis", "-zzqx", "--index", index_dir)["query"] == "hepatitis -zzqx"
    assert query_json("-zzqx", "hepatitis", "--index", index_dir)["query"] == "-zzqx hepatitis"
    # "-pain" is a word, not "-p ain" (--page)
    result = run("query", "-pain", "--index", index_dir)
    assert result.exit_code == 2 and "only excludes words" in result.output


def test_double_dash_ends_the_options(index_dir: Path) -> None:
    result = run("query", "--json", "--index", index_dir, "--", "hepatitis", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["query"] == "hepatitis --json"


def test_global_options_after_the_subcommand(index_dir: Path) -> None:
    result = run("query", "hepatitis", "-v", "--index", index_dir)
    assert result.exit_code == 0 and "Hepatitis" in result.stdout


def test_no_words_is_a_usage_error() -> None:
    result = run("query")
    assert result.exit_code == 2 and "Missing argument 'WORDS...'" in result.output


def test_help_still_works_among_words() -> None:
    result = run("query", "back", "-h")
    assert result.exit_code == 0 and "query [OPTIONS] WORDS..." in result.stdout.splitlines()[0]


_TOKENS = st.lists(
    st.one_of(st.sampled_from(["-n", "5", "--json", "--", "-x", "-pain", "--limit=3", "-n3", "knee"]), st.text(max_size=6)),
    max_size=10,
)


@given(_TOKENS)
def test_split_words_keeps_every_token_and_the_order_of_the_words(tokens: list[str]) -> None:
    command = cli.commands["query"]
    with click.Context(command) as ctx:
        out = split_words(command, ctx, tokens)
    cut = out.index("--")
    options, words = out[:cut], out[cut + 1 :]
    given_ = list(tokens)
    if "--" in given_:
        given_.remove("--")  # the first "--" ends the options and is not a word
    assert sorted(options + words) == sorted(given_)  # nothing lost, nothing added
    it = iter(tokens)
    assert all(any(t == w for t in it) for w in words)  # the words keep their order
    after = tokens[tokens.index("--") + 1 :] if "--" in tokens else []
    assert words[len(words) - len(after) :] == after  # everything after "--" is a word, as typed
    assert not any(w in {"-n", "--json", "-n3", "--limit=3"} for w in words[: len(words) - len(after)])


def test_bare_healthsearch_prints_help_and_exits_0() -> None:
    result = run()
    assert result.exit_code == 0 and result.stdout.startswith("Usage:") and "Commands:" in result.stdout


def test_commands_are_listed_by_use_not_alphabetically() -> None:
    listed = [line.split()[0] for line in run("--help").stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert listed[:3] == ["query", "index", "show"] and set(listed) == set(cli.commands)


# -- the library, as Python users expect it ---------------------------------------------------


def test_one_path_as_a_string_is_one_path(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    report = search.index(str(corpus), str(tmp_path / "index"))  # not the letters of the string
    assert report.ok and report.added > 0
    assert search.index(corpus, tmp_path / "index").unchanged == report.added


def test_results_iterate_count_and_dump(index_dir: Path) -> None:
    results = search.search("hepatitis", index_dir, limit=2)
    assert len(results) == len(results.hits) == 2 <= results.total
    assert [hit.id for hit in results] == [hit.id for hit in results.hits]
    assert json.loads(results.to_json()) == results.to_dict() and results.took_ms > 0


def test_an_index_is_a_context_manager_and_closes(index_dir: Path) -> None:
    with search.open_index(index_dir) as ix:
        assert ix.search("hepatitis").total > 0 and ix.stats().articles > 0
    assert ix.closed
    with pytest.raises(ValueError, match="closed"):
        ix.search("hepatitis")
    with pytest.raises(ValueError, match="closed"):
        ix.stats()
    ix.close()  # twice is harmless


# -- output for scripts -----------------------------------------------------------------------


def test_formats_for_scripts(index_dir: Path) -> None:
    page = query_json("hepatitis", "-n", "3", "--index", index_dir)
    hits = page["hits"]
    assert isinstance(hits, list) and len(hits) == 2  # the small corpus has two
    ids = [hit["id"] for hit in hits]
    lines = run("query", "hepatitis", "-n", "3", "--format", "ndjson", "--index", index_dir).stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids and [json.loads(line)["rank"] for line in lines] == [1, 2]
    assert run("query", "hepatitis", "-n", "3", "--format", "ids", "--index", index_dir).stdout.splitlines() == ids
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        rows = list(csv.reader(io.StringIO(run("query", "hepatitis", "-n", "3", "--format", fmt, "--index", index_dir).stdout), delimiter=delimiter))
        assert rows[0] == ["rank", "id", "title", "url", "score"] and [row[1] for row in rows[1:]] == ids
    assert run("query", "hepatitis", "--count", "--index", index_dir).stdout.strip() == str(page["total"])


def test_nothing_matched_exits_1_as_grep_does(index_dir: Path) -> None:
    none = run("query", "zzqxv", "--no-correct", "--index", index_dir)
    assert none.exit_code == 1 and "No results" in none.stdout
    quiet = run("query", "zzqxv", "-q", "--index", index_dir)
    assert (quiet.exit_code, quiet.stdout) == (1, "")
    found = run("query", "hepatitis", "--quiet", "--index", index_dir)
    assert (found.exit_code, found.stdout) == (0, "")
    assert run("query", "zzqxv", "--count", "--index", index_dir).stdout.strip() == "0"


def test_two_formats_at_once_is_a_usage_error(index_dir: Path) -> None:
    assert run("query", "hepatitis", "--json", "--format", "csv", "--index", index_dir).exit_code == 2
    assert run("query", "hepatitis", "--explain", "--format", "csv", "--index", index_dir).exit_code == 2


@given(st.text(max_size=30))
def test_table_rows_never_hold_a_control_character(title: str) -> None:
    from search.cli.output import print_results_as
    from search.models import Hit, SearchResults

    results = SearchResults("q", 1, [Hit(id="a\tb", title=title, url="u\x1b[31m", score=1.0)])
    for fmt in ("csv", "tsv", "ids"):
        out = CliRunner().invoke(click.command()(lambda fmt=fmt: print_results_as(results, fmt, 10))).stdout
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) < 0xA0 for c in out), (fmt, out)


# -- errors that name the default they used ---------------------------------------------------


def test_errors_name_the_defaults_they_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEALTHSEARCH_INDEX", raising=False)
    no_corpus = run("index")
    assert no_corpus.exit_code == 2 and "the default, ./corpus, does not exist here" in no_corpus.output
    no_index = run("query", "pain")
    assert no_index.exit_code == 1 and "(the default index folder, $HEALTHSEARCH_INDEX or ./index;" in no_index.output
    named = run("query", "pain", "--index", tmp_path / "elsewhere")
    assert named.exit_code == 1 and "the default index folder" not in named.output


def test_stats_names_the_live_generation_and_the_rollback_one(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    first = json.loads(run("stats", "--json", "--index", index_dir).stdout)
    assert (first["generation"], first["rollback_to"]) == ("gen-000001", "")
    only = run("rollback", "--index", index_dir)
    assert only.exit_code == 1 and "roll back after the next 'healthsearch index" in only.output
    assert "--rebuild" not in only.output
    (corpus / "extra.txt").write_text("Extra Notes\n\nknee pain after running\n", encoding="utf-8")
    assert run("index", corpus, "--index", index_dir).exit_code == 0
    second = json.loads(run("stats", "--json", "--index", index_dir).stdout)
    assert (second["generation"], second["rollback_to"]) == ("gen-000002", "gen-000001")
    assert "generation:  gen-000002 (rollback: gen-000001)" in run("stats", "--index", index_dir).stdout


# -- show, as people name an article ----------------------------------------------------------


def test_show_takes_a_title_like_name_a_file_name_or_a_prefix(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    assert search.index(corpus, tmp_path / "index").ok
    with search.open_index(tmp_path / "index") as ix:
        target = ix.search("knee runners", limit=1).hits[0].id
        last = target.rsplit("/", 1)[-1]
        assert ix.resolve(last.upper()) == target  # any case
        assert ix.resolve(last + ".html") == target  # a file extension aside
        assert ix.resolve(target[:-1]) == target  # an unambiguous prefix
        with pytest.raises(search.ArticleNotFoundError) as ambiguous:
            ix.resolve(target.split("/", 1)[0])  # the site: every article
        assert "could be any of" in str(ambiguous.value)
        with pytest.raises(search.ArticleNotFoundError) as typo:
            ix.resolve(last[:-1] + "x" + last[-1:] if len(last) > 3 else last + "xx")
        assert typo.value.hint.startswith("did you mean") and target in typo.value.hint
