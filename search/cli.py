"""Command-line interface: parse arguments, call the library, print the results."""

from __future__ import annotations

import errno
import logging
import sys
import textwrap
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import (
    ArticleNotFoundError,
    ExtractionError,
    HealthSearchError,
    IndexCorruptError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    ProfileError,
    QuerySyntaxError,
    StorageError,
)
from .models import Article, Explanation, IndexCheck, SearchResults
from .render import snippet_terminal, terminal_lines, terminal_text, to_json

logger = logging.getLogger(__name__)

#: Exit codes (also in the README): 0 success; 1 failure (or some files failed to index);
#: 2 bad usage or malformed query; 75 the index is locked by another writer (EX_TEMPFAIL).
EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 1, 2, 75

F = TypeVar("F", bound=Callable[..., Any])


class CliError(click.ClickException):
    """A one-line error with a hint for the next step and a chosen exit code (control
    characters in the message, say from a file name, are shown escaped)."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_FAILED) -> None:
        super().__init__(terminal_text(f"{message}. Hint: {hint}." if hint else message))
        self.exit_code = exit_code


def _flag(index_dir: Path) -> str:
    return "" if index_dir == Path("index") else f" --index {index_dir}"


def _index_hint(index_dir: Path) -> str:
    return f"build it with 'healthsearch index [PATHS...]{_flag(index_dir)}'"


def _storage_hint(exc: StorageError) -> str:
    """What to do about a file-system refusal, by its cause; the live index is unchanged."""
    unchanged = "the index is as it was before this run"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free some space on the disk holding {exc.path} and run it again ({unchanged})"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"check who may write to {exc.path} ({unchanged})"
    if exc.errno == errno.EROFS:
        return f"{exc.path} is on a read-only file system: choose another --index folder"
    if exc.errno == errno.ELOOP:
        return f"remove the symbolic link {exc.path}; healthsearch never writes through one"
    if exc.errno == errno.ENOENT:
        return f"{exc.path} disappeared while healthsearch was using it: run it again ({unchanged})"
    return f"check {exc.path} and run it again ({unchanged})"


def library_errors(func: F) -> F:
    """Turn the library's typed errors into one-line CLI errors with a hint."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        index_dir = kwargs.get("index_dir") or _default_index_dir()
        try:
            return func(*args, **kwargs)
        except IndexNotFoundError as exc:
            raise CliError(str(exc), _index_hint(index_dir)) from exc
        except IndexDamagedError as exc:
            raise CliError(
                str(exc),
                f"'healthsearch check{_flag(index_dir)}' says more and what to do;"
                f" 'healthsearch index --rebuild PATHS...{_flag(index_dir)}' rebuilds it",
            ) from exc
        except StorageError as exc:
            raise CliError(str(exc), _storage_hint(exc)) from exc
        except IndexCorruptError as exc:
            raise CliError(str(exc), "rebuild it with 'healthsearch index --rebuild [PATHS...]'") from exc
        except IndexLockedError as exc:
            raise CliError(str(exc), "wait for the other run to finish, then try again", EXIT_LOCKED) from exc
        except QuerySyntaxError as exc:
            raise CliError(
                f"bad query: {exc}",
                'use plain words, "a phrase" in quotes, title:word, or -word to exclude',
                EXIT_USAGE,
            ) from exc
        except ArticleNotFoundError as exc:
            raise CliError(str(exc), "find article ids with 'healthsearch query TEXT'") from exc
        except ExtractionError as exc:
            raise CliError(str(exc), "check the path and try again") from exc
        except ProfileError as exc:
            raise CliError(str(exc), "see 'Site profiles' in the README for the format", EXIT_USAGE) from exc
        except HealthSearchError as exc:
            raise CliError(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _default_index_dir() -> Path:
    from .api import default_index_dir

    return default_index_dir()


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder  [default: $HEALTHSEARCH_INDEX or ./index]",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


class _LogFormatter(logging.Formatter):
    """``level: message`` on one line; control characters in the message shown escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {terminal_text(record.getMessage())}"


class _FileLogFormatter(logging.Formatter):
    """Timestamped lines for --log-file, with control characters shown escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = terminal_text(record.message)
        return super().formatMessage(record)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="healthsearch")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Search scraped health articles: build an index, then query it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LogFormatter())
    handler.setLevel(logging.WARNING - 10 * min(verbose, 2))
    root = logging.getLogger("search")
    root.handlers[:] = [handler]
    root.setLevel(handler.level)
    root.propagate = False


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index instead of updating the live one.")
@click.option(
    "--site-profiles",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HEALTHSEARCH_SITE_PROFILES",
    help="TOML file of CSS selectors for known sites (see README).  [env: HEALTHSEARCH_SITE_PROFILES]",
)
@click.option(
    "--follow-symlinks", is_flag=True, help="Also read symbolic links that lead outside PATHS (left out by default)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success; only problems on failure.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append warnings and the summary, with timestamps, to this file.",
)
@json_option
@library_errors
def index_cmd(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    site_profiles: Path | None,
    follow_symlinks: bool,
    quiet: bool,
    log_file: Path | None,
    as_json: bool,
) -> None:
    """Build or update the index from PATHS (files or folders; default ./corpus).

    Reads .html/.htm pages, plain-text exports (.txt) and JSONL feeds (.jsonl), each
    optionally gzipped. Only changed articles are re-indexed; the new state goes live
    atomically when the run completes. Exit codes: 0 all indexed, 1 some files failed,
    75 another run is writing to this index.
    """
    from .api import DEFAULT_CORPUS, index
    from .profiles import load_profiles

    target = index_dir or _default_index_dir()
    profiles = load_profiles(site_profiles) if site_profiles is not None else []
    if log_file is not None:
        _log_to_file(log_file)
    bar = _ProgressBar(enabled=not quiet and not as_json and sys.stderr.isatty())
    try:
        report = index(
            list(paths) or [DEFAULT_CORPUS],
            target,
            rebuild=rebuild,
            progress=bar.update,
            profiles=profiles,
            follow_symlinks=follow_symlinks,
        )
    finally:
        bar.close()
    summary = terminal_text(f"{target}: {report.summary()}")
    logger.info("%s", summary)
    if as_json:
        click.echo(to_json({"index": str(target), **report.to_dict()}))
    elif not quiet:
        click.echo(summary)
    elif report.failed:
        click.echo(summary, err=True)
    if report.failed:
        sys.exit(EXIT_FAILED)


def _log_to_file(path: Path) -> None:
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot open log file {path}: {exc.strerror or exc}", "check the path", EXIT_USAGE) from exc
    handler.setFormatter(_FileLogFormatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger("search")
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))


class _ProgressBar:
    """A progress bar on stderr, created on the first update (when the total is known)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@cli.command("rollback")
@index_option
@library_errors
def rollback_cmd(index_dir: Path | None) -> None:
    """Make the previous generation of the index live again (undo the last run)."""
    from .api import rollback

    target = index_dir or _default_index_dir()
    click.echo(terminal_text(f"{target}: now serving {rollback(target).name}"))


@cli.command("query")
@click.argument("text")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(1), help="Page number.")
@click.option("--explain", is_flag=True, help="Show how the query was analysed and expanded, and why the top hits scored.")
@click.option("--no-expand", is_flag=True, help="Search only the words typed (no words borrowed from the top hits).")
@json_option
@library_errors
def query_cmd(
    text: str, index_dir: Path | None, limit: int, page: int, explain: bool, no_expand: bool, as_json: bool
) -> None:
    """Search the index for TEXT.

    \b
    back pain           articles about both words rank first
    "back pain"         the exact phrase
    title:diabetes      a word in the title
    migraine -aura      exclude a word (also: NOT aura)
    diabet*             words starting with "diabet"
    """
    from .api import open_index

    if explain:
        explanation = open_index(index_dir).explain(text, limit=limit, expand=not no_expand)
        if as_json:
            click.echo(to_json(explanation.to_dict()))
        else:
            _print_explanation(explanation)
        return
    results = open_index(index_dir).search(text, limit=limit, page=page, expand=not no_expand)
    if as_json:
        click.echo(to_json(results.to_dict()))
    else:
        _print_results(results, limit)


def _bold(text: str) -> str:
    return click.style(terminal_text(text), bold=True)


def _print_results(results: SearchResults, limit: int) -> None:
    query = terminal_text(repr(results.query))
    if results.suggestion:
        click.echo(f"Did you mean: {_bold(results.suggestion)}?")
    if not results.hits:
        where = f" on page {results.page}" if results.page > 1 and results.total else ""
        click.echo(f"No results for {query}{where}.")
        return
    first = (results.page - 1) * limit + 1
    for rank, hit in enumerate(results.hits, start=first):
        click.echo(f"{rank}. {_bold(hit.title or hit.id)}  [{terminal_text(hit.id)}]  score {hit.score:.2f}")
        if hit.url:
            click.echo(f"   {terminal_text(hit.url)}")
        if hit.snippet.text:
            click.echo(snippet_terminal(hit.snippet, width=96, indent="   "))
        click.echo()
    last = first + len(results.hits) - 1
    click.echo(f"Results {first}-{last} of {results.total} for {query}.")


def _print_explanation(explanation: Explanation) -> None:
    click.echo(_bold(f"Query {explanation.query!r}"))
    for clause in explanation.clauses:
        how = {"should": "", "must": "required ", "must_not": "excluded "}[clause.occur]
        terms = ", ".join(clause.terms) or "(nothing)"
        click.echo(terminal_text(f"  {how}{clause.kind} {clause.text!r} in {clause.fields} -> {terms}"))
    for source, label in (("synonym", "Synonyms added"), ("feedback", "Added from the top hits")):
        added = ", ".join(f"{e.term} ({e.weight:.2f})" for e in explanation.expansions if e.source == source)
        if added:
            click.echo(terminal_lines(textwrap.fill(f"{label}: {added}", width=96, subsequent_indent="  ")))
    if not explanation.expansions:
        click.echo("No words added.")
    for rank, hit in enumerate(explanation.hits, start=1):
        click.echo(f"\n{rank}. {_bold(hit.title or hit.id)}  [{terminal_text(hit.id)}]  score {hit.score:.2f}")
        for part in hit.contributions[:12]:
            click.echo(terminal_text(f"   {part.score:7.2f}  {part.field}:{part.term}"))
        if len(hit.contributions) > 12:
            rest = sum(p.score for p in hit.contributions[12:])
            click.echo(f"   {rest:7.2f}  ({len(hit.contributions) - 12} more terms)")


@cli.command("eval")
@click.option("--queries", "queries_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Queries: BEIR queries.jsonl, or TSV 'id<TAB>text'.")
@click.option("--qrels", "qrels_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Judgments: BEIR qrels TSV, or TREC qrels.")
@index_option
@click.option("--run-out", type=click.Path(dir_okay=False, path_type=Path), help="Write the ranked results as a TREC run file.")
@click.option("--no-expand", is_flag=True, help="Evaluate without query expansion.")
@json_option
@library_errors
def eval_cmd(
    queries_file: Path, qrels_file: Path, index_dir: Path | None, run_out: Path | None, no_expand: bool, as_json: bool
) -> None:
    """Score the index on judged queries: nDCG@10, recall@100, MRR@10.

    Every query with judgments goes through the same search as 'healthsearch query'.
    """
    from .api import open_index
    from .evaluation import evaluate_index, read_qrels, read_queries, write_run

    queries, qrels = read_queries(queries_file), read_qrels(qrels_file)
    metrics, run, failed = evaluate_index(open_index(index_dir), queries, qrels, expand=not no_expand)
    if run_out is not None:
        try:
            with open(run_out, "w", encoding="utf-8") as out:
                write_run(run, out)
        except OSError as exc:
            raise CliError(f"cannot write {run_out}: {exc.strerror or exc}", "check the path") from exc
    for qid, reason in failed.items():
        logger.warning("query %s: %s", qid, reason)
    if as_json:
        click.echo(to_json({**metrics.to_dict(), "failed": len(failed)}))
        return
    click.echo(f"queries     {metrics.queries}" + (f"  ({len(failed)} failed)" if failed else ""))
    click.echo(f"nDCG@10     {metrics.ndcg_at_10:.4f}")
    click.echo(f"recall@100  {metrics.recall_at_100:.4f}")
    click.echo(f"MRR@10      {metrics.mrr_at_10:.4f}")


@cli.command("show")
@click.argument("article_id")
@index_option
@json_option
@library_errors
def show_cmd(article_id: str, index_dir: Path | None, as_json: bool) -> None:
    """Print one indexed article, its links and the anchor text pointing at it."""
    from .api import open_index

    ix = open_index(index_dir)
    article = ix.get(article_id)
    anchors = ix.incoming_anchors(article_id)
    if as_json:
        click.echo(to_json({**article.to_dict(), "incoming_anchors": anchors}))
        return
    _print_article(article, anchors)


def _print_article(article: Article, anchors: list[str]) -> None:
    click.echo(_bold(article.title or article.id))
    for label, value in (
        ("id", article.id),
        ("url", article.url),
        ("source", article.source),
        ("published", article.published),
        ("modified", article.modified),
        ("language", article.language),
    ):
        if value:
            click.echo(terminal_text(f"{label + ':':11}{value}"))
    if article.description:
        click.echo(f"\n{terminal_text(article.description)}")
    click.echo()
    for paragraph in article.body.split("\n\n"):
        click.echo(terminal_lines(textwrap.fill(paragraph, width=96)))
        click.echo()
    if article.links:
        click.echo(_bold("Links"))
        for link in article.links:
            target = f"  {link.url}" if link.url else ""
            click.echo(terminal_text(f"  {link.kind:8}{link.text}{target}"))
    if anchors:
        click.echo(_bold("Linked from other articles as"))
        for anchor in anchors:
            click.echo(f"  {terminal_text(anchor)}")


@cli.command("check")
@index_option
@json_option
@library_errors
def check_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Verify every file of every generation of the index against its checksums.

    Exit code 0 when the index is intact, 1 when something is damaged (and what to do).
    """
    from .api import check

    target = index_dir or _default_index_dir()
    found = check(target)
    if as_json:
        click.echo(to_json(found.to_dict()))
    else:
        _print_check(found, target)
    if not found.ok:
        sys.exit(EXIT_FAILED)


def _print_check(found: IndexCheck, target: Path) -> None:
    click.echo(terminal_text(f"index {found.path}"))
    if found.pointer_problem:
        click.echo(terminal_text(f"  CURRENT: {found.pointer_problem}"))
    for gen in found.generations:
        state = "intact" if gen.ok else "damaged: " + "; ".join(gen.problems[:3])
        more = f" (and {len(gen.problems) - 3} more)" if len(gen.problems) > 3 else ""
        click.echo(terminal_text(f"  {gen.name} ({gen.role}): {state}{more}"))
    click.echo(terminal_text(_check_advice(found, _flag(target))))


def _check_advice(found: IndexCheck, flag: str) -> str:
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


@cli.command("stats")
@index_option
@json_option
@library_errors
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Print article count, index size and last build time."""
    from .api import open_index

    stats = open_index(index_dir).stats()
    if as_json:
        click.echo(to_json(stats.to_dict()))
        return
    click.echo(terminal_text(f"index:       {stats.path}"))
    click.echo(f"articles:    {stats.articles}")
    click.echo(f"size:        {stats.size_bytes / 1024:.1f} KiB")
    click.echo(f"last build:  {stats.last_build or 'unknown'}")
    click.echo(f"versions:    schema {stats.schema_version}, analyzer {stats.analyzer_version}")


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    try:
        cli.main(prog_name="healthsearch", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so in one line, keep the details for -vv
        logger.debug("unexpected error", exc_info=True)
        click.echo(terminal_text(f"Error: unexpected {type(exc).__name__}: {exc} (please report this bug)"), err=True)
        sys.exit(EXIT_FAILED)
