"""Hygiene and figure extraction on arbitrary scraped-looking text: nothing raises and no paragraph is lost.

The property, stated on the input (not on the implementation): split the input into lines as hygiene
does (NFC, then CR LF, CR and LF end a line). Every line that holds something besides white space and
invisible characters (zero-width spaces and joiners, BOM, soft hyphen) must end up, in order, inside
one paragraph of the result, compared with all white space and invisible characters taken out (hygiene
collapses white space and may re-insert the space lost between glued words, "Tuấnvừa" -> "Tuấn vừa").
The only lines allowed to go are:

- photo captions: the line ends in "|" and does not start with "|" (a Markdown table row is kept);
- comment counters: "Comment (3)", "Comments (12)", "Bình luận (0)";
- the trailing "Source: URL" (or "Nguồn: URL") line: the last line that is neither blank nor a comment
  counter; it becomes `source_url`.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from summarizer import clean_article
from summarizer._answers import TranslationChunk
from summarizer._checks import TranslationChecks
from summarizer._figures import extract_figures, figure_kept, unsupported_figures
from summarizer._glossary import DEFAULT_GLOSSARY
from summarizer._hygiene import Article
from summarizer._text import Language

VIETNAMESE_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
SPACES = [" ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\u200b"]
FIGURES = [
    "1,6 tỷ USD",
    "10.171 ha",
    "400 triệu USD",
    "khoảng 1 tỷ USD",
    "hơn 50%",
    "tháng 5/2023",
    "cuối tháng 10/2023",
    "$1.6 billion",
    "5,000 workers",
    "120 hectares",
    "May 2026",
    "3.5%",
    "12.000 người",
]
GLUED = ["Tỉnh ủyBắc Ninh", "Nguyễn Anh Tuấnvừa", "bán dẫnAmkor", "thànhnhà", "VinFast", "iPhone"]
URLS = ["https://vnexpress.net/abc.html", "http://baobacninhtv.vn/tin-tuc/123?x=1&y=2", "https://e.vn/a|b"]
COMMENTS = ["Comment (3)", "Comments (12)", "comment(0)", "Bình luận (7)", "BÌNH LUẬN (2)"]
CAPTION_SUFFIX = [" |", "|", " | ", " |\u200b"]
SOURCE = re.compile(r"(?:source|nguồn)\s*:\s*(https?://\S+)", re.IGNORECASE)
BARE_URL = re.compile(r"(https?://\S+)")
COMMENT = re.compile(r"(?:comments?|bìnhluận)\(\d+\)", re.IGNORECASE)

vi_words = st.text(alphabet=VIETNAMESE_ALPHABET + VIETNAMESE_ALPHABET.upper(), min_size=1, max_size=9)
en_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=9)
tokens = st.one_of(
    vi_words,
    en_words,
    st.sampled_from(FIGURES),
    st.sampled_from(GLUED),
    st.sampled_from(URLS),
    st.sampled_from(["|", ":", "Source:", "Nguồn:", "(3)", "...", "…", '"', "1,6", "10.171", "-", "•"]),
    vi_words.map(lambda word: unicodedata.normalize("NFD", word)),  # decomposed marks: NFC must join them
)


@st.composite
def text_lines(draw: st.DrawFn) -> str:
    words = draw(st.lists(tokens, min_size=1, max_size=10))
    gaps = draw(st.lists(st.sampled_from(SPACES), min_size=len(words), max_size=len(words)))
    line = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
    return line + draw(st.sampled_from(["", ".", "!", "?", ":", " ", "\u00a0", ".\u200b"]))


lines = st.one_of(
    text_lines(),
    text_lines(),
    text_lines().flatmap(lambda line: st.sampled_from(CAPTION_SUFFIX).map(lambda end: line + end)),
    text_lines().map(lambda line: "| " + line + " |"),  # a Markdown table row: kept
    st.sampled_from(COMMENTS),
    st.sampled_from(URLS),
    st.sampled_from(URLS).map(lambda url: f"Source: {url}"),
    st.sampled_from(URLS).map(lambda url: f"Nguồn : {url}"),
    st.sampled_from(["", "", " ", "\t", "\u00a0", "\u200b", "\u3000 "]),  # blank
    st.text(max_size=30),  # anything at all, new lines included
)


@st.composite
def articles(draw: st.DrawFn) -> str:
    body = draw(st.lists(lines, min_size=0, max_size=14))
    if draw(st.booleans()):
        body.append(f"Source: {draw(st.sampled_from(URLS))}")
        body.extend(draw(st.lists(st.sampled_from(["", "Comment (0)", " "]), max_size=2)))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(body) + draw(st.sampled_from(["", newline]))


def _squash(text: str) -> str:
    """`text` without white space and invisible characters."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in INVISIBLE)


def _collapsed(line: str) -> str:
    return " ".join("".join(ch for ch in line if ch not in INVISIBLE).split())


def _input_lines(raw: str) -> list[str]:
    return unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_caption(line: str) -> bool:
    collapsed = _collapsed(line)
    return collapsed.endswith("|") and not collapsed.startswith("|")


def _is_comment(line: str) -> bool:
    return COMMENT.fullmatch(_squash(line)) is not None


def _is_bare_url(line: str) -> bool:
    return BARE_URL.fullmatch(_collapsed(line)) is not None


def _trailing_source(lines: list[str]) -> tuple[int, str] | None:
    """The index and URL of the trailing `Source: URL` (or bare URL) line, if the input ends with one."""
    for index in range(len(lines) - 1, -1, -1):
        if not _squash(lines[index]) or _is_comment(lines[index]):
            continue
        found = SOURCE.fullmatch(_collapsed(lines[index])) or BARE_URL.fullmatch(_collapsed(lines[index]))
        return (index, found.group(1)) if found else None
    return None


def _required_lines(raw: str) -> list[str]:
    """The input lines (squashed) that hygiene must keep, in order."""
    lines = _input_lines(raw)
    source = _trailing_source(lines)
    return [
        _squash(line)
        for index, line in enumerate(lines)
        if _squash(line)
        and not _is_caption(line)
        and not _is_comment(line)
        and not _is_bare_url(line)  # a line that is only a link holds no article text
        and not (source is not None and index == source[0])
    ]


_CREDIT_MARKERS = ("(Ảnh:", "(Ảnh", "Ảnh:", "Ảnh", "(Nguồn:", "(Nguồn", "Nguồn:", "Nguồn", "-", "(")


def _less_credits(lines: list[str], article: Article) -> list[str]:
    """`lines` (squashed) less the photo credits and byline set aside from them, the last credit
    from the last line holding it and so on back, and less the words that say what they are."""
    lines, credits = list(lines), [_squash(credit) for credit in article.credits]
    for index in range(len(lines) - 1, -1, -1):
        while credits and (at := lines[index].rfind(credits[-1])) >= 0:
            before, after = lines[index][:at], lines[index][at + len(credits.pop()) :]
            # Only the words next to the credit say what it is: a hyphen elsewhere ("tin-tuc" in a
            # link) is the article's.
            while (marker := next((m for m in _CREDIT_MARKERS if before.endswith(m)), None)) is not None:
                before = before.removesuffix(marker)
            lines[index] = before + after.removeprefix(")").removeprefix("-")
    return lines


def _assert_nothing_lost(raw: str, article: Article) -> None:
    paragraphs = [_squash(p) for p in article.paragraphs]
    joined = "".join(paragraphs)
    position = 0
    for line in _less_credits(_required_lines(raw), article):
        if not line:
            continue
        assert any(line in paragraph for paragraph in paragraphs), f"lost line {line!r} of {raw!r}"
        found = joined.find(line, position)
        assert found >= 0, f"line {line!r} is out of order in {article.paragraphs!r}"
        position = found + len(line)


def _assert_clean_paragraphs(raw: str, article: Article) -> None:
    for paragraph in article.paragraphs:
        assert paragraph and paragraph == paragraph.strip()
        assert "\n" not in paragraph and "\r" not in paragraph
        assert not INVISIBLE.intersection(paragraph)
        if not INVISIBLE.intersection(raw):  # a dropped invisible may leave a lone mark beside a letter
            assert unicodedata.is_normalized("NFC", paragraph)


def _assert_figures_sound(text: str) -> None:
    languages: tuple[Language, ...] = ("vi", "en")
    for language in languages:
        figures = extract_figures(text, language)
        assert len({f.source for f in figures}) == len(figures)
        for figure in figures:
            assert figure.source and figure.source in text
            assert figure.kind in {"money", "date", "percent", "area", "count"}
            assert math.isfinite(figure.value) and figure.value >= 0
            assert figure.english


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
@example("Tỉnh ủyBắc Ninh\u200b có\u00a0 1,6 tỷ USD |\nComment (3)\n\nSource: https://vnexpress.net/abc.html\n")
@example("Bình luận (2)\r\nNguồn: https://e.vn/x\r\n\r\n")
@example("| a | b |\n|---|---|\nảnh: Ninh |\n10.171 ha")
@example("A\u0301 b\n\u200b\n\u00a0\nc")
# A byline ("A") after a link with a hyphen: the hyphen is the link's, not the credit's.
@example(" A\n A A A http://baobacninhtv.vn/tin-tuc/123?x=1&y=2\u200b… A")
def test_hygiene_never_raises_and_loses_no_line(raw: str) -> None:
    article = clean_article(raw, "prop.txt")
    assert article.name == "prop.txt" and article.language in {"vi", "en"}
    _assert_nothing_lost(raw, article)
    _assert_clean_paragraphs(raw, article)
    source = _trailing_source(_input_lines(raw))
    if source is not None:
        assert article.source_url == source[1]
    if article.source_url is not None:
        assert article.source_url.startswith(("http://", "https://"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_hygiene_keeps_every_line_of_any_text(raw: str) -> None:
    article = clean_article(raw)
    _assert_nothing_lost(raw, article)
    _assert_clean_paragraphs(raw, article)


@settings(max_examples=200, deadline=None)
@given(st.one_of(articles(), st.text(max_size=200)))
@example("Vốn 1,6 tỷ USD, rộng 10.171 ha, tháng 5/2023; 1.234,5 tỷ đồng và 12.345.678 người; $1.6 billion.")
@example("1,6,7 1.2.3 9999999999999999999999 tỷ USD 0,0 ha 00% năm 0000")
def test_figures_never_raise_and_quote_the_text(raw: str) -> None:
    _assert_figures_sound(raw)
    _assert_figures_sound(clean_article(raw).text)


FIGURE_VALUES = [
    ("1,6 tỷ USD", 1.6e9, "USD"),
    ("10.171 ha", 10171.0, "ha"),
    ("400 triệu USD", 4e8, "USD"),
    ("hơn 50%", 50.0, "%"),
    ("tháng 5/2023", 202305.0, "month"),
    ("3,5 nghìn tỷ đồng", 3.5e12, "VND"),
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(FIGURE_VALUES), min_size=1, max_size=4), st.lists(vi_words, min_size=0, max_size=6))
def test_vietnamese_figures_survive_hygiene_with_their_values(
    figures: list[tuple[str, float, str]], filler: list[str]
) -> None:
    sentences = [f"Con số {source} được công bố {' '.join(filler)}." for source, _, _ in figures]
    article = clean_article("\n\n".join(sentences))
    found = extract_figures(article.text, "vi")
    for source, value, unit in figures:
        assert any(source in f.source and math.isclose(f.value, value) and f.unit == unit for f in found), (
            f"{source} not found as {value} {unit} in {found}"
        )


@st.composite
def vietnamese_amounts(draw: st.DrawFn) -> str:
    """An amount as Vietnamese news writes it: "1.234,5 tỷ đồng", "12.345.678 người", "hơn 50%"."""
    whole = draw(st.integers(min_value=0, max_value=999_999_999))
    grouped = f"{whole:,}".replace(",", ".")
    decimals = draw(st.sampled_from(["", "", ",5", ",25", ",125", ",05"]))
    if "." not in grouped:
        decimals = decimals[:3]  # without a thousands dot, one or two decimals are read as such
    scale = draw(st.sampled_from(["", " nghìn", " triệu", " tỷ", " nghìn tỷ"]))
    unit = draw(st.sampled_from([" USD", " đồng", "%", " ha", " người", ""]))
    qualifier = draw(st.sampled_from(["", "khoảng ", "hơn ", "gần "]))
    return f"{qualifier}{grouped}{decimals}{scale}{unit}"


@settings(max_examples=200, deadline=None)
@given(vietnamese_amounts())
@example("1.234,5 tỷ đồng")
@example("12.345.678 người")
@example("1.000,25 tỷ USD")
@example("1.000.000%")  # once written "1 million%", which English reads as 1%
def test_english_form_of_a_vietnamese_figure_states_the_same_value(amount: str) -> None:
    text = f"Con số {amount} được công bố."
    for figure in extract_figures(text, "vi"):
        if "trillion" in figure.english:
            continue  # English "trillion" is not read back as a scale: see the xfail test below
        # The English form says the same number (no digit rounded away), so a faithful translation keeps it.
        english = extract_figures(figure.english, "en")
        assert any(math.isclose(e.value, figure.value, rel_tol=1e-9) for e in english), (figure, english)
        assert figure_kept(figure, figure.english, "en"), figure
        assert figure_kept(figure, figure.source, "vi"), figure


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Lợi nhuận đạt 1.234,5 tỷ đồng.", "VND1,234.5 billion"),
        ("Dân số là 12.345.678 người.", "12,345,678"),
        ("Vốn 1.000,25 tỷ USD.", "$1,000.25 billion"),
        ("Vốn 1,6 tỷ USD.", "$1.6 billion"),
    ],
)
def test_english_form_of_a_figure_keeps_every_digit(text: str, english: str) -> None:
    (figure,) = [f for f in extract_figures(text, "vi") if f.kind in {"money", "count"}]
    assert figure.english == english


@pytest.mark.parametrize("translation", ["The budget is VND3 trillion.", "The budget is 3 trillion dong."])
def test_a_trillion_dong_figure_is_kept_by_its_english_form(translation: str) -> None:
    (figure,) = extract_figures("Ngân sách 3 nghìn tỷ đồng.", "vi")
    assert figure.english == "VND3 trillion"
    assert figure_kept(figure, translation, "en")


def test_a_changed_trillion_figure_is_caught() -> None:
    sources = extract_figures("Ngân sách 3 nghìn tỷ đồng.", "vi")
    assert unsupported_figures("The budget is VND5 trillion.", sources)


def test_a_translation_that_says_the_figure_as_asked_is_accepted() -> None:
    sources = {1: "Ngân sách của tỉnh năm nay là 3 nghìn tỷ đồng."}
    context = TranslationChecks(
        sources=sources, target="en", glossary=DEFAULT_GLOSSARY, figures={1: extract_figures(sources[1], "vi")}
    )
    answer = {"paragraphs": [{"n": 1, "text": "The province's budget this year is VND3 trillion."}]}
    assert TranslationChunk.model_validate(answer, context=context).paragraphs[0].n == 1
