"""Shared fixtures: cassette configuration, the backend under test, seed articles."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from summarizer import LocalServer, Settings, Summarizer, resolve_settings
from summarizer._config import EMBEDDED_MODEL

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SEEDS = ROOT / "seeds"
VI_SEED = SEEDS / "000_80db828453ebe2ea.txt"
EN_SEED = SEEDS / "002_981ca9ac9f9563e2.txt"
# Where replayed requests claim to go; cassettes match on everything but the port, so the embedded
# server's random port at recording time does not matter.
REPLAY_BASE_URL = "http://127.0.0.1:8080/v1"
SECRET_REQUEST_HEADERS = ["authorization", "api-key", "x-api-key", "cookie", "openai-organization", "openai-project"]
SECRET_RESPONSE_HEADERS = {"set-cookie", "openai-organization", "openai-project", "x-request-id", "cf-ray"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="run the tests marked live on the embedded model")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    recording = config.getoption("--record-mode", default="none") not in (None, "none")
    for item in items:
        if "live" in item.keywords and not config.getoption("--live"):
            item.add_marker(pytest.mark.skip(reason="live test: pass --live to run it on the embedded model"))
        replay_only = item.get_closest_marker("replay_only")
        if replay_only is not None and recording:
            # A skip mark acts before the fixtures: in rewrite mode the cassette fixture would delete
            # the shared cassette, which another test has just recorded.
            item.add_marker(pytest.mark.skip(reason=f"replays only: {replay_only.args[0]}"))


class _ReadableDumper(yaml.SafeDumper):
    """Multi-line strings (the pretty-printed request bodies) as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


class UnicodeYamlSerializer:
    """vcrpy's YAML serializer, but Vietnamese stays readable instead of \\u escapes."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        return yaml.dump(cassette, Dumper=_ReadableDumper, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.load(text, Loader=yaml.SafeLoader)
        return data


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    # Registered under vcrpy's own name so that cassette files keep the .yaml suffix.
    vcr.register_serializer("yaml", UnicodeYamlSerializer)


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop account and cookie headers (filter_headers covers requests only) and store a JSON body
    with Vietnamese as letters rather than \\u escapes; the same JSON, so the length is updated."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_RESPONSE_HEADERS:
            del headers[name]
    body = response.get("body", {}).get("string")
    if body:
        with contextlib.suppress(ValueError):
            readable = json.dumps(json.loads(body), ensure_ascii=False, indent=1).encode()
            response["body"]["string"] = readable
            for name in headers:
                if name.lower() == "content-length":
                    headers[name] = [str(len(readable))]
    return response


def pretty_json_body(request: Any) -> Any:
    """Store request bodies as indented UTF-8 JSON so a cassette diff shows what changed."""
    if request.body:
        with contextlib.suppress(ValueError):
            request.body = json.dumps(json.loads(request.body), ensure_ascii=False, indent=1).encode()
    return request


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    return {
        "serializer": "yaml",
        "filter_headers": SECRET_REQUEST_HEADERS,
        "before_record_request": pretty_json_body,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        # The body is matched (parsed JSON) so a changed prompt or schema misses loudly.
        "match_on": ["method", "scheme", "host", "path", "query", "body"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture(scope="session")
def backend_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The replay address, or a real embedded server when recording (--record-mode once/rewrite/all)."""
    if request.config.getoption("--record-mode") in (None, "none"):
        yield REPLAY_BASE_URL
        return
    with LocalServer() as server:
        yield server.base_url


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or fills the user's response cache: it is off unless a test turns it on, and
    then it lives in the test's own folder."""
    monkeypatch.setenv("SUMMARIZER_CACHE", "off")
    monkeypatch.setattr("summarizer._config.default_cache_path", lambda: tmp_path / "user-cache.sqlite3")


@pytest.fixture
def settings(backend_url: str) -> Settings:
    """Settings as at recording time, with transport retries off so a cassette miss fails at once."""
    return resolve_settings(base_url=backend_url, model=EMBEDDED_MODEL, retries=0, cache=False, env={})


@pytest.fixture
def summarizer(settings: Settings) -> Iterator[Summarizer]:
    with Summarizer(settings) as instance:
        yield instance


@pytest.fixture
def cli_env(backend_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment for CLI runs: the backend under test, no stray OpenAI settings."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_PROMPTS"):
        monkeypatch.delenv(name, raising=False)
    return {"OPENAI_BASE_URL": backend_url, "SUMMARIZER_MODEL": EMBEDDED_MODEL, "SUMMARIZER_RETRIES": "0"}


def recorded_interactions(cassette: Path) -> list[dict[str, Any]]:
    """The interactions stored in a cassette file."""
    data = UnicodeYamlSerializer.deserialize(cassette.read_text(encoding="utf-8"))
    interactions: list[dict[str, Any]] = data["interactions"]
    return interactions


def exchanged_bodies(cassette: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(request, response) JSON bodies of the test's cassette, as recorded or being recorded."""
    return [
        (json.loads(request.body), json.loads(response["body"]["string"]))
        for request, response in zip(cassette.requests, cassette.responses, strict=True)
    ]


def exchanged_usage(cassette: Any) -> tuple[int, int]:
    """Prompt and completion tokens summed over every response of the test's cassette."""
    usages = [response["usage"] for _, response in exchanged_bodies(cassette)]
    return sum(u["prompt_tokens"] for u in usages), sum(u["completion_tokens"] for u in usages)
