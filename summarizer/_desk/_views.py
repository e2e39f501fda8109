"""What the page shows of a result: the result itself, its Markdown, the source's paragraphs, and
the marks that tie each figure and name of the English to its form in the source.

A mark has an id, the strings that stand for it in the result's text and in the source, and (for
a translation) the one paragraph it belongs to. The page only wraps those strings where it finds
them; which prose figure stands for which source figure is decided here, by the fact lock's own
rule (`supports`), so the page can never tie "$1.6 million" to "1,6 tỷ USD".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .._answers import Entity
from .._figures import SourceFigure, extract_figures, supports
from .._job import Result
from .._notices import KINDS
from .._render import render_json, render_markdown
from .._results import Brief, Notice, Summary, Translation
from .._text import Language
from ._store import task_of

_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
_KIND_RANK = {kind.name: index for index, kind in enumerate(KINDS)}
_PARAGRAPH = re.compile(r"\bparagraph (\d{1,6})\b")
_QUOTED = re.compile(r"'([^']+)'")


@dataclass
class Mark:
    """One figure or name: where it stands in the result (`english`) and in the source (`source`)."""

    id: str
    kind: str
    label: str
    english: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    paragraph: int | None = None
    """For a translation: the (1-based) paragraph the mark belongs to; else anywhere."""

    def to_json(self) -> dict[str, Any]:
        """The mark as the page reads it: each string once, longest first (so "1,6 tỷ USD" is
        wrapped before a "1,6" inside it)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "english": sorted(set(filter(None, self.english)), key=len, reverse=True),
            "source": sorted(set(filter(None, self.source)), key=len, reverse=True),
            "paragraph": self.paragraph,
        }


def _figure_marks(
    figures: list[SourceFigure], prose: str, language: Language, prefix: str = "f", paragraph: int | None = None
) -> list[Mark]:
    """A mark per source figure, with each figure of `prose` that the fact lock takes as stating it."""
    stated = extract_figures(prose, language) if prose else []
    marks = []
    for index, figure in enumerate(figures):
        mark = Mark(f"{prefix}{index}", figure.kind, figure.english, [figure.english], [figure.source], paragraph)
        mark.english += [other.source for other in stated if supports(figure, other)]
        marks.append(mark)
    return marks


def _entity_marks(prefix: str, kind: str, entities: list[Entity]) -> list[Mark]:
    return [
        Mark(f"{prefix}{index}", kind, entity.english, [entity.english], [entity.source])
        for index, entity in enumerate(entities)
    ]


def _notice_view(notice: Notice, marks: list[Mark]) -> dict[str, Any]:
    """A notice with what it concerns: the paragraph it names, and the figure or name it quotes."""
    found = _PARAGRAPH.search(notice.text)
    paragraph = int(found.group(1)) if found else None
    quoted = set(_QUOTED.findall(notice.text))
    named = [mark for mark in marks if quoted & {*mark.english, *mark.source} or mark.label in quoted]
    # A translation's warning names its paragraph: the figure of that paragraph, not a namesake elsewhere.
    named.sort(key=lambda mark: mark.paragraph is not None and mark.paragraph != paragraph)
    target = named[0].id if named else None
    return {
        "severity": notice.severity,
        "kind": notice.kind,
        "text": notice.text,
        "paragraph": paragraph,
        "mark": target,
    }


def _source_figures(result: Result) -> list[SourceFigure]:
    if isinstance(result, Brief):
        return [SourceFigure(f.source, f.english, f.kind, f.value, f.unit) for f in result.figures]
    return extract_figures("\n\n".join(result.meta.source_paragraphs), result.meta.source_language)


def _marks(result: Result) -> list[Mark]:
    if isinstance(result, Translation):
        marks = []
        source_language = result.meta.source_language
        for number, pair in enumerate(result.paragraphs, 1):
            figures = extract_figures(pair.source, source_language)
            marks += _figure_marks(figures, pair.translation, result.target_language, f"p{number}f", number)
        return marks
    if isinstance(result, Summary):
        prose = "\n".join([result.title, result.lead, result.summary, *result.key_points])
        return _figure_marks(_source_figures(result), prose, result.language)
    prose = "\n".join([result.headline, result.summary, *result.key_points])
    return [
        *_figure_marks(_source_figures(result), prose, "en"),
        *_entity_marks("person", "person", result.people),
        *_entity_marks("org", "organization", result.organizations),
        *_entity_marks("place", "place", result.places),
    ]


def result_view(input_name: str, result: Result, json_name: str = "result.json") -> dict[str, Any]:
    """Everything the page shows of one result."""
    marks = _marks(result)
    notices = sorted(
        result.meta.notices, key=lambda n: (_SEVERITY_RANK[n.severity], _KIND_RANK.get(n.kind, len(_KIND_RANK)))
    )
    source = (
        [pair.source for pair in result.paragraphs]
        if isinstance(result, Translation)
        else list(result.meta.source_paragraphs)
    )
    return {
        "input": input_name,
        "task": task_of(result),
        "json": render_json(result),
        "json_name": json_name,
        "markdown": render_markdown(result),
        "source": source,
        "marks": [mark.to_json() for mark in marks],
        "notices": [_notice_view(notice, marks) for notice in notices],
    }


__all__ = ["Mark", "result_view"]
