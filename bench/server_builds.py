"""What a build of llama-server costs in speed: builds side by side, one after another, in one run.

    python bench/server_builds.py PATH/TO/llama-server [PATH/TO/other/llama-server ...]

With no path, the installed build alone. Each server reads the naive brief prompt of the Vietnamese
seed and writes 128 tokens, three times (its prompt cache off, so every run reads the whole prompt);
printed are the median reading and generating speeds from llama-server's own timings, and each
build's ratio to the first one named. Run it with nothing else on the machine.
"""

from __future__ import annotations

import json
import statistics
import sys
import urllib.request
from pathlib import Path

from embedded_speed import NAIVE_PROMPT as PROMPT  # the same prompt as the speed benchmark's raw model

from summarizer import LocalServer
from summarizer._config import EMBEDDED_MODEL
from summarizer._embedded import free_port, installed_server, server_command
from summarizer._model_file import ensure_model

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_80db828453ebe2ea.txt"
RUNS = 3


def speeds(executable: Path) -> tuple[float, float]:
    port = free_port()
    body = {
        "model": EMBEDDED_MODEL,
        "messages": [{"role": "user", "content": f"{PROMPT}\n\n{SEED.read_text(encoding='utf-8')}"}],
        "max_tokens": 128,
        "temperature": 0,
        "cache_prompt": False,
    }
    read, generated = [], []
    with LocalServer(server_command(executable, ensure_model(), port), port=port) as server:
        for _ in range(RUNS):
            request = urllib.request.Request(
                f"{server.base_url}/chat/completions",
                data=json.dumps(body).encode(),
                headers={"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=900) as answer:
                timings = json.load(answer)["timings"]
            read.append(timings["prompt_per_second"])
            generated.append(timings["predicted_per_second"])
    return statistics.median(read), statistics.median(generated)


def main() -> None:
    builds = [Path(arg) for arg in sys.argv[1:]] or [installed_server().executable]
    results = [(build, *speeds(build)) for build in builds]
    _, first_read, first_gen = results[0]
    print("| build | reading tok/s | generating tok/s | reading vs first | generating vs first |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for build, read, gen in results:
        print(f"| {build} | {read:.1f} | {gen:.1f} | {read / first_read:.2f}x | {gen / first_gen:.2f}x |")


if __name__ == "__main__":
    main()
