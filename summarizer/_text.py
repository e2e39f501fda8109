"""Small text facts shared by hygiene and validation: Vietnamese letters, words, language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

Language = Literal["vi", "en"]
LANGUAGE_NAMES: dict[Language, str] = {"vi": "Vietnamese", "en": "English"}

# Letters that Vietnamese uses and English, French or Spanish loanwords do not
# (breve, circumflex, horn, hook above, dot below, đ); plain acute/grave accents are shared.
_VIETNAMESE_ONLY = "ăâđêôơưĩũạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
VIETNAMESE_LETTER = re.compile(f"[{_VIETNAMESE_ONLY}{_VIETNAMESE_ONLY.upper()}]")
WORD = re.compile(r"\w+(?:[-'’]\w+)*")

# Share of words with a Vietnamese-only letter above which a text counts as Vietnamese;
# about half the words of ordinary Vietnamese prose carry one, English prose none.
_VIETNAMESE_WORD_SHARE = 0.15


# Marks Vietnamese puts on Latin letters: grave, acute, circumflex, tilde, breve, hook, horn, dot below.
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")


def is_vietnamese_letter(ch: str) -> bool:
    """True for a letter of the Vietnamese alphabet (ASCII letters included)."""
    if ch in "đĐ":
        return True
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    return base.isascii() and base.isalpha() and all(mark in _VIETNAMESE_MARKS for mark in marks)


def count_words(text: str) -> int:
    """Words in `text`, hyphenated compounds counting once."""
    return len(WORD.findall(text))


def vietnamese_words(text: str) -> list[str]:
    """The words of `text` that contain a Vietnamese-only letter (decomposed marks included)."""
    text = unicodedata.normalize("NFC", text)
    return [word for word in WORD.findall(text) if VIETNAMESE_LETTER.search(word)]


# A Vietnamese syllable as plain letters, its marks left off: an onset, one to three vowels, a coda.
# An English word ("terrorism", "overload", "this") spells none.
_PLAIN_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
# English words Vietnamese news writes as they are, which a translation may keep.
LOANWORDS = frozenset(
    {
        "internet", "online", "offline", "email", "website", "web", "video", "audio", "startup", "smartphone",
        "laptop", "marketing", "container", "logo", "robot", "radio", "taxi", "pizza", "golf", "tennis", "piano",
        "game", "show", "blog", "chip", "visa", "test", "virus", "covid", "app", "wifi", "album", "style",
        "stress", "fan", "camera", "selfie", "livestream", "showroom", "resort", "spa", "tour", "drone",
        "bitcoin", "blockchain", "laser", "penicillin", "aspirin", "transistor", "http", "https",
    }
)  # fmt: skip


def listed_words(words: Sequence[str]) -> str:
    """The first five of `words`, each once, as a warning or a re-ask names them: "ông, biết"."""
    return ", ".join(dict.fromkeys(words[:5]))


def untranslated(where: str, words: Sequence[str], target: Language) -> str:
    """How a text put into `target` that keeps `words` of its source's language is named, by the
    pipeline's flag and by `check` alike: "paragraph 2 keeps English it was not put into Vietnamese
    (overload)", "the summary's lead keeps ..."."""
    source = LANGUAGE_NAMES["vi" if target == "en" else "en"]
    return f"{where} keeps {source} it was not put into {LANGUAGE_NAMES[target]} ({listed_words(words)})"


def english_left(text: str, source: str) -> list[str]:
    """The words of Vietnamese `text` left in English from its English `source`: lowercase words of
    plain letters that no Vietnamese syllable spells and that `source` writes, loanwords aside."""
    written = {word.casefold() for word in WORD.findall(source)}
    return [
        word
        for word in WORD.findall(text)
        if word.isascii()
        and word.islower()
        and word in written
        and word not in LOANWORDS
        and not all(_PLAIN_SYLLABLE.fullmatch(part) for part in re.split(r"[-'’]", word))
    ]


def detect_language(text: str) -> Language:
    """Guess whether `text` is Vietnamese or English from its letters."""
    words = WORD.findall(text)
    if not words:
        return "en"
    share = len(vietnamese_words(text)) / len(words)
    return "vi" if share >= _VIETNAMESE_WORD_SHARE else "en"


def strip_marks(word: str) -> str:
    """`word` without its diacritics, as English writes Vietnamese names ("Tuấn" -> "Tuan")."""
    plain = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in plain if not unicodedata.combining(ch)))


def romanize_names(text: str) -> str:
    """Write capitalized Vietnamese words (names) without diacritics; lowercase words stay as they are.

    English news writes "Nguyen Anh Tuan" and "Bac Ninh"; a lowercase Vietnamese word left in English
    text is untranslated text, which validation must still catch rather than hide.
    """
    if text.isascii():
        return text
    return WORD.sub(lambda m: strip_marks(m.group(0)) if m.group(0)[:1].isupper() else m.group(0), text)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’)])\s+")


def sentences(paragraph: str) -> list[str]:
    """The sentences of `paragraph`, in order. What follows a full stop in lower case stays with the
    sentence before it: "5 tr. đồng" ends no sentence."""
    found: list[str] = []
    for sentence in _SENTENCE_BREAK.split(paragraph.strip()):
        if found and not sentence[:1].isupper() and not sentence[:1].isdigit():
            found[-1] += " " + sentence
        elif sentence:
            found.append(sentence)
    return found
