"""Cassettes hold no secret or account header, and keep Vietnamese readable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import vcr
from openai import OpenAI

from .conftest import (
    CASSETTES,
    SECRET_REQUEST_HEADERS,
    SECRET_RESPONSE_HEADERS,
    UnicodeYamlSerializer,
    recorded_interactions,
)
from .fake_server import Reply, ScriptedServer, chat_completion

SENTINEL_KEY = "sk-sentinel-0123456789abcdefXYZ"
SECRET_PATTERN = re.compile(r"sk-[A-Za-z0-9_-]{16,}|Bearer\s+\S{8,}", re.IGNORECASE)


def all_cassettes() -> list[Path]:
    return sorted(CASSETTES.rglob("*.yaml"))


# What a request must never carry: it would change with a library upgrade or another machine.
DRIFTING_TEXT = re.compile(
    r"errors\.pydantic\.dev|For further information visit|https?://[^\s\"]*(pydantic|instructor|openai)"
    r"|\b(pydantic|instructor|openai|httpx2?|vcrpy|llama[-_]cpp)[ /=v-]*\d+\.\d+"
    r"|site-packages|/root/|/home/|/tmp/|python3\.\d+",
    re.IGNORECASE,
)


def test_there_are_cassettes_for_every_task() -> None:
    names = {path.stem for path in all_cassettes()}
    assert any("brief" in n for n in names) and any("translate" in n for n in names)
    assert any("summar" in n for n in names) and any("reask" in n for n in names)


@pytest.mark.parametrize("path", all_cassettes(), ids=lambda p: p.stem)
def test_cassette_holds_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not SECRET_PATTERN.search(text)
    for interaction in recorded_interactions(path):
        request_headers = {name.lower() for name in interaction["request"]["headers"]}
        response_headers = {name.lower() for name in interaction["response"]["headers"]}
        assert not request_headers & set(SECRET_REQUEST_HEADERS)
        assert not response_headers & SECRET_RESPONSE_HEADERS


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_recording_scrubs_keys_and_account_headers(tmp_path: Path, vcr_config: dict[str, object]) -> None:
    account_headers = {"set-cookie": "session=abc", "openai-organization": "org-secret", "openai-project": "proj"}
    reply = Reply(body=chat_completion("Bắc Ninh"), headers=account_headers)
    recorder = vcr.VCR(**vcr_config, record_mode="all")
    recorder.register_serializer("yaml", UnicodeYamlSerializer)
    with ScriptedServer([reply]) as server, recorder.use_cassette(str(tmp_path / "c.yaml")):
        client = OpenAI(base_url=server.base_url, api_key=SENTINEL_KEY, max_retries=0)
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Tỉnh ủy"}])
    text = (tmp_path / "c.yaml").read_text(encoding="utf-8")
    assert SENTINEL_KEY not in text
    for header in ("authorization", *account_headers):
        assert header not in text.lower()
    assert "Bắc Ninh" in text and "Tỉnh ủy" in text


@pytest.mark.parametrize("path", all_cassettes(), ids=lambda p: p.stem)
def test_cassette_requests_hold_no_library_version_url_or_machine_path(path: Path) -> None:
    for interaction in recorded_interactions(path):
        body = interaction["request"]["body"] or ""
        found = DRIFTING_TEXT.search(body if isinstance(body, str) else body.decode())
        assert found is None, f"{path.name}: the request holds {found.group(0)!r}"


def test_drifting_text_is_recognised() -> None:
    assert DRIFTING_TEXT.search("visit https://errors.pydantic.dev/2.13/v/value_error")
    assert DRIFTING_TEXT.search("/usr/lib/python3.11/site-packages/x.py")
    assert not DRIFTING_TEXT.search("Bắc Ninh attracted $1.6 billion in 2023 (up 2.13%)")
