"""Warnings an editor can act on: each warning's kind and severity, the few that matter first, and
the many small ones of one kind told in one line ("12 figures have no description").

The pipeline words its warnings where it finds them; this module knows those wordings by kind. A
warning of no known kind is kept, as of medium severity, so none is ever lost by ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._results import Notice, Severity

GROUP_FROM = 3
"""Low-severity warnings of one kind are told in one line once there are this many."""
SHOWN_IN_GROUP = 4


@dataclass(frozen=True)
class _Kind:
    name: str
    severity: Severity
    pattern: re.Pattern[str]
    group: str = ""
    """The one line for many of this kind: `{count}` and `{items}` (what group 1 of `pattern` caught)."""


_PARAGRAPH = r"^paragraph \d+(?:, part \d+ of \d+)?"
"""How a warning names its paragraph, or the piece of a long one."""


def _kind(name: str, severity: Severity, pattern: str, group: str = "") -> _Kind:
    return _Kind(name, severity, re.compile(pattern), group)


KINDS = (
    _kind("changed_figure", "high", r" states '.*', which .* does not have \(changed or invented\)"),
    _kind("lost_figure", "high", _PARAGRAPH + r" lacks or changes "),
    _kind("invented_quote", "high", r" \(an invented quote\)$| in the mouth of .*, whom the article does not quote$"),
    _kind("invented_place", "high", r" names .*, a place the article does not name \(.*\)$"),
    _kind("untranslated", "high", _PARAGRAPH + r" could not be translated"),
    _kind("misfit_length", "high", _PARAGRAPH + r" is [\d.]+ times as long as its source: it may hold another "),
    _kind("repeated_translation", "high", _PARAGRAPH + r" repeats the translation of paragraph \d+"),
    _kind("vietnamese_left", "high", rf"(?:{_PARAGRAPH}|^the brief's \w+) keeps Vietnamese"),
    # Medium: a word Vietnamese news also writes in English (a drug's, a device's name) may be meant.
    _kind(
        "english_left",
        "medium",
        rf"(?:{_PARAGRAPH}|^the summary's [\w ]+?) keeps English it was not put into Vietnamese",
    ),
    _kind("facts_dropped", "high", r"^the facts of the article's \d+ parts did not fit"),
    _kind(
        "figure_not_held",
        "low",
        r" does not mention (.*) \('.*'\)(?:, from paragraph \d+)?, past the key figures a brief is held to$",
        "{count} key figures past the six a brief is held to are not in it: {items}",
    ),
    _kind("missing_figure", "medium", r" does not mention "),
    _kind("prose_alone", "medium", r"^the model's brief could not be used \("),
    _kind(
        "part_points",
        "medium",
        r"^part \d+ of \d+: (?:its key points could not be written|the model gave \d+ of the \d+ key points asked)",
    ),
    _kind("name_dropped", "medium", r"^dropped \w+ entry "),
    _kind("short_summary", "medium", r"^the model's summary has \d+ words, under"),
    _kind(
        "glossary",
        "low",
        # repr quotes with " a text holding a ' ("Chairman of the Provincial People's Committee").
        _PARAGRAPH + r": ('.*'|\".*\") is not rendered as ('.*'|\".*\") \(glossary\)$",
        "{count} glossary terms are not rendered as the glossary has them: {items}",
    ),
    _kind(
        "undescribed_figure",
        "low",
        r"^the model did not say what ('.*') \(.*\) refers to(?:; its sentence in the article is given instead)?$",
        "{count} figures have no description from the model: {items}",
    ),
    _kind("figure_note", "low", r"^the model described "),
    _kind(
        "currency_repaired",
        "low",
        r" wrote ('.*'|\".*\") for .* \(.*\): put in the article's currency$",
        "{count} amounts were written in another currency than the article's and put right: {items}",
    ),
    _kind(
        "role_missing",
        "low",
        r"^people entry ('.*') has no role in English \(",
        "{count} people have no role in English: {items}",
    ),
    _kind("name_refiled", "low", r"^people entry '.*' listed under \w+: it names no person$"),
    _kind(
        "name_aligned",
        "low",
        r"^\w+ entry '.*' named ('.*'), as the translation names '.*'$",
        "{count} names are given as the translation names them: {items}",
    ),
    _kind(
        "figure_added",
        "low",
        r"^the model left out .*: (?:the article's words that state it were added as a key point"
        r"|a key point stating it was asked for and added)$",
    ),
    _kind(
        "trimmed",
        "low",
        r"^the model's summary ran to |^the model gave \d+ key points"
        r"|kept the first \d+ of its (?:facts|\d+ key points)",
    ),
    _kind("asked_again", "low", r"asked again in halves$"),
)
_ORDER: dict[Severity, int] = {"high": 0, "medium": 1, "low": 2}


def _kind_of(warning: str) -> _Kind | None:
    return next((kind for kind in KINDS if kind.pattern.search(warning)), None)


def notices(warnings: list[str]) -> list[Notice]:
    """Each warning with its kind and severity, the most severe first (in the order found within one severity)."""
    found = []
    for warning in warnings:
        kind = _kind_of(warning)
        found.append(
            Notice(severity=kind.severity if kind else "medium", kind=kind.name if kind else "other", text=warning)
        )
    return sorted(found, key=lambda notice: _ORDER[notice.severity])


def ranked(warnings: list[str]) -> list[str]:
    """The warnings, most severe first, and the low-severity ones of a kind in one line when there are many."""
    kinds = [(_kind_of(notice.text), notice.text) for notice in notices(warnings)]
    members: dict[str, list[str]] = {}
    for kind, text in kinds:
        if kind is not None and kind.group:
            members.setdefault(kind.name, []).append(text)
    lines: list[str] = []
    for kind, text in kinds:
        group = members.get(kind.name, []) if kind is not None else []
        if kind is None or len(group) < GROUP_FROM:
            lines.append(text)
        elif text == group[0]:  # the group's line goes where its first member was
            lines.append(_group_line(kind, group))
    return lines


def _group_line(kind: _Kind, texts: list[str]) -> str:
    items = list(dict.fromkeys(match.group(1) for text in texts if (match := kind.pattern.search(text))))
    more = len(items) - SHOWN_IN_GROUP
    shown = ", ".join(items[:SHOWN_IN_GROUP]) + (f" and {more} more" if more > 0 else "")
    return kind.group.format(count=len(texts), items=shown)
