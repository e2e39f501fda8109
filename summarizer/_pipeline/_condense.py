"""Condense: a long article's facts, part by part (map), for one brief or summary of them all (reduce).

Prompt tokens then grow with the article's length, not with its square; an article that fits the
model whole passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

from .._answers import ChunkFacts
from .._checks import FactsChecks
from .._hygiene import Article
from .._text import LANGUAGE_NAMES, Language
from ._protocol import Env, Messages, Notes, Steps, ask_or_keep, estimate_tokens, request_tokens
from ._translate import chunks

FACTS_CHUNK_TOKENS = 1500
"""Estimated tokens of article text per request of the map step of a long brief or summary."""
MIN_FACTS_PER_PART, MAX_FACTS_PER_PART = 3, 10
TOKENS_PER_FACT = 40
"""A generous estimate of one fact sentence, to ask each part for as many facts as the final request holds."""


def condensed(
    article: Article,
    paragraphs: Sequence[str],
    language: Language,
    env: Env,
    notes: Notes,
    render: Callable[[str], Messages],
    response_model: type[BaseModel],
) -> Steps[str]:
    """The text for the final request, rendered by `render`: the paragraphs whole when that request
    fits the model, else their facts, round after round until they fit."""
    budget = env.budget
    text = "\n\n".join(paragraphs)
    if budget.fits(render(text), response_model):
        return text
    prompt = env.prompt("facts", requires=("article", "part", "parts", "most"))
    notes.used(prompt)
    pieces = list(paragraphs)
    # Facts of facts, round after round, until they fit: each round keeps few facts per part.
    while not budget.fits(render(text), response_model):
        parts = chunks(pieces, min(FACTS_CHUNK_TOKENS, budget.room // 2), len(pieces))
        room_for_facts = budget.room - request_tokens(render(""), response_model)
        most = max(MIN_FACTS_PER_PART, min(MAX_FACTS_PER_PART, room_for_facts // (len(parts) * TOKENS_PER_FACT)))
        by_part: list[list[str]] = []
        for index, numbers in enumerate(parts, 1):
            messages = prompt.render(
                article="\n\n".join(pieces[n - 1] for n in numbers),
                part=str(index),
                parts=str(len(parts)),
                most=str(most),
                language_name=LANGUAGE_NAMES[language],
            )
            checks = FactsChecks(glossary=env.glossary, language=language)
            answer = yield from ask_or_keep(env.request(article, ChunkFacts, messages, checks, "condensing"), notes)
            if len(answer.facts) > most:
                notes.warnings.append(f"part {index} of {len(parts)}: kept the first {most} of its facts")
            by_part.append([fact.strip() for fact in answer.facts[:most]])
        facts = [fact for part in by_part for fact in part]
        condensed_text = "\n".join(f"- {fact}" for fact in facts)
        if len(condensed_text) >= len(text):
            # The model restates rather than condenses: keep the first facts of every part, in
            # turn, as many as the request holds, and say so.
            kept = facts_that_fit(by_part, room_for_facts)
            notes.warnings.append(
                f"the facts of the article's {len(parts)} parts did not fit the model's context: "
                f"kept {len(kept)} of {len(facts)}"
            )
            return "\n".join(f"- {fact}" for fact in kept)
        text, pieces = condensed_text, facts
    return text


def facts_that_fit(by_part: list[list[str]], budget: int) -> list[str]:
    """The first facts of each part, taken in turn, while their estimated tokens fit `budget`;
    returned in article order."""
    chosen: list[tuple[int, int]] = []
    used = 0
    for rank in range(max((len(part) for part in by_part), default=0)):
        for number, part in enumerate(by_part):
            if rank < len(part):
                cost = estimate_tokens(part[rank]) + 1
                if used + cost > budget:
                    return [by_part[n][r] for n, r in sorted(chosen)]
                chosen.append((number, rank))
                used += cost
    return [by_part[n][r] for n, r in sorted(chosen)]
