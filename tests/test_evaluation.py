"""Evaluation: metrics worked out by hand, the file readers, the TREC run writer, and a
cross-check against trec_eval (through pytrec_eval) when it is installed.

The optional cross-check needs ``pip install pytrec-eval-terrier`` (test-only; it is skipped
without it).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from search.errors import EvaluationInputError, HealthSearchError, QuerySyntaxError
from search.evaluation import (
    Metrics,
    evaluate,
    ndcg,
    read_qrels,
    read_queries,
    recall,
    reciprocal_rank,
    run_queries,
    write_run,
)

EXACT = 1e-9


def unjudged(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


# -- nDCG@10 ---------------------------------------------------------------------------------

# Graded judgments: a judged-but-irrelevant doc (grade 0) and a tie in grades (d2, d5 both 2).
GRADED = {"d1": 3, "d2": 2, "d3": 0, "d4": 1, "d5": 2}
# rank:      1     2     3 (unjudged) 4     5     6-11 unjudged            12 (past the cut)
RANKING = ["d3", "d1", "x", "d2", "d4", *unjudged("n", 6), "d5"]


def test_ndcg_graded_ranking_worked_by_hand() -> None:
    # DCG@10 = gain / log2(rank + 1), summed over ranks 1..10:
    #   rank 1  d3 grade 0      -> 0
    #   rank 2  d1 grade 3      -> 3 / log2(3) = 1.8927892607
    #   rank 3  x  unjudged     -> 0
    #   rank 4  d2 grade 2      -> 2 / log2(5) = 0.8613531161
    #   rank 5  d4 grade 1      -> 1 / log2(6) = 0.3868528072
    #   ranks 6-11 unjudged; d5 sits at rank 12, past the cut -> not counted
    #   DCG = 3.1409951841
    # IDCG: all judged grades > 0 sorted descending, 3, 2, 2, 1 (d5 counts here even though the
    # run put it at rank 12; the 0 is left out):
    #   3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5) = 3 + 1.2618595071 + 1 + 0.4306765581
    #   = 5.6925360652
    # nDCG@10 = 3.1409951841 / 5.6925360652 = 0.5517743143
    assert ndcg(RANKING, GRADED, 10) == pytest.approx(0.551774314314572, abs=EXACT)


def test_ndcg_ties_in_grade_are_interchangeable_and_ideal_order_scores_one() -> None:
    ideal = ["d1", "d2", "d5", "d4", "d3"]
    swapped_tie = ["d1", "d5", "d2", "d4", "d3"]  # d2 and d5 are both grade 2
    assert ndcg(ideal, GRADED) == pytest.approx(1.0, abs=EXACT)
    assert ndcg(swapped_tie, GRADED) == pytest.approx(1.0, abs=EXACT)
    # Swapping grades 3 and 2 is not free: DCG = 2 + 3/log2(3) + 2/2 + 1/log2(5)
    #   = 2 + 1.8927892607 + 1 + 0.4306765581 = 5.3234658188; / 5.6925360652 = 0.9351659362
    swapped = ["d2", "d1", "d5", "d4", "d3"]
    assert ndcg(swapped, GRADED) == pytest.approx(0.935165936201316, abs=EXACT)


def test_ndcg_ideal_list_longer_than_k_is_cut_at_k() -> None:
    judged = {f"r{i}": 1 for i in range(12)}  # 12 relevant documents, all grade 1
    # All 12 returned in the first 12 ranks: the top 10 are all relevant and the ideal list is
    # cut at 10 too, so nDCG@10 = 1 (an uncut ideal of 12 would give less than 1).
    assert ndcg([f"r{i}" for i in range(12)], judged, 10) == pytest.approx(1.0, abs=EXACT)
    # Only 5 relevant at ranks 1-5, then unjudged documents:
    #   DCG  = sum 1/log2(i+1), i = 1..5  = 1 + 0.6309297536 + 0.5 + 0.4306765581 + 0.3868528072
    #        = 2.9484591189
    #   IDCG = sum 1/log2(i+1), i = 1..10 = 2.9484591189 + 0.3562071871 + 0.3333333333
    #          + 0.3154648768 + 0.3010299957 + 0.2890648263 = 4.5435593381
    #   nDCG@10 = 0.6489315753
    ranking = [f"r{i}" for i in range(5)] + unjudged("u", 10)
    assert ndcg(ranking, judged, 10) == pytest.approx(0.6489315753318465, abs=EXACT)


def test_ndcg_edge_cases() -> None:
    assert ndcg([], GRADED) == 0.0  # nothing returned
    assert ndcg(["d1"], {"d1": 0, "d2": 0}) == 0.0  # no relevant document: IDCG = 0, not a crash
    # A single relevant document at rank 2: (1/log2(3)) / (1/log2(2)) = 0.6309297536
    assert ndcg(["x", "a"], {"a": 1}) == pytest.approx(0.6309297535714575, abs=EXACT)


def test_ndcg_negative_grade_counts_as_zero_like_trec_eval() -> None:
    # trec_eval (checked with pytrec_eval 0.5.11 ndcg_cut.10) gives this 0.6696718165:
    #   DCG  = 0 (b, grade -1) + 2/log2(3) + 1/log2(4) = 1.7618595071
    #   IDCG = 2 + 1/log2(3) = 2.6309297536
    # (subtracting the -1 instead would give (-1 + 1.7618595071) / 2.6309297536 = 0.2895780498)
    assert ndcg(["b", "a", "c"], {"a": 2, "b": -1, "c": 1}) == pytest.approx(0.66967181649423, abs=EXACT)


# -- recall@100 ------------------------------------------------------------------------------


def test_recall_at_100_worked_by_hand() -> None:
    judged = {"r1": 1, "r2": 3, "r3": 2, "r4": 1, "r5": 2, "z": 0}
    ranking = unjudged("u", 150)
    ranking[0] = "r1"  # rank 1
    ranking[49] = "r2"  # rank 50
    ranking[99] = "r3"  # rank 100: the last rank that counts
    ranking[100] = "r4"  # rank 101: past the cut
    ranking[1] = "z"  # judged but grade 0: not relevant, not counted
    # r5 is never returned. Relevant (grade > 0) = {r1..r5} = 5; found in top 100 = r1, r2, r3.
    # recall@100 = 3 / 5 = 0.6
    assert recall(ranking, judged, 100) == pytest.approx(0.6, abs=EXACT)
    assert recall([], judged) == 0.0
    assert recall(["z"], {"z": 0}) == 0.0  # no relevant document at all


# -- MRR@10 ----------------------------------------------------------------------------------


def test_mrr_first_relevant_at_rank_3() -> None:
    # rank 1 is judged irrelevant (grade 0), rank 2 is unjudged, rank 3 relevant, rank 4 too:
    # only the first relevant counts, 1/3.
    judged = {"z": 0, "r": 1, "s": 3}
    assert reciprocal_rank(["z", "u", "r", "s"], judged, 10) == pytest.approx(1 / 3, abs=EXACT)


def test_mrr_cut_at_10() -> None:
    judged = {"r": 2}
    at_10 = unjudged("u", 9) + ["r"]
    at_11 = unjudged("u", 10) + ["r"]
    assert reciprocal_rank(at_10, judged, 10) == pytest.approx(0.1, abs=EXACT)  # 1/10
    assert reciprocal_rank(at_11, judged, 10) == 0.0  # none in the top 10
    assert reciprocal_rank([], judged, 10) == 0.0


# -- evaluate() ------------------------------------------------------------------------------


def test_evaluate_averages_over_judged_queries() -> None:
    qrels = {
        "q1": {"a": 1, "b": 0},
        "q2": {"r": 2, "s": 2},
        "q3": {"m": 1},  # judged, but the engine returned nothing for it: scores 0
        "q4": {"a": 0, "b": 0},  # judged, nothing relevant: skipped
    }
    run = {
        "q1": [("a", 9.0), ("b", 8.0)],
        "q2": [("x", 3.0), ("y", 2.0), ("r", 1.0)],
        "q4": [("a", 5.0)],
        "q9": [("a", 1.0)],  # not judged at all: ignored
    }
    # q1: a (grade 1) at rank 1 -> nDCG 1, recall 1/1, RR 1
    # q2: r at rank 3 -> DCG = 2/log2(4) = 1; IDCG = 2/log2(2) + 2/log2(3) = 3.2618595071
    #     nDCG = 0.3065735964; recall = 1/2 (s not found); RR = 1/3
    # q3: 0, 0, 0
    # means over 3 queries: nDCG = (1 + 0.3065735964 + 0) / 3 = 0.4355245321
    #                       recall = (1 + 0.5 + 0) / 3 = 0.5
    #                       MRR = (1 + 1/3 + 0) / 3 = 4/9 = 0.4444444444
    metrics = evaluate(run, qrels)
    assert metrics.queries == 3
    assert set(metrics.per_query) == {"q1", "q2", "q3"}
    assert metrics.ndcg_at_10 == pytest.approx(0.4355245321275764, abs=EXACT)
    assert metrics.recall_at_100 == pytest.approx(0.5, abs=EXACT)
    assert metrics.mrr_at_10 == pytest.approx(4 / 9, abs=EXACT)
    assert metrics.per_query["q2"]["ndcg@10"] == pytest.approx(0.3065735963827292, abs=EXACT)
    assert metrics.per_query["q3"] == {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    assert metrics.to_dict() == {
        "queries": 3, "ndcg@10": 0.4355, "recall@100": 0.5, "mrr@10": 0.4444, "judged_without_text": 0, "unjudged": 0,
    }
    assert "per_query" in metrics.to_dict(per_query=True)


def test_evaluate_without_judged_queries_is_zero_not_a_crash() -> None:
    metrics = evaluate({"q": [("a", 1.0)]}, {"q": {"a": 0}})
    assert metrics == Metrics(0, 0.0, 0.0, 0.0, {})


# -- running ---------------------------------------------------------------------------------


def test_run_queries_keeps_failures_apart() -> None:
    queries = {"q1": "knee pain", "q2": "!!!", "q3": "unused"}

    def fake_search(text: str) -> list[tuple[str, float]]:
        if text == "!!!":
            raise QuerySyntaxError("nothing to search for")
        return [("doc-" + text.split()[0], 1.0)]

    run, failed = run_queries(queries, fake_search, qids=["q1", "q2", "q4"])
    assert run == {"q1": [("doc-knee", 1.0)]}
    assert failed == {"q2": "nothing to search for", "q4": "no query text"}

    def broken(text: str) -> list[tuple[str, float]]:
        raise RuntimeError("a bug, not a query problem")

    with pytest.raises(RuntimeError):  # only library errors are recorded as failed queries
        run_queries({"q": "x"}, broken)


# -- readers ---------------------------------------------------------------------------------


def test_read_queries_beir_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text(
        '{"_id": "PLAIN-1", "text": "vitamin d deficiency", "split": "test"}\n'
        "\n"
        '{"_id": 42, "text": "statins"}\n',
        encoding="utf-8",
    )
    assert read_queries(path) == {"PLAIN-1": "vitamin d deficiency", "42": "statins"}


def test_read_queries_json_lines_recognised_by_content(tmp_path: Path) -> None:
    path = tmp_path / "queries.txt"
    path.write_text('{"id": "q1", "text": "gout"}\n', encoding="utf-8")
    assert read_queries(path) == {"q1": "gout"}


def test_read_queries_tsv_without_header(tmp_path: Path) -> None:
    path = tmp_path / "queries.tsv"
    path.write_text("q1\tknee pain in runners\nq2\thepatitis b\n", encoding="utf-8")
    assert read_queries(path) == {"q1": "knee pain in runners", "q2": "hepatitis b"}


@pytest.mark.parametrize("header", ["query-id\ttext", "qid\tquery", "id\ttext", "query_id\ttext"])
def test_read_queries_tsv_with_header(tmp_path: Path, header: str) -> None:
    path = tmp_path / "queries.tsv"
    path.write_text(f"{header}\nq1\tknee pain\n", encoding="utf-8")
    assert read_queries(path) == {"q1": "knee pain"}


def test_read_queries_tsv_keeps_phrase_quotes(tmp_path: Path) -> None:
    path = tmp_path / "queries.tsv"
    path.write_text('q1\t"vitamin d" deficiency\n', encoding="utf-8")
    # a phrase query keeps its quotes (csv's default quoting would give 'vitamin d deficiency')
    assert read_queries(path) == {"q1": '"vitamin d" deficiency'}


def test_malformed_tsv_query_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "queries.tsv"
    path.write_text("q1\tknee pain\n\nq2 without a tab\n", encoding="utf-8")
    assert f"{path}:3:" in _error(read_queries, path)


def test_read_qrels_beir_with_header(tmp_path: Path) -> None:
    path = tmp_path / "test.tsv"
    path.write_text(
        "query-id\tcorpus-id\tscore\nPLAIN-2\tMED-2427\t3\nPLAIN-2\tMED-10\t0\nPLAIN-3\tMED-1\t1\n",
        encoding="utf-8",
    )
    # the grade-0 judgment is kept: it is a judged document, not an unjudged one
    assert read_qrels(path) == {"PLAIN-2": {"MED-2427": 3, "MED-10": 0}, "PLAIN-3": {"MED-1": 1}}


def test_read_qrels_trec(tmp_path: Path) -> None:
    path = tmp_path / "qrels.txt"
    path.write_text("301 0 FBIS3-10082 1\n301 0 FBIS3-10169 0\n302 0 LA010189-0001 2\n", encoding="utf-8")
    assert read_qrels(path) == {"301": {"FBIS3-10082": 1, "FBIS3-10169": 0}, "302": {"LA010189-0001": 2}}


def _error(reader, path: Path) -> str:
    with pytest.raises(EvaluationInputError) as info:
        reader(path)
    assert isinstance(info.value, HealthSearchError)  # the CLI's one-line error handling applies
    return str(info.value)


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text('{"_id": "q1", "text": "gout"}\n{"_id": "q2", "text": \n', encoding="utf-8")
    message = _error(read_queries, path)
    assert f"{path}:2:" in message


def test_json_line_without_text_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text('{"_id": "q1", "text": "gout"}\n{"_id": "q2"}\n', encoding="utf-8")
    assert f"{path}:2:" in _error(read_queries, path)


def test_two_column_qrels_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\n", encoding="utf-8")
    message = _error(read_qrels, path)
    assert f"{path}:3:" in message
    assert "columns" in message


@pytest.mark.parametrize("grade", ["1.5", "high", "x"])
def test_non_integer_grade_names_file_and_line(tmp_path: Path, grade: str) -> None:
    path = tmp_path / "qrels.txt"
    path.write_text(f"q1 0 d1 1\nq1 0 d2 {grade}\n", encoding="utf-8")
    message = _error(read_qrels, path)
    assert f"{path}:2:" in message
    assert repr(grade) in message


@pytest.mark.parametrize("reader", [read_queries, read_qrels])
def test_missing_file_names_the_file(tmp_path: Path, reader) -> None:
    path = tmp_path / "nowhere" / "qrels.tsv"
    assert str(path) in _error(reader, path)


def test_error_line_number_counts_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "qrels.txt"
    path.write_text("q1 0 d1 1\n\n\nq1 0 d2 x\n", encoding="utf-8")  # the bad grade is on line 4
    assert f"{path}:4:" in _error(read_qrels, path)  # not ':2:', the count without blank lines


def test_two_column_first_line_is_an_error_not_a_header(tmp_path: Path) -> None:
    path = tmp_path / "qrels.txt"
    path.write_text("q1 d1\nq1 d2 1\n", encoding="utf-8")
    assert f"{path}:1:" in _error(read_qrels, path)  # not skipped as if it were a header


# -- TREC run files --------------------------------------------------------------------------


def test_write_run_format_and_read_back() -> None:
    run = {"q1": [("MED-1", 12.5), ("MED-7", 3.14159)], "q2": [("MED-2", 0.5)], "q3": []}
    out = io.StringIO()
    write_run(run, out, tag="bm25")
    text = out.getvalue()
    assert text == (
        "q1 Q0 MED-1 1 12.5 bm25\n"
        "q1 Q0 MED-7 2 3.14159 bm25\n"
        "q2 Q0 MED-2 1 0.5 bm25\n"
    )
    # read it back the way trec_eval does: qid Q0 docid rank score tag
    back: dict[str, list[tuple[str, float]]] = {}
    for line in text.splitlines():
        qid, q0, doc, rank, score, tag = line.split()
        assert (q0, tag) == ("Q0", "bm25")
        assert int(rank) == len(back.setdefault(qid, [])) + 1
        back[qid].append((doc, float(score)))
    assert back == {"q1": [("MED-1", 12.5), ("MED-7", 3.14159)], "q2": [("MED-2", 0.5)]}
    qrels = {"q1": {"MED-7": 1}, "q2": {"MED-2": 2}}
    assert evaluate(back, qrels).to_dict() == evaluate(run, qrels).to_dict()


def test_write_run_default_tag() -> None:
    out = io.StringIO()
    write_run({"q": [("d", 1.0)]}, out)
    assert out.getvalue() == "q Q0 d 1 1.0 healthsearch\n"


def test_write_run_keeps_scores_that_differ_only_past_four_decimals_apart() -> None:
    # trec_eval re-sorts by score: rounding 1.00002 and 1.00001 to one value would reorder them
    out = io.StringIO()
    write_run({"q": [("a", 1.00002), ("b", 1.00001)]}, out)
    scores = [float(line.split()[4]) for line in out.getvalue().splitlines()]
    assert scores[0] > scores[1]


# -- cross-check against trec_eval -----------------------------------------------------------


def _random_case(seed: int) -> tuple[dict[str, dict[str, int]], dict[str, list[tuple[str, float]]]]:
    rng = random.Random(seed)
    docs = [f"D{i:03d}" for i in range(300)]
    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, list[tuple[str, float]]] = {}
    for q in range(40):
        qid = f"Q{q}"
        judged = rng.sample(docs, rng.randint(1, 30))
        high = 0 if q % 10 == 0 else 3  # every tenth query has only grade-0 judgments
        qrels[qid] = {doc: rng.randint(0, high) for doc in judged}
        if q % 13 == 5:
            continue  # judged, never answered
        # Mostly random documents, with some of the judged ones mixed in so that metrics vary.
        pool = set(rng.sample(docs, rng.randint(0, 150))) | set(rng.sample(judged, len(judged) // 2))
        ranked = rng.sample(sorted(pool), len(pool))
        # distinct, decreasing scores: trec_eval re-sorts by score, so the order must survive it
        run[qid] = [(doc, float(len(ranked) - i)) for i, doc in enumerate(ranked)]
    return qrels, run


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_match_trec_eval(seed: int) -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    qrels, run = _random_case(seed)
    ours = evaluate(run, qrels)
    judged = {qid for qid, grades in qrels.items() if max(grades.values()) > 0}
    assert ours.queries == len(judged)
    assert set(ours.per_query) == judged  # including the judged queries missing from the run
    assert judged - set(run) and 20 < len(judged) < 40  # the case has both kinds of query

    as_dict = {qid: dict(ranked) for qid, ranked in run.items()}
    top10 = {qid: dict(ranked[:10]) for qid, ranked in run.items()}
    full = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(as_dict)
    # trec_eval's recip_rank has no cut; MRR@10 is recip_rank over the top 10
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)

    sums = {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    for qid, scores in ours.per_query.items():
        theirs = {
            "ndcg@10": full.get(qid, {}).get("ndcg_cut_10", 0.0),  # no run: trec_eval has no row
            "recall@100": full.get(qid, {}).get("recall_100", 0.0),
            "mrr@10": rr.get(qid, {}).get("recip_rank", 0.0),
        }
        for name, value in theirs.items():
            assert scores[name] == pytest.approx(value, abs=1e-6), (qid, name)
            sums[name] += value
    assert ours.ndcg_at_10 == pytest.approx(sums["ndcg@10"] / len(judged), abs=1e-6)
    assert ours.recall_at_100 == pytest.approx(sums["recall@100"] / len(judged), abs=1e-6)
    assert ours.mrr_at_10 == pytest.approx(sums["mrr@10"] / len(judged), abs=1e-6)
    assert 0 < ours.ndcg_at_10 < 1 and 0 < ours.mrr_at_10 < 1  # the case is not degenerate
