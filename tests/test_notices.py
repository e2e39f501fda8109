"""Warnings an editor can act on: every warning the pipeline words has a kind and a severity, the few
that matter come first, and many small ones of a kind are told in one line."""

from __future__ import annotations

from summarizer import clean_article
from summarizer._answers import BriefDraft, Entity, FigureNote, TranslatedParagraph, TranslationChunk
from summarizer._checks import TranslationChecks
from summarizer._errors import OutputValidationError, Usage
from summarizer._factlock import changed_figures, lost_figures, misfit_length, missing_figures, repeated_translation
from summarizer._figures import extract_figures
from summarizer._glossary import DEFAULT_GLOSSARY
from summarizer._notices import notices, ranked
from summarizer._pipeline._brief import assembled_brief, described_figures, trimmed_points, trimmed_summary
from summarizer._pipeline._entities import filed_entities, traceable, with_named_people
from summarizer._pipeline._points import Part, _points
from summarizer._pipeline._protocol import Budget, Env, Notes
from summarizer._pipeline._translate import EnglishPiece, _untranslated

SOURCE = "Vốn 400 triệu USD, tăng hơn 50%, trên 120 ha, năm 2023, với 10.171 lao động."
FIGURES = extract_figures(SOURCE, "vi")


def _every_kind_of_warning() -> dict[str, str]:
    """One warning of each kind, worded by the code that words it."""
    warnings: list[str] = []
    described_figures(FIGURES[:1], [FigureNote(id=9, refers_to="x")], warnings)
    described_figures(FIGURES[:1], [FigureNote(id=1, refers_to="vốn đầu tư")], warnings)
    nobody = [Entity(source="Nobody", english="Nobody Here", role="r")]
    traceable(nobody, clean_article(SOURCE), "people", DEFAULT_GLOSSARY, warnings)
    trimmed_summary(" ".join(["A sentence of words."] * 60), warnings)
    trimmed_points([str(n) for n in range(8)], warnings)
    chunk = TranslationChunk.model_construct(paragraphs=[TranslatedParagraph(n=1, text="It rose 5%, ông nói.")])
    checks = TranslationChecks(sources={1: SOURCE}, target="en", figures={1: FIGURES})
    short = BriefDraft.model_construct(
        headline="H", summary="Too short.", figures=[], people=[], organizations=[], places=[]
    )
    assembled: list[str] = []
    assembled_brief(short, [["a"]], clean_article(SOURCE), [], DEFAULT_GLOSSARY, assembled)
    error = OutputValidationError("the answer is a copy", attempts=1, usage=Usage(), last_output=None)
    province = Entity(source="Bắc Ninh", english="Bac Ninh", role="province")
    people: list[str] = []
    filed_entities(short.model_copy(update={"people": [province]}), DEFAULT_GLOSSARY, people)
    with_named_people([], clean_article("Ông Lê Văn Tám dự họp."), [], DEFAULT_GLOSSARY, people)
    by_kind = {
        "undescribed_figure": f"the model did not say what {FIGURES[1].source!r} ({FIGURES[1].english}) refers to",
        "figure_note": warnings[0],
        "name_dropped": next(w for w in warnings if w.startswith("dropped")),
        "trimmed": next(w for w in warnings if "cut to" in w),
        "changed_figure": str(changed_figures("It cost $40 million.", FIGURES)[0]),
        "missing_figure": str(missing_figures("Nothing here.", FIGURES)[0]),
        "lost_figure": str(lost_figures(1, "Nothing here.", FIGURES, "en")[0]),
        "vietnamese_left": checks.kept_faults(chunk)[-1],
        "untranslated": _untranslated(1, error).warnings[0],
        "misfit_length": str(misfit_length(1, "Short.", "Một đoạn dài hơn nhiều so với bản dịch của nó ở đây.")[0]),
        "repeated_translation": str(
            repeated_translation(
                2, "Because we enjoy the present.", "Hai.", {1: ("Một.", "Because we enjoy the present.")}
            )[0]
        ),
        "short_summary": next(w for w in assembled if "under the" in w),
        "glossary": "paragraph 3: 'Tập đoàn' is not rendered as 'Group' (glossary)",
        "asked_again": "paragraphs 1-8: the answer ran too long; asked again in halves",
        "facts_dropped": "the facts of the article's 4 parts did not fit the model's context: kept 20 of 31",
        "part_points": _part_points_warning(error),
        "name_refiled": people[0],
        "role_missing": people[1],
    }
    return by_kind


def _part_points_warning(error: OutputValidationError) -> str:
    """The warning of a part whose key points the model could not write, as its stage words it."""
    env = Env(DEFAULT_GLOSSARY, None, Budget(8192, 2048))
    notes = Notes()
    english = "It costs $400 million. It covers 120 hectares."
    part = Part(2, 3, (EnglishPiece(1, SOURCE, english),))
    steps = _points(part, (), clean_article(SOURCE), FIGURES, env, notes, env.prompt("part_points"))
    next(steps)
    try:
        steps.throw(error)
    except StopIteration as done:
        # One point asked of a part of three: its first sentence; no figure described.
        assert done.value == (["It costs $400 million."], [])
    return notes.warnings[0]


def test_every_warning_has_its_kind_and_the_severe_come_first() -> None:
    by_kind = _every_kind_of_warning()
    found = notices(list(reversed(by_kind.values())))
    assert {notice.text: notice.kind for notice in found} == {text: kind for kind, text in by_kind.items()}
    severities = [notice.severity for notice in found]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    high = {notice.kind for notice in found if notice.severity == "high"}
    assert high == {
        "changed_figure",
        "lost_figure",
        "untranslated",
        "misfit_length",
        "repeated_translation",
        "vietnamese_left",
        "facts_dropped",
    }
    assert notices(["something new"])[0].kind == "other"  # never lost by ranking


def test_many_small_warnings_of_a_kind_are_one_line_and_the_severe_stay_whole() -> None:
    undescribed = [f"the model did not say what {f.source!r} ({f.english}) refers to" for f in FIGURES]
    changed = str(changed_figures("It cost $40 million.", FIGURES)[0])
    lines = ranked([*undescribed, changed, "paragraph 2: 'Tập đoàn' is not rendered as 'Group' (glossary)"])
    assert lines == [
        changed,
        f"{len(FIGURES)} figures have no description from the model: "
        f"{', '.join(repr(f.source) for f in FIGURES[:4])} and {len(FIGURES) - 4} more",
        "paragraph 2: 'Tập đoàn' is not rendered as 'Group' (glossary)",  # only one of its kind: as it is
    ]


def test_a_glossary_warning_whose_english_holds_an_apostrophe_is_of_its_kind() -> None:
    # repr writes such a text in double quotes; the piece of a long paragraph is named too.
    english = "Chairman of the People's Committee"
    text = f"paragraph 3, part 3 of 8: {'Chủ tịch UBND tỉnh'!r} is not rendered as {english!r} (glossary)"
    [notice] = notices([text])
    assert (notice.kind, notice.severity) == ("glossary", "low")
