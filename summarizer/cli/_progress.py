"""What the CLI shows on a terminal: a task's stage, a batch's progress bar, a dry run's plan, the closing report."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from .._batch import FolderBatch, PlannedArticle
from .._events import Progress as TaskProgress
from .._manifest import ManifestEntry


class BatchProgress:
    """A progress bar with done / failed / skipped counts, tokens spent and an ETA; nothing at all
    when disabled (output is not a terminal)."""

    def __init__(self, run: FolderBatch, *, enabled: bool) -> None:
        self.run = run
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._progress.add_task(run.job.task, total=len(run.inputs), counts=self._counts())

    def _counts(self) -> str:
        counts = self.run.counts
        return (
            f"done {counts['done']} · failed {counts['failed']} · skipped {counts['skipped']} · "
            f"{self.run.usage.total_tokens:,} tokens"
        )

    def advance(self, entry: ManifestEntry) -> None:
        """Count one more article."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, counts=self._counts())

    def __enter__(self) -> BatchProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def _plan_table(plan: list[PlannedArticle]) -> Table:
    """A dry run's plan: each article, what would happen, and the prompt tokens it would send."""
    table = Table(title="Dry run: nothing sent", title_justify="left")
    table.add_column("article")
    table.add_column("action")
    table.add_column("est. prompt tokens", justify="right")
    for article in plan:
        tokens = f"{article.estimated_prompt_tokens:,}" if article.action == "run" else ""
        table.add_row(article.input, article.error or article.action, tokens)
    to_run = [a for a in plan if a.action == "run"]
    total = sum(a.estimated_prompt_tokens for a in to_run)
    table.add_section()
    table.add_row(f"{len(to_run)} of {len(plan)} to run", "", f"{total:,}")
    return table


def _report_table(run: FolderBatch, entries: list[ManifestEntry]) -> Table:
    """The closing summary: articles per status, tokens, answers from the cache, where the manifest is."""
    table = Table(title=f"Batch {run.job.task}: {run.input_dir} -> {run.output_dir}", title_justify="left")
    table.add_column("")
    table.add_column("articles", justify="right")
    for status in ("done", "failed", "skipped", "not_started"):
        table.add_row(status.replace("_", " "), str(run.counts[status]))
    table.add_section()
    table.add_row("prompt tokens", f"{run.usage.prompt_tokens:,}")
    table.add_row("completion tokens", f"{run.usage.completion_tokens:,}")
    table.add_row("answers from the cache", str(sum(entry.cached_answers for entry in entries)))
    table.add_row("manifest", str(run.manifest_path))
    return table


def print_plan(plan: list[PlannedArticle]) -> None:
    """Print a dry run's plan on stdout."""
    Console(soft_wrap=True).print(_plan_table(plan))


def print_report(run: FolderBatch, entries: list[ManifestEntry]) -> None:
    """Print the closing summary of a run on stdout."""
    Console(soft_wrap=True).print(_report_table(run, entries))


class StageStatus:
    """One task's stage on a terminal: "a.txt on model: translating 1/2 · 14.2 tok/s"."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._status = Console(stderr=True).status(f"{label}…")

    def show(self, progress: TaskProgress) -> None:
        """Show where the task is now."""
        self._status.update(f"{self.label}: {progress}")

    def __enter__(self) -> StageStatus:
        self._status.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._status.stop()
