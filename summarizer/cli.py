"""The `summarizer` command: parses options, calls the library, prints results and one-line errors."""

from __future__ import annotations

import asyncio
import enum
import functools
import inspect
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn, Optional, TypeVar, cast, get_type_hints

import typer

from . import __version__
from ._api import DEFAULT_SUMMARY_WORDS, Job, Summarizer
from ._batch import DEFAULT_CONCURRENCY, FolderBatch, PlannedArticle
from ._config import (
    DEFAULT_CONTEXT_TOKENS,
    EMBEDDED_MODEL,
    ENV_BASE_URL,
    ENV_MODEL,
    SETTINGS,
    Settings,
    resolve_settings,
)
from ._embedded import LocalServer, ensure_model
from ._errors import BackendError, ConfigError, InputError, OutputValidationError, SummarizerError
from ._factcheck import check_result, read_result
from ._files import check_writable, write_text_atomic
from ._hygiene import clean_article
from ._manifest import ManifestEntry
from ._reading import read_article, read_stream
from ._render import render_json, render_markdown
from ._schema import Brief, Summary, Translation
from ._setting import Setting

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_BACKEND = 4
EXIT_OUTPUT = 5
EXIT_INTERRUPTED = 130
STDIN_NAME = "-"
STDIN_LABEL = "<stdin>"

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="summarizer",
    rich_markup_mode=None,
    help="Vietnamese news articles into English briefs, translations and summaries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
local_app = typer.Typer(help="The embedded llama.cpp server and its model.", no_args_is_help=True)
app.add_typer(local_app, name="local")


class OutputFormat(enum.StrEnum):
    """How results are printed."""

    markdown = "markdown"
    json = "json"


class TargetLanguage(enum.StrEnum):
    """Languages a result can be written in."""

    en = "en"
    vi = "vi"


def _choice_type(setting: Setting[Any]) -> type[enum.StrEnum]:
    """An enum of the setting's choices, as typer takes choices."""
    members = [(choice, choice) for choice in setting.choices]
    # mypy reads the functional enum API as a member lookup.
    return cast(type[enum.StrEnum], enum.StrEnum(f"{setting.name.title()}Choice", members))


def _backend_parameters() -> list[inspect.Parameter]:
    """The options of every declared setting that has flags, in the order they are declared."""
    parameters = []
    for setting in SETTINGS:
        if not setting.flags:
            continue
        value_type = _choice_type(setting) if setting.choices else setting.value_type
        option = typer.Option(
            None,
            *setting.flags,
            envvar=setting.env if setting.cli_envvar else None,
            # The default is the declaration's, which the help says; None only means "not given".
            show_default=False,
            help=setting.help,
        )
        parameters.append(inspect.Parameter(setting.name, _KEYWORD, default=option, annotation=value_type | None))
        if setting.off_flag:
            off = typer.Option(False, setting.off_flag, help=setting.off_help)
            parameters.append(inspect.Parameter(f"no_{setting.name}", _KEYWORD, default=off, annotation=bool))
    return parameters


_KEYWORD = inspect.Parameter.KEYWORD_ONLY
_BACKEND_PARAMETERS = _backend_parameters()


def _arguments(options: dict[str, Any]) -> dict[str, Any]:
    """Take the backend options out of a command's `options`, as `resolve_settings` arguments."""
    arguments = {}
    for setting in SETTINGS:
        if not setting.flags:
            continue
        value = options.pop(setting.name)
        arguments[setting.name] = value.value if isinstance(value, enum.Enum) else value
        if setting.off_flag and options.pop(f"no_{setting.name}"):
            arguments[setting.name] = False
    return arguments


def with_backend_options(command: F) -> F:
    """Give `command` the shared backend options; it receives them resolved as `settings`."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    own = [p.replace(annotation=hints[p.name]) for p in signature.parameters.values() if p.name != "settings"]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        arguments = _arguments(kwargs)
        with _errors_reported(kwargs.get("article")):
            settings = resolve_settings(**arguments)
        return command(**kwargs, settings=settings)

    parameters = [*own, *_BACKEND_PARAMETERS]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]


ArticleArgument = Annotated[str, typer.Argument(metavar="ARTICLE", help="Article file, or - for standard input.")]
FormatOption = Annotated[
    Optional[OutputFormat],
    typer.Option("--format", "-f", help="markdown or json [markdown on a terminal and for .md, else json]."),
]
OutputOption = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.")
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress and the last invalid answer.")]


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"summarizer: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def _errors_reported(
    article: str | None = None, *, verbose: bool = False, input_code: int = EXIT_INPUT
) -> Iterator[None]:
    """Turn library errors into one line on stderr and a documented exit code."""
    try:
        yield
    except InputError as exc:
        _fail(str(exc), input_code)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
    except BackendError as exc:
        _fail(f"{article}: {exc}" if article else str(exc), EXIT_BACKEND)
    except OutputValidationError as exc:
        if verbose and exc.last_output:
            typer.echo(f"last answer from the model:\n{exc.last_output}", err=True)
        _fail(f"{article}: {exc}" if article else str(exc), EXIT_OUTPUT)
    except SummarizerError as exc:
        _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)


def _choose_format(chosen: OutputFormat | None, output: Path | None) -> OutputFormat:
    if chosen is not None:
        return chosen
    if output is not None:
        return OutputFormat.markdown if output.suffix.lower() in {".md", ".markdown"} else OutputFormat.json
    return OutputFormat.markdown if sys.stdout.isatty() else OutputFormat.json


def _status(message: str) -> Any:
    if not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console  # noqa: PLC0415 - rich loads only when a terminal shows a spinner

    return Console(stderr=True).status(message)


def _emit(result: Brief | Summary | Translation, fmt: OutputFormat, output: Path | None) -> None:
    text = render_json(result) if fmt is OutputFormat.json else render_markdown(result)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        _fail(f"{output}: cannot write the result: {exc.strerror or exc}", EXIT_FAILURE)


def _run_task(
    article: str,
    settings: Settings,
    fmt: OutputFormat | None,
    output: Path | None,
    verbose: bool,
    task: Callable[[Summarizer, str, str], Brief | Summary | Translation],
) -> None:
    _configure_logging(verbose)
    name = STDIN_LABEL if article == STDIN_NAME else article
    if output is not None:
        try:
            check_writable(output)
        except OSError as exc:
            _fail(f"{output}: cannot write the result: {exc.strerror or exc}", EXIT_FAILURE)
    with _errors_reported(name, verbose=verbose):
        text = read_stream(sys.stdin.buffer) if article == STDIN_NAME else read_article(article)
        with Summarizer(settings) as summarizer, _status(f"{name} on {settings.model}…"):
            result = task(summarizer, text, name)
        _emit(result, _choose_format(fmt, output), output)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="summarizer: %(message)s")
    if not verbose:
        # instructor logs every failed attempt at ERROR; the CLI reports the outcome once instead.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)


@app.command()
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


@app.command()
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


@app.command()
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


class TaskChoice(enum.StrEnum):
    """What a batch does with each article."""

    # Upper case: a member named `translate` would hide str.translate.
    BRIEF = "brief"
    TRANSLATE = "translate"
    SUMMARIZE = "summarize"


@app.command()
@with_backend_options
def batch(
    input_dir: Annotated[Path, typer.Argument(metavar="INPUT_DIR", help="Folder of .txt, .md and .html articles.")],
    output_dir: Annotated[
        Path, typer.Option("--output", "-o", metavar="OUT_DIR", help="Where results and manifest.jsonl go.")
    ],
    task: Annotated[TaskChoice, typer.Option("--task", help="What to make of each article.")] = TaskChoice.BRIEF,
    to: Annotated[TargetLanguage, typer.Option("--to", help="Target language (translate).")] = TargetLanguage.en,
    lang: Annotated[TargetLanguage, typer.Option("--lang", help="Summary language (summarize).")] = (TargetLanguage.en),
    max_words: Annotated[int, typer.Option("--max-words", min=20, help="Longest summary paragraph (summarize).")] = (
        DEFAULT_SUMMARY_WORDS
    ),
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", min=1, help="Articles in flight (one request each).")
    ] = DEFAULT_CONCURRENCY,
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Include sub-folders.")] = False,
    pattern: Annotated[str, typer.Option("--glob", help="Only files whose name matches this pattern.")] = "*",
    fail_fast: Annotated[
        bool, typer.Option("--fail-fast", help="Start no article after the first failure (those in flight finish).")
    ] = False,
    max_tokens: Annotated[
        Optional[int],
        typer.Option("--max-tokens", min=1, help="Start no article once this many tokens are spent."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would run and estimate prompt tokens; send nothing.")
    ] = False,
    verbose: VerboseOption = False,
    *,
    settings: Settings,
) -> None:
    """Run a task over a folder: results as JSON and Markdown, a manifest, and resume on re-run.

    Exit code 0 when every article is done or up to date, 1 when any failed or was not started,
    2 for bad usage.
    """
    _configure_logging(verbose)
    job = Job(task=task.value, to=to.value, lang=lang.value, max_words=max_words)
    with _errors_reported(verbose=verbose, input_code=EXIT_USAGE):
        summarizer = Summarizer(settings)
        run = FolderBatch(
            summarizer,
            input_dir,
            output_dir,
            job,
            concurrency=concurrency,
            recursive=recursive,
            pattern=pattern,
            fail_fast=fail_fast,
            max_tokens=max_tokens,
        )
        if dry_run:
            _print_plan(run.plan())
            return
        entries = asyncio.run(_run_batch(summarizer, run))
    _print_batch_report(run, entries)
    if run.counts["failed"] or run.counts["not_started"]:
        raise typer.Exit(EXIT_FAILURE)


async def _run_batch(summarizer: Summarizer, run: FolderBatch) -> list[ManifestEntry]:
    from ._progress import BatchProgress  # noqa: PLC0415 - rich loads only for a batch

    entries = []
    async with summarizer:
        with BatchProgress(run, enabled=sys.stderr.isatty()) as progress:
            async for entry in run.run():
                entries.append(entry)
                progress.advance(entry)
    return entries


def _print_plan(plan: list[PlannedArticle]) -> None:
    from ._progress import plan_table  # noqa: PLC0415 - rich loads only for a batch

    _print_table(plan_table(plan))


def _print_batch_report(run: FolderBatch, entries: list[ManifestEntry]) -> None:
    from ._progress import report_table  # noqa: PLC0415 - rich loads only for a batch

    for entry in entries:
        if entry.status == "failed":
            typer.echo(f"summarizer: failed: {entry.error}", err=True)
    _print_table(report_table(run, entries))


def _print_table(table: Any) -> None:
    from rich.console import Console  # noqa: PLC0415 - rich loads only for a table

    Console(soft_wrap=True).print(table)


@app.command()
def check(
    source: Annotated[Path, typer.Argument(metavar="SOURCE", help="The article the result was made from.")],
    result_file: Annotated[
        Path, typer.Argument(metavar="RESULT.json", help="A brief, translation or summary in JSON.")
    ],
) -> None:
    """Hold a result to its source: every figure and name must come from the article.

    Exit code 0 when nothing contradicts the source, 1 when something does, 3 for unreadable input.
    """
    with _errors_reported():
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


@local_app.command("serve")
def local_serve(
    port: Annotated[Optional[int], typer.Option("--port", help="Port on 127.0.0.1 [a free one].")] = None,
    context_tokens: Annotated[int, typer.Option("--context-tokens", help="Context window.")] = DEFAULT_CONTEXT_TOKENS,
    verbose: VerboseOption = False,
) -> None:
    """Run the embedded server until Ctrl-C, for repeated use with --base-url."""
    _configure_logging(verbose)
    server = LocalServer(port=port, context_tokens=context_tokens)
    with _errors_reported():
        server.start()
    typer.echo(f"serving {EMBEDDED_MODEL} at {server.base_url} (Ctrl-C stops it)", err=True)
    typer.echo(f"export {ENV_BASE_URL}={server.base_url} {ENV_MODEL}={EMBEDDED_MODEL}")
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@local_app.command("model")
def local_model() -> None:
    """Assemble and verify the embedded model file (size and SHA-256); print its path."""
    with _errors_reported():
        typer.echo(str(ensure_model()))


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Vietnamese news articles into English briefs, translations and summaries."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so `with` blocks stop the embedded server.
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
