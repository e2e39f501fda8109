"""`summarizer check`: a result file held to its source article, figures and names, by the fact lock."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._factlock import (
    BRIEF,
    Fault,
    added_quotes,
    changed_figures,
    lost_figures,
    misfit_length,
    missing_figures,
    repeated_translations,
    unsourced,
)
from ._figures import SourceFigure, checked_figures, extract_figures
from ._hygiene import Article
from ._results import Brief, Summary, Translation
from ._text import Language, english_left, untranslated, vietnamese_words


@dataclass
class CheckReport:
    """What `check_result` found: problems fail the check; notes are worth a look."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when nothing contradicts the source."""
        return not self.problems


def check_result(article: Article, result: Brief | Summary | Translation) -> CheckReport:
    """Hold a brief, summary or translation to its source article: figures and names."""
    if isinstance(result, Translation):
        faults = _translation_faults(article, result)
        return CheckReport(problems=[str(fault) for fault in faults], notes=_words_left(result))
    sources = extract_figures(article.text, article.language)
    faults = _brief_faults(article, result, sources) if isinstance(result, Brief) else []
    language: Language = "en"
    if isinstance(result, Brief):
        where = BRIEF
        prose = "\n".join([result.headline, result.summary, *result.key_points])
    else:
        where, language = "the summary", result.language
        prose = "\n".join([result.title, result.lead, result.summary, *result.key_points])
    faults += changed_figures(prose, sources, where=where, language=language)
    faults += unsourced(prose, article.text, where=where)
    notes = missing_figures(prose, sources, where=where, language=language, paragraphs=article.paragraphs)
    return CheckReport(problems=[str(fault) for fault in faults], notes=[str(fault) for fault in notes])


def _brief_faults(article: Article, brief: Brief, sources: list[SourceFigure]) -> list[Fault]:
    """The brief's figure list and names held to the source."""
    faults = []
    by_source = {figure.source: figure for figure in sources}
    for figure in brief.figures:
        original = by_source.get(figure.source)
        where = f"figure {figure.source!r}"
        if original is None:
            faults.append(Fault("changed_figure", where, f"(listed as {figure.english!r}) is not in the source"))
        elif (original.english, original.value, original.unit) != (figure.english, figure.value, figure.unit):
            said = f"changed: the brief says {figure.english!r}, the source means {original.english!r}"
            faults.append(Fault("changed_figure", where, said))
    for entity in [*brief.people, *brief.organizations, *brief.places]:
        if entity.source not in article.text:
            faults.append(Fault("unknown_name", f"the name {entity.source!r}", "is not in the source"))
    return faults


def _translation_faults(article: Article, result: Translation) -> list[Fault]:
    if [pair.source for pair in result.paragraphs] != list(article.paragraphs):
        count = f"{len(result.paragraphs)} paragraphs for the source's {len(article.paragraphs)}"
        return [Fault("lost_figure", "the translation", f"has {count}, or not the same ones")]
    faults = []
    repeats = repeated_translations([(pair.source, pair.translation) for pair in result.paragraphs])
    for number, pair in enumerate(result.paragraphs, 1):
        sources = checked_figures(pair.source, article.language)
        faults += lost_figures(number, pair.translation, sources, result.target_language)
        faults += changed_figures(
            pair.translation,
            sources,
            where=f"paragraph {number}",
            language=result.target_language,
            source="its source paragraph",
        )
        faults += added_quotes(number, pair.translation, pair.source)
        faults += misfit_length(number, pair.translation, pair.source) if pair.translation else []
        faults += [repeats[number]] if number in repeats else []
    return faults


def _words_left(result: Translation) -> list[str]:
    """Each paragraph that keeps words of its source's language: worth a look, not a contradiction
    (a Vietnamese translation may mean an English term; an English one, a name)."""
    notes = []
    for number, pair in enumerate(result.paragraphs, 1):
        if result.target_language == "vi":
            left = english_left(pair.translation, pair.source)
        else:
            left = vietnamese_words(pair.translation)
        if left:
            notes.append(untranslated(f"paragraph {number}", left, result.target_language))
    return notes
