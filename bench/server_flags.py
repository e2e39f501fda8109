"""What a llama-server option does to a brief's own requests: the installed build with the project's
options, then with each set of extra options named, side by side in one run.

    python bench/server_flags.py                     # speculative decoding by n-grams of the prompt
    python bench/server_flags.py "--flash-attn off" "--spec-type ngram-mod"

The requests are the Vietnamese seed's first translation chunk and its brief, exactly as the project
sends them (read from the recorded exchange in cassettes/, so every server gets the same bytes). For
each server and request: seconds, tokens generated, generating speed and the drafted and accepted
tokens from llama-server's own timings, and whether the answer is the one the project's options
give (at temperature 0 an option that only makes decoding faster should not change it). Run it with
nothing else on the machine.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from summarizer import LocalServer
from summarizer._embedded import free_port, installed_server, server_command
from summarizer._model_file import ensure_model

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
CASSETTE = CASSETTES / "test_tasks" / "test_cli_brief_of_vietnamese_seed.yaml"
DEFAULT_EXTRAS = ["--spec-type ngram-simple --spec-ngram-simple-size-n 4 --spec-ngram-simple-size-m 16"]


def requests() -> list[tuple[str, dict[str, Any]]]:
    """The first translation chunk and the first brief request of the recorded Vietnamese brief."""
    interactions = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))["interactions"]
    bodies = [json.loads(interaction["request"]["body"]) for interaction in interactions]
    chunk = next(body for body in bodies if "Translate these" in body["messages"][-1]["content"])
    brief = next(body for body in bodies if body["messages"][-1]["content"].startswith("<article>"))
    return [("translation chunk", chunk), ("brief", brief)]


def answers(extra: list[str]) -> list[tuple[str, float, dict[str, Any], str]]:
    port = free_port()
    command = server_command(installed_server().executable, ensure_model(), port) + extra
    found = []
    with LocalServer(command, port=port) as server:
        for name, body in requests():
            request = urllib.request.Request(
                f"{server.base_url}/chat/completions", json.dumps(body).encode(), {"Content-Type": "application/json"}
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=1800) as response:
                answer = json.load(response)
            found.append((name, time.perf_counter() - started, answer, answer["choices"][0]["message"]["content"]))
    return found


def main() -> None:
    extras = sys.argv[1:] or DEFAULT_EXTRAS
    runs = {"(the project's options)": answers([])}
    for extra in extras:
        runs[extra] = answers(shlex.split(extra))
    base = runs["(the project's options)"]
    print("| options | request | seconds | tokens | generated tok/s | drafted | accepted | same answer |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for options, found in runs.items():
        for (name, seconds, answer, text), (_, _, _, base_text) in zip(found, base, strict=True):
            timings = answer.get("timings", {})
            print(
                f"| `{options}` | {name} | {seconds:.1f} | {answer['usage']['completion_tokens']} "
                f"| {timings.get('predicted_per_second', 0):.1f} | {timings.get('draft_n', '-')} "
                f"| {timings.get('draft_n_accepted', '-')} | {'yes' if text == base_text else 'no'} |"
            )


if __name__ == "__main__":
    main()
