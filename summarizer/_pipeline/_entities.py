"""Entities: the people, organisations and places of a brief, each filed under the kind it is,
traced back to the article's own spelling, and the people the article names by rule added.

The model lists them; the rules here decide what each is and how it is written, with a warning for
every entry moved, renamed or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._answers import BriefDraft, Entity, is_english
from .._glossary import BUILTIN_TERMS, TITLES, Glossary, is_place
from .._hygiene import Article
from .._people import english_role, name_key, named_people
from .._text import romanize_names, strip_marks


def traceable(
    entities: list[Entity], article: Article, kind: str, glossary: Glossary, warnings: list[str]
) -> list[Entity]:
    """The entities traced back to the article's own spelling, each named as the translation names
    it (so a name is the same in the brief, the translation and every article of a batch); the
    others are dropped with a warning."""
    kept = []
    for entity in entities:
        source = source_form(entity.source, article.text, glossary)
        by_name = source_form(entity.english, article.text, glossary)
        if source is None or (kind == "people" and by_name is not None and not _same_name(source, entity.english)):
            # A person's name is the source's, romanized: one the model gave another source (fidelity
            # article 01: "Nguyen Hong Linh" from "Bà Rịa - Vũng Tàu") is traced by its English.
            source = by_name
        if source is None:
            warnings.append(f"dropped {kind} entry {entity.english!r}: not found in the article")
            continue
        english = entity.english
        named = glossary.english_of(source)
        if named is not None and " ".join(named.split()).casefold() != " ".join(english.split()).casefold():
            warnings.append(f"{kind} entry {english!r} named {named!r}, as the translation names {source!r}")
            english = named
        if not (is_english(english) and is_english(entity.role)):
            warnings.append(f"dropped {kind} entry {source!r}: not put into English")
        else:
            kept.append(entity.model_copy(update={"source": source, "english": english}))
    return kept


def filed_entities(draft: BriefDraft, glossary: Glossary, warnings: list[str]) -> dict[str, list[Entity]]:
    """The draft's people, organisations and places, each under the kind it is: a company listed as
    a place is an organisation; a province, a ministry or a bare title listed as a person is none
    (fidelity: "Ba Ria - Vung Tau", "Chinh phu" and "Pho Thu tuong" were the only people of three
    briefs); a person's title is a role, not part of the name."""
    filed: dict[str, list[Entity]] = {"people": [], "organizations": [*draft.organizations], "places": []}
    for place in draft.places:
        filed["organizations" if _is_company(place) else "places"].append(place)
    for listed in draft.people:
        # A place is told before the title is taken off: "Bà" opens "Bà Rịa - Vũng Tàu" and is "Mrs".
        person = listed if _is_place(listed) else _without_title(listed, glossary)
        kind = _kind_of_listed_person(person, glossary)
        if kind is None:
            warnings.append(f"dropped people entry {listed.english!r}: a title, not a name")
            continue
        if kind != "people":
            warnings.append(f"people entry {listed.english!r} listed under {kind}: it names no person")
        filed[kind].append(person)
    return filed


def _kind_of_listed_person(person: Entity, glossary: Glossary) -> str | None:
    names = {" ".join(name.split()).casefold() for name in (person.source, person.english)}
    if not person.english.strip() or names & TITLES or names & _ENGLISH_TITLE_NAMES:
        return None
    role = person.role.strip()
    if _is_place(person) or _PLACE_ROLE.match(role):
        return "places"
    terms = {term.casefold() for name in names for term, _ in glossary.glossary_terms_in(name)}
    body = person.source.split()[0].casefold() in _BODY_WORDS if person.source.split() else False
    if _is_company(person) or _ORGANIZATION_ROLE.match(role) or names & terms or body:
        return "organizations"
    return "people"


def _is_place(entity: Entity) -> bool:
    return is_place(entity.source) or is_place(entity.english)


_PLACE_ROLE = re.compile(r"(?:an? |the )?(?:province|city|district|place|country)\b", re.IGNORECASE)
_ORGANIZATION_ROLE = re.compile(
    r"(?:an? |the )?(?:organi[sz]ation|company|business|ministry|government|agency|department)\b", re.IGNORECASE
)
_BODY_WORDS = frozenset(["cục", "bộ", "sở", "ban", "ủy", "ubnd", "tổng", "công", "tập", "ngân", "viện", "hội", "quỹ"])
"""First words of a Vietnamese body's name ("Cục Đầu tư nước ngoài"), never of a person's."""
_ENGLISH_TITLE_NAMES = frozenset(english.casefold() for source, english in BUILTIN_TERMS if source.casefold() in TITLES)


def with_named_people(
    people: list[Entity], article: Article, english: Sequence[str], glossary: Glossary, warnings: list[str]
) -> list[Entity]:
    """`people`, each once, and the people a Vietnamese article names by rule that the model did
    not list (it missed all eight of the held-out articles' people), in the order the article first
    names them. Each is named as the translation names it, with the role the translation or the
    glossary gives; one whose role could not be put into English is kept with a warning."""
    found: dict[str, Entity] = {}
    for person in people:
        found.setdefault(name_key(person.source), person)
    for named in named_people(article.text, glossary) if article.language == "vi" else ():
        if name_key(named.source) in found:
            continue
        role = english_role(named, english, glossary)
        name = glossary.english_of(named.source) or strip_marks(named.source)
        if not role:
            given = f"the article's is {named.role!r}" if named.role else "the article gives none"
            warnings.append(f"people entry {name!r} has no role in English ({given})")
        found[name_key(named.source)] = Entity(source=named.source, english=name, role=role)
    plain = name_key(article.text)

    def first_named(person: Entity) -> int:
        at = plain.find(name_key(person.source))
        return at if at >= 0 else len(plain)

    return sorted(found.values(), key=first_named)


def _same_name(source: str, english: str) -> bool:
    return name_key(source) == name_key(english)


_ENGLISH_TITLES = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?|"
    + "|".join(re.escape(english) for source, english in BUILTIN_TERMS if source.casefold() in TITLES)
    + r")\s+(?=\S)",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Dr|Prof)\.?", re.IGNORECASE)
_VI_HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "em", "đồng chí", ""})
_COMPANY_SOURCE = re.compile(r"\b(?:Công ty|Tập đoàn|Ngân hàng|Tổng công ty)\b", re.IGNORECASE)


def _without_title(person: Entity, glossary: Glossary) -> Entity:
    """`person` with a title written into the name moved to the role: "Chủ tịch Chen Tao" is Chen
    Tao, chairman (the role keeps what the model wrote, or takes the title if it wrote none)."""
    english, source = person.english, person.source
    titles: list[str] = []
    while match := _ENGLISH_TITLES.match(english):
        if not _HONORIFIC.fullmatch(match.group(0).strip()):
            titles.append(match.group(0).strip())
        english = english[match.end() :]
    words = source.split()
    for size in (6, 5, 4, 3, 2, 1):
        while len(words) > size and " ".join(words[:size]).casefold() in TITLES:
            words = words[size:]
    if english == person.english and len(words) == len(source.split()):
        return person
    if not english[:1].isupper() and words:
        # What is left of a title phrase ("Chairman of Victory Giant ..." less its title) names no
        # one: the name is the source's, without its title.
        english = romanize_names(" ".join(words))
    dropped = " ".join(source.split()[: len(source.split()) - len(words)])
    spoken = "" if dropped.casefold() in _VI_HONORIFICS else glossary.apply(dropped)
    role = person.role.strip() or ", ".join(titles) or spoken
    return person.model_copy(update={"english": english, "source": " ".join(words), "role": role})


def _is_company(entity: Entity) -> bool:
    return bool(_COMPANY_NAME.search(entity.english) or _COMPANY_SOURCE.search(entity.source))


_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_COMPANY_WORDS = re.compile(r"\b(?:Group|Corporation|Company|Co\.|Ltd\.?|JSC)\b", re.IGNORECASE)
"""Words the model adds to a company's name ("... Technology Group"): tried without them."""
_COMPANY_NAME = re.compile(
    r"\b(?:Group|Corporation|Company|Co\.|Ltd\.?|JSC|Inc\.?|Technology|Bank|Holdings)\b", re.IGNORECASE
)


def source_form(name: str, text: str, glossary: Glossary) -> str | None:
    """How the article spells `name`: verbatim, with its Vietnamese marks, or as a glossary term.

    The model often decorates a name ("Victory Giant Technology Group (China)"), so the bare name
    is tried too.
    """
    plain = strip_marks(text).lower()
    bare = _COMPANY_WORDS.sub("", _PARENTHESIS.sub("", name))
    for candidate in dict.fromkeys((name, bare, glossary.unapply(name), glossary.unapply(bare))):
        wanted = " ".join(strip_marks(candidate).lower().split())
        if len(wanted) < 2 or wanted in {"...", "…"}:
            continue
        # strip_marks keeps one character per character, so positions in the plain text fit the original.
        start = plain.find(wanted)
        if start >= 0:
            return text[start : start + len(wanted)]
    return None
