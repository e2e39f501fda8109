"""Translate: the article chunk by chunk, the chunks side by side, paragraph count and order kept,
figures locked.

Each request carries the glossary's terms for its paragraphs and the paragraph before them for
continuity; a chunk whose answer runs past the token limit is asked again in halves.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._answers import TranslationChunk
from .._checks import TranslationChecks
from .._errors import TruncatedOutputError
from .._figures import checked_figures
from .._hygiene import Article
from .._prompts import PromptTemplate
from .._results import ParagraphPair, Translation
from .._text import LANGUAGE_NAMES, Language
from ._protocol import Builder, Env, Notes, Steps, ask_or_keep, estimate_tokens, side_by_side

TRANSLATION_CHUNK_TOKENS = 600
"""Estimated source tokens per translation request: room for the answer, and good alignment."""
TRANSLATION_CHUNK_PARAGRAPHS = 8


def translation_steps(article: Article, to: Language, env: Env, notes: Notes) -> Steps[Builder[Translation]]:
    """The translation: each source paragraph beside its translation."""
    translated = yield from translated_paragraphs(article, to, env, notes)
    pairs = [ParagraphPair(source=s, translation=t) for s, t in zip(article.paragraphs, translated, strict=True)]
    return lambda info: Translation(target_language=to, paragraphs=pairs, meta=info)


def english_paragraphs(article: Article, env: Env, notes: Notes) -> Steps[tuple[str, ...]]:
    """The article in English: as it is, or translated first (a small model writes far better
    English from English than from Vietnamese)."""
    if article.language == "en":
        return article.paragraphs
    return (yield from translated_paragraphs(article, "en", env, notes))


def translated_paragraphs(article: Article, to: Language, env: Env, notes: Notes) -> Steps[tuple[str, ...]]:
    """The article's paragraphs in `to`, one for each source paragraph, in order. The chunks go out
    side by side: none waits for another's answer."""
    prompt = env.prompt("translate", requires=("article", "context"))
    notes.used(prompt)
    branches = [_chunk(article, numbers, to, prompt, env, notes.branch()) for numbers in chunks(article.paragraphs)]
    parts = yield from side_by_side(branches)
    for _, warnings in parts:
        notes.warnings.extend(warnings)
    return tuple(text for texts, _ in parts for text in texts)


def _chunk(
    article: Article, numbers: list[int], to: Language, prompt: PromptTemplate, env: Env, notes: Notes
) -> Steps[tuple[list[str], list[str]]]:
    """The translations of paragraphs `numbers`, and the warnings they came with. The paragraph
    before them goes along as it is written in the source: its translation is not there yet, since
    the chunks do not wait for each other (the glossary keeps names the same across chunks)."""
    sources = {n: article.paragraphs[n - 1] for n in numbers}
    numbered = "\n\n".join(f"[{n}] {paragraph}" for n, paragraph in sources.items())
    terms = env.glossary.terms_in(numbered) if to == "en" else []
    before = numbers[0] - 1
    messages = prompt.render(
        article=numbered,
        terms="\n".join(f"{src} = {en}" for src, en in terms) or "(none)",
        context=f"[{before}] {article.paragraphs[before - 1]}" if before else "(none: this is the start)",
        count=str(len(sources)),
        source_name=LANGUAGE_NAMES[article.language],
        target_name=LANGUAGE_NAMES[to],
    )
    # Held to the same rule as a brief's prose: small plain numbers ("1 world") are words as often.
    figures = {n: checked_figures(text, article.language) for n, text in sources.items()}
    checks = TranslationChecks(glossary=env.glossary, sources=sources, target=to, figures=figures)
    try:
        chunk = yield from ask_or_keep(env.request(article, TranslationChunk, messages, checks, "translating"), notes)
    except TruncatedOutputError:
        if len(numbers) == 1:
            raise
        # A small model sometimes runs on and on; half as many paragraphs leave it room.
        half = len(numbers) // 2
        notes.warnings.append(f"paragraphs {numbers[0]}-{numbers[-1]}: the answer ran too long; asked again in halves")
        halves = [_chunk(article, part, to, prompt, env, notes.branch()) for part in (numbers[:half], numbers[half:])]
        (first, first_warnings), (second, second_warnings) = yield from side_by_side(halves)
        return first + second, [*notes.warnings, *first_warnings, *second_warnings]
    texts = [paragraph.text.strip() for paragraph in chunk.paragraphs]
    if to == "en":
        notes.warnings.extend(
            f"paragraph {n}: {source!r} is not rendered as {english!r} (glossary)"
            for n, text in zip(numbers, texts, strict=True)
            for source, english in env.glossary.glossary_terms_in(sources[n])
            if english.casefold() not in text.casefold()
        )
    return texts, notes.warnings


def chunks(
    paragraphs: Sequence[str],
    budget: int = TRANSLATION_CHUNK_TOKENS,
    most: int = TRANSLATION_CHUNK_PARAGRAPHS,
) -> list[list[int]]:
    """1-based paragraph numbers grouped into runs of at most `budget` estimated tokens and `most`
    paragraphs (a longer paragraph goes alone), on paragraph boundaries."""
    grouped: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        size = estimate_tokens(paragraph)
        if current and (tokens + size > budget or len(current) >= most):
            grouped.append(current)
            current, tokens = [], 0
        current.append(number)
        tokens += size
    if current:
        grouped.append(current)
    return grouped
