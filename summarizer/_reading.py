"""Reading article files: size limits, encodings (UTF-8, UTF-16, Windows-1258) and HTML pages."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import BinaryIO

from ._errors import InputError
from ._text import VIETNAMESE_LETTER, is_vietnamese_letter

MAX_ARTICLE_BYTES = 2_000_000
"""Files above this size are refused before they are read whole."""
HTML_SUFFIXES = frozenset({".html", ".htm"})
"""Files read as web pages: their main text is extracted, menus and footers left out."""
MIN_HTML_ARTICLE_WORDS = 10
"""Fewer words than this in a page's main text is a page without an article (trafilatura then
falls back to whatever text the page has, such as its menu)."""

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_TYPOGRAPHY = frozenset("\u00a0“”‘’–—…•·«»°")


def _reads_as_vietnamese(text: str) -> bool:
    """True when every non-ASCII character is a Vietnamese letter or common typography."""
    foreign = (ch for ch in text if not ch.isascii() and ch not in _TYPOGRAPHY)
    return VIETNAMESE_LETTER.search(text) is not None and all(map(is_vietnamese_letter, foreign))


def read_article(path: str | Path) -> str:
    """Read an article file (text, or HTML by its suffix) and return its text; raise InputError
    naming the file otherwise."""
    path = Path(path)
    return article_text(read_article_bytes(path), str(path), html=path.suffix.lower() in HTML_SUFFIXES)


def read_article_bytes(path: str | Path) -> bytes:
    """The bytes of an article file, refused when it is a folder, unreadable or over the size limit."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise InputError(name, "is a folder, not an article file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "cannot be read: permission denied") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(name, over_limit(f"{path.stat().st_size / 1e6:.1f} MB"))
    return data


def article_text(data: bytes, name: str, *, html: bool = False) -> str:
    """The article in `data`: decoded text, or the main text of an HTML page."""
    return html_article(data, name) if html else decode_article(data, name)


def html_article(data: bytes, name: str) -> str:
    """The main text of a web page (title, paragraphs, then its canonical URL as a `Source:` line),
    found by trafilatura rather than by stripping tags, so menus, related links and footers stay out."""
    if not data.strip():
        raise InputError(name, "is empty")
    import trafilatura  # noqa: PLC0415 - lxml and its friends load only when a page is read

    document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False, favor_precision=True)
    text, title, url = (str(getattr(document, field, None) or "").strip() for field in ("text", "title", "url"))
    words = len(text.split())
    if words < MIN_HTML_ARTICLE_WORDS:
        found = f" (only {words} word{'s' if words != 1 else ''} of page text)" if words else ""
        raise InputError(name, f"no article text found in the HTML page{found}")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if title and title not in lines:
        lines.insert(0, title)
    if url:
        lines.append(f"Source: {url}")
    return _check_text("\n\n".join(lines), name)


def read_stream(stream: BinaryIO, name: str = "<stdin>") -> str:
    """Read an article from a binary stream (standard input) under the same size limit."""
    data = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(name, over_limit("more than that"))
    return decode_article(data, name)


def over_limit(size: str) -> str:
    """Why an article of `size` is refused: over the size limit."""
    return f"article is too long: {size}, over the {MAX_ARTICLE_BYTES / 1e6:.0f} MB limit"


def _looks_like_utf16(data: bytes) -> str | None:
    """The UTF-16 byte order of BOM-less text that is mostly ASCII or Vietnamese, if it is one."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zeros = data[0::2].count(0)
    odd_zeros = data[1::2].count(0)
    half = len(data) // 2
    # Latin text in UTF-16 has a zero high byte in most code units, and on one side only.
    if odd_zeros > half * 0.3 and even_zeros == 0:
        return "utf-16-le"
    if even_zeros > half * 0.3 and odd_zeros == 0:
        return "utf-16-be"
    return None


def _check_text(text: str, name: str) -> str:
    text = unicodedata.normalize("NFC", text)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    if controls:
        raise InputError(name, f"looks binary: {controls} control characters in the text")
    if not text.strip():
        raise InputError(name, "is empty" if not text else "holds only white space")
    return text


def decode_article(data: bytes, name: str = "<stdin>") -> str:
    """Decode article bytes: UTF-8 (BOM or not), UTF-16 (BOM or not), else Windows-1258."""
    if not data:
        raise InputError(name, "is empty")
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = _looks_like_utf16(data) or "utf-8"
    if encoding == "utf-8" and 0 in data:
        raise InputError(name, "looks binary: it holds NUL bytes")
    try:
        return _check_text(data.decode(encoding), name)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise InputError(name, f"is not valid {encoding.upper()}: {exc.reason} at byte {exc.start}") from None
        utf8_error = exc
    if utf8_error.reason == "unexpected end of data":
        raise InputError(name, f"ends in the middle of a UTF-8 character at byte {utf8_error.start}: truncated?")
    try:
        legacy = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        legacy = ""
    # Windows-1258 decodes most byte soups; accept it only when the result reads as Vietnamese.
    if _reads_as_vietnamese(legacy):
        return _check_text(legacy, name)
    raise InputError(
        name,
        f"is not UTF-8, UTF-16 or Windows-1258 text: byte 0x{data[utf8_error.start]:02x} "
        f"at offset {utf8_error.start} is invalid",
    )
