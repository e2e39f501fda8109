"""The fact lock: every figure and name a result states must come from its source article.

Figures are compared by kind, value and unit, never by spelling, so "1,6 tỷ USD" supports "$1.6
billion". Each departure from the source is a `Fault`, worded here once: the answer validators
raise it to the model (with what to do), the pipeline keeps it as a warning when the re-asks could
not mend it, and `summarizer check` reports it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ._figures import CurrencyRepair, SourceFigure, figure_kept, missing_key_figures
from ._figures import unsupported_figures as _unsupported
from ._glossary import PLACE_ALIASES, PROVINCES
from ._text import WORD, Language, strip_marks

FaultKind = Literal[
    "changed_figure",
    "lost_figure",
    "missing_figure",
    "unknown_name",
    "invented_quote",
    "invented_place",
    "misfit_length",
    "repeated_translation",
]


@dataclass(frozen=True)
class Fault:
    """One way a text departs from its source: where, what, and what the model should do instead."""

    kind: FaultKind
    where: str
    """The part of the result, the subject of `what`: "the brief", "paragraph 3", "figure '1,6 tỷ USD'"."""
    what: str
    fix: str = ""
    """What a re-ask tells the model to do; empty where no model is asked (a report)."""

    def __str__(self) -> str:
        return f"{self.where} {self.what}"

    def to_model(self) -> str:
        """The fault as a re-ask states it: what is wrong, then what to do."""
        return f"{self}; {self.fix}" if self.fix else str(self)


BRIEF = "the brief"
KEY_POINTS = "a key point"
"""Where a fault of the key points written part by part is: one of them."""
STATE_IT = "state it in the summary or a key point"


def currency_repaired(repair: CurrencyRepair, *, where: str = BRIEF) -> str:
    """The warning of an amount put back in the article's currency by rule (`where` wrote it)."""
    source = repair.source
    return f"{where} wrote {repair.written!r} for {source.english} ({source.source!r}): put in the article's currency"


def changed_figures(
    text: str,
    sources: Sequence[SourceFigure],
    *,
    where: str = BRIEF,
    language: Language = "en",
    source: str = "the article",
) -> list[Fault]:
    """A fault for each figure `text` states that no source figure backs (changed or invented)."""
    return [
        Fault(
            "changed_figure",
            where,
            f"states {figure.source!r}, which {source} does not have (changed or invented)",
            "state only the article's figures, as numbered",
        )
        for figure in _unsupported(text, sources, language)
    ]


_QUOTE = re.compile(r"[“\"]([^”\"]{12,}?)[”\"]")
_NAME = re.compile(r"\b[A-ZĐ][\w'-]+(?:\s+[A-ZĐ][\w'-]+)+")


def quotes(text: str) -> list[tuple[str, str]]:
    """The quoted passages of `text` (a dozen characters or more) and the sentence around each."""
    found = []
    for match in _QUOTE.finditer(text):
        start = max(text.rfind(". ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
        ends = [i for i in (text.find(". ", match.end()), text.find("\n", match.end())) if i >= 0]
        found.append((match.group(1), text[start : min(ends) if ends else len(text)]))
    return found


def invented_quotes(text: str, source: str, *, where: str = BRIEF) -> list[Fault]:
    """A fault for each quotation in `text` that the source cannot back: the source quotes nobody,
    or the quotation is given to someone named nowhere near a quotation of the source."""
    quoted_in_source = [sentence for _, sentence in quotes(source)]
    near_quotes = strip_marks(" ".join(quoted_in_source)).casefold()
    faults = []
    for passage, sentence in quotes(text):
        if not quoted_in_source:
            what = f"quotes {passage!r}, but the article quotes no one (an invented quote)"
        else:
            speakers = [name for name in _NAME.findall(sentence.replace(f"{passage}", "")) if len(name) > 3]
            strangers = [name for name in speakers if strip_marks(name).casefold() not in near_quotes]
            if not speakers or len(strangers) < len(speakers):
                continue
            what = f"puts {passage!r} in the mouth of {strangers[0]}, whom the article does not quote"
        faults.append(Fault("invented_quote", where, what, "quote only what the article quotes, and its speaker"))
    return faults


def _place_pattern(name: str) -> re.Pattern[str]:
    # Compared without marks, case or spacing: "Hà Nội", "Ha Noi", "Hanoi" and "Ha-Noi" are one place.
    words = strip_marks(name).replace("-", " ").split()
    return re.compile(r"(?<!\w)" + r"[\s-]*".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


_PLACES = tuple(
    (place, tuple(_place_pattern(form) for form in (place, *PLACE_ALIASES.get(place, ()))))
    for place in dict.fromkeys(place.replace(" - ", "-") for place in PROVINCES)
)
"""Each province once (PROVINCES spells one two ways), and the ways a Vietnamese or English text
writes it."""


def invented_places(text: str, source: str, *, where: str = BRIEF) -> list[Fault]:
    """A fault for each of Vietnam's provinces and cities that `text` names and the source does not
    (the model wrote "Hanoi" for an article about Bắc Ninh)."""
    plain_text, plain_source = strip_marks(text), strip_marks(source)
    faults = []
    for place, forms in _PLACES:
        # A capital first: "long an hour" is no mention of Long An.
        named = next((m.group() for form in forms for m in form.finditer(plain_text) if m.group()[0].isupper()), None)
        if named is not None and not any(form.search(plain_source) for form in forms):
            what = f"names {named!r}, a place the article does not name ({place})"
            faults.append(Fault("invented_place", where, what, "name only the places the article names"))
    return faults


def unsourced(text: str, source: str, *, where: str = BRIEF) -> list[Fault]:
    """The quotes and places of `text` that its source article does not have."""
    return invented_quotes(text, source, where=where) + invented_places(text, source, where=where)


_PAIRED_QUOTES = (("“", "”"), ("‘", "’"), ("«", "»"))
_ATTRIBUTION = re.compile(r"^[\s,.;:—–-]*(?:\S+\s+){0,4}?(?:said|says|told|added|noted|stressed|asked)\b[^\"“”]{0,40}$")


def _joined_quotes(text: str) -> list[str]:
    """The quoted passages of `text`, one quotation split by its attribution ("We will," he said.
    "Soon.") counted once, as the source writes it whole."""
    matches = list(_QUOTE.finditer(text))
    passages: list[str] = []
    for index, match in enumerate(matches):
        between = text[matches[index - 1].end() : match.start()] if index else None
        if between is not None and _ATTRIBUTION.match(between):
            passages[-1] += " " + match.group(1)
        else:
            passages.append(match.group(1))
    return passages


def added_quotes(number: int, text: str, source: str) -> list[Fault]:
    """A fault for each quotation the translation `text` of source paragraph `number` adds: it may
    quote no more passages than the source paragraph marks as quoted (of any length, so scare quotes
    count, and a quotation the paragraph only opens or only closes counts once)."""
    marked = sum(max(source.count(opening), source.count(closing)) for opening, closing in _PAIRED_QUOTES)
    marked += (source.count('"') + 1) // 2
    passages = _joined_quotes(text)
    return [
        Fault(
            "invented_quote",
            f"paragraph {number}",
            f"quotes {passage!r}, which its source paragraph does not quote (an invented quote)",
            "quote only what the source paragraph quotes",
        )
        for passage in passages[marked:]
    ]


def written_as_in_source(figure: SourceFigure) -> re.Pattern[str]:
    """`figure` as its source writes it, whole: "7%" is not in "17%"."""
    return re.compile(rf"(?<![\w.,]){re.escape(figure.source)}(?!\w)")


def from_paragraph(figure: SourceFigure, paragraphs: Sequence[str]) -> str:
    """ ", from paragraph N": the first of the source's `paragraphs` that states `figure` (empty if none)."""
    written = written_as_in_source(figure)
    number = next((n for n, paragraph in enumerate(paragraphs, 1) if written.search(paragraph)), None)
    return f", from paragraph {number}" if number is not None else ""


def missing_figures(
    text: str,
    sources: Sequence[SourceFigure],
    *,
    where: str = BRIEF,
    language: Language = "en",
    paragraphs: Sequence[str] = (),
    fix: str = STATE_IT,
) -> list[Fault]:
    """A fault for each key figure (money, percentage, area) of the source that `text` leaves out,
    naming the paragraph of `paragraphs` (the source's) that states it."""
    return [
        left_out(figure, where=where, paragraphs=paragraphs, fix=fix)
        for figure in missing_key_figures(text, sources, language)
    ]


def left_out(figure: SourceFigure, *, where: str = BRIEF, paragraphs: Sequence[str] = (), fix: str = STATE_IT) -> Fault:
    """The fault of a text that leaves out the key figure `figure`, naming its source paragraph."""
    what = f"does not mention {figure.english} ({figure.source!r}){from_paragraph(figure, paragraphs)}"
    return Fault("missing_figure", where, what, fix)


SHORTEST_LENGTH_RATIO = 0.45
LONGEST_LENGTH_RATIO = 3.0
"""A translation's length in characters over its source's: translations of real sentences, both
ways, measured 0.54-1.85 (IWSLT'15 tst2012). Outside these, the model wrote the next paragraph's
content into this one (seen on en->vi: 4.4 times a 31-character sentence, then 0.41 of the next)."""
MISFIT_CHARACTERS = 40
"""Below this difference in length a misfit is a short sentence's variation, not a shift."""


def misfit_length(number: int, text: str, source: str) -> list[Fault]:
    """A fault when the translation `text` of source paragraph `number` is too much longer or shorter
    than its source to be a translation of it."""
    ratio = len(text) / max(len(source), 1)
    if abs(len(text) - len(source)) <= MISFIT_CHARACTERS or SHORTEST_LENGTH_RATIO <= ratio <= LONGEST_LENGTH_RATIO:
        return []
    return [
        Fault(
            "misfit_length",
            f"paragraph {number}",
            f"is {ratio:.1f} times as long as its source: it may hold another paragraph's text or lack its own",
            f"translate paragraph {number} alone, all of it and nothing from another paragraph",
        )
    ]


REPEATED_WORDS = 0.9
"""The share of two translations' words they hold in common at which one repeats the other."""
DISTINCT_SOURCE_WORDS = 0.5
"""Two source paragraphs sharing less than this share of their words say different things."""
REPEAT_MIN_WORDS = 5
"""The fewest words of a translation held to not repeating another: "Thank you." may be two."""


def repeated_translation(number: int, text: str, source: str, others: Mapping[int, tuple[str, str]]) -> list[Fault]:
    """A fault when the translation `text` of source paragraph `number` repeats, nearly word for word,
    the translation of one of `others` (by number: its source and its translation) whose source says
    something else: the model translated that paragraph twice and this one not at all."""
    words = _words(text)
    if len(words) < REPEAT_MIN_WORDS:
        return []
    for other, (other_source, other_text) in others.items():
        if (
            other != number
            and _shared(words, _words(other_text)) >= REPEATED_WORDS
            and _shared(_words(source), _words(other_source)) < DISTINCT_SOURCE_WORDS
        ):
            return [
                Fault(
                    "repeated_translation",
                    f"paragraph {number}",
                    f"repeats the translation of paragraph {other}, whose source says something else",
                    f"translate paragraph {number}'s own text, not paragraph {other}'s",
                )
            ]
    return []


def repeated_translations(pairs: Sequence[tuple[str, str]]) -> dict[int, Fault]:
    """The `repeated_translation` fault of each paragraph of `pairs` (each a source and its
    translation, in order, numbered from 1) whose translation repeats one before it, by number."""
    found = {}
    for number, (source, text) in enumerate(pairs, start=1):
        if faults := repeated_translation(number, text, source, dict(enumerate(pairs[: number - 1], start=1))):
            found[number] = faults[0]
    return found


@functools.lru_cache(maxsize=1024)
def _words(text: str) -> frozenset[str]:
    # Each paragraph is compared with every one before it: its words are read once.
    return frozenset(word.casefold() for word in WORD.findall(text))


def _shared(one: frozenset[str], other: frozenset[str]) -> float:
    """The share of the words of either that both hold (1.0: the same words)."""
    return len(one & other) / max(len(one | other), 1)


def lost_figures(number: int, text: str, sources: Sequence[SourceFigure], target: Language) -> list[Fault]:
    """A fault for each figure of source paragraph `number` that its translation `text` lacks or changes."""
    return [
        Fault(
            "lost_figure",
            f"paragraph {number}",
            f"lacks or changes {figure.source!r} ({figure.english})",
            f"translate it as {figure.english!r}",
        )
        for figure in sources
        if not figure_kept(figure, text, target)
    ]
