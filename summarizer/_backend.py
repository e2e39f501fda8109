"""Structured chat completions on one OpenAI-compatible endpoint, with one retry layer per failure kind.

Transport failures (connection errors, timeouts, 408/409/429/5xx, honouring Retry-After) are retried by
the openai client, per HTTP request. Answers that fail the schema are re-asked, and only those, by a
tenacity loop around instructor's mode handlers (which shape the request and parse the answer); the
re-ask itself is worded here. Neither layer re-runs the other's failures, so attempts never multiply.

instructor's own `create` is not used: it renders every message as a Jinja template when given a
validation context (an article holding "{{" would be changed), and its per-call set-up costs several
milliseconds, which a batch of thousands of articles pays in full.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx2
import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorError, ResponseParsingError
from instructor.v2.core.function_calls import response_schema
from instructor.v2.core.json import extract_json_from_codeblock
from instructor.v2.core.providers import Provider
from instructor.v2.core.registry import mode_registry
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, Retrying, retry_if_exception_type, stop_after_attempt

from ._config import Mode, Settings
from ._errors import BackendError, OutputValidationError, SummarizerError, TruncatedOutputError, Usage

ModelT = TypeVar("ModelT", bound=BaseModel)

_INSTRUCTOR_MODES: dict[Mode, instructor.Mode] = {
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
    "tools": instructor.Mode.TOOLS,
}
_MAX_REASON_ERRORS = 3


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
            self.last_output = extract_json_from_codeblock(text) if text and "```" in text else text


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if len(secret) >= 8 else text


class _RedactingFilter(logging.Filter):
    """Hides API keys in records of the libraries below us (instructor logs raw API errors)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = _redact(message, secret)
        record.msg, record.args = message, None
        return True


_REDACTING_FILTER = _RedactingFilter()
_REDACTED_LOGGERS = ("instructor", "openai", "httpx", "httpx2", "httpcore", "httpcore2")


def _guard_loggers() -> None:
    """Put the redacting filter on those libraries' loggers and every child logger they have made:
    a logger's filters do not see records that its children pass up."""
    names = [*_REDACTED_LOGGERS, *logging.root.manager.loggerDict]
    for name in names:
        if name.split(".")[0] in _REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            if _REDACTING_FILTER not in logger.filters:
                logger.addFilter(_REDACTING_FILTER)


_guard_loggers()


_REASKED_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError)
"""Answers to ask again for: invalid against the schema, or (tools mode) no tool call at all."""
MAX_BACKOFF_SECONDS = 120.0
"""The longest Retry-After the openai client waits for before a retry (it gives up on a longer one)."""


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """The delay a 429 or 503 asks for: `retry-after-ms`, else `retry-after` in seconds or as a date."""
    with contextlib.suppress(ValueError):
        return float(headers.get("retry-after-ms", "")) / 1000
    raw = headers.get("retry-after", "")
    with contextlib.suppress(ValueError):
        return float(raw)
    try:
        return email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


class BackoffGate:
    """Holds every request of a client back while the server asks for a pause.

    The openai client retries a 429 on its own, honouring Retry-After for that request; the gate
    makes the other requests in flight wait too, so a batch slows down instead of hammering.
    """

    def __init__(self) -> None:
        self.resume_at = 0.0
        self.pauses = 0

    def note(self, response: httpx2.Response) -> None:
        """Start a pause on a 429 (its Retry-After, else one second) or a 503 with a Retry-After.

        A delay the openai client will not wait for (over MAX_BACKOFF_SECONDS, or not finite)
        starts none: that request fails at once, and the others need not stop.
        """
        if response.status_code not in (429, 503):
            return
        delay = retry_after_seconds(response.headers)
        if delay is None:
            if response.status_code == 503:
                return
            delay = 1.0
        if not 0 <= delay <= MAX_BACKOFF_SECONDS:
            return
        self.resume_at = max(self.resume_at, time.monotonic() + delay)
        self.pauses += 1

    def wait(self) -> None:
        """Sleep until the pause, if any, is over."""
        remaining = self.resume_at - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    async def await_resume(self) -> None:
        """The async twin of `wait`."""
        remaining = self.resume_at - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)


@functools.cache
def _wrapped_model(response_model: type[ModelT], *, titled: bool) -> type[ModelT]:
    """The model as instructor's handlers take it, made once (instructor wraps it anew on every
    call otherwise: 5 ms each time). Tools mode names the tool after the schema's title, which
    our compact schemas leave out, so it gets one back."""
    wrapped = response_schema(response_model)
    if not titled:
        return wrapped

    class Titled(wrapped):  # type: ignore[valid-type,misc]
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            schema: dict[str, Any] = super().model_json_schema(*args, **kwargs)
            return {"title": response_model.__name__, **schema}

    Titled.__name__ = Titled.__qualname__ = response_model.__name__
    return Titled


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


def _reask_policy(reasks: int) -> Retrying:
    """Re-ask only for answers that fail validation; transport errors belong to the openai client."""
    return Retrying(stop=stop_after_attempt(reasks + 1), retry=retry_if_exception_type(_REASKED_ERRORS), reraise=True)


def _async_reask_policy(reasks: int) -> AsyncRetrying:
    """The async twin of `_reask_policy`."""
    return AsyncRetrying(
        stop=stop_after_attempt(reasks + 1), retry=retry_if_exception_type(_REASKED_ERRORS), reraise=True
    )


def _faults(exc: ValidationError | json.JSONDecodeError | ResponseParsingError, *, to_model: bool = False) -> list[str]:
    """What is wrong with an answer, one line per fault: the field and the reason, never the invalid
    input, a library's version or its documentation URL; `to_model` adds what to do where pydantic's
    own message does not say it."""
    if isinstance(exc, json.JSONDecodeError):
        return [f"the answer is not valid JSON ({exc.msg} at character {exc.pos})"]
    if isinstance(exc, ResponseParsingError):
        return ["the answer holds no function call: answer by calling the function with the JSON arguments"]
    faults = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"])
        message = (to_model and _FIELD_MESSAGES.get(error["type"])) or error["msg"].removeprefix("Value error, ")
        faults.append(f"{where}: {message}" if where else message)
    return faults


_FIELD_MESSAGES = {
    "missing": "is missing: add it",
    "extra_forbidden": "is not a field of the schema: leave it out",
}
"""Our wording for pydantic's generic messages where theirs does not say what to do."""


def _reason(exc: ValidationError | json.JSONDecodeError | ResponseParsingError) -> str:
    """One line saying why an answer failed validation."""
    faults = _faults(exc)
    more = len(faults) - _MAX_REASON_ERRORS
    return "; ".join(faults[:_MAX_REASON_ERRORS]) + (f" (+{more} more)" if more > 0 else "")


def correction(exc: ValidationError | json.JSONDecodeError | ResponseParsingError) -> str:
    """The re-ask message: each fault on its line, then what to send back."""
    lines = "\n".join(f"- {fault}" for fault in _faults(exc, to_model=True))
    return f"Your answer does not pass these checks:\n{lines}\nReply with the whole JSON object again, corrected."


def reask_request(request: dict[str, Any], response: Any, exc: Exception) -> dict[str, Any]:
    """The request that asks again: the same messages, the model's failed answer as its own turn (so
    the server reuses the cached prompt), then the correction, worded by us (instructor's re-ask
    quotes pydantic's error text, which carries the invalid input and a URL with pydantic's version:
    a request body must not change when a library is upgraded)."""
    assert isinstance(exc, _REASKED_ERRORS)
    message = response.choices[0].message
    tool_calls = getattr(message, "tool_calls", None) or []
    text = correction(exc)
    turn: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
    if tool_calls:
        turn["tool_calls"] = [call.model_dump(exclude_none=True) for call in tool_calls]
        replies = [{"role": "tool", "tool_call_id": call.id, "content": text} for call in tool_calls]
    else:
        replies = [{"role": "user", "content": text}]
    return {**request, "messages": [*request["messages"], turn, *replies]}


class ChatBackend:
    """Asks an OpenAI-compatible chat endpoint for JSON that a pydantic model must accept."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url
        self.gate = BackoffGate()
        self._sync: openai.OpenAI | None = None
        self._async: openai.AsyncOpenAI | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._client_lock = threading.Lock()
        self._handlers = mode_registry.get_handlers(Provider.OPENAI, _INSTRUCTOR_MODES[settings.mode])
        _REDACTING_FILTER.secrets.add(settings.api_key)
        _guard_loggers()  # loggers made since import (openai makes some on first use)

    def _client_options(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "api_key": self.settings.api_key,
            "max_retries": self.settings.retries,
            "timeout": self.settings.timeout,
        }

    # Each client is made on first use: making one takes a good part of a second (TLS setup,
    # instructor's imports), and a batch only ever uses the async one.
    def _sync_client(self) -> openai.OpenAI:
        with self._client_lock:
            return self._sync or self._new_sync_client()

    def _new_sync_client(self) -> openai.OpenAI:
        if self._sync is None:
            gate = self.gate

            def wait(request: httpx2.Request) -> None:
                gate.wait()

            def note(response: httpx2.Response) -> None:
                gate.note(response)

            http = openai.DefaultHttpx2Client(event_hooks={"request": [wait], "response": [note]})
            client = openai.OpenAI(**self._client_options(), http_client=http)
            self._sync = client
        return self._sync

    def _async_client(self) -> openai.AsyncOpenAI:
        with self._client_lock:
            try:
                loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
            except RuntimeError:  # made ahead, from a thread
                loop = None
            if self._async is not None and loop is not None and self._async_loop not in (None, loop):
                # Its pooled connections belong to an event loop that has ended: start a new pool.
                self._async = None
            if self._async is None:
                gate = self.gate

                async def wait(request: httpx2.Request) -> None:
                    await gate.await_resume()

                async def note(response: httpx2.Response) -> None:
                    gate.note(response)

                http = openai.DefaultAsyncHttpx2Client(event_hooks={"request": [wait], "response": [note]})
                self._async = openai.AsyncOpenAI(**self._client_options(), http_client=http)
            if loop is not None:
                self._async_loop = loop
            return self._async

    def prepare_async(self) -> None:
        """Make the async client now (blocking), rather than inside the first request."""
        self._async_client().chat.completions  # noqa: B018 - openai imports its resources on first use

    def close(self) -> None:
        """Close the sync HTTP connection pool (see `aclose` for the async one)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close the async HTTP connection pool."""
        if self._async is not None:
            await self._async.close()
            self._async = None

    def _instructor_model(self, response_model: type[ModelT]) -> type[ModelT]:
        return _wrapped_model(response_model, titled=self.settings.mode == "tools")

    def _first_request(self, response_model: type[BaseModel], messages: list[dict[str, str]]) -> dict[str, Any]:
        """The request instructor's mode handler makes of `messages` (JSON mode: the schema joins the
        system message, and `response_format` asks for a JSON object)."""
        request = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": self.settings.max_output_tokens,
            "temperature": self.settings.temperature,
        }
        if self.settings.mode == "json" and len(messages) == 2 and messages[0]["role"] == "system":
            # In JSON mode the handler only adds the schema to the system message: work that text
            # out once per model (the handler dumps and copies the schema every time) and add it.
            options = tuple((key, value) for key, value in request.items() if key != "messages")
            template = self._template_request(response_model, options)
            prepared = {key: value for key, value in template.items() if key != "messages"}
            prepared_messages = [dict(message) for message in messages]
            prepared_messages[0]["content"] = messages[0]["content"] + template["messages"][0]["content"]
            prepared["messages"] = prepared_messages
            return prepared
        return self._handled_request(response_model, request)

    def _handled_request(self, response_model: type[BaseModel], request: dict[str, Any]) -> dict[str, Any]:
        _, prepared = self._handlers.request_handler(response_model=response_model, kwargs=request)
        if self._handlers.message_converter is not None:
            prepared["messages"] = self._handlers.message_converter(prepared["messages"], autodetect_images=False)
        return dict(prepared)

    @functools.lru_cache(maxsize=32)  # noqa: B019 - one backend per Summarizer; the cache is tiny
    def _template_request(
        self, response_model: type[BaseModel], options: tuple[tuple[str, Any], ...]
    ) -> dict[str, Any]:
        """The handled request of an empty system message and one user message."""
        probe = {**dict(options), "messages": [{"role": "system", "content": ""}, {"role": "user", "content": "-"}]}
        return self._handled_request(response_model, probe)

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
            value: ModelT = self._handlers.response_parser(
                response=response,
                response_model=model,
                # Typed as a dict by instructor, handed to pydantic as it is: our typed checks.
                validation_context=context,  # type: ignore[arg-type]
                strict=True,
                stream=False,
            )
        except _REASKED_ERRORS as exc:
            record.request = reask_request(record.request, response, exc)
            raise
        return value

    def complete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: object | None = None,
    ) -> Completion[ModelT]:
        """Ask once (with re-asks on invalid answers) and return the validated answer."""
        model = self._instructor_model(response_model)
        record = _CallRecord(request=self._first_request(model, messages))
        client = self._sync_client()
        with self._errors_translated(record, response_model):
            for attempt in _reask_policy(self.settings.reasks):
                with attempt:
                    with _malformed_answers_named():
                        response = _checked(client.chat.completions.create(**record.request))
                    value = self._read(response, model, context, record)
        return Completion(value=value, usage=record.usage, attempts=record.attempts)

    async def acomplete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: object | None = None,
    ) -> Completion[ModelT]:
        """The async twin of `complete`."""
        model = self._instructor_model(response_model)
        record = _CallRecord(request=self._first_request(model, messages))
        client = self._async_client()
        with self._errors_translated(record, response_model):
            async for attempt in _async_reask_policy(self.settings.reasks):
                with attempt:
                    with _malformed_answers_named():
                        response = _checked(await client.chat.completions.create(**record.request))
                    value = self._read(response, model, context, record)
        return Completion(value=value, usage=record.usage, attempts=record.attempts)

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
        elif isinstance(exc, _REASKED_ERRORS):
            message = (
                f"the model's answer did not fit the {response_model.__name__} schema after "
                f"{record.attempts} attempt(s): {_reason(exc)}"
            )
        elif isinstance(exc, (InstructorError, AssertionError)):
            # instructor's other refusals of an answer (a refusal message, say): still the model's fault.
            detail = " ".join(str(exc).split()) or type(exc).__name__
            message = f"the model's answer could not be read as {response_model.__name__}: {detail}"
        else:
            return None
        kind = TruncatedOutputError if isinstance(exc, IncompleteOutputException) else OutputValidationError
        return kind(
            _redact(message, self.settings.api_key),
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
        return BackendError(_redact(first_line, self.settings.api_key), status_code=status)
