"""One stepper for every driver: a task's generators run against the response cache, its cost tallied.

The stepper does no I/O of its own but the cache's; the sync and async drivers (in `_summarizer`)
differ only in the line that sends the requests the task is waiting on (several at once when the
task has forked):

    while requests := run.pending():
        run.feed(requests, send_all(requests))        # or: await asend_all(requests)
    return run.result()
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ._backend import Completion, unfit
from ._cache import ResponseCache, request_key
from ._config import Settings
from ._errors import OutputValidationError, Usage
from ._events import Progress, ProgressHandler, Stage
from ._hygiene import Article
from ._notices import notices, ranked
from ._pipeline import Builder, Fork, Notes, Request, Steps, kept_answer
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


class _Reporter:
    """Tells a progress handler where a task is: each stage's requests done of those asked so far,
    and the model's generating speed over the last round of answers."""

    def __init__(self, name: str, handler: ProgressHandler | None) -> None:
        self._name, self._handler = name, handler
        self._asked: dict[Stage, dict[int, Request[Any]]] = {}  # held, so that no id is reused
        self._done: dict[Stage, int] = {}
        self._round_started = time.perf_counter()
        self._round_tokens = 0

    def report(self, stage: Stage, tokens_per_second: float | None = None) -> None:
        if self._handler is not None:
            total = len(self._asked.get(stage, ()))
            self._handler(Progress(self._name, stage, self._done.get(stage, 0), total, tokens_per_second))

    def asked(self, requests: list[Request[Any]]) -> None:
        if self._handler is None or not requests:
            return
        for request in requests:
            self._asked.setdefault(request.stage, {})[id(request)] = request
        self._round_started, self._round_tokens = time.perf_counter(), 0
        self.report(requests[0].stage)

    def answered(self, request: Request[Any], usage: Usage) -> None:
        if self._handler is None:
            return
        self._done[request.stage] = self._done.get(request.stage, 0) + 1
        self._round_tokens += usage.completion_tokens
        elapsed = time.perf_counter() - self._round_started
        speed = self._round_tokens / elapsed if self._round_tokens and elapsed > 0 else None
        self.report(request.stage, speed)


@dataclass(eq=False)
class _Strand:
    """One generator of the task: the task's own, or a branch of a fork."""

    steps: Steps[Any]
    parent: _Join | None = None
    index: int = 0
    request: Request[Any] | None = None
    """The request it waits on, if any."""
    key: str | None = None
    """Its request's cache key, once looked up."""
    join: _Join | None = None
    """The fork it waits on, if any."""


@dataclass(eq=False)
class _Join:
    """A fork being run: its branches, and the results of those that have finished."""

    strand: _Strand
    branches: list[_Strand]
    results: list[Any]
    remaining: int


class TaskRun(Generic[ResultT]):
    """A task being run: the requests it waits on, the cache's answers fed to it, its cost so far."""

    def __init__(
        self,
        task: Task[ResultT],
        settings: Settings,
        cache: ResponseCache | None,
        progress: ProgressHandler | None = None,
    ) -> None:
        self.task = task
        self.tally = Tally()
        self._settings = settings
        self._cache = cache
        self._progress = _Reporter(task.notes.name, progress)
        self._started = time.perf_counter()
        self._root = _Strand(task.steps)
        self._waiting: dict[int, _Strand] = {}
        self._build: Builder[ResultT] | None = None
        self._begun = False

    def pending(self) -> list[Request[Any]]:
        """The requests that need the model, once every answer the cache holds is fed to the task;
        empty when the task is done."""
        if not self._begun:
            self._begun = True
            self._progress.report("reading")
            self._advance(self._root, lambda: next(self._root.steps))
        # Held, not just their ids: a request taken from the cache may be freed, and its id given to
        # a request asked after it, which would then go to the model unlooked-up.
        looked_up: dict[int, Request[Any]] = {}
        while unseen := [key for key in self._waiting if key not in looked_up]:
            for key in unseen:
                strand = self._waiting[key]
                request = strand.request
                assert request is not None
                looked_up[key] = request
                stored = self._stored(strand, request)
                if stored is not None:
                    del self._waiting[key]
                    self._take(strand, request, stored, cache_key=None)
        requests = [strand.request for strand in self._waiting.values() if strand.request is not None]
        self._progress.asked(requests)
        return requests

    def feed(self, requests: Sequence[Request[Any]], outcomes: Sequence[Outcome]) -> None:
        """Hand the model's outcomes for `requests` to the task, in order. An answer the task takes
        (a valid one, or an invalid one it keeps with warnings) is cached, so it is never paid for twice."""
        for request, outcome in zip(requests, outcomes, strict=True):
            strand = self._waiting.pop(id(request), None)
            self._progress.answered(request, outcome.usage)
            if strand is None:  # its branch was closed by a sibling's failure: paid for all the same
                self._count(outcome)
            else:
                if request.stage == "writing":
                    self._progress.report("checking")  # the answer is checked and assembled as it is taken
                self._take(strand, request, outcome, cache_key=strand.key)

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
                source_credits=list(article.credits),
                source_paragraphs=list(article.paragraphs),
                model=self._settings.model,
                prompt_version=self.task.notes.prompt_version,
                attempts=tally.attempts,
                usage=tally.usage,
                cached_answers=tally.cached,
                seconds=round(time.perf_counter() - self._started, 3),
                warnings=ranked(self.task.notes.warnings),
                notices=notices(self.task.notes.warnings),
            )
        )

    def _take(self, strand: _Strand, request: Request[Any], outcome: Outcome, *, cache_key: str | None) -> None:
        """Count the outcome and hand it to its generator: an invalid answer goes in as an exception,
        which the task may recover from. Cached under `cache_key` only if the task takes it; an invalid
        answer the task took all the same (the valid paragraphs of a chunk) is cached apart, so that a
        re-run takes it the same way instead of asking the model again."""
        self._count(outcome)
        strand.request = None
        steps = strand.steps
        if isinstance(outcome, OutputValidationError):
            taken = self._advance(strand, lambda: steps.throw(outcome))
        else:
            taken = self._advance(strand, lambda: steps.send(outcome.value))
        if taken and cache_key is not None and self._cache is not None:
            if isinstance(outcome, Completion):
                self._cache.put(cache_key, outcome.value.model_dump_json(), outcome.usage, outcome.attempts)
            elif outcome.last_output:
                keepable = kept_answer(request, outcome.last_output) is not None
                key = cache_key if keepable else _taken_invalid(cache_key)
                self._cache.put(key, outcome.last_output, outcome.usage, outcome.attempts)

    def _count(self, outcome: Outcome) -> None:
        self.tally.usage += outcome.usage
        self.tally.attempts += outcome.attempts

    def _advance(self, strand: _Strand, step: Callable[[], Request[Any] | Fork[Any]]) -> bool:
        """Run `strand` to its next request or fork, or to its end; False when it raised (a branch's
        error goes to the stage that forked it; the task's own leaves the run)."""
        try:
            asked = step()
        except StopIteration as done:
            self._finished(strand, done.value)
            return True
        except Exception as exc:
            if strand.parent is None:
                raise
            self._failed(strand.parent, exc)
            return False
        if isinstance(asked, Fork):
            join = _Join(strand, [], [None] * len(asked.branches), len(asked.branches))
            join.branches = [_Strand(steps, join, index) for index, steps in enumerate(asked.branches)]
            strand.join = join
            if not join.branches:
                return self._advance(strand, lambda: strand.steps.send([]))
            for branch in join.branches:
                if strand.join is not join:
                    break  # an earlier branch failed, and the fork with it
                self._advance(branch, lambda branch=branch: next(branch.steps))  # type: ignore[misc]
        else:
            strand.request = asked
            self._waiting[id(asked)] = strand
        return True

    def _finished(self, strand: _Strand, value: Any) -> None:
        join = strand.parent
        if join is None:
            self._build = value
            return
        join.results[strand.index] = value
        join.remaining -= 1
        if join.remaining == 0:
            join.strand.join = None
            self._advance(join.strand, lambda: join.strand.steps.send(join.results))

    def _failed(self, join: _Join, error: Exception) -> None:
        """A branch raised: close its fork's other branches and raise the error in the stage that forked."""
        for branch in join.branches:
            self._close(branch)
        join.strand.join = None
        self._advance(join.strand, lambda: join.strand.steps.throw(error))

    def _close(self, strand: _Strand) -> None:
        if strand.join is not None:
            for branch in strand.join.branches:
                self._close(branch)
            strand.join = None
        if strand.request is not None:
            self._waiting.pop(id(strand.request), None)
            strand.request = None
        strand.steps.close()

    def _stored(self, strand: _Strand, request: Request[Any]) -> Outcome | None:
        """The cached answer to `request`, validated again as a fresh one would be: valid, or valid but
        for the faults its checks let it keep (the task then keeps it with the same warnings); None
        asks the model (nothing stored, or stored under older rules: the new answer replaces it)."""
        strand.key = None
        if self._cache is None:
            return None
        strand.key = request_key(self._settings, request.response_model, request.messages)
        stored = self._cache.get(strand.key)
        if stored is None:
            return self._stored_invalid(strand.key, request)
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

    def _stored_invalid(self, key: str, request: Request[Any]) -> Outcome | None:
        """An invalid answer the task took before, thrown in again with the error it meets now."""
        assert self._cache is not None
        stored = self._cache.get(_taken_invalid(key))
        if stored is None:
            return None
        try:
            request.response_model.model_validate_json(stored.answer, context=request.checks, strict=True)
        except ValidationError as exc:
            self.tally.cached += 1
            message = unfit(request.response_model.__name__, stored.attempts, exc)
            return OutputValidationError(message, attempts=0, usage=Usage(), last_output=stored.answer)
        return None  # valid under the rules of today: ask again, for a fresh answer to replace it


def _taken_invalid(key: str) -> str:
    return f"{key}:taken-invalid"
