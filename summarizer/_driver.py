"""One stepper for every driver: a task's generator run against the response cache, its cost tallied.

The stepper does no I/O of its own but the cache's; the sync and async drivers (in `_summarizer`)
differ only in the line that sends a request to the model:

    while (request := run.pending()) is not None:
        run.feed(send(request))        # or: run.feed(await asend(request))
    return run.result()
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from ._backend import Completion
from ._cache import ResponseCache, request_key
from ._config import Settings
from ._errors import OutputValidationError, Usage
from ._hygiene import Article
from ._pipeline import Builder, Notes, Request, Steps, kept_answer
from ._results import RunInfo

ResultT = TypeVar("ResultT", bound=BaseModel)
Outcome = Completion[Any] | OutputValidationError
"""What came back for a request: the validated answer, or the error an invalid one raised."""


@dataclass
class Tally:
    """Tokens and attempts of a task, failed attempts included, and the answers the cache gave."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    cached: int = 0


@dataclass(frozen=True)
class Task(Generic[ResultT]):
    """A task ready to run: its article, its notes and its stages' generator."""

    article: Article
    notes: Notes
    steps: Steps[Builder[ResultT]]


class TaskRun(Generic[ResultT]):
    """A task being run: the request it waits on, the cache's answers fed to it, its cost so far."""

    def __init__(self, task: Task[ResultT], settings: Settings, cache: ResponseCache | None) -> None:
        self.task = task
        self.tally = Tally()
        self._settings = settings
        self._cache = cache
        self._started = time.perf_counter()
        self._request: Request[Any] | None = None
        self._key: str | None = None
        self._build: Builder[ResultT] | None = None
        self._begun = False

    def pending(self) -> Request[Any] | None:
        """The request that needs the model, once every answer the cache holds is fed to the task;
        None when the task is done."""
        if not self._begun:
            self._begun = True
            self._advance(lambda: next(self.task.steps))
        while self._request is not None:
            stored = self._stored(self._request)
            if stored is None:
                return self._request
            self._take(stored, key=None)
        return None

    def feed(self, outcome: Outcome) -> None:
        """Hand the model's outcome for the pending request to the task. An answer the task takes (a
        valid one, or an invalid one it keeps with warnings) is cached, so it is never paid for twice."""
        self._take(outcome, key=self._key)

    def result(self) -> ResultT:
        """The finished task's result, with how it was made."""
        if self._build is None:
            raise RuntimeError("the task has not finished")
        tally, article = self.tally, self.task.article
        return self._build(
            RunInfo(
                source_name=article.name,
                source_language=article.language,
                source_url=article.source_url,
                model=self._settings.model,
                prompt_version=self.task.notes.prompt_version,
                attempts=tally.attempts,
                usage=tally.usage,
                cached_answers=tally.cached,
                seconds=round(time.perf_counter() - self._started, 3),
                warnings=self.task.notes.warnings,
            )
        )

    def _take(self, outcome: Outcome, *, key: str | None) -> None:
        """Count the outcome and hand it to the task: an invalid answer goes in as an exception,
        which the task may recover from. Cached under `key` only if the task takes it."""
        self.tally.usage += outcome.usage
        self.tally.attempts += outcome.attempts
        steps = self.task.steps
        if isinstance(outcome, OutputValidationError):
            self._advance(lambda: steps.throw(outcome))
        else:
            self._advance(lambda: steps.send(outcome.value))
        if key is not None and self._cache is not None:
            if isinstance(outcome, Completion):
                self._cache.put(key, outcome.value.model_dump_json(), outcome.usage, outcome.attempts)
            elif outcome.last_output:
                self._cache.put(key, outcome.last_output, outcome.usage, outcome.attempts)

    def _advance(self, step: Callable[[], Request[Any]]) -> None:
        try:
            self._request = step()
        except StopIteration as done:
            self._request, self._build = None, done.value

    def _stored(self, request: Request[Any]) -> Outcome | None:
        """The cached answer to `request`, validated again as a fresh one would be: valid, or valid but
        for the faults its checks let it keep (the task then keeps it with the same warnings); None
        asks the model (nothing stored, or stored under older rules: the new answer replaces it)."""
        self._key = None
        if self._cache is None:
            return None
        self._key = request_key(self._settings, request.response_model, request.messages)
        stored = self._cache.get(self._key)
        if stored is None:
            return None
        try:
            value = request.response_model.model_validate_json(stored.answer, context=request.checks, strict=True)
        except ValueError:
            if kept_answer(request, stored.answer) is None:
                return None
            self.tally.cached += 1
            return OutputValidationError(
                "a cached answer kept with warnings", attempts=0, usage=Usage(), last_output=stored.answer
            )
        self.tally.cached += 1
        return Completion(value=value, usage=Usage(), attempts=0)
