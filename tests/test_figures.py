"""Figures found by rule and normalized: the numbers a brief may carry."""

from __future__ import annotations

import pytest

from summarizer import clean_article
from summarizer._answers import BriefDraft
from summarizer._checks import BriefChecks
from summarizer._figures import extract_figures, figure_kept, in_english_form, unsupported_figures
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
        ("tháng 5/2023", "May 2023", "date", 202305, "month"),
        ("cuối tháng 10/2023", "late October 2023", "date", 202310, "month"),
        ("7 tháng đầu năm 2025", "the first 7 months of 2025", "date", 2025, "year"),
        ("ngày 25/2", "25 February", "date", 225, "day"),
        ("15/5/2023", "15 May 2023", "date", 20230515, "date"),
        ("ngày 15 tháng 5 năm 2023", "15 May 2023", "date", 20230515, "date"),
        # Dates without a year (news says "this morning, 15-1"): the English must not add one.
        ("Sáng 15-1", "the morning of 15 January", "date", 115, "day"),
        ("chiều 20-12-2024", "the afternoon of 20 December 2024", "date", 20241220, "date"),
        # Compound and spoken amounts are one figure each.
        ("1 tỷ 850 triệu USD", "$1.85 billion", "money", 1.85e9, "USD"),
        ("2 tỷ 500 triệu đồng", "VND2.5 billion", "money", 2.5e9, "VND"),
        ("3,5 triệu người", "3.5 million", "count", 3.5e6, ""),
        # From held-out news (bench/fidelity): the "tỉ" spelling, qualified counts, times of day with a slash.
        ("gần 20 tỉ USD", "nearly $20 billion", "money", 20e9, "USD"),
        ("2 nghìn tỉ đồng", "VND2 trillion", "money", 2e12, "VND"),
        ("hơn 8.700", "more than 8,700", "count", 8700, ""),
        ("Chiều 6/2", "the afternoon of 6 February", "date", 206, "day"),
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


@pytest.mark.parametrize(
    ("source", "english", "backed"),
    [
        ("ngày 15/5/2023", "on 15 May 2023", True),
        ("ngày 15/5/2023", "on May 15, 2023", True),
        ("ngày 15/5/2023", "in May 2023", True),  # less precise, not wrong
        ("ngày 15/5/2023", "in 2023", True),
        ("ngày 15/5/2023", "on 16 June 2023", False),
        ("ngày 15/5/2023", "on 15 May 2024", False),
        ("tháng 5/2023", "on 15 May 2023", False),  # a day the source does not give
        ("Sáng 15-1", "on the morning of 15 January", True),
        ("Sáng 15-1", "on 15 January 2024", False),  # a year the source does not give
        ("Sáng 15-1", "on 16 January", False),
    ],
)
def test_dates_are_held_to_the_day_and_never_given_a_year_the_source_lacks(
    source: str, english: str, backed: bool
) -> None:
    sources = extract_figures(source, "vi")
    assert (not unsupported_figures(english, sources)) is backed


def test_a_compound_amount_is_one_figure_and_its_parts_are_not_backed_alone() -> None:
    # From a provincial FDI report: "1 tỷ 850 triệu USD" is $1.85 billion, not $1 billion and $850 million.
    sources = extract_figures("Tổng vốn đầu tư đạt 1 tỷ 850 triệu USD trong năm 2024.", "vi")
    assert [figure.english for figure in sources] == ["$1.85 billion", "2024"]
    assert not unsupported_figures("Investment reached $1.85 billion in 2024.", sources)
    assert [f.source for f in unsupported_figures("Investment reached $850 million in 2024.", sources)] == [
        "$850 million"
    ]


def test_a_figure_written_the_sources_way_is_put_in_its_english_form_by_rule() -> None:
    sources = extract_figures("Tỉnh chuyển đổi 12.700 ha rừng, vốn 1,6 tỷ USD, với 10.171 lao động.", "vi")
    assert in_english_form("They will convert 12.700 hectares.", sources) == "They will convert 12,700 hectares."
    assert in_english_form("It costs 1,6 tỷ USD.", sources) == "It costs $1.6 billion."
    assert in_english_form("About 10.171 workers.", sources) == "About 10,171 workers."
    # Already English, or not the source's: left alone (the fact lock then judges it).
    assert in_english_form("It costs $1.6 billion.", sources) == "It costs $1.6 billion."
    assert in_english_form("It costs 2,5 tỷ USD.", sources) == "It costs 2,5 tỷ USD."


def test_a_briefs_prose_is_repaired_before_the_fact_lock_judges_it() -> None:
    sources = extract_figures("Tỉnh chuyển đổi 12.700 ha rừng.", "vi")
    summary = " ".join(["The province will convert 12.700 hectares of forest to other uses."] * 7)
    draft = BriefDraft.model_validate(
        {
            "headline": "12.700 hectares",
            "summary": summary,
            "key_points": ["a 12.700 hectares plan", "b", "c"],
            "figures": [],
        },
        context=BriefChecks(source_figures=sources),
    )
    assert "12.700" not in draft.prose and draft.prose.count("12,700 hectares") == 9


def test_words_that_begin_like_a_scale_are_no_scale_and_a_lone_year_is_a_year() -> None:
    # "ngành" (sector) starts like "ngàn" (thousand), "tỉnh" (province) like "tỉ" (billion).
    assert [(f.english, f.kind) for f in extract_figures("18 ngành của các tỉnh", "vi")] == [("18", "count")]
    assert [(f.english, f.kind, f.unit) for f in extract_figures("từ 2015 đến nay", "vi")] == [("2015", "date", "year")]
