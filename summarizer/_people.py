"""The people a Vietnamese article names, found by rule: a name after an honorific or a title, or a
Vietnamese family name and given names that a title stands next to."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ._glossary import TITLES, Glossary, is_place, split_at_places, split_title
from ._text import is_vietnamese_letter, romanize_names, strip_marks, vietnamese_words

FAMILY_NAMES = frozenset(
    name.casefold()
    for name in (
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
        "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Đinh", "Lâm", "Lương", "Mai", "Trương", "Trịnh", "Hà", "Cao",
        "Tạ", "Tô", "Vương", "Châu", "Quách", "Lưu", "Kiều", "Thái", "Phùng", "Chu", "Tăng", "Từ", "Triệu",
        "Lại", "Nghiêm", "Mạc", "Thân", "Khúc", "Lục", "Tôn", "Diệp", "Hứa", "Phí", "Đồng", "Đàm", "Doãn",
        "Khổng", "Hầu", "Nông", "Lò", "Bế", "Viên", "Giáp", "Văn", "Ông",
    )
)  # fmt: skip
"""Vietnamese family names: a name that starts with one, near a title, is a person's."""
ROLE_WORDS = frozenset(
    word.casefold()
    for word in (
        "Cục trưởng", "Phó Cục trưởng", "Vụ trưởng", "Phó Vụ trưởng", "Tổng cục trưởng", "Viện trưởng",
        "Hiệu trưởng", "Trưởng phòng", "Phó Trưởng phòng", "Chánh văn phòng", "Người phát ngôn", "đại diện",
        "Chủ tịch HĐQT", "Tổ trưởng", "Trưởng đoàn", "Phó Tổng Giám đốc", "Chủ doanh nghiệp",
    )
)  # fmt: skip
"""Roles an article gives right after a name ("ông Lê Duy Minh, Cục trưởng Cục Thuế"), besides the
glossary's titles."""
NEAR_TITLE_WORDS = 8
"""How far before a name a title may stand with the body it heads ("Chủ tịch UBND tỉnh Thừa Thiên -
Huế Nguyễn Văn Cao")."""
MAX_NAME_WORDS = 4
MAX_ROLE_WORDS = 12
_END_OF_ROLE = frozenset(
    "cho nói đã khẳng phát yêu nhấn chia thông cũng vừa đang sẽ là được trao cùng và với tại khi thì".split()  # noqa: SIM905
)
"""Lower-case words that end a role written after a name: the sentence's verb or a new clause."""
_STRIPPED = ",.;:()\"'“”‘’!?"
_ENGLISH_ROLE_AFTER = (
    r",\s+((?:the\s+|an?\s+)?[A-Z][^,.;:\"“”()]{2,120}?)(?=,|\.|;|:| said| says| stated| told| noted|$)"
)
"""A role the translation writes after a name: ", Director of the Tax Department," up to the verb."""
_ENGLISH_TITLE_WORD = r"(?:[A-Z][\w'’-]*|of|the|and|for|-|&)"
_ENGLISH_ROLE = re.compile(
    r"\b(?:chairman|chairwoman|chair|secretary|director|minister|deputy|vice|head|president|representative|"
    r"chief|governor|mayor|ambassador|ceo|spokes\w*|member|manager|officer|leader|founder|owner|"
    r"general|commander|expert|professor|economist|analyst|lawyer|doctor|official)\b",
    re.IGNORECASE,
)
"""Words an English role holds: what beside a name is a role, not the next name of a list."""


@dataclass(frozen=True)
class NamedPerson:
    """A person the article names: the name as it writes it, and the role it gives beside the name."""

    source: str
    role: str = ""


def named_people(text: str, glossary: Glossary) -> list[NamedPerson]:
    """The people `text` names, each once, in the order they first appear; a person named again
    with a role where the first mention had none takes that role."""
    found: dict[str, NamedPerson] = {}
    for line in text.split("\n"):
        for person in _people_in(line, glossary):
            # "Le Pen" after "Marine Le Pen" is the same person.
            key = next((k for k in found if f" {k}".endswith(f" {name_key(person.source)}")), name_key(person.source))
            if key not in found or (person.role and not found[key].role):
                found[key] = NamedPerson(found[key].source if key in found else person.source, person.role)
    return list(found.values())


def name_key(name: str) -> str:
    """`name` as names are compared: without marks, case or extra spaces."""
    return " ".join(strip_marks(name).casefold().split())


def english_role(person: NamedPerson, english: Sequence[str], glossary: Glossary) -> str:
    """The person's role in English: as the translation gives it beside the romanized name ("Nguyen
    Hong Linh, Secretary of the ... Committee," or "Deputy Prime Minister Vuong Dinh Hue"), else
    the article's own role words when the glossary puts them wholly into English; "" when neither."""
    name = re.escape(strip_marks(person.source))
    for paragraph in english:
        plain = strip_marks(paragraph)
        for match in re.finditer(rf"\b{name}\b", plain, re.IGNORECASE):
            after = re.match(_ENGLISH_ROLE_AFTER, plain[match.end() :])
            if after and _is_english_role(after.group(1)):
                return paragraph[match.end() + after.start(1) : match.end() + after.end(1)].strip()
            before = re.search(rf"((?:{_ENGLISH_TITLE_WORD}\s+)+)$", plain[: match.start()])
            title = _without_honorific(before.group(1)) if before else ""
            if title[:1].isupper() and _is_english_role(title):
                return title
    role = romanize_names(glossary.apply(person.role)) if person.role else ""
    return role if role and not vietnamese_words(role) else ""


def _is_english_role(text: str) -> bool:
    return bool(_ENGLISH_ROLE.search(text)) and not vietnamese_words(text)


def _without_honorific(words: str) -> str:
    words = re.sub(r"^(?:.*\s)?(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+", "", words.strip())
    # A sentence's first words ("On June 6 the") are no title: a title ends the run of capitals.
    words = re.sub(r"^(?:(?:of|the|and|for|-|&)\s+)+", "", words)
    return re.sub(r"(?:\s+(?:of|the|and|for|-|&))+$", "", words)


@dataclass(frozen=True)
class _Word:
    text: str
    bare: str
    """The word without the punctuation around it."""

    @property
    def is_name(self) -> bool:
        return self.bare[:1].isupper() and all(is_vietnamese_letter(ch) for ch in self.bare)

    @property
    def ends_clause(self) -> bool:
        return self.text.rstrip("\"'”’)")[-1:] in ",.;:!?"


def _words(line: str) -> list[_Word]:
    return [_Word(raw, raw.strip(_STRIPPED)) for raw in line.split()]


def _runs(words: list[_Word]) -> Iterator[tuple[int, int]]:
    """The spans (start, end) of capitalized words, each ended by punctuation or another word."""
    start: int | None = None
    for index, word in enumerate(words):
        if not word.is_name:
            if start is not None:
                yield start, index
            start = None
            continue
        start = index if start is None else start
        if word.ends_clause:
            yield start, index + 1
            start = None
    if start is not None:
        yield start, len(words)


def _people_in(line: str, glossary: Glossary) -> Iterator[NamedPerson]:
    words = _words(line)
    since = 0
    for start, end in _runs(words):
        title, rest = split_title([word.bare for word in words[start:end]])
        before = [word.bare.casefold() for word in words[max(0, start - 2) : start]]
        honorific = bool(before) and (before[-1] in _HONORIFICS or " ".join(before) in _HONORIFICS)
        introduced = bool(title) or honorific
        named_at = at = start + len(title)
        for piece in split_at_places(rest):
            first, name = at, _introduced_name(piece, glossary) if introduced and at == named_at else None
            if name is None and not is_place(" ".join(piece)):
                name = _family_name_at_end(piece)
                first = at + len(piece) - len(name or ())
            at += len(piece)
            if name is None:
                continue
            # A family name alone is not enough ("Hồ" starts streets too): a title or role must stand by.
            spoken = _without_honorifics(title) if first == named_at else ""
            role = spoken or _role_before(words, first, since)
            role = role or _role_after(words, first + len(name) - 1)
            if (introduced and first == named_at) or role:
                since = first + len(name)
                yield NamedPerson(" ".join(name), role)


_HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "bác", "cụ", "em", "đồng chí"})


def _without_honorifics(title: list[str]) -> str:
    words = list(title)
    while words and words[0].casefold() in _HONORIFICS:
        words = words[1:]
    return " ".join(words)


_TITLES = frozenset({*ROLE_WORDS, *(title for title in TITLES if title not in _HONORIFICS)})


def _introduced_name(piece: list[str], glossary: Glossary) -> list[str] | None:
    """`piece` when it is the name an honorific or a title introduced: two to four words, no place
    and no glossary term."""
    text = " ".join(piece)
    if not 2 <= len(piece) <= MAX_NAME_WORDS or is_place(text) or glossary.glossary_terms_in(text):
        return None
    return piece


def _family_name_at_end(piece: list[str]) -> list[str] | None:
    """The end of `piece` that is a Vietnamese name: a family name and one to three given names."""
    for index, word in enumerate(piece):
        if word.casefold() in FAMILY_NAMES and 2 <= len(piece) - index <= MAX_NAME_WORDS:
            return piece[index:]
    return None


def _role_before(words: list[_Word], first: int, since: int) -> str:
    """The title and the body it heads, written just before the name and after word `since` (the
    end of the name before it: "Thứ trưởng Bộ Công Thương Hoàng Quốc Vượng và Cao Quốc Hưng" gives
    the second no role), or ""."""
    window = words[max(since, first - NEAR_TITLE_WORDS) : first]
    for index in range(len(window)):
        size = _title_size([word.bare for word in window[index:]])
        if size and all(_in_role(word) for word in window[index + size :]):
            return _joined(window[index:])
    return ""


def _role_after(words: list[_Word], last: int) -> str:
    """The role written after the name and a comma ("Nguyễn Hồng Lĩnh, Bí thư Tỉnh ủy tỉnh Bà Rịa -
    Vũng Tàu, ..."), to the end of the body it heads; "" when no title follows."""
    if last >= len(words) - 1 or not words[last].text.endswith(","):
        return ""
    after = words[last + 1 : last + 1 + MAX_ROLE_WORDS]
    size = _title_size([word.bare for word in after])
    if not size or any(word.ends_clause for word in after[: size - 1]):
        return ""
    # A role in lower case ("đại diện một doanh nghiệp du lịch") runs to the verb; a title heads
    # a body written in capitals ("Cục trưởng Cục Thuế TPHCM").
    lower = not after[0].bare[:1].isupper()
    role = after[:size]
    if not role[-1].ends_clause:
        for word in after[size:]:
            if word.bare.casefold() in _END_OF_ROLE or not (lower or _in_role(word)):
                break
            role.append(word)
            if word.ends_clause:
                break
    return _joined(role)


def _title_size(words: list[str]) -> int:
    folded = [word.casefold() for word in words]
    return next((size for size in (4, 3, 2, 1) if " ".join(folded[:size]) in _TITLES), 0)


_ROLE_LINKS = frozenset(
    (  # noqa: SIM905 (one string of words reads as Vietnamese; a list of 60 quoted syllables does not)
        "tỉnh thành phố huyện quận xã phường và & "
        # The lower-case syllables of bodies' names: "Bộ Tài chính", "Ban quản lý", "Tập đoàn".
        "chính hoạch tư thông tải đoàn ty công hàng ban nhân dân đồng quản trị lý hội nước nghiệp triển thôn "
        "dựng pháp tế dục tạo vụ giao phòng an tin học nghệ động binh hóa thao lịch nguyên trường quan sản "
        "ninh thuế ủy giáo"
    ).split()
)
"""Lower-case words a body's name holds ("UBND tỉnh Bà Rịa - Vũng Tàu", "Tập đoàn Victory Giant")."""


def _in_role(word: _Word) -> bool:
    bare = word.bare.lstrip("-–")
    return not bare or bare[:1].isupper() or bare.casefold() in _ROLE_LINKS


def _joined(words: list[_Word]) -> str:
    return " ".join(word.text for word in words).rstrip(",.;:").strip()
