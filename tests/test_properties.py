"""Hygiene and figure extraction on arbitrary text: they never raise and never lose a paragraph."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import clean_article
from summarizer._figures import extract_figures
from summarizer._hygiene import split_paragraphs

VIETNAMESE_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
words = st.text(
    alphabet=VIETNAMESE_ALPHABET + VIETNAMESE_ALPHABET.upper() + "0123456789.,%/$|", min_size=1, max_size=12
)
sentences = st.lists(words, min_size=1, max_size=12).map(lambda ws: " ".join(ws) + ".")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_hygiene_and_figures_never_raise(text: str) -> None:
    article = clean_article(text)
    for language in ("vi", "en"):
        extract_figures(article.text, language)


@settings(max_examples=200, deadline=None)
@given(st.lists(sentences, min_size=1, max_size=10))
def test_no_paragraph_is_lost(paragraphs: list[str]) -> None:
    article = clean_article("\n\n".join(paragraphs))
    kept = [p for p in paragraphs if not p.rstrip().endswith("|")]
    assert len(article.paragraphs) + (paragraphs[-1] in article.credits) == len(kept)  # a byline set aside
    assert len(split_paragraphs("\n".join(paragraphs))) == len(paragraphs)
