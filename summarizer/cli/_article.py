"""The commands on one article: brief, translate and summarize it, or check a result against it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .._config import Settings
from .._events import ProgressHandler
from .._factcheck import check_result
from .._files import check_writable, write_text_atomic
from .._hygiene import clean_article
from .._job import DEFAULT_SUMMARY_WORDS
from .._reading import read_article, read_stream
from .._render import render_json, render_markdown
from .._results import Brief, Summary, Translation, read_result
from .._summarizer import Summarizer
from ._exits import EXIT_FAILURE, configure_logging, errors_reported, fail
from ._options import (
    ArticleArgument,
    FormatOption,
    OutputFormat,
    OutputOption,
    TargetLanguage,
    VerboseOption,
    with_backend_options,
)

STDIN_NAME = "-"
STDIN_LABEL = "<stdin>"


def _choose_format(chosen: OutputFormat | None, output: Path | None) -> OutputFormat:
    if chosen is not None:
        return chosen
    if output is not None:
        return OutputFormat.markdown if output.suffix.lower() in {".md", ".markdown"} else OutputFormat.json
    return OutputFormat.markdown if sys.stdout.isatty() else OutputFormat.json


@contextmanager
def _stage_status(label: str) -> Iterator[ProgressHandler | None]:
    """A spinner on stderr with the task's stage and the model's speed, on a terminal only."""
    if not sys.stderr.isatty():
        yield None
        return
    from ._progress import StageStatus  # noqa: PLC0415 - rich loads only when a terminal shows a spinner

    with StageStatus(label) as status:
        yield status.show


def _cannot_write(output: Path, exc: OSError) -> NoReturn:
    fail(f"{output}: cannot write the result: {exc.strerror or exc}", EXIT_FAILURE)


def _emit(result: Brief | Summary | Translation, fmt: OutputFormat, output: Path | None) -> None:
    text = render_json(result) if fmt is OutputFormat.json else render_markdown(result)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        _cannot_write(output, exc)


def _run_task(
    article: str,
    settings: Settings,
    fmt: OutputFormat | None,
    output: Path | None,
    verbose: bool,
    task: Callable[[Summarizer, str, str], Brief | Summary | Translation],
) -> None:
    configure_logging(verbose)
    name = STDIN_LABEL if article == STDIN_NAME else article
    if output is not None:
        try:
            check_writable(output)
        except OSError as exc:
            _cannot_write(output, exc)
    with errors_reported(name, verbose=verbose):
        text = read_stream(sys.stdin.buffer) if article == STDIN_NAME else read_article(article)
        with (
            _stage_status(f"{name} on {settings.model}") as status,
            Summarizer(settings, progress=status) as summarizer,
        ):
            result = task(summarizer, text, name)
        _emit(result, _choose_format(fmt, output), output)


@with_backend_options
def brief(
    article: ArticleArgument,
    fmt: FormatOption = None,
    output: OutputOption = None,
    verbose: VerboseOption = False,
    *,
    settings: Settings,
) -> None:
    """An English brief of a Vietnamese or English news article."""
    _run_task(article, settings, fmt, output, verbose, lambda s, text, name: s.brief(text, name=name))


@with_backend_options
def translate(
    article: ArticleArgument,
    to: Annotated[TargetLanguage, typer.Option("--to", help="Target language.")] = TargetLanguage.en,
    fmt: FormatOption = None,
    output: OutputOption = None,
    verbose: VerboseOption = False,
    *,
    settings: Settings,
) -> None:
    """Translate an article paragraph by paragraph (vi to en, or en to vi)."""
    _run_task(article, settings, fmt, output, verbose, lambda s, text, name: s.translate(text, to=to.value, name=name))


@with_backend_options
def summarize(
    article: ArticleArgument,
    lang: Annotated[TargetLanguage, typer.Option("--lang", help="Language of the summary.")] = TargetLanguage.en,
    max_words: Annotated[int, typer.Option("--max-words", min=20, help="Longest summary paragraph.")] = (
        DEFAULT_SUMMARY_WORDS
    ),
    fmt: FormatOption = None,
    output: OutputOption = None,
    verbose: VerboseOption = False,
    *,
    settings: Settings,
) -> None:
    """A structured summary (title, lead, summary, key points) in the language asked for."""
    _run_task(
        article,
        settings,
        fmt,
        output,
        verbose,
        lambda s, text, name: s.summarize(text, lang=lang.value, max_words=max_words, name=name),
    )


def check(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="The article the result was made from.")],
    result_file: Annotated[
        Path, typer.Argument(metavar="RESULT.json", help="A brief, translation or summary in JSON.")
    ],
) -> None:
    """Hold a result to its source: every figure and name must come from the article.

    Exit code 0 when nothing contradicts the source, 1 when something does, 3 for unreadable input.
    """
    with errors_reported():
        article = clean_article(read_article(source), str(source))
        report = check_result(article, read_result(result_file))
    for problem in report.problems:
        typer.echo(f"{result_file}: {problem}")
    for note in report.notes:
        typer.echo(f"{result_file}: note: {note}")
    if not report.passed:
        typer.echo(f"summarizer: check failed: {len(report.problems)} problem(s) in {result_file}", err=True)
        raise typer.Exit(EXIT_FAILURE)
    typer.echo(f"{result_file}: every figure and name comes from {source}")
