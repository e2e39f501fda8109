"""The API key never leaves the request header: not in output, logs, errors, tracebacks, manifests,
results or the response cache (a run with a sentinel key, then everything it wrote is searched)."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import BackendError, Summarizer, resolve_settings
from summarizer._answers import BriefDraft
from summarizer._cache import request_key
from summarizer.cli import app

from .fake_server import Reply, ScriptedServer
from .test_batch import brief_reply, make_folder

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
SENTINEL_KEY = "sk-sentinel-0123456789abcdefSECRET"
runner = CliRunner()


def echoing_key(body: dict[str, Any]) -> Reply:
    """A brief for most articles; for article 2, a 401 that quotes the key, as some servers do."""
    if any("approves park 2\n" in m["content"] for m in body["messages"]):
        message = f"Incorrect API key provided: {SENTINEL_KEY}. You can find your API key at ..."
        return Reply(status=401, body={"error": {"message": message, "type": "invalid_request_error"}})
    return brief_reply(body)


def test_sentinel_key_is_nowhere_after_a_batch_run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder, out, cache = make_folder(tmp_path, 3), tmp_path / "out", tmp_path / "cache.sqlite3"
    caplog.set_level(logging.DEBUG)
    with ScriptedServer(echoing_key) as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": SENTINEL_KEY,
            "SUMMARIZER_MODEL": "m",
            "SUMMARIZER_RETRIES": "0",
            "SUMMARIZER_CACHE": str(cache),
        }
        result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "-v"], env=env)
        single = runner.invoke(app, ["brief", str(folder / "a02.txt"), "-v"], env=env)
    # The key was sent (so the test means something) and the server echoed it back.
    assert all(
        {k.lower(): v for k, v in r["headers"].items()}["authorization"] == f"Bearer {SENTINEL_KEY}"
        for r in server.requests
    )
    assert result.exit_code == 1 and single.exit_code == 4
    assert "401" in result.stderr and "[redacted]" in single.stderr

    written = [p for p in [*out.rglob("*"), *tmp_path.glob("cache.sqlite3*")] if p.is_file()]
    assert {p.name for p in written} >= {"manifest.jsonl", "a01.json", "a01.md", "cache.sqlite3"}
    places = {
        "stdout": result.stdout + single.stdout,
        "stderr": result.stderr + single.stderr,
        "log records": "\n".join(record.getMessage() for record in caplog.records),
        **{str(p): p.read_bytes().decode("utf-8", "replace") for p in written},
    }
    for where, text in places.items():
        assert SENTINEL_KEY not in text, f"the key leaked into {where}"
    assert "a02.txt" in json.dumps([json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()])


def test_sentinel_key_is_not_in_the_error_or_its_traceback() -> None:
    with ScriptedServer(echoing_key) as server:
        settings = resolve_settings(
            base_url=server.base_url, api_key=SENTINEL_KEY, model="m", retries=0, cache=False, env={}
        )
        with Summarizer(settings) as summarizer, pytest.raises(BackendError) as caught:
            summarizer.brief("Hanoi approves park 2\n\nHanoi approved a $2 million park on Monday, officials said.")
    rendered = "".join(traceback.format_exception(caught.value))
    assert "HTTP 401" in rendered and "[redacted]" in rendered
    assert SENTINEL_KEY not in rendered and SENTINEL_KEY not in repr(settings)


def test_cache_keys_never_hold_the_key() -> None:
    settings = resolve_settings(base_url="http://127.0.0.1:9/v1", api_key=SENTINEL_KEY, model="m", env={})
    other = resolve_settings(base_url=settings.base_url, api_key="sk-another-key-0123456789", model="m", env={})
    messages = [{"role": "user", "content": "x"}]
    # The key shapes no answer: two keys share cached answers, and the key is not hashed in.
    assert request_key(settings, BriefDraft, messages) == request_key(other, BriefDraft, messages)
