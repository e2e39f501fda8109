"""The bad-input corpus: files `summarizer brief` must refuse (or, for odd encodings, accept), made at test
time so that no binary file, and certainly no 5 MB file, is committed.

    python -m tests.bad_input.corpus OUT_DIR     # write the corpus to look at it by hand
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

VIETNAMESE = (
    "Bắc Ninh thu hút đầu tư\n\n"
    "Tỉnh Bắc Ninh vừa đón nhận một dự án mới của một tập đoàn công nghệ nước ngoài.\n\n"
    "Người dân địa phương rất vui mừng trước tin này và mong có thêm việc làm.\n"
)
ENGLISH = "Hanoi approves a park\n\nHanoi on Monday approved a new industrial park, officials said.\n"
HUGE_BYTES = 5 * 1024 * 1024


def encode_cp1258(text: str) -> bytes:
    """`text` in Windows-1258, which has a few precomposed letters (â, ê, ơ, ư...) and combining tone
    marks: "ậ" is written as "â" then a combining dot below, as Vietnamese Windows software did."""
    out = bytearray()
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        options = [ch, decomposed, *(unicodedata.normalize("NFC", base + m) + marks.replace(m, "") for m in marks)]
        for option in options:
            try:
                out += option.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"{ch!r} cannot be written in Windows-1258")
    return bytes(out)


@dataclass(frozen=True)
class Case:
    """One corpus file: its name, its bytes, and what `summarizer brief` must say of it."""

    name: str
    data: bytes
    problem: str | None
    """A fragment of the one-line error; None when the file must be accepted."""
    xfail: str | None = None
    """Why the library does not yet behave as described (a known bug), if it does not."""

    @property
    def accepted(self) -> bool:
        return self.problem is None


_CUT = "Hà Nộ".encode()  # ends in a three-byte letter
REFUSED = [
    Case("empty.txt", b"", "is empty"),
    Case("whitespace.txt", " \n\t\n\u00a0\n\u3000  \r\n".encode(), "holds only white space"),
    Case("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "looks binary: it holds NUL bytes"),
    Case(
        "high_bytes.txt",
        bytes(range(0x80, 0x100)) * 4,
        "is not UTF-8, UTF-16 or Windows-1258 text: byte 0x80 at offset 0 is invalid",
    ),
    Case("controls.txt", b"Hanoi\x01\x02\x1b approved a park.", "looks binary: 3 control characters"),
    Case(
        "truncated.txt",
        _CUT[:-1],
        f"ends in the middle of a UTF-8 character at byte {len(_CUT) - 3}: truncated?",
    ),
    Case("utf16_cut.txt", ENGLISH.encode("utf-16-le")[:-1], "looks binary"),
    Case("huge.txt", (ENGLISH * (HUGE_BYTES // len(ENGLISH) + 1)).encode()[:HUGE_BYTES], "over the 2 MB limit"),
    Case("source_only.txt", b"Source: https://vnexpress.net/abc.html\n", "holds no article text"),
    Case("captions_only.txt", "Ảnh: Bắc Ninh |\n\nComment (0)\n".encode(), "holds no article text"),
    Case(
        "url_only.txt",
        b"https://vnexpress.net/abc.html\n",
        "holds no article text",
    ),
    Case("empty_page.html", b"<html><head><title></title></head><body></body></html>", "no article text found"),
    Case(
        "menu_only.html",
        b"<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></body></html>",
        "no article text found",
    ),
]
ACCEPTED = [
    Case("windows1258.txt", encode_cp1258(VIETNAMESE), None),
    Case("utf16le_nobom.txt", VIETNAMESE.encode("utf-16-le"), None),
    Case("utf16be_nobom.txt", VIETNAMESE.encode("utf-16-be"), None),
    Case("utf8_bom.txt", b"\xef\xbb\xbf" + VIETNAMESE.encode(), None),
]


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write every case into `folder`; return the paths by case name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in [*REFUSED, *ACCEPTED]:
        path = folder / case.name
        path.write_bytes(case.data)
        paths[case.name] = path
    return paths


if __name__ == "__main__":
    for written in write_corpus(Path(sys.argv[1])).values():
        print(written)
