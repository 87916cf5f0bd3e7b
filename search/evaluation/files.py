"""Reading queries (BEIR JSONL or TSV) and relevance judgments (BEIR or TREC qrels)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..errors import EvaluationInputError
from .metrics import Qrels


def read_queries(path: Path) -> dict[str, str]:
    """Queries from BEIR ``queries.jsonl`` (``_id``, ``text``) or TSV (``id<TAB>text``)."""
    numbered = lines(path)
    if path.name.endswith((".jsonl", ".json")) or (numbered and numbered[0][1].lstrip().startswith("{")):
        out: dict[str, str] = {}
        for number, line in numbered:
            try:
                record = json.loads(line)
                out[str(record.get("_id", record.get("id")))] = str(record["text"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise EvaluationInputError(f"{path}:{number}: not a query record ({exc})") from exc
        return out
    rows = list(zip((n for n, _ in numbered), csv.reader((line for _, line in numbered), delimiter="\t", quoting=csv.QUOTE_NONE)))
    if rows and rows[0][1][0].lower() in ("query-id", "qid", "id", "query_id"):
        rows = rows[1:]
    for number, row in rows:
        if len(row) < 2:
            raise EvaluationInputError(f"{path}:{number}: expected 'id<TAB>text'")
    return {row[0]: row[1] for _, row in rows}


def read_qrels(path: Path) -> Qrels:
    """Judgments from BEIR TSV (``query-id corpus-id score``) or TREC (``qid 0 docid grade``)."""
    qrels: Qrels = {}
    for index, (number, line) in enumerate(lines(path)):
        parts = line.split()
        if index == 0 and len(parts) in (3, 4) and not parts[-1].lstrip("-").isdigit():
            continue  # a header line
        if len(parts) == 4:
            qid, _iteration, doc, grade = parts
        elif len(parts) == 3:
            qid, doc, grade = parts
        else:
            raise EvaluationInputError(f"{path}:{number}: expected 3 (BEIR) or 4 (TREC) columns")
        try:
            qrels.setdefault(qid, {})[doc] = int(grade)
        except ValueError as exc:
            raise EvaluationInputError(f"{path}:{number}: grade {grade!r} is not a whole number") from exc
    return qrels


def lines(path: Path) -> list[tuple[int, str]]:
    """The non-blank lines of ``path`` with their line numbers (1-based)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
