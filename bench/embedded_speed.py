"""The embedded default's speed, side by side in one run on one server.

    python bench/embedded_speed.py             # needs pip install -c constraints.txt -e '.[local]'
    python bench/embedded_speed.py --server PATH/TO/llama-server   # another build of llama-server
    python bench/embedded_speed.py --base-url http://127.0.0.1:8000/v1   # a server already running, e.g.
        # llama-cpp-python's: python -m llama_cpp.server --model MODEL --n_threads 2 --n_threads_batch 2
        #                     --n_ctx 8192 --port 8000 --model_alias qwen2.5-coder-1.5b-instruct-q4_k_m

Printed, one table each:
1. For each seed: the raw model with a naive prompt (one request: "Write an English news brief of this
   Vietnamese article: a headline, 3-5 bullet points, and a 80-120 word summary.") against
   `Summarizer.brief`, on the same server: seconds, requests, tokens, and their ratio.
2. A batch of 4 articles (the two seeds, twice each under other names) through `abatch` at concurrency
   1 and 4: wall seconds, articles per minute, and the ratio.
3. The cold start: from a new Python process to the server's first generated tokens (the model file in
   the cache), with `LocalServer.start()`, which waits for a test generation.
4. The server's own reading and generating speed (tokens per second, from llama-server's timings).
5. Cancellation: an answer forced past its natural end (`ignore_eos`) is asked for and the client
   leaves after three seconds; printed is how long its slot stays busy after that, on a quiet server
   and beside a translation of the Vietnamese seed (llama-server's /slots, looked at every 2 s;
   another server: not known).
6. What the parts of the Vietnamese seed's first translation request cost, by the server's tokenizer:
   the instructions, the JSON schema as instructor's JSON mode words it and as this project now does,
   the paragraph before a chunk, and a re-ask.

No response cache. Not a test: the model's answers vary between runs, so this prints what one run saw.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pydantic

from summarizer import Job, LocalServer, Summarizer, abatch, clean_article, load_prompt, read_article, resolve_settings
from summarizer._answers import TranslationChunk
from summarizer._backend import correction
from summarizer._backend._instructor import ModeAdapter
from summarizer._backend._instructor import _handled_request as handled_request
from summarizer._config import EMBEDDED_MODEL
from summarizer._embedded import free_port, installed_server, server_command
from summarizer._model_file import ensure_model
from summarizer._pipeline._translate import chunks

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
NAIVE_PROMPT = (
    "Write an English news brief of this Vietnamese article: a headline, 3-5 bullet points, and a 80-120 word summary."
)
COLD_START = """
import sys, time
started = float(sys.argv[1])
from summarizer import LocalServer
with LocalServer() as server:
    print(time.time() - started)
"""


@contextlib.contextmanager
def _started(executable: Path | None) -> Iterator[str]:
    """A llama-server started for the run (the installed build, or `executable`); its base URL."""
    if executable is None:
        server = LocalServer()
    else:
        port = free_port()
        server = LocalServer(server_command(executable, ensure_model(), port), port=port)
    with server:
        yield server.base_url


def naive_brief(client: openai.OpenAI, text: str) -> dict[str, Any]:
    started = time.perf_counter()
    answer = client.chat.completions.create(
        model=EMBEDDED_MODEL,
        messages=[{"role": "user", "content": f"{NAIVE_PROMPT}\n\n{text}"}],
        max_tokens=1024,
        temperature=0,
    )
    timings = (answer.model_extra or {}).get("timings", {})
    usage = answer.usage
    assert usage is not None
    return {
        "seconds": time.perf_counter() - started,
        "requests": 1,
        "prompt": usage.prompt_tokens,
        "completion": usage.completion_tokens,
        "read_tps": timings.get("prompt_per_second"),
        "gen_tps": timings.get("predicted_per_second"),
    }


def project_brief(summarizer: Summarizer, text: str, name: str) -> dict[str, Any]:
    brief = summarizer.brief(text, name=name)
    meta = brief.meta
    prose = " ".join([brief.headline, brief.summary, *brief.key_points])
    in_prose = sum(1 for figure in brief.figures if figure.english in prose)
    return {
        "seconds": meta.seconds,
        "requests": meta.attempts,
        "prompt": meta.usage.prompt_tokens,
        "completion": meta.usage.completion_tokens,
        "figures_in_prose": f"{in_prose}/{len(brief.figures)}",
        "warnings": len(meta.warnings),
    }


async def batch_seconds(summarizer: Summarizer, articles: list[tuple[str, str]], concurrency: int) -> float:
    started = time.perf_counter()
    async for item in abatch(summarizer, articles, Job("brief"), concurrency=concurrency):
        if item.error is not None:
            print(f"  {item.name}: failed at -j {concurrency}: {item.error}")
    return time.perf_counter() - started


def cold_start_seconds() -> float:
    done = subprocess.run(
        [sys.executable, "-c", COLD_START, repr(time.time())], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def busy_after_cancel(base_url: str, beside: str | None = None) -> str:
    """Ask for an answer forced past its natural end, leave after three seconds, and time how long its
    slot stays busy; with `beside`, another request starts translating that text a second in."""
    root = base_url.removesuffix("/v1")
    try:
        earlier = max((slot.get("id_task", -1) for slot in _slots(root)), default=-1)
    except (OSError, ValueError):
        return "not known: the server has no /slots endpoint"
    other = None
    if beside is not None:
        patient = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=600)
        other = threading.Timer(
            1.0,
            patient.chat.completions.create,
            kwargs={
                "model": EMBEDDED_MODEL,
                "messages": [{"role": "user", "content": f"Translate into English:\n\n{beside}"}],
                "max_tokens": 300,
            },
        )
        other.start()
    client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=3)
    with contextlib.suppress(openai.APITimeoutError):
        client.chat.completions.create(
            model=EMBEDDED_MODEL,
            messages=[{"role": "user", "content": "Count from 1 to 2000, one number per line."}],
            max_tokens=2000,
            # Without it the model ends its answer by itself within seconds, which looks like a cancel;
            # it also tells the left request's slot from the other's.
            extra_body={"ignore_eos": True},
        )
    left = time.perf_counter()
    try:
        while time.perf_counter() - left < 300:
            # llama-server checks a waiting request's connection only when a whole second passes with no
            # result for anyone, and every /slots answer is a result: looking faster keeps it from noticing.
            time.sleep(2)
            forced = [
                slot
                for slot in _slots(root)
                if slot.get("id_task", -1) > earlier and slot.get("params", {}).get("ignore_eos")
            ]
            if not any(slot["is_processing"] for slot in forced):
                seconds = time.perf_counter() - left
                if not forced:
                    return f"dropped before it reached a slot (looked {seconds:.1f} s after the client left)"
                return f"its slot idle at the look {seconds:.1f} s after the client left"
        return "still busy 300 s after the client left"
    finally:
        if other is not None:
            other.join()


def _slots(root: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{root}/slots", timeout=5) as response:
        slots: list[dict[str, Any]] = json.load(response)
    return slots


def request_part_tokens(base_url: str, text: str) -> list[tuple[str, int]]:
    """Tokens of the parts of the first translation request of `text`, by the server's tokenizer."""
    root = base_url.removesuffix("/v1")

    def tokens(part: str) -> int:
        request = urllib.request.Request(
            f"{root}/tokenize", json.dumps({"content": part}).encode(), {"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return len(json.load(response)["tokens"])

    article = clean_article(text)
    prompt = load_prompt("translate", requires=("article", "context"))
    numbers = chunks(article.paragraphs)[0]
    messages = prompt.render(
        article="\n\n".join(f"[{n}] {article.paragraphs[n - 1]}" for n in numbers),
        terms="(none)",
        context=f"[1] {article.paragraphs[0]}",
        count=str(len(numbers)),
        source_name="Vietnamese",
        target_name="English",
    )
    adapter = ModeAdapter("json")
    model = adapter.model(TranslationChunk)
    request = {"model": EMBEDDED_MODEL, "messages": messages, "max_tokens": 2048}
    ours = adapter.request(model, request)["messages"][0]["content"]
    # instructor's own JSON-mode handler, as the project used it before, for comparison.
    instructor_text = handled_request("json", model, request)["messages"][0]["content"]
    return [
        ("system instructions", tokens(messages[0]["content"])),
        ("schema, as instructor's JSON mode sends it", tokens(instructor_text) - tokens(messages[0]["content"])),
        ("schema, as this project sends it", tokens(ours) - tokens(messages[0]["content"])),
        ("the chunk's paragraphs, terms and wording", tokens(messages[1]["content"])),
        ("of which the paragraph before the chunk", tokens(article.paragraphs[0])),
        ("a re-ask's correction (one fault)", tokens(correction_text())),
    ]


def correction_text() -> str:
    try:
        TranslationChunk.model_validate({"paragraphs": "none"})
    except pydantic.ValidationError as exc:
        return correction(exc)
    raise AssertionError("the invalid answer was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", type=Path, help="a llama-server executable [the installed build]")
    parser.add_argument("--base-url", help="a server already running, instead of starting one")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    build = installed_server()
    if args.base_url:
        print(f"server: {args.base_url} (already running)")
    else:
        print(f"llama-server: {args.server or build.executable} (installed build: cpu level {build.cpu_level})")
    texts = {path.name: read_article(path) for path in SEEDS}
    with contextlib.nullcontext(args.base_url) if args.base_url else _started(args.server) as base_url:
        settings = resolve_settings(base_url=base_url, model=EMBEDDED_MODEL, cache=False, env={})
        client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=900)
        rows = []
        with Summarizer(settings) as summarizer:
            for name, text in texts.items():
                naive = naive_brief(client, text)
                ours = project_brief(summarizer, text, name)
                rows.append((name, naive, ours))
            print(
                "\n| seed | naive s | brief s | ratio | naive requests, tokens | brief requests, tokens |"
                " figures in prose | warnings |"
            )
            print("| --- | ---: | ---: | ---: | --- | --- | --- | ---: |")
            for name, naive, ours in rows:
                print(
                    f"| {name} | {naive['seconds']:.1f} | {ours['seconds']:.1f} | "
                    f"{ours['seconds'] / naive['seconds']:.2f}x | {naive['requests']}, "
                    f"{naive['prompt']:,} + {naive['completion']:,} | {ours['requests']}, "
                    f"{ours['prompt']:,} + {ours['completion']:,} | {ours['figures_in_prose']} | {ours['warnings']} |"
                )
            speeds = [(n["read_tps"], n["gen_tps"]) for _, n, _ in rows if n["read_tps"]]
            for read, gen in speeds:
                print(f"server speed on the naive prompt: reading {read:.1f} tok/s, generating {gen:.1f} tok/s")
            if not args.skip_batch:
                articles = [(f"{copy}-{name}", text) for copy in ("a", "b") for name, text in texts.items()]
                serial = asyncio.run(batch_seconds(summarizer, articles, 1))
                parallel = asyncio.run(batch_seconds(summarizer, articles, 4))
                print("\n| batch of 4 | wall s | articles per minute |")
                print("| --- | ---: | ---: |")
                print(f"| -j 1 | {serial:.1f} | {4 * 60 / serial:.2f} |")
                print(f"| -j 4 | {parallel:.1f} | {4 * 60 / parallel:.2f} |")
                print(f"-j 4 against -j 1: {serial / parallel:.2f}x the articles per minute")
        print(f"\ncancellation, the server otherwise quiet: {busy_after_cancel(base_url)}")
        beside = busy_after_cancel(base_url, beside=texts[SEEDS[0].name])
        print(f"cancellation, beside a translation of the Vietnamese seed: {beside}")
        if not args.base_url:
            print("\n| part of the first translation request of the Vietnamese seed | tokens |")
            print("| --- | ---: |")
            for part, count in request_part_tokens(base_url, texts[SEEDS[0].name]):
                print(f"| {part} | {count:,} |")
    if args.server is None and args.base_url is None:
        print(f"\ncold start (new process to first generated tokens): {cold_start_seconds():.1f} s")


if __name__ == "__main__":
    main()
