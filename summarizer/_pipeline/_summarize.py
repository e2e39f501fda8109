"""Summarize: a structured summary (title, lead, summary, key points) in the language asked for."""

from __future__ import annotations

from .._answers import SummaryContent
from .._checks import SummaryChecks
from .._hygiene import Article
from .._results import Summary
from .._text import LANGUAGE_NAMES, Language, english_left, untranslated
from ._brief import trimmed_points
from ._condense import condensed
from ._protocol import Builder, Env, Notes, Steps, ask_or_keep
from ._translate import english_paragraphs, english_pieces


def summary_steps(article: Article, lang: Language, max_words: int, env: Env, notes: Notes) -> Steps[Builder[Summary]]:
    """The summary: English text first for an English summary, condensed if long, then the model's."""
    prompt = env.prompt("summarize")
    language_name, words = LANGUAGE_NAMES[lang], str(max_words)

    def render(text: str) -> list[dict[str, str]]:
        return prompt.render(article=text, language_name=language_name, max_words=words)

    paragraphs = (
        english_paragraphs((yield from english_pieces(article, env, notes))) if lang == "en" else article.paragraphs
    )
    text = yield from condensed(article, paragraphs, lang, env, notes, render, SummaryContent)
    notes.used(prompt)
    checks = SummaryChecks(glossary=env.glossary, language=lang, max_words=max_words)
    content = yield from ask_or_keep(env.request(article, SummaryContent, render(text), checks), notes)
    if lang == "vi" and article.language == "en":
        notes.warnings += english_kept(content, article.text)
    points = trimmed_points(content.key_points, notes.warnings)
    return lambda info: Summary(
        **content.model_dump(exclude={"key_points"}), key_points=points, language=lang, meta=info
    )


def english_kept(content: SummaryContent, source: str) -> list[str]:
    """A Vietnamese summary's parts that keep English words of the English `source` untranslated,
    flagged as a translation's paragraph is, not asked again: "the summary's lead keeps English it
    was not put into Vietnamese (overload)"."""
    parts = {"title": content.title, "lead": content.lead, "summary": content.summary}
    parts |= {f"key point {n}": point for n, point in enumerate(content.key_points, 1)}
    return [
        untranslated(f"the summary's {name}", left, "vi")
        for name, text in parts.items()
        if (left := english_left(text, source))
    ]
