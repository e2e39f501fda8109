"""Many articles at once: outcomes as they finish, and folder runs that write each result atomically,
keep a manifest and resume where they stopped."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._concurrency import bounded
from ._config import fingerprint_settings
from ._errors import ConfigError, InputError, SummarizerError, Usage
from ._files import make_private_dirs, write_text_atomic
from ._job import Job, Result
from ._manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    Status,
    appending,
    compact_manifest,
    disowned,
    make_entry,
    read_manifest,
)
from ._prompts import load_prompt
from ._reading import HTML_SUFFIXES, article_text, read_article_bytes
from ._render import render_json, render_markdown
from ._summarizer import Summarizer

DEFAULT_CONCURRENCY = 4
"""Articles in flight at once (an article sends its translation chunks together)."""
ARTICLE_SUFFIXES = frozenset({".txt", ".md", *HTML_SUFFIXES})
RESULT_FORMAT = 3
"""Bumped when result files change shape, so that a resumed run redoes older ones."""


@dataclass(frozen=True)
class BatchResult:
    """One article's outcome from `abatch`: its result, or the error that stopped it."""

    name: str
    result: Result | None = None
    error: SummarizerError | None = None


async def abatch(
    summarizer: Summarizer,
    articles: Iterable[tuple[str, str]],
    job: Job | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AsyncIterator[BatchResult]:
    """Run `job` (a brief by default) on (name, text) pairs, `concurrency` at a time, and yield each
    outcome as it finishes. A failed article is yielded with its error; the others go on."""
    chosen = job or Job()
    _check_concurrency(concurrency)

    async def one(article: tuple[str, str]) -> BatchResult:
        name, text = article
        try:
            return BatchResult(name, result=await summarizer.arun(chosen, text, name=name))
        except SummarizerError as exc:
            return BatchResult(name, error=exc)

    outcomes = bounded(articles, one, concurrency)
    async with contextlib.aclosing(outcomes):
        async for outcome in outcomes:
            yield outcome


def _check_concurrency(concurrency: int) -> None:
    if concurrency < 1:
        raise ConfigError(f"concurrency: at least 1, got {concurrency}")


@dataclass(frozen=True)
class PlannedArticle:
    """What a run would do with one article (see `FolderBatch.plan`)."""

    input: str
    action: Literal["run", "skip", "fail"]
    estimated_prompt_tokens: int = 0
    error: str | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def result_fingerprint(summarizer: Summarizer, job: Job) -> str:
    """What must match for an earlier result to stand: model, prompts, task, options, glossary."""
    settings = summarizer.settings
    prompts = {}
    for name in job.prompt_names:
        prompt = load_prompt(name, settings.prompts_dir)
        prompts[name] = [prompt.label, prompt.system.template, prompt.user.template]
    material = {
        "format": RESULT_FORMAT,
        **fingerprint_settings(settings),
        "job": job.options,
        "prompts": prompts,
        "glossary": summarizer.glossary.terms,
    }
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return _sha256(encoded.encode("utf-8"))[:16]


def write_results(output_dir: Path, names: tuple[str, str], result: Result) -> list[str]:
    """Write a result's files under `output_dir` (JSON, then Markdown, at `names`), each whole or not at all."""
    try:
        for name, text in zip(names, (render_json(result), render_markdown(result)), strict=True):
            target = output_dir / name
            make_private_dirs(target.parent)
            # No fsync per file: a resumed run redoes any result a power loss left empty.
            write_text_atomic(target, text, durable=False)
    except OSError as exc:
        raise InputError(str(output_dir / names[0]), f"cannot be written: {exc.strerror or exc}") from None
    return list(names)


class FolderBatch:
    """A job over a folder of articles (.txt, .md, .html): each result written as JSON and Markdown
    under the same relative path in the output folder, a JSONL manifest beside them, and resume.

    A re-run skips an article whose outputs exist for the same file content and the same
    configuration, and redoes the rest. Results are written atomically, then recorded in the
    manifest, so an interrupted run leaves whole files only and its resume ends where a clean run
    would.
    """

    def __init__(
        self,
        summarizer: Summarizer,
        input_dir: Path,
        output_dir: Path,
        job: Job | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        recursive: bool = False,
        pattern: str = "*",
        fail_fast: bool = False,
        max_tokens: int | None = None,
    ) -> None:
        _check_concurrency(concurrency)
        if max_tokens is not None and max_tokens < 1:
            raise ConfigError(f"max tokens: at least 1, got {max_tokens}")
        if not input_dir.is_dir():
            raise InputError(str(input_dir), "is not a folder" if input_dir.exists() else "no such folder")
        self.summarizer = summarizer
        self.input_dir = input_dir
        self.output_dir = output_dir
        self.job = job or Job()
        self.concurrency = concurrency
        self.fail_fast = fail_fast
        self.max_tokens = max_tokens
        summarizer.open_cache()  # a cache that cannot be opened is bad usage, not a failure per article
        self.inputs = self._discover(recursive, pattern)
        self.config = result_fingerprint(summarizer, self.job)
        self.previous = read_manifest(self.manifest_path)
        # Which input each result file belongs to, so that one written for another input is not
        # taken for its own by a later resume (`b.txt` and `b.md` both write `b.json`).
        self._owners = {name: entry.input for entry in self.previous.values() for name in entry.outputs}
        self.usage = Usage()
        self.counts: dict[Status, int] = {"done": 0, "failed": 0, "skipped": 0, "not_started": 0}
        self._outputs = self._output_names()

    @property
    def manifest_path(self) -> Path:
        """The JSONL manifest in the output folder."""
        return self.output_dir / MANIFEST_NAME

    # -- planning ------------------------------------------------------------------------------

    def _discover(self, recursive: bool, pattern: str) -> list[Path]:
        found = self.input_dir.rglob(pattern) if recursive else self.input_dir.glob(pattern)
        output = self.output_dir.resolve()
        inputs = []
        for path in found:
            relative = path.relative_to(self.input_dir)
            if any(part.startswith(".") for part in relative.parts):
                continue  # hidden files and folders: editors' swap files, .git, our own temp files
            if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
                continue
            if path.resolve().is_relative_to(output):
                continue
            inputs.append(path)
        if not inputs:
            kinds = ", ".join(sorted(ARTICLE_SUFFIXES))
            raise InputError(str(self.input_dir), f"holds no article files ({kinds}) matching {pattern!r}")
        return sorted(inputs)

    def _output_names(self) -> dict[Path, tuple[str, str]]:
        """JSON and Markdown result names per input: `a/b.txt` -> `a/b.json`, `a/b.md`; two inputs
        with one stem (`b.txt`, `b.html`) keep their suffix (`b.txt.json`) so neither overwrites."""
        stems: dict[Path, int] = {}
        for path in self.inputs:
            stem = path.relative_to(self.input_dir).with_suffix("")
            stems[stem] = stems.get(stem, 0) + 1
        names = {}
        for path in self.inputs:
            relative = path.relative_to(self.input_dir)
            base = relative.with_suffix("") if stems[relative.with_suffix("")] == 1 else relative
            names[path] = (f"{base.as_posix()}.json", f"{base.as_posix()}.md")
        return names

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.input_dir).as_posix()

    def _reusable(self, path: Path, content_hash: str) -> ManifestEntry | None:
        """The earlier entry whose outputs stand for this content and configuration, if any."""
        entry = self.previous.get(self._relative(path))
        if entry is None or entry.status not in ("done", "skipped"):
            return None
        if entry.content_hash != content_hash or entry.config != self.config:
            return None
        if entry.outputs != list(self._outputs[path]):
            return None  # the selection changed the names: another input may own these files now
        if not all(_has_content(self.output_dir / name) for name in entry.outputs):
            return None
        return entry

    def plan(self) -> list[PlannedArticle]:
        """What `run` would do, without a request: run, skip (up to date) or fail (unreadable), and
        the prompt tokens each article to run would send if no answer needed a re-ask."""
        planned = []
        for path in self.inputs:
            relative = self._relative(path)
            try:
                data = read_article_bytes(path)
                if self._reusable(path, _sha256(data)) is not None:
                    planned.append(PlannedArticle(relative, "skip"))
                    continue
                text = article_text(data, str(path), html=path.suffix.lower() in HTML_SUFFIXES)
                tokens = self.summarizer.estimate_prompt_tokens(self.job, text, name=str(path))
                planned.append(PlannedArticle(relative, "run", tokens))
            except SummarizerError as exc:
                planned.append(PlannedArticle(relative, "fail", error=one_line_error(exc, str(path))))
        return planned

    # -- running -------------------------------------------------------------------------------

    def _prepare_output(self) -> None:
        try:
            make_private_dirs(self.output_dir)
            probe = self.output_dir / f".summarizer-write-check-{os.getpid()}"
            probe.touch()
            probe.unlink()
        except OSError as exc:
            raise InputError(str(self.output_dir), f"cannot be written: {exc.strerror or exc}") from None

    def _stop_reason(self) -> str | None:
        if self.fail_fast and self.counts["failed"]:
            return "not started: stopped after the first failure (--fail-fast)"
        if self.max_tokens is not None and self.usage.total_tokens >= self.max_tokens:
            return f"not started: the budget of {self.max_tokens:,} tokens was spent"
        return None

    async def run(self) -> AsyncIterator[ManifestEntry]:
        """Run the job on every article, `concurrency` at a time; yield each entry as it is recorded.

        Articles left when `--fail-fast` or the token budget stops the run are yielded last, as
        not started. The manifest is rewritten with one line per article at the end, even when
        the run is interrupted.
        """
        self._prepare_output()
        recorded: dict[str, ManifestEntry] = {}
        with appending(self.manifest_path) as append:

            def record(entry: ManifestEntry) -> ManifestEntry:
                append(entry)
                recorded[entry.input] = entry
                if entry.status == "done":
                    self._claim(entry)
                self.counts[entry.status] += 1
                self.usage += Usage(entry.prompt_tokens, entry.completion_tokens)
                return entry

            async def process(path: Path) -> ManifestEntry:
                return record(await self._process(path))

            try:
                entries = bounded(self.inputs, process, self.concurrency, lambda: bool(self._stop_reason()))
                async with contextlib.aclosing(entries):
                    async for entry in entries:
                        yield entry
                reason = self._stop_reason()
                for path in self.inputs:
                    if self._relative(path) not in recorded:
                        yield record(self._unreached(path, reason))
            finally:
                # The latest entry per article: this run's, else the earlier one (articles this run
                # did not reach, and articles outside its selection).
                compact_manifest(self.manifest_path, {**self.previous, **recorded})

    def _claim(self, entry: ManifestEntry) -> None:
        """Make `entry` the owner of its result files; an earlier owner loses its claim to them."""
        for name in entry.outputs:
            owner = self._owners.get(name)
            if owner is not None and owner != entry.input and owner in self.previous:
                self.previous[owner] = disowned(self.previous[owner], by=entry.input)
            self._owners[name] = entry.input

    def _unreached(self, path: Path, reason: str | None) -> ManifestEntry:
        """An article the run stopped before: up to date (skipped), or not started."""
        relative = self._relative(path)
        try:
            content_hash = _sha256(read_article_bytes(path))
        except SummarizerError:
            content_hash = None
        skipped = self._skipped(path, content_hash) if content_hash else None
        if skipped is not None:
            return skipped
        return make_entry(relative, "not_started", content_hash, self.config, error=reason)

    def _skipped(self, path: Path, content_hash: str) -> ManifestEntry | None:
        """A skipped entry, if earlier outputs stand for this content and configuration."""
        earlier = self._reusable(path, content_hash)
        if earlier is None:
            return None
        return make_entry(self._relative(path), "skipped", content_hash, self.config, outputs=earlier.outputs)

    async def _process(self, path: Path) -> ManifestEntry:
        relative = self._relative(path)
        name = str(path)
        started = time.perf_counter()
        content_hash = None
        try:
            data = read_article_bytes(path)
            content_hash = _sha256(data)
            skipped = self._skipped(path, content_hash)
            if skipped is not None:
                return skipped
            text = article_text(data, name, html=path.suffix.lower() in HTML_SUFFIXES)
            result = await self.summarizer.arun(self.job, text, name=name)
        except SummarizerError as exc:
            return make_entry(
                relative,
                "failed",
                content_hash,
                self.config,
                prompt_tokens=exc.task_usage.prompt_tokens,
                completion_tokens=exc.task_usage.completion_tokens,
                attempts=exc.task_attempts,
                seconds=round(time.perf_counter() - started, 3),
                error=one_line_error(exc, name),
            )
        meta = result.meta
        spent: dict[str, Any] = {
            "prompt_tokens": meta.usage.prompt_tokens,
            "completion_tokens": meta.usage.completion_tokens,
            "attempts": meta.attempts,
            "cached_answers": meta.cached_answers,
        }
        try:
            outputs = self._write(path, result)
        except InputError as exc:
            # The answers were paid for: their tokens count, even though the result is lost.
            seconds = round(time.perf_counter() - started, 3)
            error = one_line_error(exc, name)
            return make_entry(relative, "failed", content_hash, self.config, seconds=seconds, error=error, **spent)
        seconds = round(time.perf_counter() - started, 3)
        return make_entry(relative, "done", content_hash, self.config, outputs=outputs, seconds=seconds, **spent)

    def _write(self, path: Path, result: Result) -> list[str]:
        return write_results(self.output_dir, self._outputs[path], result)


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def one_line_error(exc: SummarizerError, name: str) -> str:
    """The error as one line that names the file."""
    message = " ".join(str(exc).split())
    return message if isinstance(exc, InputError) else f"{name}: {message}"
