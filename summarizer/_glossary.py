"""Terms with a standard English form: hinted to the model, and enforced on its English."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._text import VIETNAMESE_LETTER, strip_marks

BUILTIN_TERMS: tuple[tuple[str, str], ...] = (
    ("Bí thư Tỉnh ủy", "Secretary of the Provincial Party Committee"),
    ("Phó Bí thư Tỉnh ủy", "Deputy Secretary of the Provincial Party Committee"),
    ("Chủ tịch UBND tỉnh", "Chairman of the Provincial People's Committee"),
    ("Phó Chủ tịch UBND tỉnh", "Vice Chairman of the Provincial People's Committee"),
    ("Ủy ban nhân dân", "People's Committee"),
    ("UBND", "People's Committee"),
    ("Tỉnh ủy", "Provincial Party Committee"),
    ("Phó Chủ tịch", "Vice Chairman"),
    ("Chủ tịch", "Chairman"),
    ("Tổng Giám đốc", "General Director"),
    ("Giám đốc", "Director"),
    ("Sở Tài chính", "Department of Finance"),
    ("Sở Công Thương", "Department of Industry and Trade"),
    ("Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("Ban Quản lý các khu công nghiệp", "Industrial Parks Management Board"),
    ("Khu công nghiệp", "Industrial Park"),
    ("Cụm công nghiệp", "Industrial Cluster"),
    ("Tập đoàn", "Group"),
    ("Việt Nam", "Vietnam"),
    ("Trung Quốc", "China"),
    ("Hàn Quốc", "South Korea"),
    ("Nhật Bản", "Japan"),
    ("Hoa Kỳ", "the United States"),
    ("Hà Nội", "Hanoi"),
    ("Thành phố Hồ Chí Minh", "Ho Chi Minh City"),
    ("TP.HCM", "Ho Chi Minh City"),
)


def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Glossary:
    """Source terms and their English forms, longest first so that longer terms win."""

    terms: tuple[tuple[str, str], ...] = BUILTIN_TERMS
    _patterns: tuple[tuple[re.Pattern[str], str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.terms, key=lambda pair: len(pair[0]), reverse=True)
        patterns = tuple((_term_pattern(src), en, src.casefold()) for src, en in ordered)
        object.__setattr__(self, "_patterns", patterns)

    def _candidates(self, text: str) -> list[tuple[re.Pattern[str], str]]:
        """The patterns whose term occurs in `text` at all: a substring test is far cheaper than a
        regular expression, and most texts hold few terms."""
        folded = text.casefold()
        return [(pattern, english) for pattern, english, term in self._patterns if term in folded]

    def terms_in(self, text: str) -> list[tuple[str, str]]:
        """The glossary terms `text` uses, and the names it holds with their English spelling."""
        found: dict[str, tuple[str, str]] = {}
        remaining = text
        for pattern, english in self._candidates(text):
            for match in pattern.finditer(remaining):
                found.setdefault(match.group(0).casefold(), (match.group(0), english))
            remaining = pattern.sub("\n", remaining)
        for name in _names(remaining):
            found.setdefault(name.casefold(), (name, strip_marks(name)))
        return list(found.values())

    def unapply(self, text: str) -> str:
        """`text` with English glossary terms put back into their source form (for tracing names)."""
        for source, english in sorted(self.terms, key=lambda pair: len(pair[1]), reverse=True):
            text = _term_pattern(english).sub(source, text)
        return text

    def apply(self, text: str) -> str:
        """`text` with every source term that was left untranslated replaced by its English form."""
        for pattern, english in self._candidates(text):
            text = pattern.sub(english, text)
        return text


def _names(text: str) -> Iterable[str]:
    for line in text.split("\n"):
        words: list[str] = []
        for word in [*re.findall(r"\S+", line), ""]:
            bare = word.strip(",.;:()\"'“”")
            if bare[:1].isupper() and bare == word.rstrip(",.;:)\"'”"):
                words.append(bare)
                if word != bare:
                    yield from _flush(words)
                    words = []
                continue
            yield from _flush(words)
            words = []


def _flush(words: list[str]) -> Iterable[str]:
    if len(words) >= 2 and any(VIETNAMESE_LETTER.search(w) for w in words):
        yield " ".join(words)


DEFAULT_GLOSSARY = Glossary()
