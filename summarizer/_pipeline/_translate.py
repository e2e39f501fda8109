"""Translate: the article chunk by chunk, the chunks side by side, paragraph count and order kept,
figures locked.

Each request carries the glossary's terms for its paragraphs and the paragraph before them for
continuity. A chunk whose answer runs past the token limit is asked again in halves; of an invalid
answer, the paragraphs that pass are kept and only the others are asked again. No article is lost
to one paragraph: one that cannot be mended is kept with flags, or left untranslated and flagged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .._answers import TranslationChunk
from .._checks import TranslationChecks
from .._errors import OutputValidationError, TruncatedOutputError
from .._factlock import lost_figures, repeated_translations
from .._figures import checked_figures, figure_kept
from .._hygiene import Article
from .._prompts import PromptTemplate
from .._results import ParagraphPair, Translation
from .._text import LANGUAGE_NAMES, Language, english_left, sentences, untranslated
from ._protocol import Builder, Env, Messages, Notes, Steps, estimate_tokens, kept_answer, side_by_side

TRANSLATION_CHUNK_TOKENS = 600
"""Estimated source tokens per translation request: room for the answer, and good alignment."""
TRANSLATION_CHUNK_PARAGRAPHS = 8
LONG_PARAGRAPH_TOKENS = 300
"""A paragraph estimated longer than this is translated in pieces of whole sentences: answering one
of 500-800 words (a body run into one paragraph), this model merged, split or dropped sentences on
every attempt, and the whole paragraph was lost."""
PIECE_TOKENS = 200
"""The most estimated tokens of a piece of a long paragraph (a sentence longer than this is one)."""
UNTRANSLATED_PIECE = "[…]"
"""Stands in a long paragraph's translation for a piece that could not be translated (flagged)."""
LOST_FIGURES_NOTE = "(The source paragraph also states: "
"""Opens what the brief is told of the figures a translated paragraph lost."""


@dataclass(frozen=True)
class Rendered:
    """One paragraph in the target language, with what a reader must know about it."""

    text: str
    """Empty when it could not be translated: the source is never passed off as its translation."""
    flags: tuple[str, ...] = ()


def translation_steps(article: Article, to: Language, env: Env, notes: Notes) -> Steps[Builder[Translation]]:
    """The translation: each source paragraph beside its translation and its flags."""
    rendered = yield from translated_paragraphs(article, to, env, notes)
    pairs = [
        ParagraphPair(source=source, translation=paragraph.text, flags=list(paragraph.flags))
        for source, paragraph in zip(article.paragraphs, rendered, strict=True)
    ]
    return lambda info: Translation(target_language=to, paragraphs=pairs, meta=info)


@dataclass(frozen=True)
class EnglishPiece:
    """One piece of the article as it was translated (a paragraph, or a piece of a long one): its
    source, its English (empty when it could not be translated), and what figures the English lost."""

    paragraph: int
    """The article's (1-based) paragraph it is of."""
    source: str
    english: str
    lost: tuple[str, ...] = ()
    """The English forms, by rule, of the source's figures the English does not state."""

    @property
    def text(self) -> str:
        """The English, with the figures it lost stated after it: the brief must not lose what the
        translation did."""
        return f"{self.english} {LOST_FIGURES_NOTE}{'; '.join(self.lost)}.)" if self.lost else self.english


def english_pieces(article: Article, env: Env, notes: Notes) -> Steps[tuple[EnglishPiece, ...]]:
    """The article in English, piece by piece: as it is, or translated first (a small model writes
    far better English from English than from Vietnamese)."""
    if article.language == "en":
        return tuple(
            EnglishPiece(number, text, text)
            for number, paragraph in enumerate(article.paragraphs, start=1)
            for text in long_paragraph_pieces(paragraph)
        )
    pieces, rendered = yield from _translated_pieces(article, "en", env, notes)
    return tuple(
        EnglishPiece(
            piece.paragraph,
            piece.text,
            done.text,
            tuple(f.english for f in checked_figures(piece.text, article.language) if not figure_kept(f, done.text)),
        )
        for piece, done in zip(pieces, rendered, strict=True)
        if done.text
    )


def english_paragraphs(pieces: Sequence[EnglishPiece]) -> tuple[str, ...]:
    """The article's English paragraphs, made of its pieces: a paragraph none of whose pieces could
    be translated is left out (its warning was given), and a figure a piece lost is stated after it,
    by rule."""
    by_paragraph: dict[int, list[str]] = {}
    for piece in pieces:
        by_paragraph.setdefault(piece.paragraph, []).append(piece.text)
    return tuple(" ".join(texts) for texts in by_paragraph.values())


def translated_paragraphs(article: Article, to: Language, env: Env, notes: Notes) -> Steps[tuple[Rendered, ...]]:
    """The article's paragraphs in `to`, one for each source paragraph, in order. The article fails
    only when no paragraph could be translated."""
    pieces, rendered = yield from _translated_pieces(article, to, env, notes)
    return _joined(rendered, pieces)


def _translated_pieces(
    article: Article, to: Language, env: Env, notes: Notes
) -> Steps[tuple[list[_Piece], list[Rendered]]]:
    """The article's pieces (its paragraphs, a long one in pieces) and each one's rendering in `to`.
    The chunks go out side by side: none waits for another's answer. The article fails only when
    no piece could be translated."""
    prompt = env.prompt("translate", requires=("article", "context"))
    notes.used(prompt)
    pieces = _pieces(article.paragraphs)
    work = replace(article, paragraphs=tuple(piece.text for piece in pieces))  # the paragraphs as asked
    parts = yield from side_by_side([_chunk(work, numbers, to, prompt, env) for numbers in chunks(work.paragraphs)])
    rendered = [paragraph for part in parts for paragraph in part.paragraphs]
    for part in parts:
        notes.warnings.extend(_relabelled(warning, pieces) for warning in part.warnings)
    if not any(paragraph.text for paragraph in rendered):
        error = next(part.error for part in parts if part.error is not None)
        raise error
    redone = yield from _unrepeated(work, rendered, to, prompt, env)
    for part in redone.values():
        notes.warnings.extend(_relabelled(warning, pieces) for warning in part.warnings)
    rendered = [redone[n].paragraphs[0] if n in redone else paragraph for n, paragraph in enumerate(rendered, 1)]
    return pieces, rendered


def _unrepeated(
    article: Article, rendered: Sequence[Rendered], to: Language, prompt: PromptTemplate, env: Env
) -> Steps[dict[int, _Part]]:
    """Each paragraph whose translation repeats an earlier paragraph's, asked again alone (side by
    side), held to not repeating any earlier one, by number. Across chunks too, which no chunk's own
    checks can see: the chunks go out side by side, and one asked again alone sees only itself. The
    later of the two is asked: this model, given paragraphs 908-909 of tst2012, wrote 908's
    translation for both."""
    pairs = [(source, paragraph.text) for source, paragraph in zip(article.paragraphs, rendered, strict=True)]
    asked = list(repeated_translations(pairs))
    again = yield from side_by_side(
        [_chunk(article, [n], to, prompt, env, translated=dict(enumerate(pairs[: n - 1], start=1))) for n in asked]
    )
    return dict(zip(asked, again, strict=True))


@dataclass(frozen=True)
class _Piece:
    """What one numbered paragraph of a translation request holds: a paragraph of the article, or
    one of the pieces a long one is asked in."""

    paragraph: int
    """The article's (1-based) paragraph it is of."""
    part: int
    parts: int
    text: str

    @property
    def label(self) -> str:
        """How warnings name it: "paragraph 3", or "paragraph 3, part 2 of 5"."""
        return f"paragraph {self.paragraph}" + (f", part {self.part} of {self.parts}" if self.parts > 1 else "")


def _pieces(paragraphs: Sequence[str]) -> list[_Piece]:
    """The article's paragraphs as they are asked: each as it is, a long one in pieces of whole
    sentences."""
    pieces = []
    for number, paragraph in enumerate(paragraphs, start=1):
        texts = long_paragraph_pieces(paragraph)
        pieces += [_Piece(number, part, len(texts), text) for part, text in enumerate(texts, start=1)]
    return pieces


def long_paragraph_pieces(paragraph: str, longest: int = LONG_PARAGRAPH_TOKENS, piece: int = PIECE_TOKENS) -> list[str]:
    """`paragraph` alone if it is at most `longest` estimated tokens, else its sentences grouped in
    order into pieces of at most `piece`."""
    if estimate_tokens(paragraph) <= longest:
        return [paragraph]
    groups: list[list[str]] = []
    size = 0
    for sentence in sentences(paragraph):
        tokens = estimate_tokens(sentence)
        if not groups or size + tokens > piece:
            groups.append([])
            size = 0
        groups[-1].append(sentence)
        size += tokens
    return [" ".join(group) for group in groups]


def _joined(rendered: Sequence[Rendered], pieces: Sequence[_Piece]) -> tuple[Rendered, ...]:
    """One rendered paragraph per article paragraph: its pieces' translations joined, a piece that
    could not be translated standing as […] (flagged), nothing if none of them could be."""
    by_paragraph: dict[int, list[Rendered]] = {}
    for piece, paragraph in zip(pieces, rendered, strict=True):
        by_paragraph.setdefault(piece.paragraph, []).append(
            Rendered(paragraph.text, tuple(_relabelled(flag, pieces) for flag in paragraph.flags))
        )
    joined = []
    for parts in by_paragraph.values():  # in the article's order: the pieces come in it
        texts = [part.text for part in parts]
        text = " ".join(t or UNTRANSLATED_PIECE for t in texts) if any(texts) else ""
        joined.append(Rendered(text, tuple(flag for part in parts for flag in part.flags)))
    return tuple(joined)


_NAMED_PIECES = re.compile(r"^paragraphs? (\d+)(?:-(\d+))?")
_REPEATED_PIECE = re.compile(r"(?<= repeats the translation of )paragraph (\d+)")
"""The other piece a repeat warning names (`repeated_translation`)."""


def _relabelled(text: str, pieces: Sequence[_Piece]) -> str:
    """A warning or flag that names pieces by their number in the requests, naming the article's
    paragraphs instead (the same text when no paragraph was asked in pieces)."""

    def label(match: re.Match[str]) -> str:
        first = pieces[int(match[1]) - 1]
        if match[2] is None:
            return first.label
        last = pieces[int(match[2]) - 1]
        if first.paragraph == last.paragraph and first.parts > 1:
            return f"paragraph {first.paragraph}, parts {first.part}-{last.part} of {first.parts}"
        return f"paragraphs {first.paragraph}-{last.paragraph}"

    text = _REPEATED_PIECE.sub(lambda match: pieces[int(match[1]) - 1].label, text, count=1)
    return _NAMED_PIECES.sub(label, text, count=1)


@dataclass
class _Part:
    """A chunk's translated paragraphs, its warnings in article order, and the error of a paragraph
    that could not be translated, if any."""

    paragraphs: list[Rendered] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: OutputValidationError | None = None

    def extend(self, other: _Part) -> None:
        self.paragraphs += other.paragraphs
        self.warnings += other.warnings
        self.error = self.error or other.error


def _chunk(
    article: Article,
    numbers: list[int],
    to: Language,
    prompt: PromptTemplate,
    env: Env,
    *,
    reasks: int | None = None,
    may_halve: bool = True,
    translated: Mapping[int, tuple[str, str]] | None = None,
) -> Steps[_Part]:
    """The translations of paragraphs `numbers`. A chunk of several is asked once: the paragraphs of
    an invalid answer that pass their checks are kept, and only the others are asked again, one by
    one (each with the usual re-asks); a paragraph still invalid then is asked in two halves of its
    sentences (`may_halve`) if its kept answer lost figures, and kept with flags if it is English at
    all, else left untranslated and flagged. None of them may repeat a translation of `translated`
    (other paragraphs' sources and translations, by number)."""
    checks = _checks(article, numbers, to, env, translated or {})
    request = env.request(
        article,
        TranslationChunk,
        _messages(article, numbers, to, prompt, env),
        checks,
        "translating",
        reasks=0 if len(numbers) > 1 else reasks,
    )
    part = _Part()
    try:
        chunk: TranslationChunk = yield request
    except TruncatedOutputError as exc:
        if len(numbers) == 1:
            return _untranslated(numbers[0], exc)
        # A small model sometimes runs on and on; half as many paragraphs leave it room.
        part.warnings.append(f"paragraphs {numbers[0]}-{numbers[-1]}: the answer ran too long; asked again in halves")
        half = len(numbers) // 2
        halves = yield from side_by_side(
            [_chunk(article, n, to, prompt, env) for n in (numbers[:half], numbers[half:])]
        )
        for done in halves:
            part.extend(done)
        return part
    except OutputValidationError as exc:
        if len(numbers) == 1:
            kept = kept_answer(request, exc.last_output)
            # A paragraph nothing could keep is Vietnamese left in, which halving does not mend: it is
            # marked where it stands. Halves are for figures dropped from a long paragraph.
            if kept is None:
                return _untranslated(numbers[0], exc)
            whole = _rendered(kept, checks.kept_faults(kept), env, to, article)
            split = _sentence_halves(checks.sources[numbers[0]]) if may_halve else None
            if split is None or not _lost(kept.paragraphs[0].text, numbers[0], checks, to):
                return whole
            asked = yield from _in_halves(article, numbers[0], split, to, prompt, env)
            return _fewer_lost(whole, asked, numbers[0], checks, to)
        good = {n: _rendered(answer, [], env, to, article) for n, answer in _valid_paragraphs(exc, checks).items()}
        redo = yield from side_by_side([_chunk(article, [n], to, prompt, env) for n in numbers if n not in good])
        again = iter(redo)
        for number in numbers:
            part.extend(good[number] if number in good else next(again))
        return part
    return _rendered(chunk, [], env, to, article)


HALF_REASKS = 1
"""Re-asks of each half of a paragraph asked again in halves: two more requests at most for each."""


def _sentence_halves(paragraph: str) -> tuple[str, str] | None:
    """`paragraph`'s sentences in two runs of about equal length; None for a single sentence."""
    parts = sentences(paragraph)
    if len(parts) < 2:
        return None
    total = sum(len(part) for part in parts)
    done, cut = 0, 1
    for index, part in enumerate(parts[:-1], start=1):
        done += len(part)
        cut = index
        if done * 2 >= total:
            break
    return " ".join(parts[:cut]), " ".join(parts[cut:])


def _in_halves(
    article: Article, number: int, split: tuple[str, str], to: Language, prompt: PromptTemplate, env: Env
) -> Steps[_Part]:
    """Paragraph `number` translated in its two halves, side by side, joined: this model, given a
    piece with a list run into it, wrote the first sentence and dropped the rest on every attempt
    (fidelity article 01: eleven figures). Each half is asked as paragraph `number` is, the first
    with the paragraph before it for context, the second with the first."""
    work = replace(article, paragraphs=(*article.paragraphs[: number - 1], *split))
    done = yield from side_by_side(
        [_chunk(work, [n], to, prompt, env, reasks=HALF_REASKS, may_halve=False) for n in (number, number + 1)]
    )
    second = re.compile(rf"^paragraph {number + 1}(?!\d)")
    texts = [part.paragraphs[0].text for part in done]
    flags = tuple(second.sub(f"paragraph {number}", flag) for part in done for flag in part.paragraphs[0].flags)
    joined = " ".join(text or UNTRANSLATED_PIECE for text in texts) if any(texts) else ""
    warnings = [second.sub(f"paragraph {number}", warning) for part in done for warning in part.warnings]
    return _Part([Rendered(joined, flags)], warnings)


def _lost(text: str, number: int, checks: TranslationChecks, to: Language) -> int:
    """How many of paragraph `number`'s figures `text` lacks or changes."""
    return len(lost_figures(number, text, (checks.figures or {}).get(number, ()), to))


def _fewer_lost(whole: _Part, halves: _Part, number: int, checks: TranslationChecks, to: Language) -> _Part:
    """Of a paragraph's translation asked whole and the one asked in halves, the one that lost fewer
    figures (the whole one if the same, or if the halves gave nothing), said in a warning when it
    is the halves'."""
    mine, theirs = whole.paragraphs[0].text, halves.paragraphs[0].text
    if not theirs or _lost(theirs, number, checks, to) >= _lost(mine, number, checks, to):
        return whole
    halves.warnings.insert(
        0, f"paragraph {number}: its translation lost figures on every attempt; asked again in halves"
    )
    return halves


def _untranslated(number: int, exc: OutputValidationError) -> _Part:
    flag = f"paragraph {number} could not be translated: {' '.join(str(exc).split())}"
    return _Part([Rendered("", (flag,))], [flag], exc)


def _rendered(chunk: TranslationChunk, faults: list[str], env: Env, to: Language, article: Article) -> _Part:
    """A valid (or kept) answer's paragraphs, each flagged with its own faults and, in Vietnamese,
    with the English words of its source it left (`english_left`); glossary terms not used are
    warned (an editor checks them) but do not flag the paragraph."""
    part = _Part()
    for paragraph in chunk.paragraphs:
        text = paragraph.text.strip()
        own = tuple(fault for fault in faults if fault.startswith(f"paragraph {paragraph.n} "))
        # Flagged, not asked again: asked again, this model kept the words as often as not and
        # worsened the rest (tst2012, 48 lines: chrF 32.1 to 30.6 in three times the requests).
        if to == "vi" and (left := english_left(text, article.paragraphs[paragraph.n - 1])):
            own += (untranslated(f"paragraph {paragraph.n}", left, "vi"),)
        part.paragraphs.append(Rendered(text, own))
        part.warnings += own
        if to == "en":
            part.warnings += [
                f"paragraph {paragraph.n}: {source!r} is not rendered as {english!r} (glossary)"
                for source, english in env.glossary.glossary_terms_in(article.paragraphs[paragraph.n - 1])
                if english.casefold() not in text.casefold()
            ]
    return part


def _valid_paragraphs(exc: OutputValidationError, checks: TranslationChecks) -> dict[int, TranslationChunk]:
    """The paragraphs of an invalid answer that pass every check on their own, by number."""
    try:
        answer = json.loads(exc.last_output or "")
        items = answer["paragraphs"] if isinstance(answer, dict) else []
    except (ValueError, KeyError):
        return {}
    good: dict[int, TranslationChunk] = {}
    for item in items if isinstance(items, list) else []:
        number = item.get("n") if isinstance(item, dict) else None
        if not isinstance(number, int) or number not in checks.sources or number in good:
            continue
        try:
            good[number] = TranslationChunk.model_validate(
                {"paragraphs": [item]}, context=checks.one(number), strict=True
            )
        except ValueError:
            continue
    return good


def _messages(article: Article, numbers: list[int], to: Language, prompt: PromptTemplate, env: Env) -> Messages:
    """The request for paragraphs `numbers`. The paragraph before them goes along as the source has
    it: its translation is not there yet, since the chunks do not wait for each other (the glossary
    keeps names the same across chunks)."""
    numbered = "\n\n".join(f"[{n}] {article.paragraphs[n - 1]}" for n in numbers)
    before = numbers[0] - 1
    return prompt.render(
        article=numbered,
        terms=env.glossary.listing(numbered) if to == "en" else "(none)",
        context=f"[{before}] {article.paragraphs[before - 1]}" if before else "(none: this is the start)",
        count=str(len(numbers)),
        source_name=LANGUAGE_NAMES[article.language],
        target_name=LANGUAGE_NAMES[to],
    )


def _checks(
    article: Article, numbers: list[int], to: Language, env: Env, translated: Mapping[int, tuple[str, str]]
) -> TranslationChecks:
    sources = {n: article.paragraphs[n - 1] for n in numbers}
    # Held to the same rule as a brief's prose: small plain numbers ("1 world") are words as often.
    figures = {n: checked_figures(text, article.language) for n, text in sources.items()}
    return TranslationChecks(glossary=env.glossary, sources=sources, target=to, figures=figures, translated=translated)


def chunks(
    paragraphs: Sequence[str],
    budget: int = TRANSLATION_CHUNK_TOKENS,
    most: int = TRANSLATION_CHUNK_PARAGRAPHS,
) -> list[list[int]]:
    """1-based paragraph numbers grouped into runs of at most `budget` estimated tokens and `most`
    paragraphs (a longer paragraph goes alone), on paragraph boundaries."""
    grouped: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        size = estimate_tokens(paragraph)
        if current and (tokens + size > budget or len(current) >= most):
            grouped.append(current)
            current, tokens = [], 0
        current.append(number)
        tokens += size
    if current:
        grouped.append(current)
    return grouped
