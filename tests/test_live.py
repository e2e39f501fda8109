"""The real thing: a brief of the Vietnamese seed on the embedded default (opt in with --live)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from summarizer._answers import is_english

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
