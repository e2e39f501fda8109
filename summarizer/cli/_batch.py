"""The batch command: a task over a folder, with a progress bar, a plan for a dry run and a report."""

from __future__ import annotations

import asyncio
import enum
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .._batch import DEFAULT_CONCURRENCY, FolderBatch
from .._config import Settings
from .._job import DEFAULT_SUMMARY_WORDS, Job
from .._manifest import ManifestEntry
from .._summarizer import Summarizer
from ._exits import EXIT_FAILURE, EXIT_USAGE, configure_logging, errors_reported
from ._options import TargetLanguage, VerboseOption, with_backend_options


class TaskChoice(enum.StrEnum):
    """What a batch does with each article."""

    # Upper case: a member named `translate` would hide str.translate.
    BRIEF = "brief"
    TRANSLATE = "translate"
    SUMMARIZE = "summarize"


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
        int,
        typer.Option(
            "--concurrency", "-j", min=1, help="Articles in flight (each sends its translation chunks together)."
        ),
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
    configure_logging(verbose)
    job = Job(task=task.value, to=to.value, lang=lang.value, max_words=max_words)
    with errors_reported(verbose=verbose, input_code=EXIT_USAGE):
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
            from ._progress import print_plan  # noqa: PLC0415 - rich loads only for a batch

            print_plan(run.plan())
            return
        entries = asyncio.run(_run_batch(summarizer, run))
    for entry in entries:
        if entry.status == "failed":
            typer.echo(f"summarizer: failed: {entry.error}", err=True)
    from ._progress import print_report  # noqa: PLC0415 - rich loads only for a batch

    print_report(run, entries)
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
