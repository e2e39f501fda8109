"""The built-in glossary: hints for the model and repair of what it leaves untranslated."""

from __future__ import annotations

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
