"""How the CLI prints results, explanations, articles and checks in a terminal.

Every string goes through :func:`search.render.terminal_text` or a renderer built on it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..messages import index_flag
from ..models import Article, Explanation, IndexCheck, SearchResults, Snippet
from ..render import fill_terminal, snippet_terminal, terminal_text, to_json, wrap_marked
from .terminal import Terminal

if TYPE_CHECKING:  # evaluation pulls in numpy, which a query's output does not need
    from ..evaluation import Comparison, Metrics


#: The terminal styles that start and end bold text (click strips them when colour is off).
BOLD = (click.style("", bold=True, reset=False), click.style("", reset=True))


def bold(text: str) -> str:
    return BOLD[0] + terminal_text(text) + BOLD[1]


#: ``query --format``: for people (text) and for scripts.
FORMATS = ("text", "json", "ndjson", "csv", "tsv", "ids")
#: The columns of ``--format csv`` and ``tsv``.
TABLE_COLUMNS = ("rank", "id", "title", "url", "score")


def print_results_as(results: SearchResults, fmt: str, limit: int, out: Terminal) -> None:
    """``results`` in one of FORMATS: ``json`` the whole page; ``ndjson`` one hit per line with
    its rank; ``csv``/``tsv`` a header and a row per hit; ``ids`` one id per line. Text in the
    table and id forms has control characters shown escaped, as in the terminal."""
    first = (results.page - 1) * limit + 1
    if fmt == "text":
        print_results(results, limit, out)
        return
    if fmt == "json":
        click.echo(to_json(results.to_dict()))
    elif fmt == "ndjson":
        for rank, hit in enumerate(results.hits, start=first):
            click.echo(to_json({"rank": rank, **hit.to_dict()}, indent=None))
    elif fmt == "ids":
        for hit in results.hits:
            click.echo(terminal_text(hit.id))
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(TABLE_COLUMNS)
        for rank, hit in enumerate(results.hits, start=first):
            writer.writerow([rank, *(terminal_text(v) for v in (hit.id, hit.title, hit.url)), f"{hit.score:.4f}"])
        click.echo(buffer.getvalue(), nl=False)


def print_results(results: SearchResults, limit: int, out: Terminal) -> None:
    """A page of hits for people: a wrapped header per hit (title, id, score), its URL and snippet."""
    query = terminal_text(repr(results.corrected or results.query))
    if results.corrected:
        rest = f"; search instead for {results.query!r} with --no-correct"
        out.echo(header("Showing results for ", results.corrected, rest, out.width, ""))
    if results.suggestion:
        out.echo(f"Did you mean: {bold(results.suggestion)}?")
    if not results.hits:
        where = f" on page {results.page}" if results.page > 1 and results.total else ""
        out.echo(f"No results for {query}{where}.")
        return
    first = (results.page - 1) * limit + 1
    for rank, hit in enumerate(results.hits, start=first):
        out.echo(header(f"{rank}. ", hit.title or hit.id, f"  [{hit.id}]  score {hit.score:.2f}", out.width, "   "))
        if hit.url:
            out.echo(fill_terminal(hit.url, width=out.width, indent="   ", split_long=False))
        if hit.snippet.text:
            out.echo(snippet_terminal(hit.snippet, width=out.width, indent="   ", color=out.color))
        out.echo()
    last = first + len(results.hits) - 1
    out.echo(f"Results {first}-{last} of {results.total} for {query}.")


def header(prefix: str, title: str, rest: str, width: int, indent: str) -> str:
    """``prefix``, the title in bold, then ``rest``, wrapped to ``width`` (later lines at ``indent``)."""
    span = ((len(prefix), len(prefix) + len(title)),) if title else ()
    return wrap_marked(
        Snippet(prefix + title + rest, span), width=width, marks=BOLD, subsequent_indent=indent, split_long=False
    )


def print_explanation(explanation: Explanation, out: Terminal) -> None:
    out.echo(bold(f"Query {explanation.query!r}"))
    if explanation.corrected is not None:
        shown = f"Explaining its correction {explanation.corrected!r}, whose results are shown"
        out.echo(fill_terminal(shown + " (--no-correct: the query as typed)", width=out.width))
    for clause in explanation.clauses:
        how = {"should": "", "must": "required ", "must_not": "excluded "}[clause.occur]
        terms = ", ".join(clause.terms) or "(nothing)"
        line = f"{how}{clause.kind} {clause.text!r} in {clause.fields} -> {terms}"
        out.echo(fill_terminal(line, width=out.width, indent="  ", subsequent_indent="    "))
    for source, label in (("synonym", "Synonyms added"), ("feedback", "Added from the top hits")):
        added = ", ".join(f"{e.term} ({e.weight:.2f})" for e in explanation.expansions if e.source == source)
        if added:
            out.echo(fill_terminal(f"{label}: {added}", width=out.width, subsequent_indent="  "))
    if not explanation.expansions:
        out.echo("No words added.")
    for rank, hit in enumerate(explanation.hits, start=1):
        out.echo()
        out.echo(header(f"{rank}. ", hit.title or hit.id, f"  [{hit.id}]  score {hit.score:.2f}", out.width, "   "))
        for part in hit.contributions[:12]:
            out.echo(fill_terminal(f"{part.score:7.2f}  {part.field}:{part.term}", width=out.width, indent="   "))
        if len(hit.contributions) > 12:
            rest = sum(p.score for p in hit.contributions[12:])
            out.echo(f"   {rest:7.2f}  ({len(hit.contributions) - 12} more terms)")


def print_article(article: Article, anchors: list[str], out: Terminal) -> None:
    out.echo(header("", article.title or article.id, "", out.width, ""))
    for label, value in (
        ("id", article.id),
        ("url", article.url),
        ("source", article.source),
        ("published", article.published),
        ("modified", article.modified),
        ("language", article.language),
    ):
        if value:
            out.echo(fill_terminal(f"{label + ':':11}{value}", width=out.width, subsequent_indent=" " * 11, split_long=False))
    if article.description:
        out.echo()
        out.echo(fill_terminal(article.description, width=out.width))
    out.echo()
    for paragraph in article.body.split("\n\n"):
        out.echo(fill_terminal(paragraph, width=out.width))
        out.echo()
    if article.links:
        out.echo(bold("Links"))
        for link in article.links:
            target = f"  {link.url}" if link.url else ""
            line = f"{link.kind:8}{link.text}{target}"
            out.echo(fill_terminal(line, width=out.width, indent="  ", subsequent_indent=" " * 10, split_long=False))
    if anchors:
        out.echo(bold("Linked from other articles as"))
        for anchor, times in Counter(anchors).items():  # a text once per article that links with it
            shown = f"{anchor}  (by {times} articles)" if times > 1 else anchor
            out.echo(fill_terminal(shown, width=out.width, indent="  ", subsequent_indent="    "))


def print_check(found: IndexCheck, target: Path) -> None:
    click.echo(terminal_text(f"index folder {found.path}"))
    if found.pointer_problem:
        click.echo(terminal_text(f"  CURRENT: {found.pointer_problem}"))
    for checked in found.generations:
        state = "intact" if checked.ok else "damaged: " + "; ".join(checked.problems[:3])
        more = f" (and {len(checked.problems) - 3} more)" if len(checked.problems) > 3 else ""
        click.echo(terminal_text(f"  {checked.name} ({checked.role}): {state}{more}"))
    click.echo(terminal_text(check_advice(found, index_flag(target))))


def check_advice(found: IndexCheck, flag: str) -> str:
    """One line: what to do about what ``check`` found."""
    live, parent = found.role("live"), found.role("previous")
    intact = [g for g in found.generations if g.ok]
    rebuild = f"rebuild it from the sources with 'healthsearch index --rebuild PATHS...{flag}'"
    if found.ok:
        return "The index is intact."
    if found.pointer_problem:
        if intact:
            return f"Run 'healthsearch index [PATHS...]{flag}': it continues from {intact[0].name}, the newest intact generation."
        return f"No generation is intact: {rebuild}."
    if live is not None and not live.ok:
        if parent is not None and parent.ok:
            return (f"Run 'healthsearch index [PATHS...]{flag}': it updates {parent.name} (intact) in place of"
                    f" {live.name}; or 'healthsearch rollback{flag}' serves {parent.name} as it is.")
        return f"Nothing to roll back to: {rebuild}."
    return (f"Queries are unaffected; 'healthsearch rollback' would fail until the next 'healthsearch index' run"
            f" that changes something replaces {parent.name if parent else 'the previous generation'}.")


def print_metrics(
    metrics: Metrics, failed: int, baseline: Metrics | None, comparison: Comparison | None, per_query: bool
) -> None:
    """An evaluation's means (beside the baseline's), how they compare, and each query on request."""
    notes = [f"{failed} failed"] if failed else []
    if metrics.without_text:
        notes.append(f"{metrics.without_text} judged queries had no text, not scored")
    if metrics.without_judgments:
        notes.append(f"{metrics.without_judgments} without judgments, skipped")
    click.echo(f"queries     {metrics.queries}" + (f"  ({'; '.join(notes)})" if notes else ""))
    names = (("nDCG@10", "ndcg_at_10"), ("recall@100", "recall_at_100"), ("MRR@10", "mrr_at_10"))
    for label, name in names:
        line = f"{label:<11} {getattr(metrics, name):.4f}"
        if baseline is not None:
            value, before = getattr(metrics, name), getattr(baseline, name)
            line += f"   baseline {before:.4f}   {value - before:+.4f}"
        click.echo(line)
    if comparison is not None:
        click.echo(
            f"nDCG@10 per query: {comparison.better} better, {comparison.worse} worse, {comparison.same} the same; "
            f"p = {comparison.p_value:.4f} (paired randomization test)"
        )
    if per_query:
        click.echo()
        click.echo(f"{'query':<16} {'nDCG@10':>8} {'recall@100':>10} {'MRR@10':>8}" + ("  baseline nDCG@10" if baseline else ""))
        for qid, scores in metrics.per_query.items():
            line = f"{terminal_text(qid):<16} {scores['ndcg@10']:8.4f} {scores['recall@100']:10.4f} {scores['mrr@10']:8.4f}"
            if baseline is not None:
                line += f"  {baseline.per_query[qid]['ndcg@10']:8.4f}"
            click.echo(line)
