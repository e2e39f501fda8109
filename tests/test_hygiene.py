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


# Photo credits and bylines as the scraped baomoi corpus runs them into the text (fidelity articles 01-05).
RUN_ON_CREDITS = (
    "Đầu năm, 8 dự án “xông đất” Bà Rịa - Vũng Tàu. Ảnh:Thái Minh Tại buổi lễ này, ông Nguyễn Văn Trình phát biểu. "
    "Ông Trình đã trao giấy chứng nhận. Ảnh: Thái Minh Ông Nguyễn Văn Trình cho biết tỉnh tăng 5,6%.\n"
    "Siêu thị BigC Huế luôn chiếm lĩnh thị trường. Ảnh: Quốc Việt - TTXVN Đầu tư của tỉnh gắn liền với thương mại.\n"
    "Tổng vốn FDI đạt trên 306 tỷ USD. Ảnh PV Cụ thể, tính đến ngày 20/6/2017, cả nước có 24.000 dự án.\n"
    "Phó Thủ tướng Vương Đình Huệ. Ảnh: TN Chiều 4/7, Phó Thủ tướng chủ trì cuộc họp.\n"
    "Trụ sở thép Quảng Liên tại KCN Dung Quất - (Nguồn Internet) Trước đó, Thủ tướng đã đồng ý. "
    "Dự án hoàn thành trong 42 tháng. Nguyên Hồng -"
)


def test_photo_credits_and_byline_are_set_aside_and_the_sentences_around_them_kept() -> None:
    article = clean_article(RUN_ON_CREDITS)
    credits = ("Thái Minh", "Thái Minh", "Quốc Việt - TTXVN", "PV", "TN", "Nguồn Internet", "Nguyên Hồng")
    assert article.credits == credits
    text = article.text
    assert "Ảnh" not in text and "Nguồn" not in text and "Nguyên Hồng" not in text and "Thái Minh" not in text
    for kept in (
        "Bà Rịa - Vũng Tàu. Tại buổi lễ này, ông Nguyễn Văn Trình phát biểu.",
        "giấy chứng nhận. Ông Nguyễn Văn Trình cho biết",  # the title after the credit starts the sentence
        "thị trường. Đầu tư của tỉnh",
        "trên 306 tỷ USD. Cụ thể, tính đến ngày 20/6/2017",  # the caption's figure stays
        "Vương Đình Huệ. Chiều 4/7, Phó Thủ tướng",
        "KCN Dung Quất Trước đó,",
    ):
        assert kept in text
    assert article.paragraphs[-1].endswith("trong 42 tháng.")


@pytest.mark.parametrize(
    "text",
    [
        "Ảnh hưởng của dịch bệnh rất lớn. Doanh thu giảm 12%.",  # "ảnh hưởng" (influence) starts a sentence
        "Ảnh: Thái Minh Nguyễn Văn Trình phát biểu tại buổi lễ.",  # too many capitals to tell credit from name
        "Doanh thu giảm 12%. Tỉnh Bắc Ninh dẫn đầu cả nước.",
    ],
)
def test_text_that_only_looks_like_a_credit_is_left_alone(text: str) -> None:
    article = clean_article(text)
    assert article.text == text
    assert article.credits == ()


def test_a_byline_on_its_own_line_is_set_aside_but_not_a_one_line_article() -> None:
    assert clean_article("Tỉnh tăng 5,6%.\n\nThái Minh").credits == ("Thái Minh",)
    assert clean_article("Tỉnh tăng 5,6%.\n\nThái Minh").paragraphs == ("Tỉnh tăng 5,6%.",)
    assert clean_article("Bắc Ninh").paragraphs == ("Bắc Ninh",)
