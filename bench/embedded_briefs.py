"""Brief each seed article on the embedded default and print seconds, tokens, attempts and figures.

    python bench/embedded_briefs.py            # needs pip install '.[local]'

Not a test: the model's answers vary from run to run (temperature 0 is not repeatable on llama.cpp's
server), so this prints what one run measured, side by side for both seeds.
"""

from __future__ import annotations

import time
from pathlib import Path

from summarizer import LocalServer, OutputValidationError, Summarizer, read_article, resolve_settings
from summarizer._config import EMBEDDED_MODEL

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EXPECTED_VI_FIGURES = ("$400 million", "about $1 billion", "$1.6 billion", "more than 50%", "May 2023")


def main() -> None:
    started = time.perf_counter()
    with LocalServer() as server:
        print(f"embedded server ready in {time.perf_counter() - started:.1f} s at {server.base_url}")
        settings = resolve_settings(base_url=server.base_url, model=EMBEDDED_MODEL, env={})
        rows = []
        with Summarizer(settings) as summarizer:
            for path in sorted(SEEDS.glob("*.txt")):
                begun = time.perf_counter()
                try:
                    brief = summarizer.brief(read_article(path), name=path.name)
                except OutputValidationError as exc:
                    rows.append(
                        (
                            path.name,
                            time.perf_counter() - begun,
                            exc.usage.prompt_tokens,
                            exc.usage.completion_tokens,
                            exc.attempts,
                            f"FAILED: {exc}",
                        )
                    )
                    continue
                meta = brief.meta
                figures = ", ".join(f"{f.english} ({f.refers_to or '?'})" for f in brief.figures)
                rows.append(
                    (
                        path.name,
                        meta.seconds,
                        meta.usage.prompt_tokens,
                        meta.usage.completion_tokens,
                        meta.attempts,
                        f"{brief.headline} | figures: {figures} | warnings: {len(meta.warnings)}",
                    )
                )
                if path.name.startswith("000_"):
                    found = {f.english for f in brief.figures}
                    for expected in EXPECTED_VI_FIGURES:
                        print(f"  {path.name}: {expected:<18} {'present' if expected in found else 'MISSING'}")
    print(f"{'seed':<28} {'seconds':>8} {'prompt':>7} {'compl.':>7} {'tries':>5}  result")
    for name, seconds, prompt, completion, attempts, result in rows:
        print(f"{name:<28} {seconds:>8.1f} {prompt:>7} {completion:>7} {attempts:>5}  {result}")


if __name__ == "__main__":
    main()
