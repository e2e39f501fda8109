"""What an answer must pass beyond its schema: one typed object per answer model.

A request carries its checks into validation as pydantic's context; a validator that is handed
anything else raises, so a check can never be switched off by a misspelt key. `lenient()` names the
checks an answer may fail and still be kept, and `kept_faults` words the warnings it is kept with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationInfo

from ._factlock import (
    BRIEF,
    KEY_POINTS,
    added_quotes,
    changed_figures,
    lost_figures,
    misfit_length,
    repeated_translation,
    unsourced,
)
from ._figures import SourceFigure
from ._glossary import Glossary
from ._text import Language, untranslated, vietnamese_words

if TYPE_CHECKING:
    from ._answers import BriefProse, ChunkFacts, KeyPoint, PartPoints, SummaryContent, TranslationChunk  # noqa: F401

# Contravariant: checks written for an answer model hold for the models built on it (a brief's
# checks for its draft and for its prose asked alone).
AnswerT_contra = TypeVar("AnswerT_contra", bound=BaseModel, contravariant=True)
ChecksT = TypeVar("ChecksT", bound="Checks[Any]")


@dataclass(frozen=True, kw_only=True)
class Checks(Generic[AnswerT_contra]):
    """The checks of every answer: glossary terms and names put into English (repairs, not faults)."""

    glossary: Glossary | None = None

    def lenient(self) -> Checks[AnswerT_contra]:
        """These checks less those an answer may fail and still be kept with warnings."""
        return self

    def kept_faults(self, answer: AnswerT_contra) -> list[str]:
        """The warnings an answer is kept with: the checks `lenient` leaves out that it fails."""
        return []


@dataclass(frozen=True, kw_only=True)
class FactLockChecks(Checks[AnswerT_contra]):
    """English prose held to its article: the article's figures only, and its quotes only."""

    source_figures: Sequence[SourceFigure] | None = None
    """The article's figures, which alone the prose may state; None: not checked."""
    source_text: str | None = None
    """The article the prose is written from, which alone it may quote; None: quotes not checked."""

    def lock_faults(self, text: str, *, where: str = BRIEF) -> list[str]:
        """The changed or invented figures and quotes of `text` (`where` in the result), worded as
        the warnings an answer kept with them carries."""
        faults = [str(fault) for fault in changed_figures(text, self.source_figures or (), where=where)]
        if self.source_text is not None:
            faults += [str(fault) for fault in unsourced(text, self.source_text, where=where)]
        return faults


@dataclass(frozen=True, kw_only=True)
class BriefChecks(FactLockChecks["BriefProse"]):
    """A brief's draft, or its prose alone: the fact lock on its prose, figures and quotes."""

    leftovers_kept: bool = False
    """Accept a headline or summary in English that still holds a Vietnamese word (once the glossary
    and romanization have mended what they can); False: send it back."""

    def lenient(self) -> BriefChecks:
        """Without the fact lock and the quote lock, and keeping a Vietnamese word left in English
        prose: a draft failing only those is kept, warned (fidelity article 01 was lost to one
        syllable, "nghiệp", that two re-asks of the draft and two of its prose left in)."""
        return replace(self, source_figures=None, source_text=None, leftovers_kept=True)

    def kept_faults(self, answer: BriefProse) -> list[str]:
        """Changed or invented figures and quotes, and the Vietnamese left in the prose."""
        faults = self.lock_faults(answer.prose)
        for name, text in (("headline", answer.headline), ("summary", answer.summary)):
            if left := vietnamese_words(text):
                faults.append(untranslated(f"the brief's {name}", left, "en"))
        return faults


@dataclass(frozen=True, kw_only=True)
class KeyPointChecks(FactLockChecks["KeyPoint"]):
    """A key point asked for the key figures of one sentence that a brief's draft left out: the fact
    lock, and those figures, which it must state. Never kept failing: the article's own words stand
    in for it."""

    figures: Sequence[SourceFigure] = ()
    paragraphs: Sequence[str] = ()
    """The article's paragraphs, to name the one that states each figure."""


@dataclass(frozen=True, kw_only=True)
class PartPointsChecks(FactLockChecks["PartPoints"]):
    """The key points of one part of an article: the fact lock, and as many points as asked. Kept
    failing those, warned; the part's own sentences stand in for points it could not write. Its lead
    figures are asked for, not checked: the brief's coverage asks a key point for one left out."""

    fewest: int = 1

    def lenient(self) -> PartPointsChecks:
        """Without the fact lock, the quote lock and the count: the part's own sentences make up for
        points too few."""
        return replace(self, source_figures=None, source_text=None, fewest=1)

    def kept_faults(self, answer: PartPoints) -> list[str]:
        """Changed or invented figures and quotes."""
        return self.lock_faults("\n".join(answer.points), where=KEY_POINTS)


@dataclass(frozen=True, kw_only=True)
class TranslationChecks(Checks["TranslationChunk"]):
    """A chunk's translation: its paragraphs numbered as sent, in the target language, figures kept."""

    sources: Mapping[int, str]
    """The source paragraphs by number, in order."""
    target: Language
    figures: Mapping[int, Sequence[SourceFigure]] | None = None
    """Each paragraph's figures, which its translation must keep; None: not checked."""
    leftovers_kept: bool = False
    """Accept an English paragraph that still holds Vietnamese words (once the glossary and
    romanization have mended what they can); False: send it back."""
    quotes_locked: bool = True
    """Refuse a paragraph that quotes what its source paragraph does not; False: keep it, flagged."""
    lengths_locked: bool = True
    """Refuse a paragraph far longer or shorter than its source (`misfit_length`); False: keep it,
    flagged."""
    translated: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    """Other paragraphs' sources and translations, by number, that none of these may repeat
    (`repeated_translation`): a paragraph asked again because its first translation was another's."""

    def lenient(self) -> TranslationChecks:
        """Without the figure, quote, length and repeat locks, and keeping Vietnamese left in an
        English paragraph: a translation failing only those is kept, its paragraphs marked."""
        return replace(
            self, figures=None, leftovers_kept=True, quotes_locked=False, lengths_locked=False, translated={}
        )

    def kept_faults(self, answer: TranslationChunk) -> list[str]:
        """The figures each paragraph lost or changed, the quotes it added, a length far off its
        source's, another paragraph's translation it repeats, and the Vietnamese left in it."""
        figures = self.figures or {}
        faults = []
        for paragraph in answer.paragraphs:
            faults += [
                str(fault)
                for fault in lost_figures(paragraph.n, paragraph.text, figures.get(paragraph.n, ()), self.target)
            ]
            if (source := self.sources.get(paragraph.n)) is not None:
                faults += [str(fault) for fault in added_quotes(paragraph.n, paragraph.text, source)]
                faults += [str(fault) for fault in misfit_length(paragraph.n, paragraph.text, source)]
                repeated = repeated_translation(paragraph.n, paragraph.text, source, self.translated)
                faults += [str(fault) for fault in repeated]
            if self.target == "en" and (left := vietnamese_words(paragraph.text)):
                faults.append(untranslated(f"paragraph {paragraph.n}", left, "en"))
        return faults

    def one(self, number: int) -> TranslationChecks:
        """These checks for paragraph `number` alone."""
        figures = None if self.figures is None else {number: self.figures.get(number, ())}
        return replace(self, sources={number: self.sources[number]}, figures=figures)


@dataclass(frozen=True, kw_only=True)
class FactsChecks(Checks["ChunkFacts"]):
    """The facts of one part of a long article, in the language of the final request."""

    language: Language = "en"


@dataclass(frozen=True, kw_only=True)
class SummaryChecks(Checks["SummaryContent"]):
    """A summary: in the language asked for, no longer than asked."""

    language: Language
    max_words: int | None = None


def checks_of(info: ValidationInfo, kind: type[ChecksT]) -> ChecksT | None:
    """The checks a validation runs with; None when an answer is read without any (a result file)."""
    context = info.context
    if context is None:
        return None
    if not isinstance(context, kind):
        raise TypeError(f"validation context: expected {kind.__name__}, got {type(context).__name__}")
    return context
