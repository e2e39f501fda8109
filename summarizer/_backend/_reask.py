"""Re-asks: which answers are asked for again and how often (tenacity holds that policy), in our words."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base

from ._instructor import REASKED_ERRORS, ReaskedError, ResponseParsingError

_MAX_REASON_ERRORS = 3
_FIELD_MESSAGES = {
    "missing": "is missing: add it",
    "extra_forbidden": "is not a field of the schema: leave it out",
}
"""Our wording for pydantic's generic messages where theirs does not say what to do."""


def reask_policy(reasks: int, repeated: Callable[[], bool] = lambda: False) -> Retrying:
    """Re-ask only for answers that fail validation (transport errors belong to the openai client),
    at most `reasks` times, and no more once the model answers a re-ask with its last answer word
    for word: at temperature 0 it would only do so again, at the price of a whole answer each time."""
    return Retrying(
        stop=stop_after_attempt(reasks + 1) | stop_when(repeated),
        retry=retry_if_exception_type(REASKED_ERRORS),
        reraise=True,
    )


def stop_when(condition: Callable[[], bool]) -> stop_base:
    """A tenacity stop that ends the loop when `condition()` holds after an attempt."""

    class _Stop(stop_base):
        def __call__(self, retry_state: RetryCallState) -> bool:
            return condition()

    return _Stop()


def _faults(exc: ReaskedError, *, to_model: bool = False) -> list[str]:
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


def unfit(model_name: str, attempts: int, exc: ReaskedError) -> str:
    """The error an answer that never fit its schema ends with."""
    return f"the model's answer did not fit the {model_name} schema after {attempts} attempt(s): {reason(exc)}"


def reason(exc: ReaskedError) -> str:
    """One line saying why an answer failed validation."""
    faults = _faults(exc)
    more = len(faults) - _MAX_REASON_ERRORS
    return "; ".join(faults[:_MAX_REASON_ERRORS]) + (f" (+{more} more)" if more > 0 else "")


def correction(exc: ReaskedError) -> str:
    """The re-ask message: each fault on its line, then what to send back."""
    lines = "\n".join(f"- {fault}" for fault in _faults(exc, to_model=True))
    return f"Your answer does not pass these checks:\n{lines}\nReply with the whole JSON object again, corrected."


def reask_request(request: dict[str, Any], response: Any, exc: Exception) -> dict[str, Any]:
    """The request that asks again: the same messages, the model's failed answer as its own turn (so
    the server reuses the cached prompt), then the correction, worded by us (instructor's re-ask
    quotes pydantic's error text, which carries the invalid input and a URL with pydantic's version:
    a request body must not change when a library is upgraded)."""
    assert isinstance(exc, REASKED_ERRORS)
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
