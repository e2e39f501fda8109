"""Prompt tokens sent grow linearly with article length: briefs of the English seed at 1x, 4x and 16x
its length, against a loopback server (no model needed), side by side in one run.

    python bench/long_articles.py

An article too long for one request is briefed map-reduce style: its facts part by part, then one
brief from them all. Tokens are estimated from the characters sent (4 per token for English, what
the embedded model's tokenizer gives on the seeds).
"""

from __future__ import annotations

from pathlib import Path

from _loopback import loopback_server, server_stats

from summarizer import Summarizer, clean_article, resolve_settings

SEED = Path(__file__).resolve().parent.parent / "seeds" / "002_981ca9ac9f9563e2.txt"
CHARS_PER_TOKEN = 4
MULTIPLES = (1, 4, 16)


def main() -> None:
    """Brief the seed at each length and print what was sent."""
    paragraphs = clean_article(SEED.read_text(encoding="utf-8")).paragraphs
    header = "| length | article tokens (est.) | requests | prompt tokens sent (est.) | sent / 1x | per article token |"
    print(header)
    print("| --- | --- | --- | --- | --- | --- |")
    first = None
    with loopback_server(0.0) as base:
        settings = resolve_settings(base_url=f"{base}/v1", model="bench-model", cache=False, env={})
        with Summarizer(settings) as summarizer:
            for multiple in MULTIPLES:
                text = "\n\n".join(list(paragraphs) * multiple)
                server_stats(base, reset=True)
                brief = summarizer.brief(text, name=f"seed x{multiple}")
                stats = server_stats(base)
                sent = stats["prompt_chars"] / CHARS_PER_TOKEN
                first = first or sent
                article_tokens = len(text.encode("utf-8")) / CHARS_PER_TOKEN
                print(
                    f"| {multiple}x | {article_tokens:,.0f} | {stats['requests']} | {sent:,.0f} | {sent / first:.2f} | "
                    f"{sent / article_tokens:.2f} |"
                )
                assert brief.figures, "the brief lost the seed's figures"


if __name__ == "__main__":
    main()
