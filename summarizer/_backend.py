"""Structured chat completions on one OpenAI-compatible endpoint, with one retry layer per failure kind.

Transport failures (connection errors, timeouts, 408/409/429/5xx, honouring Retry-After) are retried by
the openai client, per HTTP request. Answers that fail the schema are re-asked by instructor, and only
those. Neither layer re-runs the other's failures, so attempts never multiply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import instructor
import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.core.hooks import Hooks
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, Retrying, retry_if_exception_type, stop_after_attempt

from ._config import Mode, Settings
from ._errors import BackendError, OutputValidationError, SummarizerError, Usage

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

    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    last_output: str | None = None

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:response", self._on_response)
        return hooks

    def _on_response(self, response: Any) -> None:
        self.attempts += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage += Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0)
        choices = getattr(response, "choices", None) or []
        if choices:
            message = choices[0].message
            calls = getattr(message, "tool_calls", None)
            self.last_output = calls[0].function.arguments if calls else message.content


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
for _name in ("instructor", "openai", "httpx", "httpx2"):
    logging.getLogger(_name).addFilter(_REDACTING_FILTER)


_REASKED_ERRORS = (ValidationError, json.JSONDecodeError)


def _reask_policy(reasks: int, *, asynchronous: bool) -> Retrying | AsyncRetrying:
    """Re-ask only for answers that fail validation; transport errors belong to the openai client."""
    policy = AsyncRetrying if asynchronous else Retrying
    return policy(stop=stop_after_attempt(reasks + 1), retry=retry_if_exception_type(_REASKED_ERRORS), reraise=True)


def _reason(exc: ValidationError | json.JSONDecodeError) -> str:
    """One line saying why an answer failed validation."""
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at character {exc.pos})"
    parts = []
    for error in exc.errors()[:_MAX_REASON_ERRORS]:
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    more = exc.error_count() - _MAX_REASON_ERRORS
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


class ChatBackend:
    """Asks an OpenAI-compatible chat endpoint for JSON that a pydantic model must accept."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url
        client_options: dict[str, Any] = {
            "base_url": base_url,
            "api_key": settings.api_key,
            "max_retries": settings.retries,
            "timeout": settings.timeout,
        }
        mode = _INSTRUCTOR_MODES[settings.mode]
        self._openai = openai.OpenAI(**client_options)
        self._client = instructor.from_openai(self._openai, mode=mode)
        self._async_client = instructor.from_openai(openai.AsyncOpenAI(**client_options), mode=mode)
        _REDACTING_FILTER.secrets.add(settings.api_key)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._openai.close()

    def _request(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        context: dict[str, Any] | None,
        record: _CallRecord,
        *,
        asynchronous: bool = False,
    ) -> dict[str, Any]:
        return {
            "model": self.settings.model,
            "response_model": response_model,
            "messages": messages,
            "context": context,
            "max_retries": _reask_policy(self.settings.reasks, asynchronous=asynchronous),
            "max_tokens": self.settings.max_output_tokens,
            "temperature": self.settings.temperature,
            "hooks": record.hooks(),
        }

    def complete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
    ) -> Completion[ModelT]:
        """Ask once (with re-asks on invalid answers) and return the validated answer."""
        record = _CallRecord()
        with self._errors_translated(record, response_model):
            value = self._client.chat.completions.create(**self._request(response_model, messages, context, record))
        return Completion(value=value, usage=record.usage, attempts=record.attempts)

    async def acomplete(
        self,
        response_model: type[ModelT],
        messages: list[dict[str, str]],
        *,
        context: dict[str, Any] | None = None,
    ) -> Completion[ModelT]:
        """The async twin of `complete`."""
        record = _CallRecord()
        with self._errors_translated(record, response_model):
            value = await self._async_client.chat.completions.create(
                **self._request(response_model, messages, context, record, asynchronous=True)
            )
        return Completion(value=value, usage=record.usage, attempts=record.attempts)

    @contextmanager
    def _errors_translated(self, record: _CallRecord, response_model: type[BaseModel]) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            error = self._error(exc, record, response_model)
            if error is None:
                # Not a failure we translate (a bug, say): surface what instructor wrapped.
                if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
                    raise exc.__cause__ from None
                raise
            # The chain is cut: the openai error's text may hold what _error redacted.
            raise error from None

    def _error(self, exc: Exception, record: _CallRecord, response_model: type[BaseModel]) -> SummarizerError | None:
        """The library's error for what the openai or instructor stack raised; None for anything else
        (a bug surfaces as it is)."""
        if isinstance(exc, InstructorRetryException) and isinstance(exc.__cause__, openai.APIError):
            exc = exc.__cause__
        if isinstance(exc, openai.APIError):
            return self._transport_error(exc)
        if isinstance(exc, IncompleteOutputException):
            message = (
                f"the answer was cut off at the {self.settings.max_output_tokens}-token limit "
                "before the JSON was complete; raise --max-output-tokens"
            )
        elif isinstance(exc, InstructorRetryException) and isinstance(exc.__cause__, _REASKED_ERRORS):
            cause = exc.__cause__
            message = (
                f"the model's answer did not fit the {response_model.__name__} schema after "
                f"{record.attempts} attempt(s): {_reason(cause)}"
            )
        else:
            return None
        return OutputValidationError(
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
