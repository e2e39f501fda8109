"""People found by rule in Vietnamese articles, and their roles put into English."""

from __future__ import annotations

import pytest

from summarizer import clean_article
from summarizer._glossary import DEFAULT_GLOSSARY
from summarizer._people import NamedPerson, english_role, named_people

from .conftest import VI_SEED


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # The shapes of the held-out fidelity articles' people, in sentences of our own.
        (
            "Ông Nguyễn Hồng Lĩnh, Bí thư Tỉnh ủy tỉnh Bà Rịa -Vũng Tàu, cho biết tỉnh đã cấp phép 8 dự án.",
            [NamedPerson("Nguyễn Hồng Lĩnh", "Bí thư Tỉnh ủy tỉnh Bà Rịa -Vũng Tàu")],
        ),
        (
            "Chiều 4/7, Phó Thủ tướng Vương Đình Huệ yêu cầu các bộ giải ngân vốn.",
            [NamedPerson("Vương Đình Huệ", "Phó Thủ tướng")],
        ),
        (
            "Chủ tịch UBND tỉnh Thừa Thiên - Huế Nguyễn Văn Cao cho biết chợ sẽ được nâng cấp.",
            [NamedPerson("Nguyễn Văn Cao", "Chủ tịch UBND tỉnh Thừa Thiên - Huế")],
        ),
        (
            "Bà Nguyễn Hoài Thu, đại diện một doanh nghiệp du lịch, cho biết công ty đã tạm ngừng.",
            [NamedPerson("Nguyễn Hoài Thu", "đại diện một doanh nghiệp du lịch")],
        ),
        (
            "Theo ông Lê Duy Minh, Cục trưởng Cục Thuế TPHCM cho biết, số thu giảm. “Thu giảm mạnh”, ông Minh nói.",
            [NamedPerson("Lê Duy Minh", "Cục trưởng Cục Thuế TPHCM")],
        ),
        # A first mention without a role takes the role a later one gives.
        (
            "Ông Trần Văn Nam dự họp.\n\nÔng Trần Văn Nam, Giám đốc Sở Tài chính, phát biểu.",
            [NamedPerson("Trần Văn Nam", "Giám đốc Sở Tài chính")],
        ),
        # Bodies, laws, streets and provinces are no one, whatever their first word.
        (
            "Theo Bộ Kế hoạch và Đầu tư, Luật Xây dựng sửa đổi giúp giải ngân nhanh Luật Đất đai. Nhà máy ở "
            "đường Lê Lợi, Hồ Chí Minh và Bà Rịa - Vũng Tàu.",
            [],
        ),
    ],
)
def test_people_are_found_with_the_role_the_article_gives_them(text: str, people: list[NamedPerson]) -> None:
    assert named_people(text, DEFAULT_GLOSSARY) == people


def test_the_seed_s_people_are_found_in_its_cleaned_text() -> None:
    # The raw seed glues "Tỉnh ủyBắc Ninh" and "Tuấnvừa": hygiene splits them first.
    article = clean_article(VI_SEED.read_text(encoding="utf-8"))
    assert named_people(article.text, DEFAULT_GLOSSARY) == [
        NamedPerson("Nguyễn Anh Tuấn", "Bí thư Tỉnh ủy Bắc Ninh"),
        NamedPerson("Chen Tao", "Chủ tịch Tập đoàn Victory Giant Technology (Trung Quốc)"),
    ]


@pytest.mark.parametrize(
    ("person", "english", "role"),
    [
        (
            NamedPerson("Nguyễn Hồng Lĩnh", "Bí thư Tỉnh ủy"),
            ["Mr. Nguyen Hong Linh, Secretary of the Ba Ria - Vung Tau Provincial Party Committee, said so."],
            "Secretary of the Ba Ria - Vung Tau Provincial Party Committee",
        ),
        (
            NamedPerson("Vương Đình Huệ", "Phó Thủ tướng"),
            ["On July 4, Deputy Prime Minister Vuong Dinh Hue asked ministries to disburse."],
            "Deputy Prime Minister",
        ),
        # No translation names the person: the glossary puts the article's own role into English.
        (NamedPerson("Vương Đình Huệ", "Phó Thủ tướng"), ["The ministries met."], "Deputy Prime Minister"),
        (
            NamedPerson("Nguyễn Văn Cao", "Chủ tịch UBND tỉnh Thừa Thiên - Huế"),
            [],
            "Chairman of the Provincial People's Committee Thua Thien - Hue",
        ),
        # ... and leaves it out when it cannot: romanized Vietnamese is no English role.
        (NamedPerson("Lê Duy Minh", "Cục trưởng Cục Thuế TPHCM"), ["Le Duy Minh said revenue fell."], ""),
    ],
)
def test_a_role_is_put_into_english_from_the_translation_or_the_glossary(
    person: NamedPerson, english: list[str], role: str
) -> None:
    assert english_role(person, english, DEFAULT_GLOSSARY) == role
