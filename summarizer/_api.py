"""The Summarizer: the library's entry point for briefs, translations and summaries.

Each task is written once, as a generator of requests: it yields a request, receives the validated
answer, and finally returns a function that builds the result from the run's metadata. The sync
and async drivers differ only in how they send a request.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, get_origin

from pydantic import BaseModel

from ._backend import ChatBackend, Completion
from ._cache import ResponseCache, request_key
from ._config import Settings, resolve_settings
from ._embedded import LocalServer
from ._errors import (
    BackendError,
    ConfigError,
    InputError,
    OutputValidationError,
    SummarizerError,
    TruncatedOutputError,
    Usage,
)
from ._figures import (
    SourceFigure,
    checked_figures,
    extract_figures,
    figure_kept,
    missing_key_figures,
    unsupported_figures,
)
from ._glossary import DEFAULT_GLOSSARY, Glossary, load_glossary
from ._hygiene import Article, clean_article
from ._prompts import load_prompt
from ._schema import (
    MAX_KEY_POINTS,
    SUMMARY_MAX_WORDS,
    SUMMARY_MIN_WORDS,
    Brief,
    BriefDraft,
    ChunkFacts,
    Entity,
    Figure,
    ParagraphPair,
    RunInfo,
    Summary,
    SummaryContent,
    TranslatedParagraph,
    Translation,
    TranslationChunk,
    is_english,
    schema_text,
)
from ._text import LANGUAGE_NAMES, Language, count_words, strip_marks

ResultT = TypeVar("ResultT", bound=BaseModel)
TaskName = Literal["brief", "translate", "summarize"]
Result = Brief | Summary | Translation

DEFAULT_SUMMARY_WORDS = 120
MIN_SUMMARY_WORDS = 20
PROMPT_OVERHEAD_TOKENS = 700
"""Room kept for the instructions and the schema when a paragraph is first measured (each request
is measured again, exactly, before it is sent)."""
TRANSLATION_CHUNK_TOKENS = 600
"""Estimated source tokens per translation request: room for the answer, and good alignment."""
TRANSLATION_CHUNK_PARAGRAPHS = 8
FACTS_CHUNK_TOKENS = 1500
"""Estimated tokens of article text per request of the map step of a long brief or summary."""
MIN_FACTS_PER_PART, MAX_FACTS_PER_PART = 3, 10
TOKENS_PER_FACT = 40
"""A generous estimate of one fact sentence, to ask each part for as many facts as the final request holds."""
_BYTES_PER_TOKEN = 3
"""A conservative estimate: this model family takes ~4 bytes of Vietnamese or English per token."""


def estimate_tokens(text: str) -> int:
    """A conservative (high) estimate of the tokens in `text`, without a tokenizer."""
    return -(-len(text.encode("utf-8")) // _BYTES_PER_TOKEN)


@dataclass(frozen=True)
class Job:
    """One task and its options, to apply to many articles (see `abatch` and `FolderBatch`)."""

    task: TaskName = "brief"
    to: Language = "en"
    """The target language of a translation."""
    lang: Language = "en"
    """The language of a summary."""
    max_words: int = DEFAULT_SUMMARY_WORDS
    """The longest summary paragraph."""

    @property
    def prompt_names(self) -> tuple[str, ...]:
        """The prompt templates the task may use (translation first for Vietnamese sources)."""
        return ("translate",) if self.task == "translate" else ("translate", "facts", self.task)

    @property
    def options(self) -> dict[str, Any]:
        """The options that shape this task's result (not those of other tasks)."""
        if self.task == "translate":
            return {"task": self.task, "to": self.to}
        if self.task == "summarize":
            return {"task": self.task, "lang": self.lang, "max_words": self.max_words}
        return {"task": self.task}


@dataclass
class _Tally:
    """Tokens and attempts of a task, failed attempts included."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0
    cached: int = 0

    def add(self, usage: Usage, attempts: int) -> None:
        self.usage += usage
        self.attempts += attempts


@dataclass(frozen=True)
class _Request:
    response_model: type[BaseModel]
    messages: list[dict[str, str]]
    context: dict[str, Any] | None = None


@dataclass
class _Notes:
    """What a task records as it runs: the prompts it used and the warnings for the result."""

    name: str = "<text>"
    prompt_versions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Task(Generic[ResultT]):
    """A task in progress: its article, its notes and its request generator."""

    article: Article
    notes: _Notes
    steps: Generator[_Request, Any, Callable[[RunInfo], ResultT]]


class Summarizer:
    """Turns news articles into English briefs, translations and summaries.

    Settings come from the arguments, else the environment, else the defaults (see
    `resolve_settings`). With no endpoint configured, the embedded llama.cpp server is started on
    first use and stopped by `close()`: use the Summarizer as a context manager.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        glossary: Glossary | str | os.PathLike[str] | None = None,
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
        task: _Task[Any] = self._job_task(job, text, name)
        total = 0
        try:
            request = next(task.steps)
            while True:
                total += _request_tokens(request.messages, request.response_model)
                request = task.steps.send(_stand_in(request))
        except StopIteration:
            return total

    def _job_task(self, job: Job, text: str, name: str) -> _Task[Any]:
        if job.task == "brief":
            return self._brief_task(text, name)
        if job.task == "translate":
            return self._translate_task(text, job.to, name)
        if job.task == "summarize":
            return self._summarize_task(text, job.lang, job.max_words, name)
        raise ConfigError(f"task: expected brief, translate or summarize, got {job.task!r}")

    # -- drivers -------------------------------------------------------------------------------

    def _run(self, task: _Task[ResultT]) -> ResultT:
        started = time.perf_counter()
        tally = _Tally()
        try:
            request = next(task.steps)
            while True:
                key, outcome = self._cached(request, tally)
                fresh = outcome is None
                if outcome is None:
                    backend = self._ready_backend()
                    try:
                        outcome = backend.complete(request.response_model, request.messages, context=request.context)
                    except OutputValidationError as exc:
                        outcome = exc
                request = self._step(task, tally, outcome, key if fresh else None)
        except StopIteration as done:
            return self._result(task, done.value, tally, started)
        except SummarizerError as exc:
            raise self._reported(exc, tally) from exc.__cause__

    async def _arun(self, task: _Task[ResultT]) -> ResultT:
        started = time.perf_counter()
        tally = _Tally()
        try:
            request = next(task.steps)
            while True:
                key, outcome = self._cached(request, tally)
                fresh = outcome is None
                if outcome is None:
                    backend = self._backend
                    if backend is None:
                        backend = await asyncio.to_thread(self._ready_async_backend)
                    try:
                        outcome = await backend.acomplete(
                            request.response_model, request.messages, context=request.context
                        )
                    except OutputValidationError as exc:
                        outcome = exc
                request = self._step(task, tally, outcome, key if fresh else None)
        except StopIteration as done:
            return self._result(task, done.value, tally, started)
        except SummarizerError as exc:
            raise self._reported(exc, tally) from exc.__cause__

    def _reported(self, exc: SummarizerError, tally: _Tally) -> SummarizerError:
        """The error a task ends with, carrying its tokens and attempts; a request that could not
        reach the embedded server because it died says how it died."""
        error: SummarizerError = exc
        if isinstance(exc, BackendError) and exc.status_code is None and self._server is not None:
            error = self._server.dead_server_error() or exc
        error.task_usage, error.task_attempts = tally.usage, tally.attempts
        return error

    def _step(
        self, task: _Task[Any], tally: _Tally, outcome: Completion[Any] | OutputValidationError, key: str | None
    ) -> _Request:
        """Hand `outcome` to the task; an answer the task takes (a valid one, or an invalid one it
        keeps with warnings) goes into the cache under `key`, so it is never paid for twice."""
        try:
            following = _advance(task, tally, outcome)
        except StopIteration:
            self._keep(key, outcome)
            raise
        self._keep(key, outcome)
        return following

    def _cached(
        self, request: _Request, tally: _Tally
    ) -> tuple[str | None, Completion[Any] | OutputValidationError | None]:
        """The request's cache key and its stored answer, validated again as a fresh one would be:
        valid, or (an answer kept with warnings) valid but for its figures, which the task then
        keeps with the same warnings; anything else asks the model again."""
        cache = self._cache if self._cache_opened else self._ready_cache()
        if cache is None:
            return None, None
        key = request_key(self.settings, request.response_model, request.messages)
        stored = cache.get(key)
        if stored is None:
            return key, None
        model, context = request.response_model, request.context or {}
        try:
            value = model.model_validate_json(stored.answer, context=context, strict=True)
        except ValueError:
            lenient = {name: item for name, item in context.items() if name not in _LENIENT_DROPS}
            try:
                model.model_validate_json(stored.answer, context=lenient, strict=True)
            except ValueError:
                return key, None  # stored under older rules: ask again; the new answer replaces it
            tally.cached += 1
            kept = OutputValidationError(
                "a cached answer with figure faults", attempts=0, usage=Usage(), last_output=stored.answer
            )
            return key, kept
        tally.cached += 1
        return key, Completion(value=value, usage=Usage(), attempts=0)

    def _keep(self, key: str | None, outcome: Completion[Any] | OutputValidationError) -> None:
        if key is None or self._cache is None:
            return
        if isinstance(outcome, Completion):
            self._cache.put(key, outcome.value.model_dump_json(), outcome.usage, outcome.attempts)
        elif outcome.last_output:
            self._cache.put(key, outcome.last_output, outcome.usage, outcome.attempts)

    def _result(
        self, task: _Task[ResultT], build: Callable[[RunInfo], ResultT], tally: _Tally, started: float
    ) -> ResultT:
        return build(
            RunInfo(
                source_name=task.article.name,
                source_language=task.article.language,
                source_url=task.article.source_url,
                model=self.settings.model,
                prompt_version="+".join(dict.fromkeys(task.notes.prompt_versions)),
                attempts=tally.attempts,
                usage=tally.usage,
                cached_answers=tally.cached,
                seconds=round(time.perf_counter() - started, 3),
                warnings=task.notes.warnings,
            )
        )

    # -- tasks ---------------------------------------------------------------------------------

    def _article(self, text: str, name: str) -> Article:
        """The cleaned article, refused before any request if it cannot fit the model."""
        article = clean_article(text, name)
        if not article.paragraphs:
            raise InputError(name, "holds no article text once captions, links and comment lines are removed")
        # Long articles go part by part; only a paragraph too long for any request is refused here.
        longest = max(article.paragraphs, key=len)
        self._require_room(name, estimate_tokens(longest) + PROMPT_OVERHEAD_TOKENS, what="its longest paragraph")
        return article

    def _check_fits(self, article: Article, messages: list[dict[str, str]], response_model: type[BaseModel]) -> None:
        self._require_room(article.name, _request_tokens(messages, response_model))

    def _room(self) -> int:
        """Prompt tokens one request may take: the context less the room kept for the answer."""
        return self.settings.context_tokens - self.settings.max_output_tokens

    def _require_room(self, name: str, needed: int, *, what: str = "article") -> None:
        """Refuse a request of about `needed` tokens that would leave no room for the answer."""
        settings = self.settings
        room = self._room()
        if needed > room:
            raise InputError(
                name,
                f"{what} is too long for one request: about {needed:,} tokens with the prompt, "
                f"the model takes {room:,} ({settings.context_tokens:,} context minus "
                f"{settings.max_output_tokens:,} for the answer); about {needed - room:,} over",
            )

    def _terms(self, text: str) -> str:
        return "\n".join(f"{src} = {en}" for src, en in self.glossary.terms_in(text)) or "(none)"

    def _english_paragraphs(self, article: Article, notes: _Notes) -> Generator[_Request, Any, tuple[str, ...]]:
        """The article in English: as it is, or translated first (a small model writes far better
        English from English than from Vietnamese)."""
        if article.language == "en":
            return article.paragraphs
        return (yield from self._translation_steps(article, "en", notes))

    def _condensed(
        self,
        paragraphs: Sequence[str],
        language: Language,
        notes: _Notes,
        render: Callable[[str], list[dict[str, str]]],
        response_model: type[BaseModel],
    ) -> Generator[_Request, Any, str]:
        """The article's text for the final request: whole when the request fits the model, else its
        facts, part by part (map), for one brief or summary of them all (reduce). Prompt tokens then
        grow with the article's length, not with its square."""
        text = "\n\n".join(paragraphs)
        if _request_tokens(render(text), response_model) <= self._room():
            return text
        prompt = load_prompt("facts", self.settings.prompts_dir, requires=("article", "part", "parts", "most"))
        notes.prompt_versions.append(prompt.label)
        pieces = list(paragraphs)
        # Facts of facts, round after round, until they fit: each round keeps few facts per part.
        while _request_tokens(render(text), response_model) > self._room():
            parts = _chunks(pieces, min(FACTS_CHUNK_TOKENS, self._room() // 2), len(pieces))
            room_for_facts = self._room() - _request_tokens(render(""), response_model)
            most = max(MIN_FACTS_PER_PART, min(MAX_FACTS_PER_PART, room_for_facts // (len(parts) * TOKENS_PER_FACT)))
            by_part: list[list[str]] = []
            for index, numbers in enumerate(parts, 1):
                messages = prompt.render(
                    article="\n\n".join(pieces[n - 1] for n in numbers),
                    part=str(index),
                    parts=str(len(parts)),
                    most=str(most),
                    language_name=LANGUAGE_NAMES[language],
                )
                context = {"language": language, "glossary": self.glossary}
                answer: ChunkFacts = yield _Request(ChunkFacts, messages, context)
                if len(answer.facts) > most:
                    notes.warnings.append(f"part {index} of {len(parts)}: kept the first {most} of its facts")
                by_part.append([fact.strip() for fact in answer.facts[:most]])
            facts = [fact for part in by_part for fact in part]
            condensed = "\n".join(f"- {fact}" for fact in facts)
            if len(condensed) >= len(text):
                # The model restates rather than condenses: keep the first facts of every part, in
                # turn, as many as the request holds, and say so.
                kept = _facts_that_fit(by_part, room_for_facts)
                notes.warnings.append(
                    f"the facts of the article's {len(parts)} parts did not fit the model's context: "
                    f"kept {len(kept)} of {len(facts)}"
                )
                return "\n".join(f"- {fact}" for fact in kept)
            text, pieces = condensed, facts
        return text

    def _translation_steps(
        self, article: Article, to: Language, notes: _Notes
    ) -> Generator[_Request, Any, tuple[str, ...]]:
        """The article translated chunk by chunk (paragraph count and order kept), each request with
        the glossary's terms and the previous chunk's last paragraph for continuity."""
        prompt = load_prompt("translate", self.settings.prompts_dir, requires=("article", "context"))
        notes.prompt_versions.append(prompt.label)
        translated: list[str] = []
        pending = collections.deque(_chunks(article.paragraphs))
        while pending:
            numbers = pending.popleft()
            sources = {n: article.paragraphs[n - 1] for n in numbers}
            numbered = "\n\n".join(f"[{n}] {paragraph}" for n, paragraph in sources.items())
            terms = self.glossary.terms_in(numbered) if to == "en" else []
            previous = f"[{numbers[0] - 1}] {translated[-1]}" if translated else "(none: this is the start)"
            messages = prompt.render(
                article=numbered,
                terms="\n".join(f"{src} = {en}" for src, en in terms) or "(none)",
                context=previous,
                count=str(len(sources)),
                source_name=LANGUAGE_NAMES[article.language],
                target_name=LANGUAGE_NAMES[to],
            )
            self._check_fits(article, messages, TranslationChunk)
            # Held to the same rule as a brief's prose: small plain numbers ("1 world") are words as often.
            figures = {n: checked_figures(text, article.language) for n, text in sources.items()}
            context = {"sources": sources, "target": to, "glossary": self.glossary, "figures": figures}
            request = _Request(TranslationChunk, messages, context)
            try:
                chunk: TranslationChunk = yield request
            except TruncatedOutputError:
                if len(numbers) == 1:
                    raise
                # A small model sometimes runs on and on; half as many paragraphs leave it room.
                half = len(numbers) // 2
                pending.extendleft([numbers[half:], numbers[:half]])
                notes.warnings.append(
                    f"paragraphs {numbers[0]}-{numbers[-1]}: the answer ran too long; asked again in halves"
                )
                continue
            except OutputValidationError as exc:
                chunk = self._accept_with_warnings(exc, request, notes)
            for paragraph in chunk.paragraphs:
                text = paragraph.text.strip()
                translated.append(text)
                notes.warnings.extend(
                    f"paragraph {paragraph.n}: {source!r} is not rendered as {english!r} (glossary)"
                    for source, english in self.glossary.glossary_terms_in(sources[paragraph.n])
                    if to == "en" and english.casefold() not in text.casefold()
                )
        return tuple(translated)

    def _accept_with_warnings(self, exc: OutputValidationError, request: _Request, notes: _Notes) -> Any:
        """The last answer, when its only faults after every re-ask are figures (missing, changed or
        invented) or a short summary: kept with a warning per fault, never silently; any other fault
        re-raises `exc`."""
        context = request.context or {}
        lenient = {key: value for key, value in context.items() if key not in _LENIENT_DROPS}
        try:
            answer = request.response_model.model_validate_json(exc.last_output or "", context=lenient, strict=True)
        except ValueError:
            raise exc from None
        if isinstance(answer, TranslationChunk):
            figures: dict[int, list[SourceFigure]] = context.get("figures", {})
            for paragraph in answer.paragraphs:
                notes.warnings.extend(
                    f"paragraph {paragraph.n}: the translation lacks or changes {figure.source!r} ({figure.english})"
                    for figure in figures.get(paragraph.n, [])
                    if not figure_kept(figure, paragraph.text, context["target"])
                )
        elif isinstance(answer, BriefDraft):
            notes.warnings.extend(
                f"the brief's text states {figure.source!r}, which the article does not have (changed or invented)"
                for figure in unsupported_figures(answer.prose, context.get("source_figures", []))
            )
            words = count_words(answer.summary)
            if words < context.get("summary_floor", 0):
                notes.warnings.append(f"the model's summary has {words} words, under the {SUMMARY_MIN_WORDS} asked for")
        return answer

    def _translate_task(self, text: str, to: Language, name: str) -> _Task[Translation]:
        _check_language(to, "target language")
        article = self._article(text, name)
        if article.language == to:
            raise InputError(name, f"is already in {LANGUAGE_NAMES[to]}: nothing to translate")

        def steps(notes: _Notes) -> Generator[_Request, Any, Callable[[RunInfo], Translation]]:
            translated = yield from self._translation_steps(article, to, notes)
            pairs = [
                ParagraphPair(source=s, translation=t) for s, t in zip(article.paragraphs, translated, strict=True)
            ]
            return lambda info: Translation(target_language=to, paragraphs=pairs, meta=info)

        notes = _Notes(name=name)
        return _Task(article, notes, steps(notes))

    def _brief_task(self, text: str, name: str) -> _Task[Brief]:
        article = self._article(text, name)
        figures = extract_figures(article.text, article.language)
        prompt = load_prompt("brief", self.settings.prompts_dir, requires=("article", "figures"))

        def steps(notes: _Notes) -> Generator[_Request, Any, Callable[[RunInfo], Brief]]:
            paragraphs = yield from self._english_paragraphs(article, notes)
            figure_list = "\n".join(f"[{i}] {f.english}" for i, f in enumerate(figures, 1)) or "(none)"
            english = yield from self._condensed(
                paragraphs, "en", notes, lambda text: prompt.render(article=text, figures=figure_list), BriefDraft
            )
            notes.prompt_versions.append(prompt.label)
            messages = prompt.render(article=english, figures=figure_list)
            self._check_fits(article, messages, BriefDraft)
            context = {"glossary": self.glossary, "source_figures": figures, "summary_floor": SUMMARY_MIN_WORDS}
            request = _Request(BriefDraft, messages, context)
            try:
                draft: BriefDraft = yield request
            except OutputValidationError as exc:
                draft = self._accept_with_warnings(exc, request, notes)
            notes.warnings.extend(
                f"the brief's text does not mention {figure.english} ({figure.source!r})"
                for figure in missing_key_figures(draft.prose, figures)
            )
            brief_figures = _described_figures(figures, draft, notes.warnings)
            entities = {
                kind: self._traceable(getattr(draft, kind), article, kind, notes.warnings)
                for kind in ("people", "organizations", "places")
            }
            # Trimmed here, not in the builder: RunInfo takes a copy of the warnings when it is made.
            summary = _trimmed_summary(draft.summary, notes.warnings)
            points = _trimmed_points(draft.key_points, notes.warnings)
            return lambda info: Brief(
                headline=draft.headline,
                summary=summary,
                key_points=points,
                figures=brief_figures,
                **entities,
                meta=info,
            )

        notes = _Notes(name=name)
        return _Task(article, notes, steps(notes))

    def _summarize_task(self, text: str, lang: Language, max_words: int, name: str) -> _Task[Summary]:
        _check_language(lang, "summary language")
        if max_words < MIN_SUMMARY_WORDS:
            raise ConfigError(f"max words: at least {MIN_SUMMARY_WORDS}, got {max_words}")
        article = self._article(text, name)
        prompt = load_prompt("summarize", self.settings.prompts_dir)

        def steps(notes: _Notes) -> Generator[_Request, Any, Callable[[RunInfo], Summary]]:
            paragraphs = (yield from self._english_paragraphs(article, notes)) if lang == "en" else article.paragraphs
            language_name, words = LANGUAGE_NAMES[lang], str(max_words)
            text = yield from self._condensed(
                paragraphs,
                lang,
                notes,
                lambda body: prompt.render(article=body, language_name=language_name, max_words=words),
                SummaryContent,
            )
            notes.prompt_versions.append(prompt.label)
            messages = prompt.render(article=text, language_name=language_name, max_words=words)
            self._check_fits(article, messages, SummaryContent)
            context = {"language": lang, "max_words": max_words, "glossary": self.glossary}
            content: SummaryContent = yield _Request(SummaryContent, messages, context)
            points = _trimmed_points(content.key_points, notes.warnings)
            return lambda info: Summary(
                **content.model_dump(exclude={"key_points"}), key_points=points, language=lang, meta=info
            )

        notes = _Notes(name=name)
        return _Task(article, notes, steps(notes))

    def _traceable(self, entities: list[Entity], article: Article, kind: str, warnings: list[str]) -> list[Entity]:
        """The entities traced back to the article's own spelling; the others are dropped with a warning."""
        kept = []
        for entity in entities:
            source = _source_form(entity.source, article.text, self.glossary) or _source_form(
                entity.english, article.text, self.glossary
            )
            if source is None:
                warnings.append(f"dropped {kind} entry {entity.english!r}: not found in the article")
            elif not (is_english(entity.english) and is_english(entity.role)):
                warnings.append(f"dropped {kind} entry {source!r}: not put into English")
            else:
                kept.append(entity.model_copy(update={"source": source}))
        return kept


_LENIENT_DROPS = ("figures", "source_figures", "summary_floor")
"""Validation context keys of the checks an answer may fail and still be kept, with warnings: the
fact lock and the summary's length floor."""


def _facts_that_fit(by_part: list[list[str]], budget: int) -> list[str]:
    """The first facts of each part, taken in turn, while their estimated tokens fit `budget`;
    returned in article order."""
    chosen: list[tuple[int, int]] = []
    used = 0
    for rank in range(max((len(part) for part in by_part), default=0)):
        for number, part in enumerate(by_part):
            if rank < len(part):
                cost = estimate_tokens(part[rank]) + 1
                if used + cost > budget:
                    return [by_part[n][r] for n, r in sorted(chosen)]
                chosen.append((number, rank))
                used += cost
    return [by_part[n][r] for n, r in sorted(chosen)]


def _request_tokens(messages: list[dict[str, str]], response_model: type[BaseModel]) -> int:
    """Estimated prompt tokens of a request: its messages and the schema instructor adds."""
    return sum(estimate_tokens(m["content"]) for m in messages) + estimate_tokens(schema_text(response_model))


def _stand_in(request: _Request) -> BaseModel:
    """An answer of the right shape that costs nothing: the source paragraphs for a translation,
    empty fields otherwise (built without validation)."""
    if request.response_model is TranslationChunk:
        sources: dict[int, str] = (request.context or {})["sources"]
        paragraphs = [TranslatedParagraph.model_construct(n=n, text=text) for n, text in sources.items()]
        return TranslationChunk.model_construct(paragraphs=paragraphs)
    fields = request.response_model.model_fields
    empty: dict[str, Any] = {name: [] if get_origin(info.annotation) is list else "" for name, info in fields.items()}
    return request.response_model.model_construct(**empty)


def _trimmed_summary(summary: str, warnings: list[str]) -> str:
    """`summary` cut at the last sentence end within the word limit (or at a word, with "…")."""
    words = count_words(summary)
    if words <= SUMMARY_MAX_WORDS:
        return summary
    kept = ""
    for sentence in _SENTENCE.findall(summary):
        if count_words(kept + sentence) > SUMMARY_MAX_WORDS:
            break
        kept += sentence
    if count_words(kept) < SUMMARY_MIN_WORDS:
        kept = " ".join(summary.split()[:SUMMARY_MAX_WORDS]).rstrip(",;:") + "…"
    kept = kept.strip()
    warnings.append(f"the model's summary ran to {words} words; cut to {count_words(kept)}")
    return kept


def _trimmed_points(points: list[str], warnings: list[str]) -> list[str]:
    if len(points) <= MAX_KEY_POINTS:
        return points
    warnings.append(f"the model gave {len(points)} key points; kept the first {MAX_KEY_POINTS}")
    return points[:MAX_KEY_POINTS]


def _check_language(language: str, what: str) -> None:
    if language not in LANGUAGE_NAMES:
        raise ConfigError(f"{what}: expected one of {', '.join(LANGUAGE_NAMES)}, got {language!r}")


def _advance(task: _Task[Any], tally: _Tally, outcome: Completion[Any] | OutputValidationError) -> _Request:
    """Count the outcome's tokens and attempts and hand it to the task; return its next request.

    An invalid answer goes into the task as an exception, which the task may recover from.
    """
    if isinstance(outcome, OutputValidationError):
        tally.add(outcome.usage, outcome.attempts)
        return task.steps.throw(outcome)
    tally.add(outcome.usage, outcome.attempts)
    return task.steps.send(outcome.value)


def _described_figures(figures: list[SourceFigure], draft: BriefDraft, warnings: list[str]) -> list[Figure]:
    """The article's figures with what the model says each refers to; gaps become warnings."""
    notes: dict[int, str] = {}
    for note in draft.figures:
        if 1 <= note.id <= len(figures):
            notes.setdefault(note.id, note.refers_to.strip())
        else:
            warnings.append(f"the model described figure {note.id}, which the article does not have; ignored")
    described = []
    for number, figure in enumerate(figures, 1):
        refers_to = notes.get(number, "")
        if refers_to and not is_english(refers_to):
            warnings.append(f"the model described {figure.english} in Vietnamese ({refers_to!r}); left blank")
            refers_to = ""
        elif not refers_to:
            warnings.append(f"the model did not say what {figure.source!r} ({figure.english}) refers to")
        described.append(
            Figure(
                source=figure.source,
                english=figure.english,
                kind=figure.kind,
                value=figure.value,
                unit=figure.unit,
                refers_to=refers_to,
            )
        )
    return described


_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"”’)]*\s*|$)")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_COMPANY_WORDS = re.compile(r"\b(?:Group|Corporation|Company|Co\.|Ltd\.?|JSC)\b", re.IGNORECASE)


def _source_form(name: str, text: str, glossary: Glossary) -> str | None:
    """How the article spells `name`: verbatim, with its Vietnamese marks, or as a glossary term.

    The model often decorates a name ("Victory Giant Technology Group (China)"), so the bare name
    is tried too.
    """
    plain = strip_marks(text).lower()
    bare = _COMPANY_WORDS.sub("", _PARENTHESIS.sub("", name))
    for candidate in dict.fromkeys((name, bare, glossary.unapply(name), glossary.unapply(bare))):
        wanted = " ".join(strip_marks(candidate).lower().split())
        if len(wanted) < 2 or wanted in {"...", "…"}:
            continue
        # strip_marks keeps one character per character, so positions in the plain text fit the original.
        start = plain.find(wanted)
        if start >= 0:
            return text[start : start + len(wanted)]
    return None


def _chunks(
    paragraphs: Sequence[str],
    budget: int = TRANSLATION_CHUNK_TOKENS,
    most: int = TRANSLATION_CHUNK_PARAGRAPHS,
) -> list[list[int]]:
    """1-based paragraph numbers grouped into runs of at most `budget` estimated tokens and `most`
    paragraphs (a longer paragraph goes alone), on paragraph boundaries."""
    chunks: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        size = estimate_tokens(paragraph)
        if current and (tokens + size > budget or len(current) >= most):
            chunks.append(current)
            current, tokens = [], 0
        current.append(number)
        tokens += size
    if current:
        chunks.append(current)
    return chunks
