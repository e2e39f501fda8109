"""Input hygiene on the seed articles' real defects and on synthetic edge cases."""

from __future__ import annotations

import pytest

from summarizer import clean_article
from summarizer._hygiene import split_paragraphs, unglue_word

from .conftest import EN_SEED, VI_SEED


@pytest.mark.parametrize(
    ("glued", "split"),
    [
        ("ủyBắc", "ủy Bắc"),
        ("Tuấnvừa", "Tuấn vừa"),
        ("dẫnAmkor", "dẫn Amkor"),
        ("thànhnhà", "thành nhà"),
    ],
)
def test_glued_vietnamese_words_are_split(glued: str, split: str) -> None:
    assert unglue_word(glued) == split


@pytest.mark.parametrize(
    "word", ["VinFast", "iPhone", "McDonald", "Nguyễn", "Samsung", "nghiệp", "Tuấn", "PetroVietnam"]
)
def test_real_words_are_left_alone(word: str) -> None:
    assert unglue_word(word) == word


def test_vietnamese_seed_is_repaired() -> None:
    article = clean_article(VI_SEED.read_text(encoding="utf-8"), str(VI_SEED))
    text = article.text
    assert article.language == "vi"
    assert "Tỉnh ủy Bắc Ninh Nguyễn Anh Tuấn vừa" in text
    assert "bán dẫn Amkor Technology" in text
    for glued in ("ủyBắc", "Tuấnvừa", "dẫnAmkor"):
        assert glued not in text
    assert len(article.paragraphs) == 8
    assert article.paragraphs[-1].startswith("Nhà máy bán dẫn công nghệ Amkor")


def test_english_seed_drops_captions_comments_and_keeps_source_as_metadata() -> None:
    raw = EN_SEED.read_text(encoding="utf-8")
    article = clean_article(raw, str(EN_SEED))
    assert article.language == "en"
    assert article.source_url is not None and article.source_url.startswith("https://baobacninhtv.vn/")
    assert "Source:" not in article.text and "Comment (0)" not in article.text
    assert not any(p.endswith("|") for p in article.paragraphs)
    assert "Dong Ho folk painting" not in article.text  # a photo caption
    captions = [line for line in raw.splitlines() if line.rstrip().endswith(" |")]
    body_lines = [line for line in raw.splitlines() if line.strip()]
    assert len(article.paragraphs) == len(body_lines) - len(captions) - 2  # minus Source and Comment lines


def test_nfc_and_invisible_characters() -> None:
    decomposed = "Bă\u0301c Ninh\u200b có\u00a0  nhiều"
    article = clean_article(decomposed)
    assert article.text == "Bắc Ninh có nhiều"


def test_paragraphs_blank_line_blocks_join_wrapped_lines() -> None:
    assert split_paragraphs("one\ntwo\n\nthree\n") == ["one two", "three"]
    assert split_paragraphs("one\ntwo\nthree") == ["one", "two", "three"]


def test_source_line_only_taken_at_the_end() -> None:
    article = clean_article("Source: https://a.example/x\n\nBody text here.")
    assert article.source_url is None
    assert article.paragraphs[0] == "Source: https://a.example/x"


def test_long_runs_without_spaces_are_safe_and_fast() -> None:
    blob = "ấ" * 5000 + "Bắc" * 3000
    assert unglue_word(blob) == blob


def test_one_blank_line_after_a_title_does_not_merge_line_paragraphs() -> None:
    assert split_paragraphs("Title\n\nFirst paragraph.\nSecond paragraph.\n") == [
        "Title",
        "First paragraph.",
        "Second paragraph.",
    ]
