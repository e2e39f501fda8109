"""Batch speed, overhead and memory against a loopback server that answers after a fixed delay.

    python bench/batch_throughput.py            # N=200, L=0.2 s; about 7 minutes on 2 cores

Prints, side by side from one run:
- efficiency = (N x L / concurrency) / wall time of the batch, for concurrency 1, 4, 16 and 64;
- the same N articles done one at a time by the single-article command (`summarizer brief`);
- the client's own overhead per request (wall time minus server time, at concurrency 1);
- peak memory of the batch for N and for 10 x N articles;
- a second run of the same batch (resume) and a run on a fresh output folder with a warm cache:
  requests sent and wall time.

Each batch runs in its own process (`--child`), so peak memory is that batch's alone; its wall time
is measured inside that process, from the start of the batch to the last result written. Start-up
(the interpreter, imports, and making the HTTP client, about 1.5 s) is left out and printed apart; the
single-command figures include it, as a user pays it there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _loopback import loopback_server, server_stats

BENCH = Path(__file__).resolve().parent
MODEL = "bench-model"


def write_articles(folder: Path, count: int) -> None:
    """`count` English articles, each with its own figures, so no two requests are alike."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = (
            f"Hanoi approves industrial park number {i}\n\n"
            f"Hanoi on Monday approved a ${i + 1} million industrial park of {100 + i} hectares in the west of "
            "the city, officials said. The park is expected to employ about 5,000 workers once complete.\n\n"
            f"Land clearance is to finish by May 2026, and exports from the district are forecast to grow {i % 9 + 1}% "
            "a year. Residents asked for clear rules on land use and compensation.\n"
        )
        (folder / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")


def child(input_dir: str, output_dir: str, concurrency: int, base_url: str, cache: str) -> None:
    """Run one batch in this process and print its wall time and peak memory as JSON."""
    from summarizer import Summarizer, resolve_settings  # noqa: PLC0415
    from summarizer._batch import FolderBatch  # noqa: PLC0415

    settings = resolve_settings(base_url=base_url, model=MODEL, cache=Path(cache) if cache else False, env={})

    async def go() -> dict[str, Any]:
        async with Summarizer(settings) as summarizer:
            started = time.perf_counter()
            await summarizer.aprepare()
            startup = time.perf_counter() - started
            run = FolderBatch(summarizer, Path(input_dir), Path(output_dir), concurrency=concurrency)
            started = time.perf_counter()
            async for _ in run.run():
                pass
            wall = time.perf_counter() - started
            return {"wall": wall, "startup": startup, "counts": run.counts}

    result = asyncio.run(go())
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(
    input_dir: Path, output_dir: Path, concurrency: int, base_url: str, cache: Path | None = None
) -> dict[str, Any]:
    """A batch in a fresh process; its own figures plus the process's whole wall time."""
    command = [sys.executable, __file__, "--child", str(input_dir), str(output_dir), str(concurrency), base_url]
    command.append(str(cache) if cache else "")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - started
    return result


def bare_openai_overhead_ms(base: str, calls: int) -> float:
    """Client overhead per request of the openai client alone (one brief-sized request at a time):
    the floor under summarizer's own figure, on the same server."""
    import openai  # noqa: PLC0415 - only this measurement needs it

    messages = [{"role": "system", "content": "x" * 4000}, {"role": "user", "content": "y" * 2000}]

    async def go() -> float:
        client = openai.AsyncOpenAI(base_url=f"{base}/v1", api_key="bench", max_retries=0)
        await client.chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
        server_stats(base, reset=True)
        started = time.perf_counter()
        for _ in range(calls):
            await client.chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
        wall = time.perf_counter() - started
        await client.close()
        server_seconds: float = server_stats(base)["server_seconds"]
        return (wall - server_seconds) / calls * 1000

    return asyncio.run(go())


def single_commands(input_dir: Path, output_dir: Path, base_url: str, count: int) -> float:
    """Wall time of `summarizer brief` run once per article, one after another."""
    output_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "SUMMARIZER_MODEL": MODEL, "SUMMARIZER_CACHE": "off"}
    started = time.perf_counter()
    for path in sorted(input_dir.iterdir())[:count]:
        subprocess.run(
            ["summarizer", "brief", str(path), "-o", str(output_dir / f"{path.stem}.json")],
            env=env,
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="articles N")
    parser.add_argument("--delay", type=float, default=0.2, help="server delay L in seconds")
    parser.add_argument("--single", type=int, default=None, help="articles for the single-command run [N]")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        input_dir, output_dir, concurrency, base_url, cache = args.child
        child(input_dir, output_dir, int(concurrency), base_url, cache)
        return

    n, delay = args.count, args.delay
    with loopback_server(delay) as base:
        base_url = f"{base}/v1"
        with tempfile.TemporaryDirectory(prefix="summarizer-bench-") as temp:
            root = Path(temp)
            write_articles(root / "in", n)
            write_articles(root / "in_large", n * 10)
            rows = []
            print(f"N={n} articles, L={delay} s per request, loopback server; lower wall is better\n")
            print("| run | concurrency | wall s | ideal s | efficiency | requests | peak MB | start-up s |")
            print("| --- | --- | --- | --- | --- | --- | --- | --- |")
            overhead_ms = None
            for concurrency in (1, 4, 16, 64):
                server_stats(base, reset=True)
                result = run_child(root / "in", root / f"out_{concurrency}", concurrency, base_url)
                stats = server_stats(base)
                ideal = n * delay / concurrency
                efficiency = ideal / result["wall"]
                if concurrency == 1:
                    overhead_ms = (result["wall"] - stats["server_seconds"]) / stats["requests"] * 1000
                rows.append((concurrency, result))
                print(
                    f"| batch | {concurrency} | {result['wall']:.2f} | {ideal:.2f} | {efficiency:.3f} | "
                    f"{stats['requests']} | {result['peak_rss_mb']:.0f} | {result['startup']:.2f} |"
                )

            server_stats(base, reset=True)
            resumed = run_child(root / "in", root / "out_16", 16, base_url)
            print(f"| resume of the c=16 run | 16 | {resumed['wall']:.2f} | | | {server_stats(base)['requests']} | | |")

            cache = root / "cache.sqlite3"
            run_child(root / "in", root / "out_fill", 16, base_url, cache)
            server_stats(base, reset=True)
            cached = run_child(root / "in", root / "out_cached", 16, base_url, cache)
            print(
                f"| warm cache, new output folder | 16 | {cached['wall']:.2f} | | | "
                f"{server_stats(base)['requests']} | | |"
            )

            server_stats(base, reset=True)
            large = run_child(root / "in_large", root / "out_large", 16, base_url)
            small_rss = next(result["peak_rss_mb"] for c, result in rows if c == 16)
            print(
                f"| batch, {10 * n} articles | 16 | {large['wall']:.2f} | {10 * n * delay / 16:.2f} | "
                f"{10 * n * delay / 16 / large['wall']:.3f} | {server_stats(base)['requests']} | "
                f"{large['peak_rss_mb']:.0f} | {large['startup']:.2f} |"
            )

            single_count = args.single or n
            server_stats(base, reset=True)
            single_wall = single_commands(root / "in", root / "out_single", base_url, single_count)
            ideal_single = single_count * delay
            print(
                f"| `summarizer brief` x {single_count}, one at a time | 1 | {single_wall:.2f} | {ideal_single:.2f} | "
                f"{ideal_single / single_wall:.3f} | {server_stats(base)['requests']} | | |"
            )

            bare_ms = bare_openai_overhead_ms(base, min(n, 50))
            batch_1 = rows[0][1]["wall"] * single_count / n
            batch_16 = rows[2][1]["wall"] * single_count / n
            print()
            print(f"client overhead per request (c=1, wall minus server time): {overhead_ms:.2f} ms")
            print(f"  the openai client alone, same server and delay: {bare_ms:.2f} ms")
            print(f"peak memory, {10 * n} vs {n} articles (c=16): {large['peak_rss_mb'] / small_rss:.2f}x")
            print(
                f"single commands vs batch: {single_wall / batch_1:.1f}x slower than c=1, "
                f"{single_wall / batch_16:.1f}x than c=16"
            )


if __name__ == "__main__":
    main()
