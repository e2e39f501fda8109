"""Figures found by rule and normalized: the numbers a brief may carry."""

from __future__ import annotations

import pytest

from summarizer import clean_article
from summarizer._figures import extract_figures, figure_kept
from summarizer._text import Language

from .conftest import EN_SEED, VI_SEED


@pytest.mark.parametrize(
    ("text", "english", "kind", "value", "unit"),
    [
        ("400 triệu USD", "$400 million", "money", 400e6, "USD"),
        ("1,6 tỷ USD", "$1.6 billion", "money", 1.6e9, "USD"),
        ("khoảng 1 tỷ USD", "about $1 billion", "money", 1e9, "USD"),
        ("2 nghìn tỷ đồng", "VND2 trillion", "money", 2e12, "VND"),
        ("10.171 ha", "10,171 hectares", "area", 10171, "ha"),
        ("3.497 héc-ta", "3,497 hectares", "area", 3497, "ha"),
        ("hơn 50%", "more than 50%", "percent", 50, "%"),
        ("tháng 5/2023", "May 2023", "date", 2023, "year"),
        ("cuối tháng 10/2023", "late October 2023", "date", 2023, "year"),
        ("7 tháng đầu năm 2025", "the first 7 months of 2025", "date", 2025, "year"),
        ("ngày 25/2", "25 February", "date", 25, "day"),
    ],
)
def test_vietnamese_figures(text: str, english: str, kind: str, value: float, unit: str) -> None:
    [figure] = extract_figures(f"Báo cáo: {text} được công bố", "vi")
    assert (figure.english, figure.kind, figure.value, figure.unit) == (english, kind, value, unit)
    assert figure.source in text


def test_vietnamese_seed_figures() -> None:
    article = clean_article(VI_SEED.read_text(encoding="utf-8"))
    english = [f.english for f in extract_figures(article.text, article.language)]
    assert english[:5] == ["$400 million", "about $1 billion", "more than 50%", "May 2023", "$1.6 billion"]
    assert "September 2023" in english and "late October 2023" in english


def test_english_seed_figures() -> None:
    article = clean_article(EN_SEED.read_text(encoding="utf-8"))
    by_source = {f.source: f for f in extract_figures(article.text, article.language)}
    assert by_source["10,171 hectares"].value == 10171 and by_source["10,171 hectares"].kind == "area"
    assert by_source["nearly 7%"].value == 7 and by_source["nearly 7%"].kind == "percent"
    assert by_source["2015"].kind == "date"
    assert by_source["33"].kind == "count"
    assert "the first 7 months of 2025" in by_source


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1.5 tỷ USD", "vi", [("$1.5 billion", "money")]),
        ("tăng 2.5%", "vi", [("2.5%", "percent")]),
        ("2/3 số dự án", "vi", []),
        ("he bought 5 hats", "en", [("5", "count")]),
        ("in 2015, 33 parks", "en", [("2015", "date"), ("33", "count")]),
    ],
)
def test_numbers_are_never_cut_in_the_middle(text: str, language: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.english, f.kind) for f in extract_figures(text, language)] == expected  # type: ignore[arg-type]


def test_figure_kept_compares_digits_not_grouping() -> None:
    [money] = extract_figures("400 triệu USD", "vi")
    assert figure_kept(money, "an investment of $400 million")
    assert not figure_kept(money, "an investment of $40 million")
    [date] = extract_figures("tháng 5/2023", "vi")
    assert figure_kept(date, "in May 2023") and not figure_kept(date, "in May 2024")


@pytest.mark.parametrize(
    ("source", "language", "translation", "kept"),
    [
        ("400 triệu USD", "vi", "an investment of $400 million", True),
        ("400 triệu USD", "vi", "an investment of $400 billion", False),
        ("khoảng 1,6 tỷ USD", "vi", "about $1.6 million", False),
        ("khoảng 1,6 tỷ USD", "vi", "about 1.6 billion US dollars", True),
        ("hơn 50%", "vi", "more than 50 percent", True),
        ("tháng 5/2023", "vi", "in May 2023", True),
        ("$1.6 billion", "en", "1,6 triệu USD", False),
        ("$1.6 billion", "en", "1,6 tỷ USD", True),
    ],
)
def test_a_translation_keeps_a_figure_only_at_its_scale(
    source: str, language: Language, translation: str, kept: bool
) -> None:
    [figure] = extract_figures(source, language)
    target: Language = "vi" if language == "en" else "en"
    assert figure_kept(figure, translation, target) is kept
