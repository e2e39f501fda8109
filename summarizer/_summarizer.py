"""The Summarizer: the library's entry point for briefs, translations and summaries.

It holds the lifecycle (backend, embedded server, response cache) and the public methods; the tasks
themselves are the stages in `_pipeline`, driven by `_driver`'s stepper. The sync and async twins
differ only in the line that sends a request.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from pydantic import BaseModel

from ._backend import ChatBackend, Completion
from ._cache import ResponseCache
from ._concurrency import side_by_side_in_tasks, side_by_side_in_threads
from ._config import Settings, resolve_settings
from ._driver import Outcome, Tally, Task, TaskRun
from ._embedded import LocalServer
from ._errors import BackendError, ConfigError, InputError, OutputValidationError, SummarizerError, Usage
from ._events import ProgressHandler
from ._glossary import DEFAULT_GLOSSARY, Glossary, load_glossary
from ._job import DEFAULT_SUMMARY_WORDS, MIN_SUMMARY_WORDS, Job, Result
from ._pipeline import (
    Env,
    Notes,
    Request,
    brief_steps,
    read_article,
    request_tokens,
    stand_in,
    summary_steps,
    translation_steps,
)
from ._results import Brief, Summary, Translation
from ._text import LANGUAGE_NAMES, Language

ResultT = TypeVar("ResultT", bound=BaseModel)


class Summarizer:
    """Turns news articles into English briefs, translations and summaries.

    Settings come from the arguments, else the environment, else the defaults (see
    `resolve_settings`). With no endpoint configured, the embedded llama.cpp server is started on
    first use and stopped by `close()`: use the Summarizer as a context manager. `progress`, if
    given, is told each task's stage as it runs (reading, translating 1/2, writing, checking).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        glossary: Glossary | str | os.PathLike[str] | None = None,
        progress: ProgressHandler | None = None,
        **options: Any,
    ) -> None:
        if isinstance(glossary, (str, os.PathLike)):
            # Loaded here, not through the settings: a `settings` given as well must not drop it.
            glossary = load_glossary(Path(glossary).expanduser())
        self.settings = settings if settings is not None else resolve_settings(**options)
        if glossary is None:
            path = self.settings.glossary_path
            glossary = load_glossary(path) if path is not None else DEFAULT_GLOSSARY
        self.glossary = glossary
        self.progress = progress
        self._env = Env.of(self.settings, glossary)
        self._backend: ChatBackend | None = None
        self._server: LocalServer | None = None
        self._cache: ResponseCache | None = None
        self._cache_opened = False
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------

    def _ready_backend(self) -> ChatBackend:
        with self._lock:
            if self._backend is None:
                base_url = self.settings.base_url
                if base_url is None:
                    self._server = LocalServer(context_tokens=self.settings.context_tokens)
                    base_url = self._server.start()
                self._backend = ChatBackend(self.settings, base_url)
            return self._backend

    async def aprepare(self) -> None:
        """Start the embedded server (if it is the backend) and make the HTTP client now, not
        inside the first request: a batch then starts all its articles at full speed."""
        if self._backend is None:
            await asyncio.to_thread(self._ready_async_backend)

    def _ready_async_backend(self) -> ChatBackend:
        backend = self._ready_backend()
        backend.prepare_async()
        return backend

    def open_cache(self) -> None:
        """Open the response cache now (ConfigError if it cannot be), rather than on first use."""
        self._ready_cache()

    def _ready_cache(self) -> ResponseCache | None:
        with self._lock:
            if not self._cache_opened and self.settings.cache_path is not None:
                self._cache = ResponseCache(self.settings.cache_path)
            self._cache_opened = True
            return self._cache

    def close(self) -> None:
        """Stop the embedded server if this Summarizer started one; close connections and the cache."""
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._cache is not None:
                self._cache.close()
                self._cache = None
            self._cache_opened = False

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Summarizer:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._backend is not None:
            await self._backend.aclose()
        await asyncio.to_thread(self.close)

    # -- public tasks --------------------------------------------------------------------------

    def brief(self, text: str, *, name: str = "<text>") -> Brief:
        """An English brief of `text` (Vietnamese or English)."""
        return self._run(self._brief_task(text, name))

    async def abrief(self, text: str, *, name: str = "<text>") -> Brief:
        """The async twin of `brief`."""
        return await self._arun(self._brief_task(text, name))

    def translate(self, text: str, *, to: Language, name: str = "<text>") -> Translation:
        """`text` translated into `to`, paragraph by paragraph, count and order kept."""
        return self._run(self._translate_task(text, to, name))

    async def atranslate(self, text: str, *, to: Language, name: str = "<text>") -> Translation:
        """The async twin of `translate`."""
        return await self._arun(self._translate_task(text, to, name))

    def summarize(
        self, text: str, *, lang: Language, max_words: int = DEFAULT_SUMMARY_WORDS, name: str = "<text>"
    ) -> Summary:
        """A structured summary of `text` written in `lang`."""
        return self._run(self._summarize_task(text, lang, max_words, name))

    async def asummarize(
        self, text: str, *, lang: Language, max_words: int = DEFAULT_SUMMARY_WORDS, name: str = "<text>"
    ) -> Summary:
        """The async twin of `summarize`."""
        return await self._arun(self._summarize_task(text, lang, max_words, name))

    def run(self, job: Job, text: str, *, name: str = "<text>") -> Result:
        """Run `job`'s task on `text`."""
        result: Result = self._run(self._job_task(job, text, name))
        return result

    async def arun(self, job: Job, text: str, *, name: str = "<text>") -> Result:
        """The async twin of `run`."""
        result: Result = await self._arun(self._job_task(job, text, name))
        return result

    def estimate_prompt_tokens(self, job: Job, text: str, *, name: str = "<text>") -> int:
        """About how many prompt tokens `job` would send for `text` if no answer needed a re-ask,
        found without a request: the task runs with its source text standing in for each answer."""
        run = TaskRun(self._job_task(job, text, name), self.settings, cache=None)
        total = 0
        while requests := run.pending():
            total += sum(request_tokens(request.messages, request.response_model) for request in requests)
            run.feed(requests, [Completion(value=stand_in(request), usage=Usage(), attempts=0) for request in requests])
        return total

    # -- drivers: one stepper, two ways to send ------------------------------------------------

    def _run(self, task: Task[ResultT]) -> ResultT:
        run = TaskRun(task, self.settings, self._opened_cache(), self.progress)
        with self._reported(run.tally):
            while requests := run.pending():
                run.feed(requests, self._send_all(requests))
            return run.result()

    async def _arun(self, task: Task[ResultT]) -> ResultT:
        run = TaskRun(task, self.settings, self._opened_cache(), self.progress)
        with self._reported(run.tally):
            while requests := run.pending():
                run.feed(requests, await self._asend_all(requests))
            return run.result()

    def _send_all(self, requests: list[Request[Any]]) -> list[Outcome]:
        """The outcomes of `requests`, sent at once (each on its own thread when there are several)."""
        backend = self._ready_backend()

        def send(request: Request[Any]) -> Outcome:
            try:
                return backend.complete(
                    request.response_model, request.messages, context=request.checks, reasks=request.reasks
                )
            except OutputValidationError as exc:
                return exc

        return side_by_side_in_threads(send, requests)

    async def _asend_all(self, requests: list[Request[Any]]) -> list[Outcome]:
        """The async twin of `_send_all`: one task per request; a failure cancels the others."""
        backend = self._backend
        if backend is None:
            backend = await asyncio.to_thread(self._ready_async_backend)

        async def send(request: Request[Any]) -> Outcome:
            try:
                return await backend.acomplete(
                    request.response_model, request.messages, context=request.checks, reasks=request.reasks
                )
            except OutputValidationError as exc:
                return exc

        return await side_by_side_in_tasks(send, requests)

    def _opened_cache(self) -> ResponseCache | None:
        return self._cache if self._cache_opened else self._ready_cache()

    @contextmanager
    def _reported(self, tally: Tally) -> Iterator[None]:
        """The error a task ends with carries its tokens and attempts; a request that could not
        reach the embedded server because it died says how it died."""
        try:
            yield
        except SummarizerError as exc:
            error: SummarizerError = exc
            if isinstance(exc, BackendError) and exc.status_code is None and self._server is not None:
                error = self._server.dead_server_error() or exc
            error.task_usage, error.task_attempts = tally.usage, tally.attempts
            raise error from exc.__cause__

    # -- tasks ---------------------------------------------------------------------------------

    def _job_task(self, job: Job, text: str, name: str) -> Task[Any]:
        if job.task == "brief":
            return self._brief_task(text, name)
        if job.task == "translate":
            return self._translate_task(text, job.to, name)
        if job.task == "summarize":
            return self._summarize_task(text, job.lang, job.max_words, name)
        raise ConfigError(f"task: expected brief, translate or summarize, got {job.task!r}")

    def _brief_task(self, text: str, name: str) -> Task[Brief]:
        article, notes = read_article(text, name, self._env.budget), Notes(name=name)
        return Task(article, notes, brief_steps(article, self._env, notes))

    def _translate_task(self, text: str, to: Language, name: str) -> Task[Translation]:
        _check_language(to, "target language")
        article, notes = read_article(text, name, self._env.budget), Notes(name=name)
        if article.language == to:
            raise InputError(name, f"is already in {LANGUAGE_NAMES[to]}: nothing to translate")
        return Task(article, notes, translation_steps(article, to, self._env, notes))

    def _summarize_task(self, text: str, lang: Language, max_words: int, name: str) -> Task[Summary]:
        _check_language(lang, "summary language")
        if max_words < MIN_SUMMARY_WORDS:
            raise ConfigError(f"max words: at least {MIN_SUMMARY_WORDS}, got {max_words}")
        article, notes = read_article(text, name, self._env.budget), Notes(name=name)
        return Task(article, notes, summary_steps(article, lang, max_words, self._env, notes))


def _check_language(language: str, what: str) -> None:
    if language not in LANGUAGE_NAMES:
        raise ConfigError(f"{what}: expected one of {', '.join(LANGUAGE_NAMES)}, got {language!r}")
