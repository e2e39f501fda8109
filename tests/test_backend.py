"""One retry layer per failure kind, and the typed errors users see (scripted loopback server)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from summarizer import BackendError, OutputValidationError, resolve_settings
from summarizer._backend import ChatBackend

from .fake_server import Reply, ScriptedServer, chat_completion

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
SENTINEL_KEY = "sk-sentinel-0123456789abcdefXYZ"
MESSAGES = [{"role": "user", "content": "Name a colour."}]


class Colour(BaseModel):
    name: str


def _backend(server: ScriptedServer, **options: object) -> ChatBackend:
    settings = resolve_settings(base_url=server.base_url, model="test-model", api_key=SENTINEL_KEY, env={}, **options)  # type: ignore[arg-type]
    return ChatBackend(settings, server.base_url)


def test_valid_answer_counts_one_attempt_and_its_tokens() -> None:
    with ScriptedServer(
        [Reply(body=chat_completion('{"name": "red"}', prompt_tokens=7, completion_tokens=3))]
    ) as server:
        result = _backend(server).complete(Colour, MESSAGES)
    assert result.value.name == "red"
    assert (result.attempts, result.usage.prompt_tokens, result.usage.completion_tokens) == (1, 7, 3)
    assert server.requests[0]["body"]["response_format"] == {"type": "json_object"}
    headers = {name.lower(): value for name, value in server.requests[0]["headers"].items()}
    assert headers["authorization"] == f"Bearer {SENTINEL_KEY}"


def test_invalid_answer_is_reasked_then_accepted_with_usage_summed() -> None:
    replies = [
        Reply(body=chat_completion('{"colour": "red"}', prompt_tokens=10, completion_tokens=4)),
        Reply(body=chat_completion('{"name": "red"}', prompt_tokens=30, completion_tokens=5)),
    ]
    with ScriptedServer(replies) as server:
        result = _backend(server, reasks=2).complete(Colour, MESSAGES)
    assert result.value.name == "red"
    assert (result.attempts, result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 40, 9)
    reask = server.requests[1]["body"]["messages"]
    assert reask[:-2] == server.requests[0]["body"]["messages"]
    assert reask[-2] == {"role": "assistant", "content": '{"colour": "red"}'}
    # Worded by the project: the field, the reason, what to send back; no library's text.
    assert reask[-1] == {
        "role": "user",
        "content": "Your answer does not pass these checks:\n- name: is missing: add it\n"
        "Reply with the whole JSON object again, corrected.",
    }


def test_reask_names_every_fault_without_the_invalid_input_or_library_text() -> None:
    replies = [
        Reply(body=chat_completion('{"name": ["crimson-unique-input"], "extra": 1}')),
        Reply(body=chat_completion('{"name": "red"}')),
    ]
    with ScriptedServer(replies) as server:
        _backend(server, reasks=1).complete(Colour, MESSAGES)
    correction = server.requests[1]["body"]["messages"][-1]["content"]
    assert "- name: Input should be a valid string" in correction
    assert "crimson-unique-input" not in correction  # the model's answer is its own turn, not quoted
    assert "pydantic" not in correction and "http" not in correction


def test_answers_that_never_validate_raise_with_attempts_usage_and_last_output() -> None:
    with (
        ScriptedServer([Reply(body=chat_completion('{"colour": "red"}'))]) as server,
        pytest.raises(OutputValidationError) as caught,
    ):
        _backend(server, reasks=1).complete(Colour, MESSAGES)
    error = caught.value
    assert len(server.requests) == 2
    assert error.attempts == 2 and error.usage.prompt_tokens == 20 and error.usage.completion_tokens == 10
    assert error.last_output == '{"colour": "red"}'
    assert "name: Field required" in str(error) and "\n" not in str(error)


def test_server_errors_are_retried_by_one_layer_only() -> None:
    # openai retries the 503 (2 retries = 3 requests); instructor must not run that again.
    with (
        ScriptedServer([Reply(status=503, body={"error": {"message": "overloaded"}})]) as server,
        pytest.raises(BackendError) as caught,
    ):
        _backend(server, retries=2, reasks=2).complete(Colour, MESSAGES)
    assert len(server.requests) == 3
    assert caught.value.status_code == 503
    assert "answered HTTP 503" in str(caught.value)


def test_retry_after_is_honoured_then_the_answer_is_used() -> None:
    replies = [
        Reply(status=429, body={"error": {"message": "slow down"}}, headers={"retry-after-ms": "50"}),
        Reply(body=chat_completion('{"name": "blue"}')),
    ]
    with ScriptedServer(replies) as server:
        result = _backend(server, retries=1).complete(Colour, MESSAGES)
    assert result.value.name == "blue" and len(server.requests) == 2


def test_client_errors_are_not_retried_and_the_key_never_shows() -> None:
    body = {"error": {"message": f"Incorrect API key provided: {SENTINEL_KEY}"}}
    with ScriptedServer([Reply(status=401, body=body)]) as server, pytest.raises(BackendError) as caught:
        _backend(server, retries=2).complete(Colour, MESSAGES)
    assert len(server.requests) == 1
    assert SENTINEL_KEY not in str(caught.value) and "[redacted]" in str(caught.value)


def test_unreachable_server_is_named() -> None:
    with ScriptedServer([Reply()]) as server:
        url = server.base_url
    settings = resolve_settings(base_url=url, model="m", retries=0, env={})
    with pytest.raises(BackendError, match=f"cannot reach {url}"):
        ChatBackend(settings, url).complete(Colour, MESSAGES)


def test_cut_off_answer_is_an_output_error() -> None:
    truncated = chat_completion('{"name": "re')
    truncated["choices"][0]["finish_reason"] = "length"
    with (
        ScriptedServer([Reply(body=truncated)]) as server,
        pytest.raises(OutputValidationError, match="cut off at the 2048-token limit") as caught,
    ):
        _backend(server, reasks=2).complete(Colour, MESSAGES)
    assert len(server.requests) == 1 and caught.value.attempts == 1
    assert caught.value.last_output == '{"name": "re'


def _tool_call(arguments: str) -> dict[str, object]:
    body = chat_completion("")
    body["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "Colour", "arguments": arguments}}],
    }
    return body


def test_tools_mode_names_the_tool_and_reads_its_arguments() -> None:
    with ScriptedServer([Reply(body=_tool_call('{"name": "red"}'))]) as server:
        result = _backend(server, mode="tools").complete(Colour, MESSAGES)
    assert result.value.name == "red"
    [tool] = server.requests[0]["body"]["tools"]
    assert tool["function"]["name"] == "Colour"


def test_tools_mode_reasks_an_answer_without_a_tool_call() -> None:
    replies = [Reply(body=chat_completion("I think it is red.")), Reply(body=_tool_call('{"name": "red"}'))]
    with ScriptedServer(replies) as server:
        result = _backend(server, mode="tools", reasks=1).complete(Colour, MESSAGES)
    assert (result.value.name, result.attempts, len(server.requests)) == ("red", 2, 2)
    assert "holds no function call" in server.requests[1]["body"]["messages"][-1]["content"]


def test_tools_mode_reask_answers_the_tool_call() -> None:
    replies = [Reply(body=_tool_call('{"colour": "red"}')), Reply(body=_tool_call('{"name": "red"}'))]
    with ScriptedServer(replies) as server:
        _backend(server, mode="tools", reasks=1).complete(Colour, MESSAGES)
    *_, turn, reply = server.requests[1]["body"]["messages"]
    assert turn["role"] == "assistant" and turn["tool_calls"][0]["function"]["arguments"] == '{"colour": "red"}'
    assert reply["role"] == "tool" and reply["tool_call_id"] == turn["tool_calls"][0]["id"]
    assert "- name: is missing" in reply["content"]


def test_md_json_mode_reads_a_fenced_answer_and_keeps_its_json() -> None:
    fenced = '```json\n{"name": 7}\n```'
    with (
        ScriptedServer([Reply(body=chat_completion(fenced))]) as server,
        pytest.raises(OutputValidationError) as caught,
    ):
        _backend(server, mode="md_json", reasks=0).complete(Colour, MESSAGES)
    assert caught.value.last_output == '{"name": 7}'
    with ScriptedServer([Reply(body=chat_completion('```json\n{"name": "red"}\n```'))]) as server:
        assert _backend(server, mode="md_json").complete(Colour, MESSAGES).value.name == "red"
