"""Reading article files: encodings, sizes and the errors that name the file."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

import pytest

from summarizer import InputError, decode_article, read_article
from summarizer._reading import MAX_ARTICLE_BYTES, read_stream

from .conftest import VI_SEED

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
VI_TEXT = unicodedata.normalize("NFC", VI_SEED.read_text(encoding="utf-8"))


def encode_windows_1258(text: str) -> bytes:
    """Windows-1258 as legacy editors wrote it: base letters plus combining tone marks."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = "".join(c for c in parts if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append(base.encode("cp1258") + tone.encode("cp1258"))
    return b"".join(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings_round_trip(encoding: str) -> None:
    assert decode_article(VI_TEXT.encode(encoding)) == VI_TEXT


def test_windows_1258_is_decoded_and_composed() -> None:
    data = encode_windows_1258(VI_TEXT)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_article(data) == VI_TEXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b" \n\t \n", "only white space"),
        (b"\x00\x01\x02\x03binary", "looks binary"),
        ("Bắ".encode()[:-1], "truncated"),
        (b"\xff\xfd\x80abc", "is not UTF-8, UTF-16 or Windows-1258"),
        (b"text\x07with a bell", "control characters"),
    ],
)
def test_bad_bytes_get_a_clear_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        decode_article(data, "bad.txt")
    assert str(caught.value).startswith("bad.txt: ")
    assert "\n" not in str(caught.value)


def test_missing_file_directory_and_oversized_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "absent.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)
    big = tmp_path / "big.txt"
    big.write_bytes(b"a " * (MAX_ARTICLE_BYTES // 2 + 10))
    with pytest.raises(InputError, match=r"too long: 2\.0 MB"):
        read_article(big)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the refusal happen as it would for a user
        monkeypatch.setattr(Path, "open", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(InputError, match=f"{locked}: cannot be read: permission denied"):
        read_article(locked)


def test_stream_has_the_same_limit() -> None:
    with pytest.raises(InputError, match="<stdin>: article is too long"):
        read_stream(io.BytesIO(b"a" * (MAX_ARTICLE_BYTES + 1)))
    assert read_stream(io.BytesIO("Bắc Ninh".encode("utf-16"))) == "Bắc Ninh"
