"""The CLI: output shapes, exit codes, and one clear line (never a traceback) for every error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import page_id, small_corpus

from search.cli import EXIT_LOCKED, cli
from search.storage import generations as store


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    corpus = small_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    result = run("index", corpus, "--index", index_dir)
    assert result.exit_code == 0, result.output
    return corpus, index_dir


def assert_one_line_error(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_index_prints_a_summary(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    result = run("index", corpus, "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("s")
    assert "0 added, 0 updated, 4 unchanged, 0 removed, 0 failed" in result.stdout


def test_index_with_a_bad_file_exits_1_and_names_it(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    (corpus / "empty.html").write_bytes(b"")
    result = run("index", corpus, "--index", index_dir)
    assert result.exit_code == 1
    assert "empty.html" in result.stderr and "empty file" in result.stderr
    assert "1 failed" in result.stdout


def test_index_default_paths_and_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small_corpus(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    result = run("index", env={"HEALTHSEARCH_INDEX": str(tmp_path / "elsewhere")})
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stdout
    assert (tmp_path / "elsewhere").is_dir() and not (tmp_path / "index").exists()


def test_query_json_shape(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("query", "vaccine", "--index", index_dir, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "vaccine"
    assert data["total"] == 2
    assert data["suggestion"] is None
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "url", "score", "snippet", "snippet_text", "highlights", "links", "more_links"}
    assert "<mark>vaccine</mark>" in hit["snippet"]
    assert [hit["snippet_text"][a:b].lower() for a, b in hit["highlights"]].count("vaccine") >= 1


def test_query_json_limit_and_page(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    first = json.loads(run("query", "hepatitis", "--index", index_dir, "--json", "--limit", "1").stdout)
    second = json.loads(run("query", "hepatitis", "--index", index_dir, "--json", "--limit", "1", "--page", "2").stdout)
    assert len(first["hits"]) == len(second["hits"]) == 1
    assert first["hits"][0]["id"] != second["hits"][0]["id"]


def test_query_human_output(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("query", "vaccine", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("1. Hepatitis")
    assert "https://clinic.example/articles/hepatitis-" in result.stdout
    assert "<mark>" not in result.stdout
    assert "Results 1-2 of 2" in result.stdout


def test_query_suggestion_is_shown(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("query", "vacine", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("Showing results for vaccine; search instead for 'vacine' with --no-correct\n")
    assert "Results 1-" in result.stdout and "for 'vaccine'." in result.stdout
    as_typed = run("query", "vacine", "--no-correct", "--index", index_dir)
    assert "Did you mean: vaccine?" in as_typed.stdout
    assert "No results for 'vacine'." in as_typed.stdout
    data = json.loads(run("query", "vacine", "--json", "--index", index_dir).stdout)
    assert (data["query"], data["corrected_query"], data["suggestion"]) == ("vacine", "vaccine", None)
    assert data["hits"]


def test_explain_explains_the_correction_the_results_are_for(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("query", "vacine", "--explain", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    assert "Explaining its correction 'vaccine', whose results are shown" in result.stdout
    assert "term 'vaccine' in title" in result.stdout
    data = json.loads(run("query", "vacine", "--explain", "--json", "--index", index_dir).stdout)
    assert (data["query"], data["corrected"]) == ("vacine", "vaccine") and data["hits"]
    as_typed = json.loads(run("query", "vacine", "--explain", "--json", "--no-correct", "--index", index_dir).stdout)
    assert (as_typed["query"], as_typed["corrected"], as_typed["hits"]) == ("vacine", None, [])


def test_missing_index_is_one_line_with_a_hint(tmp_path: Path) -> None:
    result = run("query", "pain", "--index", tmp_path / "none")
    assert_one_line_error(result, 1, "no index at", "Hint: build it with 'healthsearch index")


@pytest.mark.parametrize("text", ["", "*", "-pain"])
def test_bad_query_exits_2(built: tuple[Path, Path], text: str) -> None:
    _, index_dir = built
    result = run("query", "--index", index_dir, "--", text)
    assert_one_line_error(result, 2, "bad query", "Hint:")


def test_bad_path_is_one_line(tmp_path: Path) -> None:
    result = run("index", tmp_path / "missing", "--index", tmp_path / "index")
    assert_one_line_error(result, 1, "missing: no such file or directory")


def test_locked_index_exits_75(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    with store.write_lock(index_dir):
        result = run("index", corpus, "--index", index_dir)
    assert_one_line_error(result, EXIT_LOCKED, "another process", "Hint: wait")


def test_show_prints_article_and_links(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("show", page_id("hepatitis-b"), "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("Hepatitis B\n")
    assert "A safe vaccine protects" in result.stdout
    assert "related Knee Pain in Runners\n          https://clinic.example/articles/knee-pain\n" in result.stdout
    assert "jaundice explainer" in result.stdout
    wide = run("show", page_id("hepatitis-b"), "--index", index_dir, env={"COLUMNS": "120"})
    assert "related Knee Pain in Runners  https://clinic.example/articles/knee-pain\n" in wide.stdout


def test_show_json(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    data = json.loads(run("show", page_id("hepatitis-b"), "--index", index_dir, "--json").stdout)
    assert data["id"] == "clinic.example/articles/hepatitis-b"
    assert {"kind": "related", "text": "Knee Pain in Runners", "url": "https://clinic.example/articles/knee-pain"} in data["links"]
    assert data["incoming_anchors"] == ["jaundice explainer"]


def test_show_unknown_id(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    assert_one_line_error(run("show", "nope", "--index", index_dir), 1, "no article with id, URL or source file 'nope'", "Hint:")


def test_show_finds_an_article_by_its_url_or_its_source_file(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    by_id = json.loads(run("show", page_id("hepatitis-b"), "--index", index_dir, "--json").stdout)
    for key in (
        "https://clinic.example/articles/hepatitis-b",
        "http://www.CLINIC.example/articles/hepatitis-b/?utm_source=newsletter#top",
        str(corpus / "hepatitis-b.html"),
    ):
        result = run("show", key, "--index", index_dir, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == by_id
    assert_one_line_error(run("show", str(corpus / "nothing.html"), "--index", index_dir), 1, "nothing.html", "Hint:")


def test_stats(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("stats", "--index", index_dir)
    assert result.exit_code == 0
    assert "articles:    4" in result.stdout
    data = json.loads(run("stats", "--index", index_dir, "--json").stdout)
    assert data["articles"] == 4 and data["size_bytes"] > 0 and data["last_build"]


def test_python_dash_m_works(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    proc = subprocess.run(
        [sys.executable, "-m", "search", "query", "vaccine", "--index", str(index_dir), "--json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 2


@pytest.mark.parametrize(
    ("pattern", "command"),
    [
        ("gen-*/_articles_*.toc", "show"),  # the Whoosh article store's table of contents
        ("gen-*/terms/manifest.json", "query"),  # the term index's list of segments
        ("gen-*/terms/*.keys.npy", "query"),  # one of its arrays
        ("gen-*/terms/*.store.bin", "query"),  # the hits' stored text
    ],
)
def test_unexpected_errors_never_show_a_traceback(tmp_path: Path, pattern: str, command: str) -> None:
    index_dir = tmp_path / "index"
    small_corpus(tmp_path / "corpus")
    subprocess.run([sys.executable, "-m", "search", "index", str(tmp_path / "corpus"), "--index", str(index_dir)], check=True, capture_output=True)
    corrupted = list(index_dir.glob(pattern))
    assert corrupted
    for path in corrupted:
        path.unlink()  # the generations share files through hard links: break only this one
        path.write_bytes(b"garbage")
    args = ["query", "pain"] if command == "query" else ["show", page_id("anaemia")]
    proc = subprocess.run(
        [sys.executable, "-m", "search", *args, "--index", str(index_dir)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: ")


def test_rollback_undoes_the_last_run(built: tuple[Path, Path]) -> None:
    corpus, index_dir = built
    (corpus / "anaemia.html").unlink()
    assert "1 removed" in run("index", corpus, "--index", index_dir).stdout
    result = run("rollback", "--index", index_dir)
    assert result.exit_code == 0
    assert "now serving gen-000001" in result.stdout
    assert json.loads(run("stats", "--index", index_dir, "--json").stdout)["articles"] == 4


def test_rollback_without_history_is_one_line(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    assert_one_line_error(run("rollback", "--index", index_dir), 1, "no earlier generation")


def _write_eval_files(folder: Path) -> tuple[Path, Path]:
    queries = folder / "queries.tsv"
    queries.write_text("id\ttext\nq1\tvaccine liver\nq2\tknee pain runners\nq3\tnothing matches zzzz\n", encoding="utf-8")
    qrels = folder / "qrels.txt"  # TREC format
    judged = [("q1", "hepatitis-b", 2), ("q1", "hepatitis-c", 1), ("q2", "knee-pain", 1), ("q3", "anaemia", 1)]
    qrels.write_text("".join(f"{q} 0 {page_id(s)} {g}\n" for q, s, g in judged), encoding="utf-8")
    return queries, qrels


def test_eval_prints_metrics_and_writes_a_run(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index_dir = built
    queries, qrels = _write_eval_files(tmp_path)
    run_file = tmp_path / "run.txt"
    result = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--run-out", run_file, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["queries"] == 3 and data["failed"] == 0
    # q1 and q2 rank their best document first (MRR 1 each); q3 finds nothing relevant
    assert data["mrr@10"] == pytest.approx(2 / 3, abs=1e-4)
    lines = run_file.read_text().splitlines()
    assert lines[0].split()[:4] == ["q1", "Q0", page_id("hepatitis-b"), "1"]
    human = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir)
    assert "nDCG@10" in human.stdout and "queries     3" in human.stdout


def test_eval_with_a_bad_qrels_file_is_one_line(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index_dir = built
    queries, qrels = _write_eval_files(tmp_path)
    qrels.write_text("q1 hepatitis-b\n", encoding="utf-8")
    result = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir)
    assert_one_line_error(result, 1, "qrels.txt:1", "3 (BEIR) or 4 (TREC) columns")


def test_eval_scores_exactly_the_queries_given(built: tuple[Path, Path], tmp_path: Path) -> None:
    # the judgments cover q1-q3; a queries file with q1 and q2 alone is scored on those two, and
    # says the third judged query had no text, instead of averaging it in as 0
    _, index_dir = built
    queries, qrels = _write_eval_files(tmp_path)
    full = json.loads(run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--json").stdout)
    queries.write_text("q1\tvaccine liver\nq2\tknee pain runners\nq7\tnot judged\n", encoding="utf-8")
    result = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--json")
    data = json.loads(result.stdout)
    assert (data["queries"], data["judged_without_text"], data["unjudged"]) == (2, 1, 1)
    assert data["mrr@10"] == pytest.approx(1.0) and full["mrr@10"] == pytest.approx(2 / 3, abs=1e-4)
    human = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir)
    assert "queries     2  (1 judged queries had no text, not scored; 1 without judgments, skipped)" in human.stdout
    assert human.stderr == ""


def test_eval_per_query_and_a_baseline_run(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index_dir = built
    queries, qrels = _write_eval_files(tmp_path)
    before = tmp_path / "before.run"
    assert run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--run-out", before).exit_code == 0
    same = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--baseline", before, "--per-query")
    assert same.exit_code == 0, same.stderr
    assert "0 better, 0 worse, 3 the same; p = 1.0000" in same.stdout
    assert "baseline 1.0000   +0.0000" not in same.stdout  # nDCG is not 1 here: the line shows real figures
    rows = {line.split()[0]: line.split() for line in same.stdout.splitlines() if line.startswith("q")}
    assert set(rows) >= {"q1", "q2", "q3"} and rows["q3"][1] == "0.0000" and rows["q3"][-1] == "0.0000"
    # a worse baseline: q1's best document moved from rank 1 to rank 2
    worse = tmp_path / "worse.run"
    lines = before.read_text().splitlines()
    q1 = [line.split() for line in lines if line.startswith("q1 ")]
    q1[0][3], q1[1][3] = q1[1][3], q1[0][3]
    worse.write_text("\n".join([" ".join(parts) for parts in q1] + [line for line in lines if not line.startswith("q1 ")]) + "\n")
    result = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--baseline", worse, "--json", "--per-query")
    data = json.loads(result.stdout)
    assert data["baseline"]["better"] == 1 and data["baseline"]["worse"] == 0 and data["baseline"]["difference"] > 0
    assert set(data["per_query"]) == {"q1", "q2", "q3"}


def test_eval_with_a_bad_baseline_run_is_one_line(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index_dir = built
    queries, qrels = _write_eval_files(tmp_path)
    bad = tmp_path / "bad.run"
    bad.write_text("q1 Q0 doc\n", encoding="utf-8")
    result = run("eval", "--queries", queries, "--qrels", qrels, "--index", index_dir, "--baseline", bad)
    assert_one_line_error(result, 1, "bad.run:1", "qid Q0 docid rank score tag")


def test_query_explain_shows_analysis_expansion_and_scores(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    result = run("query", "X-rays hepatitis B", "--explain", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    assert "term 'X-rays' in title, body, anchors, broad -> xray | x ray" in result.stdout
    assert "term 'B' in title, body, anchors, broad -> b" in result.stdout
    assert "1. Hepatitis B  [clinic.example/articles/hepatitis-b]" in result.stdout
    assert "title:hepatitis" in result.stdout
    data = json.loads(run("query", "hepatitis b", "--explain", "--json", "--index", index_dir).stdout)
    top = data["hits"][0]
    assert top["id"] == page_id("hepatitis-b")
    assert any(c["field"] == "title" and c["term"] == "b" for c in top["contributions"])
    assert sum(c["score"] for c in top["contributions"]) == pytest.approx(top["score"], rel=0.25)


def test_query_no_expand_adds_nothing(built: tuple[Path, Path]) -> None:
    _, index_dir = built
    data = json.loads(run("query", "hepatitis b", "--explain", "--json", "--no-expand", "--index", index_dir).stdout)
    assert data["expansions"] == []
