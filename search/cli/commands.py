"""The CLI's commands: parse arguments, call the library, print with :mod:`search.cli.output`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__, limits
from ..limits import size_text
from ..models import Progress
from ..render import terminal_text, to_json
from .errors import EXIT_FAILED, EXIT_NO_MATCH, EXIT_USAGE, CliError, default_index_dir, library_errors
from .output import FORMATS, print_article, print_check, print_explanation, print_metrics, print_results_as
from .parsing import GlobalOptionsGroup, WordsCommand
from .terminal import COLOR_CHOICES, Terminal, detect

logger = logging.getLogger(__name__)


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder  [default: $HEALTHSEARCH_INDEX or ./index]",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def _terminal() -> Terminal:
    """The terminal as the global options (--color, --no-pager) and the environment say."""
    options = click.get_current_context().find_root().params
    return detect(options.get("color", "auto"), pager=not options.get("no_pager", False))


class _LogFormatter(logging.Formatter):
    """``level: message`` on one line; control characters in the message shown escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {terminal_text(record.getMessage())}"


class _FileLogFormatter(logging.Formatter):
    """Timestamped lines for --log-file, with control characters shown escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = terminal_text(record.message)
        return super().formatMessage(record)


@click.group(cls=GlobalOptionsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="healthsearch")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", show_default=True,
              help="Colour the output: auto colours a terminal unless $NO_COLOR is set.")
@click.option("--no-pager", is_flag=True,
              help="Never page output taller than the screen (the pager: $HEALTHSEARCH_PAGER, $PAGER or less).")
def cli(verbose: int, color: str, no_pager: bool) -> None:
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

    Reads pages (known by their bytes, whatever their name: a wget or httrack mirror as
    it is), plain-text exports (.txt) and JSONL feeds (.jsonl), each optionally gzipped;
    files that are not pages (images, scripts, styles) are left out and counted. Only
    changed articles are re-indexed; the new state goes live atomically when the run
    completes. Exit codes: 0 all indexed, 1 some files failed, 75 another run is writing
    to this index.
    """
    from ..api import DEFAULT_CORPUS, index
    from ..extraction.profiles import load_profiles

    target = index_dir or default_index_dir()
    if not paths and not Path(DEFAULT_CORPUS).exists():
        raise CliError(
            f"no PATHS given, and the default, ./{DEFAULT_CORPUS}, does not exist here ({Path.cwd()})",
            "give the files or folders to index (healthsearch index PATHS)",
            EXIT_USAGE,
        )
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
    """A progress bar on stderr by bytes read, with files and articles so far beside it;
    created on the first update (when the totals are known), when there is enough to read."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def update(self, progress: Progress) -> None:
        if not self.enabled or progress.bytes_total == 0:
            return
        if self._bar is None:
            if progress.files_total < 2 and progress.bytes_total < limits.MiB:
                return
            self._bar = click.progressbar(
                length=progress.bytes_total, label="Indexing", file=sys.stderr, item_show_func=lambda text: text
            )
            self._bar.__enter__()
        shown = (
            f"{size_text(progress.bytes_done)} of {size_text(progress.bytes_total)}, "
            f"{progress.files_done:,}/{progress.files_total:,} files, {progress.articles:,} articles"
        )
        self._bar.update(progress.bytes_done - self._bar.pos, shown)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@cli.command("rollback")
@index_option
@library_errors
def rollback_cmd(index_dir: Path | None) -> None:
    """Make the previous generation of the index live again (undo the last run)."""
    from ..api import rollback

    target = index_dir or default_index_dir()
    click.echo(terminal_text(f"{target}: now serving {rollback(target).name}"))


@cli.command("query", cls=WordsCommand)
@click.argument("words", nargs=-1, required=True)
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(1), help="Page number.")
@click.option("--explain", is_flag=True, help="Show how the query was analysed and expanded, and why the top hits scored.")
@click.option("--no-expand", is_flag=True, help="Search only the words typed (no words borrowed from the top hits).")
@click.option("--no-correct", is_flag=True, help="Search words the index does not hold as typed (only suggest a correction).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text (default), json, ndjson (a hit per line), csv, tsv or ids (an id per line).")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--count", is_flag=True, help="Print only how many articles match.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing: the exit code says whether anything matched.")
@library_errors
def query_cmd(
    words: tuple[str, ...], index_dir: Path | None, limit: int, page: int, explain: bool, no_expand: bool,
    no_correct: bool, fmt: str | None, as_json: bool, count: bool, quiet: bool,
) -> None:
    """Search the index for WORDS (joined by spaces; quotes only for phrases). Options may come
    anywhere; a word may start with "-" ("-aura" excludes aura); "--" ends the options.

    \b
    back pain           articles about both words rank first
    "back pain"         the exact phrase
    title:diabetes      a word in the title
    migraine -aura      exclude a word (also: NOT aura)
    diabet*             words starting with "diabet"
    """
    from ..api import open_index

    text = " ".join(words)
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} ask for two formats; give one")
    fmt = "json" if as_json else fmt or "text"
    if explain:
        if fmt not in ("text", "json"):
            raise click.UsageError(f"--explain prints text or json, not {fmt}")
        explanation = open_index(index_dir).explain(text, limit=limit, expand=not no_expand, correct=not no_correct)
        if fmt == "json":
            click.echo(to_json(explanation.to_dict()))
        else:
            out = _terminal()
            print_explanation(explanation, out)
            out.flush()
        return
    results = open_index(index_dir).search(
        text, limit=limit, page=page, expand=not no_expand, correct=not no_correct, snippets=fmt in ("text", "json", "ndjson")
    )
    if count and not quiet:
        click.echo(results.total)
    elif not quiet:
        out = _terminal()
        print_results_as(results, fmt, limit, out)
        out.flush()
    if results.total == 0:
        sys.exit(EXIT_NO_MATCH)


@cli.command("eval")
@click.option("--queries", "queries_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Queries: BEIR queries.jsonl, or TSV 'id<TAB>text'.")
@click.option("--qrels", "qrels_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Judgments: BEIR qrels TSV, or TREC qrels.")
@index_option
@click.option("--run-out", type=click.Path(dir_okay=False, path_type=Path), help="Write the ranked results as a TREC run file.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Compare with this TREC run file (an earlier --run-out): per-query wins and a paired test.")
@click.option("--per-query", is_flag=True, help="Also print every query's figures.")
@click.option("--no-expand", is_flag=True, help="Evaluate without query expansion.")
@json_option
@library_errors
def eval_cmd(
    queries_file: Path, qrels_file: Path, index_dir: Path | None, run_out: Path | None, baseline_file: Path | None,
    per_query: bool, no_expand: bool, as_json: bool,
) -> None:
    """Score the index on judged queries: nDCG@10, recall@100, MRR@10.

    Exactly the queries in --queries that have judgments are scored, each through the same
    search as 'healthsearch query'; judged queries with no text are counted, not scored.

    \b
    healthsearch eval --queries q.jsonl --qrels test.tsv --run-out before.run
    healthsearch eval --queries q.jsonl --qrels test.tsv --baseline before.run --per-query
    """
    from ..api import open_index
    from ..evaluation import compare, evaluate, evaluate_index, read_qrels, read_queries, read_run, write_run

    queries, qrels = read_queries(queries_file), read_qrels(qrels_file)
    baseline_run = read_run(baseline_file) if baseline_file is not None else None
    metrics, run, failed = evaluate_index(open_index(index_dir), queries, qrels, expand=not no_expand)
    if run_out is not None:
        try:
            with open(run_out, "w", encoding="utf-8") as out:
                write_run(run, out)
        except OSError as exc:
            raise CliError(f"cannot write {run_out}: {exc.strerror or exc}", "check the path") from exc
    for qid, reason in failed.items():
        if reason != "no query text":
            logger.warning("query %s: %s", qid, reason)
    baseline = evaluate(baseline_run, {qid: qrels[qid] for qid in metrics.per_query}) if baseline_run is not None else None
    comparison = compare(metrics, baseline) if baseline is not None else None
    errors = len(failed) - metrics.without_text
    if as_json:
        data = {**metrics.to_dict(per_query=per_query), "failed": errors}
        if comparison is not None:
            data["baseline"] = comparison.to_dict()
        click.echo(to_json(data))
        return
    print_metrics(metrics, errors, baseline, comparison, per_query)

@cli.command("show")
@click.argument("article_id", metavar="ID")
@index_option
@json_option
@library_errors
def show_cmd(article_id: str, index_dir: Path | None, as_json: bool) -> None:
    """Print one indexed article, its links and the anchor text pointing at it.

    ID is the article's id (example.org/articles/anxiety, corpus/notes/a), its URL, or the
    path of the file it was read from.
    """
    from ..api import open_index

    ix = open_index(index_dir)
    article_id = ix.resolve(article_id)
    article = ix.get(article_id)
    anchors = ix.incoming_anchors(article_id)
    if as_json:
        click.echo(to_json({**article.to_dict(), "incoming_anchors": anchors}))
        return
    out = _terminal()
    print_article(article, anchors, out)
    out.flush()


@cli.command("check")
@index_option
@json_option
@library_errors
def check_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Verify every file of every generation of the index against its checksums.

    Exit code 0 when the index is intact, 1 when something is damaged (and what to do).
    """
    from ..api import check

    target = index_dir or default_index_dir()
    found = check(target)
    if as_json:
        click.echo(to_json(found.to_dict()))
    else:
        print_check(found, target)
    if not found.ok:
        sys.exit(EXIT_FAILED)


@cli.command("stats")
@index_option
@json_option
@library_errors
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """Print article count, index size and last build time."""
    from ..api import open_index

    stats = open_index(index_dir).stats()
    if as_json:
        click.echo(to_json(stats.to_dict()))
        return
    click.echo(terminal_text(f"index:       {stats.path}"))
    click.echo(f"articles:    {stats.articles}")
    click.echo(f"size:        {stats.size_bytes / 1024:.1f} KiB")
    click.echo(f"last build:  {stats.last_build or 'unknown'}")
    click.echo(f"versions:    schema {stats.schema_version}, analyzer {stats.analyzer_version}")
    click.echo(terminal_text(f"generation:  {stats.generation} (rollback: {stats.rollback_to or 'none kept'})"))


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
