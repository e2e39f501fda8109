"""Brief: the English brief of an article, stage by stage, and its assembly from the model's draft.

The model writes the prose and refers to the article's figures by number; the figures themselves
come from the rule, names are traced back to the article's spelling, and whatever cannot be mended
is kept as a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .._answers import (
    MAX_KEY_POINTS,
    MIN_KEY_POINTS,
    SUMMARY_MAX_WORDS,
    SUMMARY_MIN_WORDS,
    BriefDraft,
    BriefProse,
    FigureNote,
    KeyPoint,
    is_english,
)
from .._checks import BriefChecks, KeyPointChecks
from .._errors import OutputValidationError, TruncatedOutputError
from .._factlock import changed_figures, currency_repaired, from_paragraph, left_out, written_as_in_source
from .._figures import KEY_KINDS, SourceFigure, brief_key_figures, extract_figures, missing_key_figures, supports
from .._glossary import Glossary
from .._hygiene import Article
from .._prompts import PromptTemplate
from .._results import Brief, Figure
from .._text import count_words, sentences, vietnamese_words
from ._condense import condensed
from ._entities import filed_entities, traceable, with_named_people
from ._points import chosen_points, part_points, said_in, says_again
from ._protocol import Builder, Env, Messages, Notes, Steps, ask_or_keep, side_by_side
from ._translate import LOST_FIGURES_NOTE, english_paragraphs, english_pieces


def brief_steps(article: Article, env: Env, notes: Notes) -> Steps[Builder[Brief]]:
    """The brief: figures by rule, English text, key points part by part, condensed if long, the
    model's headline and summary written from them, assembly."""
    figures = extract_figures(article.text, article.language)
    prompt = env.prompt("brief", requires=("article", "figures", "points"))
    point_prompt = env.prompt("key_point", requires=("sentence", "figures"))  # read before anything is sent
    # Key figures are starred: the summary must state each (coverage by construction, then checked).
    listed = "\n".join(f"{f.english}{' *' if f.kind in KEY_KINDS else ''}" for f in figures)
    pieces = yield from english_pieces(article, env, notes)
    english = english_paragraphs(pieces)
    parts = yield from part_points(article, pieces, figures, env, notes)
    by_part = parts.points
    written_points = "\n".join(f"- {point}" for points in by_part for point in points) or "(none)"

    def render(text: str) -> list[dict[str, str]]:
        return prompt.render(article=text, figures=listed or "(none)", points=written_points)

    text = yield from condensed(article, english, "en", env, notes, render, BriefDraft)
    notes.used(prompt)
    checks = BriefChecks(glossary=env.glossary, source_figures=figures, source_text=article.text)
    draft = yield from drafted(article, render(text), checks, env, notes)
    # Coverage: a key figure the brief left out gets a key point of its own, asked for alone, side by side.
    required = brief_key_figures(figures, article.text)
    points = _first_points(draft, by_part, required)
    missing = missing_key_figures("\n".join([draft.prose, *points]), required)
    asked = point_requests(missing, figures, article, english)[: MAX_KEY_POINTS - MIN_MODEL_POINTS]
    if asked:
        notes.used(point_prompt)
    figure_points = yield from side_by_side(
        [key_point(request, article, figures, env, point_prompt) for request in asked]
    )
    written = {
        figure: point
        for request, point in zip(asked, figure_points, strict=True)
        if point is not None
        for figure in request.needed
    }
    return assembled_brief(
        draft, by_part, article, figures, env.glossary, notes.warnings, english, written, parts.figure_notes
    )


def drafted(article: Article, messages: Messages, checks: BriefChecks, env: Env, notes: Notes) -> Steps[BriefDraft]:
    """The model's draft of the brief. When no draft it wrote could be used (the prose left out, say),
    the prose is asked for alone and the lists of its last draft kept where they pass: an article is
    lost only when the prose cannot be had either. A draft cut off at the output limit too, unless
    its prose was written whole before the cut (then it is kept without the lists it did not finish):
    a figure note for each of 50 figures ran a draft past 2,048 tokens (fidelity article 03), and the
    prose alone is a fraction of that."""
    try:
        return (yield from ask_or_keep(env.request(article, BriefDraft, messages, checks), notes))
    except OutputValidationError as exc:
        failed = exc
    try:
        prose = yield from ask_or_keep(env.request(article, BriefProse, messages, checks, reasks=PROSE_REASKS), notes)
    except OutputValidationError as exc:
        error = TruncatedOutputError if isinstance(exc, TruncatedOutputError) else OutputValidationError
        raise error(
            f"{failed}; its prose, asked for alone, did not fit either: {exc}",
            attempts=failed.attempts + exc.attempts,
            usage=failed.usage + exc.usage,
            last_output=exc.last_output,
        ) from exc
    draft, left_out = with_lists(prose, failed.last_output, checks)
    lists = f"; its {', '.join(left_out)} could not be kept" if left_out else ""
    asked = "its headline and summary were asked for alone"
    notes.warnings.append(f"the model's brief could not be used ({failed}): {asked}{lists}")
    return draft


def with_lists(prose: BriefProse, output: str | None, checks: BriefChecks) -> tuple[BriefDraft, list[str]]:
    """The draft made of `prose` and the lists of the model's unusable draft `output` that pass
    (lenient checks: the prose was held to the fact lock as it was asked), and the names of those
    that do not (empty)."""
    try:
        written = json.loads(output or "")
    except ValueError:
        written = None
    if not isinstance(written, dict):
        written = {}
    draft = {**prose.model_dump(), **{name: [] for name in DRAFT_LISTS}}
    left_out = []
    for name in DRAFT_LISTS:
        with_list = {**draft, name: written.get(name)}
        try:
            BriefDraft.model_validate(with_list, context=checks.lenient(), strict=True)
        except ValueError:
            left_out.append(name)
        else:
            draft = with_list
    kept = BriefDraft.model_validate(draft, context=checks.lenient(), strict=True)
    return kept.with_repairs_of(prose), left_out


def figure_sentence(figure: SourceFigure, article: Article, english: Sequence[str]) -> str:
    """The sentence a key point for `figure` is written from: the English one that states it (the
    article's, or its translation's), else the source sentence that writes it; empty if none does."""
    found = stating_sentence(figure, english)
    if found is not None:
        return found[0]
    written = written_as_in_source(figure)
    candidates = [s.strip() for paragraph in article.paragraphs for s in _SENTENCE_END.split(paragraph)]
    return next((sentence for sentence in candidates if written.search(sentence)), "")


MOST_POINT_FIGURES = 3
"""The most key figures one key point asked for left-out figures is to state."""


@dataclass(frozen=True)
class PointRequest:
    """A key point to ask for: the sentence it is written from, the key figures of it the brief left
    out (`needed`, which the point must state), and all those it is asked to state, in order."""

    sentence: str
    needed: tuple[SourceFigure, ...]
    figures: tuple[str, ...]


def point_requests(
    missing: Sequence[SourceFigure], figures: Sequence[SourceFigure], article: Article, english: Sequence[str]
) -> list[PointRequest]:
    """One key point asked for each sentence that states key figures of `missing`, in their order:
    the figures of one sentence are one fact ("$9.48 billion, 49.3% of the total"), asked for in one
    point, not two that say it twice (fidelity articles 03, 04, 05), with the sentence's other key
    figures beside them, at most `MOST_POINT_FIGURES` in all."""
    needed: dict[str, list[SourceFigure]] = {}
    for figure in missing:
        if sentence := figure_sentence(figure, article, english):
            needed.setdefault(sentence, []).append(figure)
    requests = []
    for sentence, left in needed.items():
        stated = [f for f in figures if f.kind in KEY_KINDS and (f in left or _states(sentence, f))]
        also = [f for f in stated if f not in left][: max(0, MOST_POINT_FIGURES - len(left))]
        asked = dict.fromkeys(f.english for f in stated if f in left or f in also)  # in the sentence's order, once
        requests.append(PointRequest(sentence, tuple(left), tuple(asked)))
    return requests


def _states(sentence: str, figure: SourceFigure) -> bool:
    # The sentence is the article's English, or (no English states it) its source's own words.
    return not missing_key_figures(sentence, [figure]) or bool(written_as_in_source(figure).search(sentence))


def key_point(
    request: PointRequest,
    article: Article,
    figures: list[SourceFigure],
    env: Env,
    prompt: PromptTemplate,
) -> Steps[str | None]:
    """One key point that states the figures of `request`, written from its sentence; None when the
    model could not write one that passes the fact lock (the article's own words stand in then)."""
    sentence = request.sentence
    listed = "; ".join(request.figures)
    messages = prompt.render(sentence=sentence, figures=listed, terms=env.glossary.listing(sentence))
    checks = KeyPointChecks(
        glossary=env.glossary,
        source_figures=figures,
        source_text=article.text,
        figures=request.needed,
        paragraphs=article.paragraphs,
    )
    try:
        answer: KeyPoint = yield env.request(article, KeyPoint, messages, checks, reasks=KEY_POINT_REASKS)
    except OutputValidationError:
        return None
    return answer.point


def assembled_brief(
    draft: BriefDraft,
    by_part: Sequence[Sequence[str]],
    article: Article,
    figures: list[SourceFigure],
    glossary: Glossary,
    warnings: list[str],
    english: Sequence[str] = (),
    written: Mapping[SourceFigure, str] | None = None,
    figure_notes: Sequence[FigureNote] = (),
) -> Builder[Brief]:
    """The brief made of the model's draft and the key points written part by part (`by_part`):
    key figures both left out covered by the key points `written` for them (or the article's words)
    or warned, figures described, names traced, summary and key points trimmed to their limits.
    Every warning is added here, before the result (whose metadata carries them) is built."""
    warnings += [currency_repaired(repair) for repair in draft.currency_repairs]
    covered = covered_points(draft, by_part, article, figures, english, warnings, written)
    brief_figures = described_figures(figures, figure_notes, warnings, english)
    people, organizations, places = (
        traceable(entities, article, kind, glossary, warnings)
        for kind, entities in filed_entities(draft, glossary, warnings).items()
    )
    people = with_named_people(people, article, english, glossary, warnings)
    # A short summary is warned, never re-asked: asked again, this model answers at the same length.
    words = count_words(draft.summary)
    if words < SUMMARY_MIN_WORDS:
        warnings.append(f"the model's summary has {words} words, under the {SUMMARY_MIN_WORDS} asked for")
    summary = trimmed_summary(draft.summary, warnings)
    points = trimmed_points(covered, warnings)
    return lambda info: Brief(
        headline=draft.headline,
        summary=summary,
        key_points=points,
        figures=brief_figures,
        people=people,
        organizations=organizations,
        places=places,
        meta=info,
    )


_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"”’)]*\s+")
CONTEXT_WORDS = 24
"""The longest excerpt that stands in for a description the model did not give."""
ADDED_POINT_WORDS = 30
"""The most words of the article taken as a key point for a figure the model left out."""
KEY_POINT_REASKS = 1
"""Re-asks of a key point asked for a left-out figure, before the article's words stand in."""
MIN_MODEL_POINTS = 3
"""The model's own key points that figures it left out never push out."""
PROSE_REASKS = 1
"""Re-asks of the prose asked for alone, once the whole drafts could not be used."""
DRAFT_LISTS = ("people", "organizations", "places")
"""The lists of a draft, kept from an unusable one where they pass."""


def _article_sentences(english: Sequence[str]) -> list[str]:
    """The sentences of the English the brief was written from, without the notes of figures a
    translation lost (those are ours, not the article's)."""
    found = []
    for paragraph in english:
        text = paragraph.split(LOST_FIGURES_NOTE, 1)[0]
        found += [sentence.strip() for sentence in _SENTENCE_END.split(text) if sentence.strip()]
    return found


def stating_sentence(figure: SourceFigure, english: Sequence[str]) -> tuple[str, str] | None:
    """The first sentence of the article's English that states `figure` as a figure of its own kind
    (a plain "7" does not state "nearly 7%"), and the form it takes there; None when none does."""
    for sentence in _article_sentences(english):
        stated = [f for f in extract_figures(sentence, "en") if f.kind == figure.kind and supports(figure, f)]
        if stated:
            return sentence, stated[0].source
    return None


def _clauses(sentence: str) -> list[str]:
    """`sentence` cut at its commas and colons, but not inside brackets."""
    clauses, depth, start = [], 0, 0
    for index, char in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char in ",:" and depth <= 0 and sentence[index + 1 : index + 2] == " ":
            clauses.append(sentence[start : index + 1])
            start = index + 2
    return [*clauses, sentence[start:]]


def _excerpt(sentence: str, form: str, most: int) -> str:
    """The clauses of `sentence` around the one that writes `form`, at most `most` words, with "…"
    where the sentence goes on: a long sentence cut where it pauses, not mid-phrase."""
    clauses = _clauses(sentence)
    whole = re.compile(rf"(?<![\w.,]){re.escape(form)}(?![\w])")
    at = next((i for i, clause in enumerate(clauses) if whole.search(clause)), None)
    if at is None:  # the form spans a comma ("15 May, 2023"): the whole sentence, cut by words
        at, clauses = 0, [sentence]

    def fits(first: int, last: int) -> bool:
        return count_words(" ".join(clauses[first : last + 1])) <= most

    start = end = at
    grew = True
    while grew:  # one clause to the left, then one to the right, while they fit
        grew = False
        if start > 0 and fits(start - 1, end):
            start, grew = start - 1, True
        if end < len(clauses) - 1 and fits(start, end + 1):
            end, grew = end + 1, True
    words = " ".join(clauses[start : end + 1]).split()
    if len(words) > most:  # one clause longer than allowed: the words around the figure
        anchor = form.rsplit(maxsplit=1)[-1]  # the word with the digits: "about" may come earlier too
        place = next((i for i, word in enumerate(words) if anchor in word), 0)
        first = max(0, min(place - most // 2, len(words) - most))
        cut = " ".join(words[first : first + most])
        return (
            f"{'…' if first or start else ''}{cut}{'…' if first + most < len(words) or end < len(clauses) - 1 else ''}"
        )
    text = " ".join(words)
    if end < len(clauses) - 1:
        text = text.rstrip(",:") + "…"
    return f"{'…' if start else ''}{text}"


def figure_context(figure: SourceFigure, english: Sequence[str]) -> str:
    """The English sentence that states `figure`, cut to the clauses around it: what the article
    itself says the figure is, when the model did not say; empty when no sentence states it."""
    found = stating_sentence(figure, english)
    return _excerpt(*found, CONTEXT_WORDS) if found is not None else ""


def covered_points(
    draft: BriefDraft,
    by_part: Sequence[Sequence[str]],
    article: Article,
    figures: list[SourceFigure],
    english: Sequence[str],
    warnings: list[str],
    written: Mapping[SourceFigure, str] | None = None,
) -> list[str]:
    """The key points written part by part (`chosen_points`, those stating key figures first), and
    for each key figure they and the draft's prose leave out (those it was held to first) a key
    point: the one `written` for it, else the article's own English words that state it. These
    push out the parts' points past the first few (those kept still spread over the article), as
    an editor needs the figures more. Words that would state a figure the article does not have,
    or keep Vietnamese, are not taken; a figure left without a point is warned as left out, with
    its paragraph."""
    written = written or {}
    required = brief_key_figures(figures, article.text)
    points = _first_points(draft, by_part, required)
    added: list[str] = []
    rest = [figure for figure in figures if figure not in required]
    missing = missing_key_figures("\n".join([draft.prose, *points]), [*required, *rest])
    # The points written for figures first: one may state another figure left out, earlier or later.
    for figure in missing:
        stated = not missing_key_figures("\n".join(added), [figure])
        if figure in written and not stated and len(added) < MAX_KEY_POINTS - MIN_MODEL_POINTS:
            # Two figures of one sentence get two points that may say one thing: the longer is kept.
            point = written[figure]
            same = next((index for index, other in enumerate(added) if says_again(point, other)), None)
            if same is None:
                added.append(point)
            elif len(point) > len(added[same]):
                added[same] = point
            of = from_paragraph(figure, article.paragraphs)
            warnings.append(
                f"the model left out {figure.english} ({figure.source!r}){of}: "
                "a key point stating it was asked for and added"
            )
    offers = {figure: _faithful_words(figure, english, figures) for figure in missing}
    while len(added) < MAX_KEY_POINTS - MIN_MODEL_POINTS:
        left = missing_key_figures("\n".join(added), missing)
        # The article's words that state the most figures still left out (those the brief is held to
        # first), so that a sentence giving two of an article's key figures covers both in one point.
        reach = {
            figure: [other for other in left if other not in missing_key_figures(offers[figure], left)]
            for figure in left
        }
        reach = {figure: stated for figure, stated in reach.items() if figure in stated}
        if not reach:
            break
        figure = max(reach, key=lambda f: (sum(g in required for g in reach[f]), len(reach[f]), -left.index(f)))
        added.append(offers[figure])
        warnings.append(
            f"the model left out {figure.english} ({figure.source!r}){from_paragraph(figure, article.paragraphs)}: "
            "the article's words that state it were added as a key point"
        )
    for figure in missing_key_figures("\n".join(added), missing):
        fault = str(left_out(figure, paragraphs=article.paragraphs))
        # One the brief was not held to is no fault of the model's: told apart, and in one line if many.
        warnings.append(fault if figure in required else f"{fault}, past the key figures a brief is held to")
    if not added:
        return points
    # A part's point that states a key figure nothing else does is kept before the parts' spread.
    needed = missing_key_figures("\n".join([draft.prose, *added]), required)
    # A part's point that an added one says again gives way to it: one fact, one bullet.
    unsaid = [
        [point for point in points if not any(says_again(point, a) for a in added)]
        for points in beyond_prose(draft, by_part)
    ]
    kept = chosen_points(unsaid, max(MIN_MODEL_POINTS, MAX_KEY_POINTS - len(added)), needed)
    if len(kept) < len(points):
        warnings.append(
            f"the model gave {len(points)} key points; kept {len(kept)} of them, "
            f"then the {len(added)} added for figures it left out"
        )
        # A key figure only a point pushed out stated is left out now: said, never silently.
        now_missing = missing_key_figures("\n".join([draft.prose, *kept, *added]), required)
        warnings.extend(str(left_out(f, paragraphs=article.paragraphs)) for f in now_missing if f not in missing)
    return [*kept, *added]


def _faithful_words(figure: SourceFigure, english: Sequence[str], figures: list[SourceFigure]) -> str:
    """The article's English words that state `figure`, fit to stand as a key point: empty when no
    sentence states it, or its words would state a figure the article does not have, or keep Vietnamese."""
    found = stating_sentence(figure, english)
    words = _excerpt(*found, ADDED_POINT_WORDS) if found is not None else ""
    return words if words and not changed_figures(words, figures) and not vietnamese_words(words) else ""


def _first_points(draft: BriefDraft, by_part: Sequence[Sequence[str]], required: list[SourceFigure]) -> list[str]:
    """The parts' points a brief starts from, those stating a key figure its prose leaves out first:
    one choice for the key points asked and the ones kept."""
    return chosen_points(beyond_prose(draft, by_part), needed=missing_key_figures(draft.prose, required))


def beyond_prose(draft: BriefDraft, by_part: Sequence[Sequence[str]]) -> Sequence[Sequence[str]]:
    """The parts' points less those the headline or summary says again (`said_in`), so that each
    key point tells the editor something the summary does not: the summary is written from the
    points, and the model copies its first ones into it (fidelity article 04: four of six key points
    were sentences of its summary, word for word). All of them when fewer than the fewest key points
    a brief has would be left."""
    beyond = [[point for point in points if not said_in(point, draft.prose)] for points in by_part]
    return beyond if sum(map(len, beyond)) >= MIN_KEY_POINTS else by_part


def described_figures(
    figures: list[SourceFigure], figure_notes: Sequence[FigureNote], warnings: list[str], english: Sequence[str] = ()
) -> list[Figure]:
    """The article's figures with what the model says each refers to (`figure_notes`, by number);
    where it said nothing, the sentence of the article that states the figure, and a warning either way."""
    notes: dict[int, str] = {}
    for note in figure_notes:
        if 1 <= note.id <= len(figures):
            notes.setdefault(note.id, note.refers_to.strip())
        else:
            warnings.append(f"the model described figure {note.id}, which the article does not have; ignored")
    described = []
    for number, figure in enumerate(figures, 1):
        refers_to = notes.get(number, "")
        if _echoes_lost_note(refers_to):
            # The model copied the translation's own note on a lost figure: it says nothing of it.
            refers_to = ""
        if refers_to and not is_english(refers_to):
            context = figure_context(figure, english)
            given = "its sentence in the article is given instead" if context else "left blank"
            warnings.append(f"the model described {figure.english} in Vietnamese ({refers_to!r}); {given}")
            refers_to = context
        elif not refers_to:
            refers_to = figure_context(figure, english)
            given = "; its sentence in the article is given instead" if refers_to else ""
            warnings.append(f"the model did not say what {figure.source!r} ({figure.english}) refers to{given}")
        described.append(
            Figure(
                source=figure.source,
                english=figure.english,
                kind=figure.kind,
                value=figure.value,
                unit=figure.unit,
                refers_to=refers_to,
            )
        )
    return described


def _echoes_lost_note(refers_to: str) -> bool:
    return LOST_FIGURES_NOTE.strip("( ").casefold() in refers_to.casefold()


def trimmed_summary(summary: str, warnings: list[str]) -> str:
    """`summary` cut at the last sentence end within the word limit (or at a word, with "…")."""
    words = count_words(summary)
    if words <= SUMMARY_MAX_WORDS:
        return summary
    kept = ""
    # Whole sentences only: cut at the full stop of "27.2%", a summary states "27" (fidelity article 06).
    for sentence in sentences(summary):
        longer = f"{kept} {sentence}".strip()
        if count_words(longer) > SUMMARY_MAX_WORDS:
            break
        kept = longer
    if count_words(kept) < SUMMARY_MIN_WORDS:
        cut = summary.split()[:SUMMARY_MAX_WORDS]
        # Nor after "$1.6" of "$1.6 billion": a figure is cut before, never through.
        while cut and any(char.isdigit() for char in cut[-1]):
            cut.pop()
        kept = " ".join(cut).rstrip(",;:") + "…"
    kept = kept.strip()
    warnings.append(f"the model's summary ran to {words} words; cut to {count_words(kept)}")
    return kept


def trimmed_points(points: list[str], warnings: list[str]) -> list[str]:
    """The first `MAX_KEY_POINTS` key points; any more are dropped with a warning."""
    if len(points) <= MAX_KEY_POINTS:
        return points
    warnings.append(f"the model gave {len(points)} key points; kept the first {MAX_KEY_POINTS}")
    return points[:MAX_KEY_POINTS]
