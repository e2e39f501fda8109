"""Key points, part by part: the article's English cut into parts of about equal length, and the
key points of each part asked for side by side, before the brief is written from them.

Every part of the article contributes to the key points by construction, whatever the model would
have dwelt on: asked for a whole 700-word article's key points at once, this model wrote them all
from its first half (fidelity article 02: none of five key facts covered).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .._answers import MAX_KEY_POINTS, MIN_KEY_POINTS, MIN_POINT_WORDS, FigureNote, PartPoints
from .._checks import PartPointsChecks
from .._errors import OutputValidationError
from .._factlock import changed_figures, currency_repaired
from .._figures import KEY_KINDS, SourceFigure, missing_key_figures
from .._hygiene import Article
from .._prompts import PromptTemplate
from .._text import WORD, count_words, sentences, vietnamese_words
from ._protocol import Env, Notes, Steps, ask_or_keep, estimate_tokens, side_by_side
from ._translate import EnglishPiece

PART_WORDS = 150
"""About how many English words of the article one part holds."""
PART_MAX_TOKENS = 1500
"""The most estimated tokens of one part: a longer article is cut into more parts than it has key points."""
MOST_POINTS_PER_PART = 3
PART_REASKS = 1
"""Re-asks of a part's key points, before they are kept with warnings or its own words stand in."""
STAND_IN_WORDS = 30
"""The most words of one of a part's own sentences, standing in for a key point the model did not write."""
LEAD_FIGURES_PER_POINT = 2
MOST_LEAD_FIGURES = 3
SAME_AMOUNT = 0.05
"""How close two amounts of one unit are to be one amount written twice, rounder then precise."""


@dataclass(frozen=True)
class Part:
    """One part of the article: its number, how many there are, and its pieces, in order."""

    number: int
    parts: int
    pieces: tuple[EnglishPiece, ...]

    @property
    def label(self) -> str:
        """How warnings name it: "part 2 of 5"."""
        return f"part {self.number} of {self.parts}"

    @property
    def text(self) -> str:
        """Its English: a paragraph's pieces apart with a space, paragraphs with a blank line."""
        text = ""
        for index, piece in enumerate(self.pieces):
            if index:
                text += " " if self.pieces[index - 1].paragraph == piece.paragraph else "\n\n"
            text += piece.text
        return text

    def stated(self, figures: Sequence[SourceFigure]) -> list[SourceFigure]:
        """Those of the article's `figures` its source states, in the article's order."""
        source = " ".join(piece.source for piece in self.pieces)
        return [figure for figure in figures if figure.source in source]

    def lost_sentences(self, figures: Sequence[SourceFigure]) -> list[str]:
        """The source's sentences that state a figure its English lost."""
        found = []
        for piece in self.pieces:
            lost = [f for f in figures if f.english in piece.lost]
            found += [s for s in sentences(piece.source) if any(f.source in s for f in lost)]
        return found


def article_parts(pieces: Sequence[EnglishPiece], words: int = PART_WORDS) -> list[Part]:
    """The article's pieces (its paragraphs, a long one in pieces of whole sentences) grouped in
    order into parts of about `words` English words each, about equal in length: as many parts as
    a brief has key points at most, more only for an article too long for that."""
    total = sum(count_words(piece.text) for piece in pieces)
    if not pieces:
        return []
    tokens = sum(estimate_tokens(piece.text) for piece in pieces)
    count = max(min(MAX_KEY_POINTS, max(1, round(total / words)), len(pieces)), math.ceil(tokens / PART_MAX_TOKENS))
    share = max(1, total) / count
    grouped: list[list[EnglishPiece]] = [[] for _ in range(count)]
    done = 0
    for piece in pieces:
        size = count_words(piece.text)
        # Each piece goes to the part its middle falls in: parts of about equal length, in order.
        grouped[min(count - 1, int((done + size / 2) // share))].append(piece)
        done += size
    kept = [tuple(group) for group in grouped if group]
    return [Part(number, len(kept), group) for number, group in enumerate(kept, start=1)]


def points_asked(parts: int) -> tuple[int, int]:
    """The fewest and the most key points one of `parts` parts is asked for: together at least the
    brief's fewest, and about as many as it may have."""
    return math.ceil(MIN_KEY_POINTS / parts), min(MOST_POINTS_PER_PART, math.ceil(MAX_KEY_POINTS / parts))


def held_figures(parts: Sequence[Part], figures: Sequence[SourceFigure]) -> list[list[SourceFigure]]:
    """Each part's lead figures (`lead_figures`), which its key points are held to: a figure once,
    by the first part that states it."""
    held: list[list[SourceFigure]] = []
    for part in parts:
        _, most = points_asked(part.parts)
        earlier = {figure for figures_held in held for figure in figures_held}
        stated = [figure for figure in part.stated(figures) if figure not in earlier]
        held.append(lead_figures(stated, min(MOST_LEAD_FIGURES, LEAD_FIGURES_PER_POINT * most)))
    return held


def lead_figures(stated: Sequence[SourceFigure], count: int) -> list[SourceFigure]:
    """The first `count` key figures (money, percentages, areas) of `stated`, in order: news puts
    what matters first. An amount written again later, more precisely ("more than VND10 trillion"
    in the title, "more than VND10.43 trillion" in the lead), is held in its precise form; one
    written twice, once."""
    key = [figure for figure in stated if figure.kind in KEY_KINDS]
    kept: list[SourceFigure] = []
    for index, figure in enumerate(key):
        same = [other for other in key if other.unit == figure.unit and _same_amount(figure, other)]
        if any(other in kept for other in same):
            continue
        precise = max(same, key=lambda other: (len(other.english), -key.index(other)))
        if precise is figure or key.index(precise) < index:
            kept.append(figure)
        else:
            kept.append(precise)
    return kept[:count]


def _same_amount(one: SourceFigure, other: SourceFigure) -> bool:
    return abs(one.value - other.value) <= SAME_AMOUNT * max(abs(one.value), abs(other.value))


@dataclass(frozen=True)
class WrittenParts:
    """What the parts' requests gave: each part's key points, in order, and what the article's
    figures (numbered from 1, as in the article) measure."""

    points: list[list[str]]
    figure_notes: list[FigureNote]


def part_points(
    article: Article, pieces: Sequence[EnglishPiece], figures: list[SourceFigure], env: Env, notes: Notes
) -> Steps[WrittenParts]:
    """The key points of each part of the article, and what its figures measure, asked side by
    side, in order. A part whose points could not be written has its own sentences standing in,
    warned, and its figures no description."""
    parts = article_parts(pieces)
    if not parts:
        return WrittenParts([], [])
    prompt = env.prompt("part_points", requires=("article", "figures", "lost", "count"))
    notes.used(prompt)
    held = held_figures(parts, figures)
    steps = [_points(part, held[index], article, figures, env, notes, prompt) for index, part in enumerate(parts)]
    written = yield from side_by_side(steps)
    return WrittenParts([points for points, _ in written], [note for _, part_notes in written for note in part_notes])


def _points(
    part: Part,
    held: Sequence[SourceFigure],
    article: Article,
    figures: list[SourceFigure],
    env: Env,
    notes: Notes,
    prompt: PromptTemplate,
) -> Steps[tuple[list[str], list[FigureNote]]]:
    fewest, most = points_asked(part.parts)
    fewest = min(fewest, len(sentences(part.text)))  # a part of two sentences has no third point to give
    stated = part.stated(figures)
    lost = part.lost_sentences(stated)
    messages = prompt.render(
        article=part.text,
        lost="\n".join(lost) or "(none)",
        part=str(part.number),
        parts=str(part.parts),
        figures="\n".join(f"[{figures.index(f) + 1}] {f.english}{' *' if f in held else ''}" for f in stated)
        or "(none)",
        terms=env.glossary.listing(part.text),
        count=str(most) if fewest == most else f"{fewest} to {most}",
    )
    checks = PartPointsChecks(
        glossary=env.glossary,
        source_figures=figures,
        source_text=article.text,
        fewest=fewest,
    )
    try:
        request = env.request(article, PartPoints, messages, checks, reasks=PART_REASKS)
        answer = yield from ask_or_keep(request, notes, where=part.label)
    except OutputValidationError as exc:
        points: list[str] = []
        figure_notes: list[FigureNote] = []
        reason = f"its key points could not be written ({' '.join(str(exc).split())})"
    else:
        # A point kept failing its checks may still be a bare figure: its part's sentences stand in.
        written = [point.strip() for point in answer.points if count_words(point) >= MIN_POINT_WORDS]
        points = distinct_points(written)
        figure_notes = answer.figures
        where = f"{part.label}: a key point"
        notes.warnings.extend(currency_repaired(repair, where=where) for repair in answer.currency_repairs)
        # A point that only says another again (fidelity article 01, part 4) gives way to the part's words.
        repeated = len(written) - len(points)
        fewest = max(fewest, len(written)) if repeated else fewest
        again = f" ({repeated} repeating another)" if repeated else ""
        reason = f"the model gave {len(points)} of the {fewest} key points asked{again}"
    if len(points) > most:
        notes.warnings.append(f"{part.label}: kept the first {most} of its {len(points)} key points")
    if len(points) >= fewest:
        return points[:most], figure_notes
    stand_ins = _own_sentences(part, figures, fewest - len(points), points)
    given = (
        f"its first sentences stand in for {fewest - len(points)}"
        if stand_ins
        else "none of its sentences could stand in"
    )
    notes.warnings.append(f"{part.label}: {reason}; {given}")
    return [*points, *stand_ins], figure_notes


def _own_sentences(part: Part, figures: list[SourceFigure], count: int, points: Sequence[str]) -> list[str]:
    """Up to `count` of the part's own sentences (each cut to `STAND_IN_WORDS`), standing in for key
    points the model did not write: those that state no figure the article lacks, keep no
    Vietnamese, and are not already among `points`; first those that state a money, percentage or
    area figure of the part the points leave out (an editor needs those), then the others, each in
    article order."""
    unstated = missing_key_figures("\n".join(points), [f for f in part.stated(figures) if f.kind in KEY_KINDS])
    usable: list[str] = []
    for piece in part.pieces:
        for sentence in sentences(piece.english):
            words = sentence.split()
            cut = sentence if len(words) <= STAND_IN_WORDS else " ".join(words[:STAND_IN_WORDS]) + "…"
            if cut not in points and not changed_figures(cut, figures) and not vietnamese_words(cut):
                usable.append(cut)
    stating = [cut for cut in usable if len(missing_key_figures(cut, unstated)) < len(unstated)]
    chosen = [*stating, *(cut for cut in usable if cut not in stating)][:count]
    return [cut for cut in usable if cut in chosen]


REPEATED_WORDS = 0.7
"""The share of a key point's words found in another of its part at which the two say one thing."""
REPEAT_MIN_WORDS = 8
"""The fewest words of a point compared so: short points share their few words by chance."""


def distinct_points(points: Sequence[str]) -> list[str]:
    """`points` with each pair that says one thing twice (most words of the shorter are the other's)
    made one: the longer, which says it more precisely, in the place of the first."""
    kept: list[tuple[str, set[str]]] = []
    for point in points:
        words = _words(point)
        same = next((index for index, (_, seen) in enumerate(kept) if _says_again(words, seen)), None)
        if same is None:
            kept.append((point, words))
        elif len(words) > len(kept[same][1]):
            kept[same] = (point, words)
    return [point for point, _ in kept]


def says_again(point: str, other: str) -> bool:
    """Whether one of two key points says the other again: most words of the shorter are the
    longer's, and every figure of the shorter is the longer's too."""
    return _says_again(_words(point), _words(other))


def said_in(point: str, prose: str) -> bool:
    """Whether a sentence of `prose` says `point` again, with every figure of the point: a point
    that adds a figure to the sentence it repeats still tells the editor something."""
    words = _words(point)
    numbers = {word for word in words if any(ch.isdigit() for ch in word)}
    return any(_says_again(words, sentence) and numbers <= sentence for sentence in map(_words, sentences(prose)))


def _words(point: str) -> set[str]:
    return {word.casefold() for word in WORD.findall(point)}


def _says_again(words: set[str], other: set[str]) -> bool:
    shorter, longer = sorted((words, other), key=len)
    # A figure of one that the other lacks makes them two facts, however alike their words.
    numbers = {word for word in shorter if any(ch.isdigit() for ch in word)}
    return (
        len(shorter) >= REPEAT_MIN_WORDS
        and numbers <= longer
        and len(shorter & longer) >= REPEATED_WORDS * len(shorter)
    )


def chosen_points(
    by_part: Sequence[Sequence[str]], room: int = MAX_KEY_POINTS, needed: Sequence[SourceFigure] = ()
) -> list[str]:
    """At most `room` of the parts' key points, in article order: first one for each figure of
    `needed` that states it (an editor needs the figures more), then each part's first point
    before any part's second, and when the parts outnumber the room, parts spread over the article.
    A point that says again one of another part's (`says_again`) is not chosen beside it: the two
    parts' points overlap where the article says a thing twice (fidelity article 06)."""
    chosen: set[tuple[int, int]] = set()
    unstated = list(needed)

    def unsaid(number: int, rank: int) -> bool:
        point = by_part[number][rank]
        return not any(says_again(point, by_part[n][r]) for n, r in chosen)

    for number, points in enumerate(by_part):
        for rank, point in enumerate(points):
            stated = [figure for figure in unstated if not missing_key_figures(point, [figure])]
            if stated and len(chosen) < room and unsaid(number, rank):
                chosen.add((number, rank))
                unstated = [figure for figure in unstated if figure not in stated]
    for rank in range(max((len(points) for points in by_part), default=0)):
        left = room - len(chosen)
        candidates = [
            n for n, points in enumerate(by_part) if rank < len(points) and (n, rank) not in chosen and unsaid(n, rank)
        ]
        if left <= 0:
            break
        # A part with no point yet comes before a second from one that has one.
        fresh = [n for n in candidates if all(number != n for number, _ in chosen)]
        others = [n for n in candidates if n not in fresh]
        picked = _spread(fresh, left) + _spread(others, left - min(left, len(fresh)))
        for number in picked:
            if unsaid(number, rank):  # two parts' points of one rank may say one thing
                chosen.add((number, rank))
    return [by_part[number][rank] for number, rank in sorted(chosen)]


def _spread(numbers: Sequence[int], count: int) -> list[int]:
    """`count` of `numbers`, the first, the last and evenly between: parts over the whole article."""
    if count <= 0:
        return []
    if len(numbers) <= count:
        return list(numbers)
    step = (len(numbers) - 1) / max(1, count - 1)
    return [numbers[round(k * step)] for k in range(count)]
