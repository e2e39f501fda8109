"""The built-in glossary: hints for the model and repair of what it leaves untranslated."""

from __future__ import annotations

import unicodedata

from summarizer._answers import PartPoints, is_english
from summarizer._checks import PartPointsChecks
from summarizer._glossary import DEFAULT_GLOSSARY
from summarizer._text import romanize_names


def test_terms_in_prefers_longest_terms_and_lists_names() -> None:
    terms = dict(DEFAULT_GLOSSARY.terms_in("Bí thư Tỉnh ủy Nguyễn Văn A gặp ông Lee tại Khu công nghiệp Quế Võ."))
    assert terms["Bí thư Tỉnh ủy"] == "Secretary of the Provincial Party Committee"
    assert "Tỉnh ủy" not in terms
    assert terms["Khu công nghiệp"] == "Industrial Park"
    assert terms["Nguyễn Văn A"] == "Nguyen Van A"


def test_apply_replaces_terms_left_in_english_text() -> None:
    repaired = DEFAULT_GLOSSARY.apply("A plant in Khu công nghiệp VSIP of Tập đoàn Victory (Trung Quốc)")
    assert repaired == "A plant in Industrial Park VSIP of Group Victory (China)"


def test_romanize_names_only_touches_capitalized_words() -> None:
    assert romanize_names("Nguyễn Anh Tuấn visited Bắc Ninh") == "Nguyen Anh Tuan visited Bac Ninh"
    assert romanize_names("the công nghiệp zone") == "the công nghiệp zone"


def test_place_names_are_not_taken_for_titles() -> None:
    assert DEFAULT_GLOSSARY.apply("the port of Bà Rịa") == "the port of Bà Rịa"


def test_english_check_catches_every_vietnamese_letter_and_decomposed_text() -> None:
    assert not is_english("cũng nghĩ")
    assert not is_english(unicodedata.normalize("NFD", "Bắc Ninh"))
    assert is_english("Bac Ninh attracted $400 million")


def test_the_name_finder_splits_at_titles_and_provinces() -> None:
    text = "Bí thư Tỉnh ủy Bắc Ninh Nguyễn Anh Tuấn tiếp Ông Chen Tao. Chủ tịch UBND tỉnh Vương Quốc Tuấn dự họp."
    names = {source: english for source, english in DEFAULT_GLOSSARY.terms_in(text)}
    assert names["Bắc Ninh"] == "Bac Ninh" and names["Nguyễn Anh Tuấn"] == "Nguyen Anh Tuan"
    assert names["Vương Quốc Tuấn"] == "Vuong Quoc Tuan"
    assert not [source for source in names if "Bắc Ninh Nguyễn" in source or source.startswith("Ông")]


def test_a_province_a_run_of_capitals_cannot_hold_is_one_name() -> None:
    # A hyphen ends a run of capitals and "Bà" is also "Mrs": without the province list this is "Vũng Tàu".
    text = "Tỉnh Bà Rịa - Vũng Tàu cấp phép cho dự án. Bà Nguyễn Thị Hoa phát biểu."
    names = dict(DEFAULT_GLOSSARY.terms_in(text))
    assert names == {"Bà Rịa - Vũng Tàu": "Ba Ria - Vung Tau", "Nguyễn Thị Hoa": "Nguyen Thi Hoa"}


def test_the_english_of_a_source_is_its_term_or_name_when_it_is_one_whole() -> None:
    assert DEFAULT_GLOSSARY.english_of("Bộ Giao thông Vận tải") == "Ministry of Transport"
    assert DEFAULT_GLOSSARY.english_of("Nguyễn  Văn An") == "Nguyen Van An"
    assert DEFAULT_GLOSSARY.english_of("Amkor Technology Việt Nam") is None  # a term inside, not the whole
    assert DEFAULT_GLOSSARY.english_of("Victory Giant Technology") is None  # no Vietnamese: not a name found


def test_common_words_left_in_english_are_put_into_english_but_never_listed_to_the_model() -> None:
    # Fidelity article 01: a part's key point, then the brief's summary, kept "doanh nghiệp".
    point = "The doanh nghiệp and investors created 22,000 jobs for people."
    fixed = PartPoints.model_validate({"points": [point]}, context=PartPointsChecks(glossary=DEFAULT_GLOSSARY))
    assert fixed.points == ["The businesses and investors created 22,000 jobs for people."]
    assert DEFAULT_GLOSSARY.listing("Các doanh nghiệp và nhà đầu tư tạo 22.000 việc làm.") == "(none)"
