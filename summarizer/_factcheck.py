"""The fact lock: every figure and name a result states must come from its source article.

Figures are compared by kind, value and unit, never by spelling, so "1,6 tỷ USD" supports "$1.6
billion". Used while a brief is made (a brief whose prose changes or invents a figure is re-asked,
then kept with a warning) and on its own by `summarizer check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ._errors import InputError
from ._figures import (
    SourceFigure,
    checked_figures,
    extract_figures,
    figure_kept,
    missing_key_figures,
    unsupported_figures,
)
from ._hygiene import Article
from ._schema import Brief, Summary, Translation
from ._text import Language


@dataclass
class CheckReport:
    """What `check_result` found: problems fail the check; notes are worth a look."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when nothing contradicts the source."""
        return not self.problems


def _prose_check(prose: str, sources: list[SourceFigure], report: CheckReport, *, language: Language = "en") -> None:
    report.problems.extend(
        f"states {figure.source!r}, which no figure of the source backs (changed or invented)"
        for figure in unsupported_figures(prose, sources, language)
    )
    report.notes.extend(
        f"does not mention {figure.english} ({figure.source!r})"
        for figure in missing_key_figures(prose, sources, language)
    )


def check_result(article: Article, result: Brief | Summary | Translation) -> CheckReport:
    """Hold a brief, summary or translation to its source article: figures and names."""
    report = CheckReport()
    sources = extract_figures(article.text, article.language)
    if isinstance(result, Translation):
        _check_translation(article, result, report)
        return report
    if isinstance(result, Brief):
        by_source = {figure.source: figure for figure in sources}
        for figure in result.figures:
            original = by_source.get(figure.source)
            if original is None:
                report.problems.append(f"figure {figure.english!r}: {figure.source!r} is not in the source")
            elif (original.english, original.value, original.unit) != (figure.english, figure.value, figure.unit):
                report.problems.append(
                    f"figure {figure.source!r} changed: the brief says {figure.english!r}, the source means "
                    f"{original.english!r}"
                )
        for entity in [*result.people, *result.organizations, *result.places]:
            if entity.source not in article.text:
                report.problems.append(f"name {entity.english!r}: {entity.source!r} is not in the source")
        prose = "\n".join([result.headline, result.summary, *result.key_points])
    else:
        prose = "\n".join([result.title, result.lead, result.summary, *result.key_points])
    _prose_check(prose, sources, report, language=result.language if isinstance(result, Summary) else "en")
    return report


def _check_translation(article: Article, result: Translation, report: CheckReport) -> None:
    if [pair.source for pair in result.paragraphs] != list(article.paragraphs):
        report.problems.append(
            f"the translation has {len(result.paragraphs)} paragraphs for the source's {len(article.paragraphs)}, "
            "or not the same ones"
        )
    for number, pair in enumerate(result.paragraphs, 1):
        sources = checked_figures(pair.source, article.language)
        report.problems.extend(
            f"paragraph {number}: lacks or changes {figure.source!r} ({figure.english})"
            for figure in sources
            if not figure_kept(figure, pair.translation, result.target_language)
        )
        report.problems.extend(
            f"paragraph {number}: states {figure.source!r}, which its source paragraph does not have"
            for figure in unsupported_figures(pair.translation, sources, result.target_language)
        )


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
