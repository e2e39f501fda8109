"""Structured chat completions on one OpenAI-compatible endpoint, and the library's errors for their failures."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import openai
from pydantic import BaseModel

from .._config import Settings
from .._errors import BackendError, OutputValidationError, SummarizerError, TruncatedOutputError, Usage
from ._backoff import BackoffGate
from ._clients import Clients
from ._exchange import Exchange, Flow
from ._instructor import (
    REASKED_ERRORS,
    UNREADABLE_ERRORS,
    IncompleteOutputException,
    ModeAdapter,
    json_in_code_block,
)
from ._reask import correction, reask_policy, reask_request, unfit
from ._redaction import hide_in_logs, redact

ModelT = TypeVar("ModelT", bound=BaseModel)
_log = logging.getLogger("summarizer")


@dataclass(frozen=True)
class Completion(Generic[ModelT]):
    """A validated answer with the tokens and attempts it took."""

    value: ModelT
    usage: Usage
    attempts: int


@dataclass
class _CallRecord:
    """What one structured call saw, kept per call so concurrent calls do not mix."""

    request: dict[str, Any] = field(default_factory=dict)
    """The request the next attempt sends: the first one, then each re-ask."""
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    last_output: str | None = None
    repeated: bool = False
    """The last answer is the one before it word for word, or has the same faults: the re-ask
    changed nothing that matters."""
    last_faults: str | None = None

    def note(self, response: Any) -> None:
        """Count one answer: its tokens, and its text in case it is the last."""
        self.attempts += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage += Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0)
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        if message is not None:
            calls = getattr(message, "tool_calls", None)
            text = calls[0].function.arguments if calls else message.content
            # MD_JSON answers wrap the JSON in a code block; keep the JSON, which callers re-read.
            output = json_in_code_block(text) if text and "```" in text else text
            self.repeated = self.attempts > 1 and output == self.last_output
            self.last_output = output


class _MalformedAnswer(Exception):
    """The server's HTTP answer is no chat completion at all: a server fault, never re-asked."""


@contextmanager
def _malformed_answers_named() -> Iterator[None]:
    # The openai client raises JSONDecodeError for a 200 whose body is not JSON; left alone, the
    # re-ask loop would take it for an invalid answer of the model's and send the request again.
    try:
        yield
    except json.JSONDecodeError as exc:
        raise _MalformedAnswer(f"answered HTTP 200 with a body that is not JSON ({exc.msg})") from None


def _checked(response: Any) -> Any:
    """`response`, if it is a chat completion with at least one choice."""
    if not hasattr(response, "choices"):
        raise _MalformedAnswer("answered HTTP 200 with something that is not a chat completion")
    if not response.choices:
        raise _MalformedAnswer("answered with an empty list of choices")
    if getattr(response.choices[0], "message", None) is None:
        raise _MalformedAnswer("answered with a choice that holds no message")
    return response


class ChatBackend:
    """Asks an OpenAI-compatible chat endpoint for JSON that a pydantic model must accept.

    One retry layer per failure kind: transport failures (connection errors, timeouts, 408/409/429/5xx,
    honouring Retry-After) are retried by the openai client, per HTTP request; answers that fail the
    schema are re-asked, and only those, by the re-ask policy around instructor's mode handlers (which
    shape the request and parse the answer). Neither layer re-runs the other's failures, so attempts
    never multiply.
    """

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.gate = BackoffGate()
        self._clients = Clients(settings, base_url, self.gate)
        self._mode = ModeAdapter(settings.mode)
        hide_in_logs(settings.api_key)

    def prepare_async(self) -> None:
        """Make the async client now (blocking), rather than inside the first request."""
        self._clients.async_client().chat.completions  # noqa: B018 - openai imports its resources on first use

    def close(self) -> None:
        """Close the sync HTTP connection pool (see `aclose` for the async one)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async HTTP connection pool."""
        await self._clients.aclose()

    def complete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: object | None = None,
        reasks: int | None = None,
    ) -> Completion[ModelT]:
        """Ask once (with re-asks on invalid answers: `reasks`, else the settings' number) and return
        the validated answer."""
        exchange = Exchange(self._call(response_model, messages, context, reasks))
        client = self._clients.sync_client()
        for turn in exchange:
            with turn:
                turn.response = client.chat.completions.create(**turn.request)
        return exchange.result

    async def acomplete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: object | None = None,
        reasks: int | None = None,
    ) -> Completion[ModelT]:
        """`complete` from async code: the same call, with each request awaited."""
        exchange = Exchange(self._call(response_model, messages, context, reasks))
        client = self._clients.async_client()
        for turn in exchange:
            with turn:
                turn.response = await client.chat.completions.create(**turn.request)
        return exchange.result

    def _call(
        self, response_model: type[ModelT], messages: list[dict[str, str]], context: object | None, reasks: int | None
    ) -> Flow[Completion[ModelT]]:
        """One structured call, but for the sending: yields each request (the first, then each re-ask),
        takes back its response, and returns the validated answer or raises the library's error."""
        model = self._mode.model(response_model)
        record = _CallRecord(request=self._first_request(model, messages))
        with self._errors_translated(record, response_model):
            policy = reask_policy(self.settings.reasks if reasks is None else reasks, lambda: record.repeated)
            for attempt in policy:
                with attempt:
                    with _malformed_answers_named():
                        response = _checked((yield record.request))
                    value = self._read(response, model, context, record)
        return Completion(value=value, usage=record.usage, attempts=record.attempts)

    def _first_request(self, model: type[BaseModel], messages: list[dict[str, str]]) -> dict[str, Any]:
        request = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": self.settings.max_output_tokens,
            "temperature": self.settings.temperature,
        }
        return self._mode.request(model, request)

    def _read(
        self,
        response: Any,
        model: type[ModelT],
        context: object | None,
        record: _CallRecord,
    ) -> ModelT:
        """Count the answer and parse it. An invalid one raises for the re-ask loop, after setting the
        record's next request to the re-ask (the failed answer and what is wrong with it)."""
        record.note(response)
        try:
            return self._mode.parse(response, model, context)
        except REASKED_ERRORS as exc:
            faults = correction(exc)
            # The same faults as the answer before: the re-ask mended nothing, and at temperature 0
            # another would fare no better, at the price of a whole answer.
            record.repeated = record.repeated or faults == record.last_faults
            record.last_faults = faults
            told = "; ".join(line[2:] for line in faults.splitlines() if line.startswith("- "))
            _log.info("answer %d (%s) did not pass: %s", record.attempts, model.__name__, told)
            record.request = reask_request(record.request, response, exc)
            raise

    @contextmanager
    def _errors_translated(self, record: _CallRecord, response_model: type[BaseModel]) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            error = self._error(exc, record, response_model)
            if error is None:
                raise  # not a failure we translate: a bug surfaces as it is
            # The chain is cut: the openai error's text may hold what _error redacted.
            raise error from None

    def _error(self, exc: Exception, record: _CallRecord, response_model: type[BaseModel]) -> SummarizerError | None:
        """The library's error for what the openai or instructor stack raised; None for anything else
        (a bug surfaces as it is)."""
        if isinstance(exc, openai.APIError):
            return self._transport_error(exc)
        if isinstance(exc, _MalformedAnswer):
            return BackendError(f"{self.settings.endpoint_label} {exc}")
        if isinstance(exc, IncompleteOutputException):
            message = (
                f"the answer was cut off at the {self.settings.max_output_tokens}-token limit "
                "before the JSON was complete; raise --max-output-tokens"
            )
        elif isinstance(exc, REASKED_ERRORS):
            message = unfit(response_model.__name__, record.attempts, exc)
        elif isinstance(exc, UNREADABLE_ERRORS):
            detail = " ".join(str(exc).split()) or type(exc).__name__
            message = f"the model's answer could not be read as {response_model.__name__}: {detail}"
        else:
            return None
        kind = TruncatedOutputError if isinstance(exc, IncompleteOutputException) else OutputValidationError
        return kind(
            redact(message, self.settings.api_key),
            attempts=record.attempts,
            usage=record.usage,
            last_output=record.last_output,
        )

    def _transport_error(self, exc: openai.APIError) -> BackendError:
        where = self.settings.endpoint_label
        tries = self.settings.retries + 1
        if isinstance(exc, openai.APITimeoutError):
            message = f"{where}: no answer within {self.settings.timeout:g} s ({tries} tries)"
            status = None
        elif isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__
            detail = f": {type(cause).__name__}: {cause}" if cause is not None else ""
            message = f"cannot reach {where} ({tries} tries){detail}"
            status = None
        elif isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            message = f"{where} answered HTTP {status}: {exc.message}"
        else:
            status = None
            message = f"{where}: {exc}"
        first_line = message.splitlines()[0] if message else message
        return BackendError(redact(first_line, self.settings.api_key), status_code=status)
