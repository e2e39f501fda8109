"""The real thing: a brief of the Vietnamese seed on the embedded default (opt in with --live)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer import LocalServer, Summarizer, read_article
from summarizer._answers import is_english
from summarizer._config import EMBEDDED_MODEL

from .conftest import VI_SEED


@pytest.mark.live
@pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost"])
def test_brief_of_vietnamese_seed_on_embedded_default() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE"] = "off"  # the model must answer: a warm response cache would hide a broken server
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", str(VI_SEED), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    brief = json.loads(done.stdout)
    assert is_english(brief["headline"])
    figures = {figure["english"] for figure in brief["figures"]}
    assert "$400 million" in figures
    assert any(f.endswith("$1 billion") for f in figures)
    assert brief["meta"]["cached_answers"] == 0 and brief["meta"]["usage"]["completion_tokens"] > 0


@pytest.mark.live
@pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost"])
def test_a_cancelled_brief_s_requests_are_dropped_by_the_server(tmp_path: Path) -> None:
    """What the desk's Cancel and a batch's Ctrl-C rely on: the server stops work for a client that left."""
    log = tmp_path / "server.log"

    deadline = time.monotonic() + 120

    def count(what: str) -> int:
        return log.read_text(errors="replace").count(what)

    async def until(done: Callable[[], bool], failure: str) -> None:
        while not done():
            assert time.monotonic() < deadline, f"{failure}; log: {log}"
            await asyncio.sleep(0.1)

    async def cancel_mid_translation(base_url: str) -> None:
        async with Summarizer(base_url=base_url, model=EMBEDDED_MODEL, cache=False) as summarizer:
            task = asyncio.create_task(summarizer.abrief(read_article(VI_SEED)))
            # The start's test generation, then the translation chunks, which go out side by side.
            await until(lambda: count("launch_slot_") >= 3, "the translation chunks never reached a slot")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await until(
                lambda: count("cancel task") >= 2 and count("stop processing") >= count("launch_slot_"),
                "the server kept working for the cancelled brief",
            )

    with LocalServer(log_path=log) as server:
        asyncio.run(cancel_mid_translation(server.start()))
