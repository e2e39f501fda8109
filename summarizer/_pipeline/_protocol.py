"""What the stages share: the request they yield, the notes they keep, the budget they fit in.

A task is a generator: it yields a `Request`, receives the validated answer (or has the invalid one
thrown in as an `OutputValidationError`), and returns a builder of its result. It may also yield a
`Fork` of stages that need not wait for each other (a brief's translation chunks): their requests
go out together, and the task receives their results in order. A task does no I/O, so one
generator serves the sync and async drivers, a batch and a dry run's estimate alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, get_origin

from pydantic import BaseModel

from .._answers import TranslatedParagraph, TranslationChunk, schema_text
from .._checks import Checks, TranslationChecks
from .._config import Settings
from .._errors import InputError, OutputValidationError, TruncatedOutputError
from .._events import Stage
from .._glossary import Glossary
from .._hygiene import Article, clean_article
from .._prompts import PromptTemplate, load_prompt
from .._results import RunInfo

AnswerT = TypeVar("AnswerT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=BaseModel)
T = TypeVar("T")

Messages = list[dict[str, str]]
PROMPT_OVERHEAD_TOKENS = 700
"""Room kept for the instructions and the schema when a paragraph is first measured (each request
is measured again, exactly, before it is sent)."""
_BYTES_PER_TOKEN = 3
"""A conservative estimate: this model family takes ~4 bytes of Vietnamese or English per token."""


@dataclass(frozen=True)
class Request(Generic[AnswerT]):
    """One question for the model: the answer model, the messages, and the checks the answer must pass."""

    response_model: type[AnswerT]
    messages: Messages
    checks: Checks[AnswerT]
    stage: Stage = "writing"
    reasks: int | None = None
    """Re-asks of an invalid answer; None: as many as the settings allow."""


@dataclass(frozen=True)
class Fork(Generic[T]):
    """Stages run side by side: their requests are sent together (a server with parallel slots
    decodes them together), and the stage that forked gets their results, in order."""

    branches: tuple[Steps[T], ...]


Steps = Generator["Request[Any] | Fork[Any]", Any, T]
"""A stage: yields requests (or forks), receives their answers, returns what it made."""


def side_by_side(branches: Sequence[Steps[T]]) -> Steps[list[T]]:
    """The results of `branches`, run side by side; the first failure closes the others and is raised."""
    results: list[T] = yield Fork(tuple(branches))
    return results


Builder = Callable[[RunInfo], ResultT]
"""A finished task's result, made once the run's metadata is known."""


@dataclass
class Notes:
    """What a task records as it runs, in order: the prompts it used and the warnings for the result."""

    name: str = "<text>"
    prompt_versions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def used(self, prompt: PromptTemplate) -> None:
        """Record that a request of the task was made with `prompt`."""
        self.prompt_versions.append(prompt.label)

    @property
    def prompt_version(self) -> str:
        """The prompts used, each once, in the order first used: `translate@3+brief@5`."""
        return "+".join(dict.fromkeys(self.prompt_versions))


def estimate_tokens(text: str) -> int:
    """A conservative (high) estimate of the tokens in `text`, without a tokenizer."""
    return -(-len(text.encode("utf-8")) // _BYTES_PER_TOKEN)


def request_tokens(messages: Messages, response_model: type[BaseModel]) -> int:
    """Estimated prompt tokens of a request: its messages and the schema that joins them."""
    return sum(estimate_tokens(m["content"]) for m in messages) + estimate_tokens(schema_text(response_model))


@dataclass(frozen=True)
class Budget:
    """The model's token budget: what one request may take, with room kept for the answer."""

    context_tokens: int
    max_output_tokens: int

    @property
    def room(self) -> int:
        """Prompt tokens one request may take: the context less the room kept for the answer."""
        return self.context_tokens - self.max_output_tokens

    def fits(self, messages: Messages, response_model: type[BaseModel]) -> bool:
        """True when the request leaves room for its answer."""
        return request_tokens(messages, response_model) <= self.room

    def require(self, name: str, needed: int, *, what: str = "article") -> None:
        """Refuse a request of about `needed` tokens that would leave no room for the answer."""
        if needed > self.room:
            raise InputError(
                name,
                f"{what} is too long for one request: about {needed:,} tokens with the prompt, "
                f"the model takes {self.room:,} ({self.context_tokens:,} context minus "
                f"{self.max_output_tokens:,} for the answer); about {needed - self.room:,} over",
            )


@dataclass(frozen=True)
class Env:
    """What every stage may read: the glossary, the prompt templates and the token budget."""

    glossary: Glossary
    prompts_dir: Path | None
    budget: Budget

    @classmethod
    def of(cls, settings: Settings, glossary: Glossary) -> Env:
        """The environment a Summarizer's settings and glossary give its tasks."""
        return cls(glossary, settings.prompts_dir, Budget(settings.context_tokens, settings.max_output_tokens))

    def prompt(self, name: str, *, requires: tuple[str, ...] = ("article",)) -> PromptTemplate:
        """The prompt template `name`, checked to use `requires`."""
        return load_prompt(name, self.prompts_dir, requires=requires)

    def request(
        self,
        article: Article,
        response_model: type[AnswerT],
        messages: Messages,
        checks: Checks[AnswerT],
        stage: Stage = "writing",
        reasks: int | None = None,
    ) -> Request[AnswerT]:
        """A request, refused before it is sent if it leaves the model no room for the answer."""
        self.budget.require(article.name, request_tokens(messages, response_model))
        return Request(response_model, messages, checks, stage, reasks)


def read_article(text: str, name: str, budget: Budget) -> Article:
    """The cleaned article, refused before any request if it cannot fit the model."""
    article = clean_article(text, name)
    if not article.paragraphs:
        raise InputError(name, "holds no article text once captions, links and comment lines are removed")
    # Long articles go part by part; only a paragraph too long for any request is refused here.
    longest = max(article.paragraphs, key=len)
    budget.require(name, estimate_tokens(longest) + PROMPT_OVERHEAD_TOKENS, what="its longest paragraph")
    return article


def ask_or_keep(request: Request[AnswerT], notes: Notes, where: str = "") -> Steps[AnswerT]:
    """The answer to `request`. When the re-asks could not mend it and its only faults are those its
    checks let an answer keep, the last answer is kept with a warning per fault, never silently. An
    answer cut off at the output limit is kept by the fields it wrote whole, where those pass: a
    part's key points, written before its figure notes ran on past 2,048 tokens (fidelity article 03).
    `where` names the answer in those warnings that do not name it themselves ("part 3 of 3")."""
    try:
        answer: AnswerT = yield request
    except OutputValidationError as exc:
        kept = kept_answer(request, exc.last_output)
        left_out: list[str] = []
        if kept is None:
            kept, left_out = _kept_without_lists(request, exc.last_output)
        if kept is None:
            raise
        # A cached answer that was cut off comes back as unparsed text: told by its text, not its error.
        cut = isinstance(exc, TruncatedOutputError) or not _parses(exc.last_output)
        lacked = "was cut off before" if cut else "had no"
        named = f"{where}: " if where else ""
        notes.warnings.extend(f"{named}the model's answer {lacked} {name!r}: it was kept without" for name in left_out)
        notes.warnings.extend(request.checks.kept_faults(kept))
        return kept
    return answer


def kept_answer(request: Request[AnswerT], text: str | None) -> AnswerT | None:
    """`text` as an answer to `request` that passes every check but those it may be kept without."""
    try:
        return request.response_model.model_validate_json(text or "", context=request.checks.lenient(), strict=True)
    except ValueError:
        return None


def _kept_without_lists(request: Request[AnswerT], text: str | None) -> tuple[AnswerT | None, list[str]]:
    """`text` kept as in `kept_answer`, once the lists it left out, or did not finish, are given as
    empty ones (a brief whose model wrote no figure notes still has its figures, by rule): the names
    of those lists."""
    answer = whole_fields(text or "")
    if not answer:
        return None, []
    fields = request.response_model.model_fields
    missing = [name for name, info in fields.items() if name not in answer and get_origin(info.annotation) is list]
    if not missing:
        return None, []
    kept = kept_answer(request, json.dumps({**answer, **{name: [] for name in missing}}))
    return kept, (missing if kept is not None else [])


def whole_fields(text: str) -> dict[str, Any]:
    """The fields of the JSON object `text` that it writes whole, in order: all of them, or for an
    object cut off, those before the cut; none if `text` is no object."""
    decoder = json.JSONDecoder()
    fields: dict[str, Any] = {}
    at = _after_space(text, 0)
    if not text.startswith("{", at):
        return fields
    at += 1
    while text.startswith('"', at := _after_space(text, at)):
        try:
            name, at = decoder.raw_decode(text, at)
            at = _after_space(text, at)
            if not text.startswith(":", at):
                break
            value, at = decoder.raw_decode(text, _after_space(text, at + 1))
        except ValueError:  # cut off inside this field
            break
        fields[name] = value
        at = _after_space(text, at)
        if not text.startswith(",", at):
            break
        at += 1
    return fields


def _after_space(text: str, at: int) -> int:
    return len(text) - len(text[at:].lstrip())


def _parses(text: str | None) -> bool:
    try:
        json.loads(text or "")
    except ValueError:
        return False
    return True


def stand_in(request: Request[Any]) -> BaseModel:
    """An answer of the right shape that costs nothing: the source paragraphs for a translation,
    empty fields otherwise (built without validation)."""
    checks = request.checks
    if isinstance(checks, TranslationChecks):
        paragraphs = [TranslatedParagraph.model_construct(n=n, text=text) for n, text in checks.sources.items()]
        return TranslationChunk.model_construct(paragraphs=paragraphs)
    fields = request.response_model.model_fields
    empty: dict[str, Any] = {name: [] if get_origin(info.annotation) is list else "" for name, info in fields.items()}
    answer: BaseModel = request.response_model.model_construct(**empty)
    return answer
