"""What the library returns: briefs, translations and summaries, with how each was made."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from ._answers import MAX_KEY_POINTS, SUMMARY_MAX_WORDS, BriefEntities, BriefText, SummaryContent
from ._errors import InputError, Usage
from ._figures import FigureKind
from ._text import Language, count_words


class Figure(BaseModel):
    """A figure of the article: as written, in English, normalized, and what it measures."""

    source: str
    english: str
    kind: FigureKind
    value: float
    unit: str
    refers_to: str


Severity = Literal["high", "medium", "low"]
"""high: the result may say what the source does not (a changed figure, a paragraph not translated);
medium: it leaves out what it should say; low: a repair or a detail to look at."""


class Notice(BaseModel):
    """One warning, with its kind and how much it matters to an editor."""

    severity: Severity
    kind: str
    """changed_figure, lost_figure, invented_quote, invented_place, untranslated, misfit_length,
    repeated_translation, vietnamese_left, english_left, facts_dropped, missing_figure, figure_not_held, prose_alone,
    part_points, name_dropped, short_summary, glossary,
    undescribed_figure, figure_note, currency_repaired, role_missing, name_refiled, name_aligned,
    figure_added, trimmed, asked_again, other."""
    text: str


class RunInfo(BaseModel):
    """How a result was made: source, model, prompt version, attempts, tokens and time."""

    source_name: str
    source_language: Language
    source_url: str | None = None
    source_credits: list[str] = Field(default_factory=list)
    """Photo credits and the byline, set aside from the article's text: not the story's people."""
    source_paragraphs: list[str] = Field(default_factory=list)
    """The article's paragraphs after cleanup, as the task read them: what to check the result against."""
    model: str
    prompt_version: str
    attempts: int
    usage: Usage
    cached_answers: int = 0
    """Answers taken from the response cache: they cost no tokens this time."""
    seconds: float
    warnings: list[str] = Field(default_factory=list)
    """What the checks found and could not mend, the most severe first, many small ones of a kind in
    one line: shown with the result, never dropped silently."""
    notices: list[Notice] = Field(default_factory=list)
    """Each warning on its own, with its kind and severity, the most severe first."""


class Brief(BriefEntities, BriefText):
    """An English brief of one article, with how it was made.

    The model's draft may run long (a re-ask rarely shortens it); the brief is trimmed to these
    limits, with a warning, rather than refused.
    """

    figures: list[Figure]
    meta: RunInfo

    @field_validator("summary")
    @classmethod
    def _summary_short_enough(cls, summary: str) -> str:
        if count_words(summary) > SUMMARY_MAX_WORDS:
            raise ValueError(f"the summary has more than {SUMMARY_MAX_WORDS} words")
        return summary

    @field_validator("key_points")
    @classmethod
    def _few_enough_points(cls, points: list[str]) -> list[str]:
        if len(points) > MAX_KEY_POINTS:
            raise ValueError(f"more than {MAX_KEY_POINTS} key points")
        return points


class Summary(SummaryContent):
    """A structured summary of one article in `language`, with how it was made."""

    language: Language
    meta: RunInfo


class ParagraphPair(BaseModel):
    """A source paragraph and its translation."""

    source: str
    translation: str
    """Empty when the paragraph could not be translated (its flags say why): never the source."""
    flags: list[str] = Field(default_factory=list)
    """What a reader of this paragraph must know: a figure it lacks or changes, Vietnamese left in
    it, or that it could not be translated."""


class Translation(BaseModel):
    """An article translated paragraph by paragraph, count and order kept."""

    target_language: Language
    paragraphs: list[ParagraphPair]
    meta: RunInfo


def read_result(path: Path) -> Brief | Summary | Translation:
    """A result file written by summarizer (JSON), whichever task made it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read: {exc}") from None
    model: type[Brief] | type[Summary] | type[Translation]
    for model in (Brief, Translation, Summary):
        try:
            return model.model_validate_json(text)
        except ValidationError:
            continue
    raise InputError(str(path), "is not a brief, translation or summary written by summarizer (JSON)")
