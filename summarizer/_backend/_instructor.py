"""instructor's mode handlers, which shape the request for a mode and parse the answer; no other module
of the project uses instructor.

instructor's own `create` is not used: it renders every message as a Jinja template when given a
validation context (an article holding "{{" would be changed), and its per-call set-up costs several
milliseconds, which a batch of thousands of articles pays in full. The rest of the package sees
`ModeAdapter`, the exceptions the handlers raise, and `json_in_code_block`.
"""

from __future__ import annotations

import functools
import json
from typing import Any, TypeAlias, TypeVar

import instructor
from instructor.core.exceptions import IncompleteOutputException, InstructorError, ResponseParsingError
from instructor.v2.core.function_calls import response_schema
from instructor.v2.core.json import extract_json_from_codeblock
from instructor.v2.core.providers import Provider
from instructor.v2.core.registry import ModeHandlers, mode_registry
from pydantic import BaseModel, ValidationError

from .._config import Mode

__all__ = [
    "REASKED_ERRORS",
    "UNREADABLE_ERRORS",
    "IncompleteOutputException",
    "ModeAdapter",
    "ReaskedError",
    "ResponseParsingError",
    "json_in_code_block",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

_INSTRUCTOR_MODES: dict[Mode, instructor.Mode] = {
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
    "tools": instructor.Mode.TOOLS,
}

REASKED_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError)
"""Answers to ask again for: invalid against the schema, or (tools mode) no tool call at all."""
ReaskedError: TypeAlias = ValidationError | json.JSONDecodeError | ResponseParsingError
"""One of `REASKED_ERRORS`."""
UNREADABLE_ERRORS = (InstructorError, AssertionError)
"""The handlers' other refusals of an answer (a refusal message, say): still the model's fault, never re-asked."""


def json_in_code_block(text: str) -> str:
    """The JSON of an answer wrapped in a Markdown code block (MD_JSON), found as the parser finds it."""
    return extract_json_from_codeblock(text)


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


@functools.cache
def _handlers(mode: Mode) -> ModeHandlers:
    return mode_registry.get_handlers(Provider.OPENAI, _INSTRUCTOR_MODES[mode])


def _handled_request(mode: Mode, response_model: type[BaseModel], request: dict[str, Any]) -> dict[str, Any]:
    handlers = _handlers(mode)
    _, prepared = handlers.request_handler(response_model=response_model, kwargs=request)
    if handlers.message_converter is not None:
        prepared["messages"] = handlers.message_converter(prepared["messages"], autodetect_images=False)
    return dict(prepared)


JSON_INSTRUCTION = (
    "\n\nAnswer with one JSON object (the object itself, not its schema) that matches this JSON Schema:\n"
)


@functools.cache
def _json_instruction(model: type[BaseModel]) -> str:
    """What JSON mode adds to the system message: the instruction and the model's schema as compact
    JSON, fields in their declared order, which is the order the model writes them in (made once
    per model: the schema is asked for on every request)."""
    schema = json.dumps(model.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
    return JSON_INSTRUCTION + schema


class ModeAdapter:
    """One instructor mode's handlers: the model they take, the request they make, the answer they parse."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self._handlers = _handlers(mode)

    def model(self, response_model: type[ModelT]) -> type[ModelT]:
        """`response_model` as the handlers take it (pass this one to `request` and `parse`)."""
        return _wrapped_model(response_model, titled=self.mode == "tools")

    def request(self, model: type[BaseModel], request: dict[str, Any]) -> dict[str, Any]:
        """The request for `request` in this mode. JSON mode's is ours: the schema, compact, joins the
        system message in our words, and `response_format` asks for a JSON object. (instructor's
        handler indents the schema, which costs a third more prompt tokens, and words it in text
        that may change with instructor's version: a request must not.) Other modes: the handler's."""
        messages = request["messages"]
        if self.mode == "json" and messages and messages[0]["role"] == "system":
            prepared = {key: value for key, value in request.items() if key != "messages"}
            system = {**messages[0], "content": messages[0]["content"] + _json_instruction(model)}
            prepared["messages"] = [system, *(dict(message) for message in messages[1:])]
            prepared["response_format"] = {"type": "json_object"}
            return prepared
        return _handled_request(self.mode, model, request)

    def parse(self, response: Any, model: type[ModelT], context: object | None) -> ModelT:
        """The answer of a chat completion, validated; raises one of `REASKED_ERRORS` for an invalid one,
        `IncompleteOutputException` for one cut off, one of `UNREADABLE_ERRORS` for the rest."""
        value: ModelT = self._handlers.response_parser(
            response=response,
            response_model=model,
            # Typed as a dict by instructor, handed to pydantic's validators as it is: our typed checks.
            validation_context=context,  # type: ignore[arg-type]
            strict=True,
            stream=False,
        )
        return value
