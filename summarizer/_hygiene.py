"""Input hygiene: turn scraped article text into clean paragraphs before the model sees it."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from ._glossary import TITLES
from ._text import Language, detect_language

_SOURCE_LINE = re.compile(r"^(?:source|nguồn)\s*:\s*(https?://\S+)\s*$", re.IGNORECASE)
_COMMENT_COUNT_LINE = re.compile(r"^(?:comments?|bình luận)\s*\(\d+\)\s*$", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_TOKEN = re.compile(r"\w+")
_SENTENCE_ENDS = (".", "!", "?", ":", "…", '"', "”", "’", ")")
# One Vietnamese syllable written without marks: optional initial, 1-3 vowels, optional final.
_SYLLABLE = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
_ONE_SYLLABLE = re.compile(_SYLLABLE)
_TWO_SYLLABLES = re.compile(f"({_SYLLABLE})({_SYLLABLE})")


@dataclass(frozen=True)
class Article:
    """An article after hygiene: clean paragraphs plus what was set aside as metadata."""

    name: str
    paragraphs: tuple[str, ...]
    language: Language
    source_url: str | None = None
    credits: tuple[str, ...] = ()
    """Photo credits and the byline, set aside from the text: "Ảnh: Thái Minh", "H.M"."""

    @property
    def text(self) -> str:
        """The paragraphs joined by blank lines, as the model sees them."""
        return "\n\n".join(self.paragraphs)


def _base_letters(word: str) -> str:
    """`word` lowercased with its marks removed, one character per character of `word`."""
    return "".join(unicodedata.normalize("NFD", ch)[0].lower() for ch in word)


def _is_syllable(word: str) -> bool:
    return _ONE_SYLLABLE.fullmatch(_base_letters(word)) is not None


def _has_mark(word: str) -> bool:
    return any(not ch.isascii() for ch in word)


def _split_glued_syllables(word: str) -> list[str]:
    """Split two lowercase syllables glued together ("Tuấnvừa" -> "Tuấn", "vừa")."""
    if not _has_mark(word) or _is_syllable(word):
        return [word]
    match = _TWO_SYLLABLES.fullmatch(_base_letters(word))
    if match is None:
        return [word]
    cut = match.end(1)
    return [word[:cut], word[cut:]]


_MAX_SYLLABLE = 7
"""The longest Vietnamese syllable ("nghiêng") has seven letters."""


def unglue_word(word: str) -> str:
    """Re-insert the spaces lost where links were stripped from a Vietnamese word run.

    A cut is made where a marked Vietnamese syllable runs into a capital ("ủyBắc",
    "dẫnAmkor") or into a second syllable ("Tuấnvừa"); ASCII words such as "VinFast"
    or "iPhone" are left alone.
    """
    if word.isascii():
        return word
    pieces: list[str] = []
    start = 0
    for i in range(1, len(word)):
        if not (word[i - 1].islower() and word[i].isupper()) or i - start > _MAX_SYLLABLE:
            continue
        left = word[start:i]
        if _has_mark(left) and _is_syllable(left):
            pieces.extend(_split_glued_syllables(left))
            start = i
    pieces.extend(_split_glued_syllables(word[start:]))
    return " ".join(pieces)


_BARE_URL_LINE = re.compile(r"^(https?://\S+)$")
"""A line that is only a link: no article text (a last one is kept as the source URL)."""


def _clean_line(line: str) -> str:
    line = line.translate(_INVISIBLE)
    line = _SPACES.sub(" ", line).strip()
    return _TOKEN.sub(lambda m: unglue_word(m.group(0)), line)


def _is_caption(line: str) -> bool:
    # Photo captions in scraped news end in " |"; a Markdown table row starts with "|".
    return line.endswith("|") and not line.startswith("|")


_BRACKETED_CREDIT = re.compile(r"(?:\s+-)?\s*\(\s*(?:Ảnh|Nguồn)\s*:?\s*[^()]{1,40}\)", re.IGNORECASE)
"""A photo credit or source in brackets: "(Ảnh: TTXVN)", "- (Nguồn Internet)"."""
_PHOTO_CREDIT = re.compile(r"(?:^|(?<=[.!?…\"”)] ))Ảnh(?!\w)\s*:?\s*")
"""Where a photo credit run into the text starts: "Ảnh:" (or "Ảnh") at the start of a sentence."""
_CREDIT_NAME_WORDS = 3
_BYLINE_CHARS = 40
_CREDIT_END = re.compile(r"(?<=\w[.!?…\"”])\s+(?P<credit>[^\s.!?…]{1,12}(?:[ .][^\s.!?…]{1,12}){0,3}(?:\s+-)?)$")
"""A byline after the article's last sentence: "Thái Minh", "H.M", "Nguyên Hồng -"."""


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and word.strip("-").replace(".", "").isalpha()


def _credit_words(words: list[str]) -> int:
    """How many of `words`, which follow "Ảnh:", are the credit: a name of up to three words, an
    agency after a dash ("Quốc Việt - TTXVN"); the capital that starts the next sentence is not."""
    run = 0
    while run < len(words) and (words[run] == "-" or _is_name_word(words[run])):
        if any(" ".join(words[run : run + size]).casefold() in TITLES for size in (3, 2, 1)):
            return run  # "Ảnh: Thái Minh Ông Nguyễn Văn Trình ...": the title starts the sentence
        run += 1
    if 0 < run < len(words):
        run -= 1  # "Ảnh: Thái Minh Tại buổi lễ": "Tại" starts the next sentence
    names = [word for word in words[:run] if word != "-"]
    return run if 0 < len(names) <= _CREDIT_NAME_WORDS and words[run - 1] != "-" else 0


def _without_credits(paragraph: str, credits: list[str]) -> str:
    """`paragraph` without the photo credits run into it (set aside in `credits`)."""

    def bracketed(match: re.Match[str]) -> str:
        credits.append(match.group(0).strip(" -()"))
        return ""

    paragraph = _BRACKETED_CREDIT.sub(bracketed, paragraph)
    kept, start = [], 0
    while (found := _PHOTO_CREDIT.search(paragraph, start)) is not None:
        words = paragraph[found.end() :].split(" ")
        count = _credit_words(words)
        if count:
            credits.append(" ".join(words[:count]))
            kept.append(paragraph[start : found.start()])
            start = found.end() + len(" ".join(words[:count]))
        else:
            kept.append(paragraph[start : found.end()])
            start = found.end()
    return " ".join(" ".join([*kept, paragraph[start:]]).split())


def _set_aside_byline(paragraphs: list[str], credits: list[str]) -> None:
    """Move the byline at the end of `paragraphs`, on a line of its own or after the last
    sentence, to `credits`."""
    last = paragraphs[-1] if paragraphs else ""
    # A line that ends a sentence is not a byline ("Hết.", "A.").
    names = all(_is_name_word(word) for word in last.split()) and not last.endswith(_SENTENCE_ENDS)
    if len(paragraphs) > 1 and len(last) <= _BYLINE_CHARS and names:
        credits.append(paragraphs.pop())
        return
    byline = _CREDIT_END.search(last)
    if byline is not None and all(_is_name_word(word) or word == "-" for word in byline["credit"].split()):
        credits.append(byline["credit"].removesuffix("-").strip())
        paragraphs[-1] = last[: byline.start()]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of `text`: blank-line separated blocks, or single lines when no line is blank."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    has_blank_separators = any(b - a > 1 for a, b in itertools.pairwise(nonblank))
    if not has_blank_separators:
        return [line.strip() for line in lines if line.strip()]
    paragraphs: list[str] = []
    block: list[str] = []
    for raw_line in [*lines, ""]:
        line = raw_line.strip()
        # A line that ends a sentence ends its paragraph too: blank lines mark paragraphs in some
        # sources and only the title in others.
        if block and (not line or block[-1].endswith(_SENTENCE_ENDS)):
            paragraphs.append(" ".join(block))
            block = []
        if line:
            block.append(line)
    return paragraphs


def clean_article(raw: str, name: str = "<text>") -> Article:
    """Normalize (NFC), drop captions, comment counters and lines that are only a link, set aside a
    trailing source URL and the photo credits and byline, re-split glued words and split into
    paragraphs."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_clean_line(line) for line in text.split("\n")]

    source_url: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if not line or _COMMENT_COUNT_LINE.match(line):
            continue
        found = _SOURCE_LINE.match(line) or _BARE_URL_LINE.match(line)
        if found:
            source_url = found.group(1)
            del lines[index]
        break

    # Dropped lines are deleted, not blanked, so that they do not turn into paragraph breaks.
    kept = [
        line
        for line in lines
        if not (_COMMENT_COUNT_LINE.match(line) or _is_caption(line) or _BARE_URL_LINE.match(line))
    ]
    credits: list[str] = []
    paragraphs = [p for p in (_without_credits(p, credits) for p in split_paragraphs("\n".join(kept))) if p]
    _set_aside_byline(paragraphs, credits)
    return Article(
        name=name,
        paragraphs=tuple(paragraphs),
        language=detect_language(" ".join(paragraphs)),
        source_url=source_url,
        credits=tuple(credits),
    )
