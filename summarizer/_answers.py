"""What the model fills in: the answer models, their compact schemas, and their validators.

The validators repair what a rule can (glossary terms, names without diacritics) and raise, for a
re-ask, what only the model can fix; the checks they run come typed from the request (`_checks`).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue

from ._checks import (
    BriefChecks,
    Checks,
    FactLockChecks,
    FactsChecks,
    KeyPointChecks,
    PartPointsChecks,
    SummaryChecks,
    TranslationChecks,
    checks_of,
)
from ._factlock import (
    BRIEF,
    KEY_POINTS,
    Fault,
    added_quotes,
    changed_figures,
    left_out,
    lost_figures,
    misfit_length,
    repeated_translation,
    unsourced,
)
from ._figures import CurrencyRepair, in_english_form, in_source_currency, missing_key_figures
from ._text import Language, count_words, detect_language, listed_words, romanize_names, vietnamese_words

SUMMARY_MIN_WORDS = 60
SUMMARY_MAX_WORDS = 150
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 6
MAX_LISTED = 20
KEY_POINT = "the key point"


def is_english(value: str) -> bool:
    """True when `value` holds no word with a Vietnamese-only letter."""
    return not vietnamese_words(value)


def _require_english(value: str) -> str:
    found = vietnamese_words(value)
    if found:
        raise ValueError(
            f"untranslated Vietnamese ({listed_words(found)}): write it in English, "
            "names in their usual English spelling without diacritics"
        )
    return value


def _require_language(value: str, language: Language) -> str:
    if language == "en":
        return _require_english(value)
    if count_words(value) >= 5 and detect_language(value) != "vi":
        raise ValueError("not written in Vietnamese: write this field in Vietnamese")
    return value


class _CompactSchema(GenerateJsonSchema):
    """JSON Schema without the generated titles, which cost prompt tokens and say nothing."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def generate(self, schema: Any, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode)
        result.pop("title", None)
        for definition in result.get("$defs", {}).values():
            definition.pop("title", None)
        return result


class _AnswerModel(BaseModel):
    """A model the LLM fills in: keys it adds are ignored, and its schema is sent compact."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool | None = True,
        ref_template: str = DEFAULT_REF_TEMPLATE,
        schema_generator: type[GenerateJsonSchema] = _CompactSchema,
        mode: JsonSchemaMode = "validation",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The model's JSON Schema, compact by default (no generated titles).

        Made once per class and set of arguments (it is asked for on every request, and making it
        takes milliseconds); each caller gets its own copy to change.
        """
        key = (cls, by_alias, ref_template, schema_generator, mode, tuple(sorted(kwargs.items())))
        schema = _SCHEMAS.get(key)
        if schema is None:
            schema = super().model_json_schema(by_alias, ref_template, schema_generator, mode, **kwargs)
            _SCHEMAS[key] = schema
        return copy.deepcopy(schema)


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


@functools.cache
def schema_text(model: type[BaseModel]) -> str:
    """The model's JSON Schema as compact JSON text, made once per model."""
    return json.dumps(model.model_json_schema(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _repair_figures(value: Any, info: ValidationInfo) -> Any:
    """A brief's prose with figures written the source's way put in their English form, by rule."""
    checks: FactLockChecks[Any] | None = checks_of(info, FactLockChecks)
    if isinstance(value, str) and checks is not None and checks.source_figures:
        return in_english_form(value, checks.source_figures)
    if isinstance(value, list) and checks is not None and checks.source_figures:
        return [in_english_form(v, checks.source_figures) if isinstance(v, str) else v for v in value]
    return value


def _in_source_currency(texts: list[str], info: ValidationInfo) -> tuple[list[str], list[CurrencyRepair]]:
    """`texts` with amounts of money written in another currency than the article's put back in
    its (`in_source_currency`), and the repairs, which the result warns of: never a silent one."""
    checks: FactLockChecks[Any] | None = checks_of(info, FactLockChecks)
    if checks is None or not checks.source_figures:
        return texts, []
    repaired, repairs = [], []
    for text in texts:
        mended, found = in_source_currency(text, checks.source_figures)
        repaired.append(mended)
        repairs += found
    return repaired, repairs


def _repair_english(value: Any, info: ValidationInfo) -> Any:
    """Put glossary terms left in Vietnamese into English and write names without diacritics."""
    if not isinstance(value, str):
        return value
    checks = checks_of(info, Checks)
    glossary = checks.glossary if checks else None
    return romanize_names(glossary.apply(value) if glossary else value)


def _repair_english_list(values: Any, info: ValidationInfo) -> Any:
    return [_repair_english(v, info) for v in values] if isinstance(values, list) else values


def _require_english_list(values: list[str]) -> list[str]:
    for value in values:
        _require_english(value)
    return values


class Entity(_AnswerModel):
    """A person, organisation or place named in the article."""

    source: str = Field(description="the name exactly as written in the article")
    english: str = Field(description="the name in English; Vietnamese names without diacritics")
    role: str = Field(description="who or what it is in the story, in English")

    _repaired = field_validator("english", "role", mode="before")(_repair_english)


class BriefLead(_AnswerModel):
    """A brief's headline and summary."""

    # The prose comes first: written after the source-language "source" fields, the headline of a
    # small model drifts back into Vietnamese.
    headline: str
    summary: str = Field(
        description=f"one paragraph of 5 to 7 sentences, {SUMMARY_MIN_WORDS}-{SUMMARY_MAX_WORDS} words"
    )

    _repaired = field_validator("headline", "summary", mode="before")(_repair_english)
    # Declared after the repair above, so it runs before it: on the text as the model wrote it.
    _figures_in_english = field_validator("headline", "summary", mode="before")(_repair_figures)
    _currency_repairs: list[CurrencyRepair] = PrivateAttr(default_factory=list)

    @property
    def currency_repairs(self) -> list[CurrencyRepair]:
        """The amounts of money the prose wrote in another currency than the article's, put right."""
        return self._currency_repairs

    def with_repairs_of(self, prose: BriefLead) -> Self:
        """This answer, built from `prose` validated before it, with `prose`'s currency repairs."""
        self._currency_repairs = [*prose.currency_repairs]
        return self

    @model_validator(mode="after")
    def _in_source_currency(self, info: ValidationInfo) -> Self:
        """Amounts in the wrong currency put right before the fact lock sees them: re-asked, the
        whole brief costs a minute here, and fidelity article 01's "$10 Trillion" (VND10 trillion)
        survived every re-ask."""
        (self.headline, self.summary), self._currency_repairs = _in_source_currency([self.headline, self.summary], info)
        return self

    @field_validator("headline", "summary")
    @classmethod
    def _english(cls, value: str, info: ValidationInfo) -> str:
        """English; a kept answer's English prose may hold a Vietnamese word left over (warned), and
        a result read back (no checks) was held to this when it was made."""
        checks = checks_of(info, BriefChecks)
        if checks is None or (checks.leftovers_kept and detect_language(value) == "en"):
            return value
        return _require_english(value)


class BriefText(BriefLead):
    """A brief's headline, summary and key points."""

    key_points: list[str] = Field(description=f"at most {MAX_KEY_POINTS}, one short sentence each")
    """As many as the article's parts gave (fewer than `MIN_KEY_POINTS` only for a very short one, warned)."""


class FigureNote(_AnswerModel):
    """What one numbered figure of the article measures."""

    id: int = Field(description="the number of the figure in the list of figures")
    figure: str = Field(default="", description="the figure in English, as listed")
    refers_to: str = Field(description="what the figure measures, in English, in at most eight words")

    _repaired = field_validator("refers_to", mode="before")(_repair_english)

    @field_validator("figure", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        """A figure echoed as a JSON number is taken as its text: the echo is never used (figures
        come by rule), and it cost whole re-asks of the brief (fidelity article 01)."""
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


MIN_POINT_WORDS = 4
"""The fewest words of a key point: "VND4 trillion" alone says nothing of what it is."""


def _full_sentence_ask(point: str) -> str:
    """The re-ask of a bare key point (`point`: how the answer names it), one wording for every kind."""
    return f"write {point} as one full sentence: who or what did what, with its figures"


def _point_texts(value: Any) -> Any:
    """Points written as objects that hold their sentence (`{"text": "...", "figures": [5]}`) taken
    as that sentence: the shape of the JSON, not its words, cost fidelity article 04 a whole part's
    points, the same shape on the re-ask."""
    if not isinstance(value, list):
        return value
    texts = []
    for item in value:
        strings = [field for field in item.values() if isinstance(field, str)] if isinstance(item, dict) else []
        texts.append(strings[0] if len(strings) == 1 else item)
    return texts


class PartPoints(_AnswerModel):
    """The key points of one part of an article, as the model writes them, held to the fact lock,
    and what the part's numbered figures measure."""

    points: list[str] = Field(min_length=1, description="one short English sentence each")
    figures: list[FigureNote] = Field(default_factory=list, description="one entry per numbered figure")

    _repaired = field_validator("points", mode="before")(_repair_english_list)
    # Declared after the repair above, so it runs before it: on the text as the model wrote it.
    _figures_in_english = field_validator("points", mode="before")(_repair_figures)
    _texts = field_validator("points", mode="before")(_point_texts)  # runs first of the three
    _english = field_validator("points")(_require_english_list)
    _currency_repairs: list[CurrencyRepair] = PrivateAttr(default_factory=list)

    @property
    def currency_repairs(self) -> list[CurrencyRepair]:
        """The amounts of money the points wrote in another currency than the article's, put right."""
        return self._currency_repairs

    @model_validator(mode="after")
    def _as_many_as_asked(self, info: ValidationInfo) -> Self:
        """At least as many points as the part was asked for, each a sentence, and the fact lock on
        each. A lead figure left out is not sent back: asked again, this model wrote the same points
        word for word (the Vietnamese seed's parts 1 and 2), and the brief asks a key point for each
        key figure its points and prose leave out, a request a fifth the size."""
        self.points, self._currency_repairs = _in_source_currency(self.points, info)
        checks = checks_of(info, PartPointsChecks)
        fewer: tuple[str, ...] = ()
        if checks is not None:
            if len(self.points) < checks.fewest:
                fewer = (f"give at least {checks.fewest} key points, one short sentence each",)
            bare = [n for n, point in enumerate(self.points, 1) if count_words(point) < MIN_POINT_WORDS]
            if bare:
                fewer += (_full_sentence_ask(f"key point {', '.join(map(str, bare))}"),)
        _raise_faults("\n".join(self.points), checks, where=KEY_POINTS, asks=fewer)
        return self


class BriefEntities(_AnswerModel):
    people: list[Entity] = Field(default_factory=list, max_length=MAX_LISTED)
    organizations: list[Entity] = Field(default_factory=list, max_length=MAX_LISTED)
    places: list[Entity] = Field(default_factory=list, max_length=MAX_LISTED)


class BriefProse(BriefLead):
    """A brief's headline and summary as the model writes them, held to the fact lock; asked for
    alone when the model's whole drafts could not be used."""

    @model_validator(mode="after")
    def _figures_from_the_article(self, info: ValidationInfo) -> Self:
        """The fact lock on the prose: a changed or invented figure or quote is sent back, named. A
        key figure left out is not: a key point is asked for it alone, far cheaper than the brief."""
        checks = checks_of(info, BriefChecks)
        _raise_faults(self.prose, checks)
        return self

    @property
    def prose(self) -> str:
        """Headline and summary: the text of the brief the model writes (its key points are written
        part by part before it)."""
        return "\n".join([self.headline, self.summary])


class BriefDraft(BriefEntities, BriefProse):
    """The English brief as the model writes it (its figures are described part by part)."""


def _raise_faults(
    text: str,
    checks: FactLockChecks[Any] | None,
    more: Sequence[Fault] = (),
    *,
    where: str = BRIEF,
    asks: Sequence[str] = (),
) -> None:
    """Send `text` (`where` in the result) back with its changed or invented figures and quotes, and
    `more`, named."""
    faults = list(more)
    if checks is not None and checks.source_figures is not None:
        faults = changed_figures(text, checks.source_figures, where=where) + faults
    if checks is not None and checks.source_text is not None:
        faults += unsourced(text, checks.source_text, where=where)
    if faults or asks:
        raise ValueError("; ".join([*(fault.to_model() for fault in faults), *asks]))


class KeyPoint(_AnswerModel):
    """One key point of a brief, written for a key figure its draft left out."""

    point: str = Field(description="one short English sentence that states the figures")

    _repaired = field_validator("point", mode="before")(_repair_english)
    # Declared after the repair above, so it runs before it: on the text as the model wrote it.
    _figure_in_english = field_validator("point", mode="before")(_repair_figures)
    _english = field_validator("point")(_require_english)

    @model_validator(mode="after")
    def _states_its_figure(self, info: ValidationInfo) -> KeyPoint:
        """The fact lock, and the figures the point is for: it must state each."""
        checks = checks_of(info, KeyPointChecks)
        missing = []
        if checks is not None:
            missing = [
                left_out(
                    figure, where=KEY_POINT, paragraphs=checks.paragraphs, fix=f"state it, written {figure.english!r}"
                )
                for figure in missing_key_figures(self.point, checks.figures)
            ]
        # A bare figure is no key point (fidelity article 02 had "VND4 trillion" for one).
        bare = () if count_words(self.point) >= MIN_POINT_WORDS else (_full_sentence_ask("the key point"),)
        _raise_faults(self.point, checks, missing, where=KEY_POINT, asks=bare)
        return self


class ChunkFacts(_AnswerModel):
    """The facts of one part of a long article (the map step of a long brief or summary)."""

    facts: list[str] = Field(min_length=1, max_length=12, description="one fact per sentence")

    @field_validator("facts", mode="before")
    @classmethod
    def _repaired(cls, values: Any, info: ValidationInfo) -> Any:
        checks = checks_of(info, FactsChecks)
        english = checks is None or checks.language == "en"
        return _repair_english_list(values, info) if english else values

    @model_validator(mode="after")
    def _in_language(self, info: ValidationInfo) -> ChunkFacts:
        checks = checks_of(info, FactsChecks)
        if checks is None or checks.language == "en":
            for fact in self.facts:
                _require_english(fact)
        return self


class SummaryContent(_AnswerModel):
    """A structured summary as the model writes it, in the language asked for."""

    title: str
    lead: str = Field(description="one sentence: who did what, when, where")
    summary: str
    key_points: list[str] = Field(
        min_length=MIN_KEY_POINTS, description=f"{MIN_KEY_POINTS} to {MAX_KEY_POINTS}, one short sentence each"
    )

    @model_validator(mode="after")
    def _in_language(self, info: ValidationInfo) -> SummaryContent:
        checks = checks_of(info, SummaryChecks)
        if checks is None:
            return self
        language = checks.language
        if language == "en":
            self.title, self.lead, self.summary = (
                _repair_english(text, info) for text in (self.title, self.lead, self.summary)
            )
            self.key_points = _repair_english_list(self.key_points, info)
        for text in (self.title, self.lead, self.summary, *self.key_points):
            _require_language(text, language)
        max_words = checks.max_words
        if max_words is not None and count_words(self.summary) > max_words:
            raise ValueError(f"the summary has {count_words(self.summary)} words; write at most {max_words}")
        return self


WHOLE_SHARE = 0.4
"""The fewest words of a paragraph's translation, for each word of its source, for it to be taken
as the whole paragraph where the answer also holds paragraphs not asked for (a paragraph split in
three would have a third of its words under its own number)."""


def _asked_paragraphs(paragraphs: list[TranslatedParagraph], sources: Mapping[int, str]) -> list[TranslatedParagraph]:
    """The paragraphs of an answer, each of those asked once and in order, or the fault."""
    asked = [p for p in paragraphs if p.n in sources]
    whole = all(count_words(p.text) >= WHOLE_SHARE * count_words(sources[p.n]) for p in asked)
    if [p.n for p in asked] == list(sources) and (len(asked) == len(paragraphs) or whole):
        # Besides those asked, the paragraph before (sent for continuity) may be translated too
        # (fidelity article 02: [1, 2, 3] for [3], three times over): it is not kept.
        return asked
    numbers = [p.n for p in paragraphs]
    fix = "once, in order, without merging or splitting them"
    raise ValueError(f"paragraphs numbered {numbers}; translate each of {list(sources)} {fix}")


class TranslatedParagraph(_AnswerModel):
    """One numbered paragraph of a translation."""

    n: int = Field(description="the number of the source paragraph")
    text: str


class TranslationChunk(_AnswerModel):
    """The model's translation of a run of numbered paragraphs."""

    paragraphs: list[TranslatedParagraph]

    @model_validator(mode="after")
    def _aligned(self, info: ValidationInfo) -> TranslationChunk:
        checks = checks_of(info, TranslationChecks)
        if checks is None:
            return self
        sources, target = checks.sources, checks.target
        self.paragraphs = _asked_paragraphs(self.paragraphs, sources)
        for paragraph in self.paragraphs:
            if target == "en":
                paragraph.text = _repair_english(paragraph.text, info)
                if checks.figures:
                    paragraph.text = in_english_form(paragraph.text, checks.figures.get(paragraph.n, ()))
            text = paragraph.text.strip()
            source = sources[paragraph.n].strip()
            if not text:
                raise ValueError(f"paragraph {paragraph.n} is empty: translate it")
            if text == source and count_words(source) >= 3:
                raise ValueError(f"paragraph {paragraph.n} is a copy of the source: translate it")
            if not (checks.leftovers_kept and target == "en" and detect_language(text) == "en"):
                try:
                    _require_language(text, target)
                except ValueError as exc:
                    raise ValueError(f"paragraph {paragraph.n}: {exc}") from None
            faults = misfit_length(paragraph.n, text, source) if checks.lengths_locked else []
            faults += repeated_translation(paragraph.n, text, source, checks.translated)
            if checks.figures is not None:
                faults += lost_figures(paragraph.n, text, checks.figures.get(paragraph.n, ()), target)
            if checks.quotes_locked:
                faults += added_quotes(paragraph.n, text, source)
            if faults:
                raise ValueError("; ".join(fault.to_model() for fault in faults))
        return self
