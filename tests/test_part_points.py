"""Key points part by part: every part of an article contributes to a brief's key points."""

from __future__ import annotations

import json
from typing import Any

import pytest

from summarizer import Summarizer, clean_article, render_markdown, resolve_settings
from summarizer._answers import KeyPoint, PartPoints
from summarizer._checks import KeyPointChecks, PartPointsChecks
from summarizer._figures import extract_figures
from summarizer._glossary import DEFAULT_GLOSSARY
from summarizer._pipeline._points import (
    MOST_POINTS_PER_PART,
    Part,
    _points,
    article_parts,
    chosen_points,
    distinct_points,
    held_figures,
    lead_figures,
    points_asked,
)
from summarizer._pipeline._protocol import Budget, Env, Notes
from summarizer._pipeline._translate import EnglishPiece

from .fake_server import Reply, ScriptedServer, chat_completion

loopback = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def _pieces(words_per_paragraph: list[int]) -> list[EnglishPiece]:
    texts = [" ".join(f"w{n}x{i}" for i in range(count)) + "." for n, count in enumerate(words_per_paragraph, 1)]
    return [EnglishPiece(n, text, text) for n, text in enumerate(texts, 1)]


def test_an_article_is_cut_into_parts_of_about_equal_length_in_order() -> None:
    pieces = _pieces([100, 20, 20, 20, 100, 40, 40, 20, 90, 150])
    parts = article_parts(pieces)
    # 600 words: four parts of about 150, each piece whole and in the article's order.
    assert len(parts) == 4 and [p.number for p in parts] == [1, 2, 3, 4]
    assert [piece for part in parts for piece in part.pieces] == pieces
    assert [sum(len(piece.english.split()) for piece in part.pieces) for part in parts] == [140, 160, 150, 150]


def test_parts_never_outnumber_the_key_points_of_a_brief_nor_the_pieces() -> None:
    assert len(article_parts(_pieces([300] * 10))) == 6  # 3,000 words: six parts of 500
    assert len(article_parts(_pieces([400]))) == 1  # one piece cannot be cut
    assert article_parts([]) == []


def test_a_short_article_is_one_part_asked_for_three_points_and_a_long_one_for_fewer_per_part() -> None:
    assert points_asked(1) == (3, MOST_POINTS_PER_PART)
    assert points_asked(2) == (2, 3)
    assert points_asked(4) == (1, 2)
    assert points_asked(6) == (1, 1)


def test_the_chosen_points_take_each_parts_first_before_any_second_and_spread_over_the_article() -> None:
    by_part = [["1a", "1b"], ["2a", "2b"], ["3a"], ["4a", "4b"]]
    assert chosen_points(by_part, 6) == ["1a", "1b", "2a", "3a", "4a", "4b"]  # seconds: the first and the last
    assert chosen_points(by_part, 4) == ["1a", "2a", "3a", "4a"]
    # Room for fewer parts than there are: the first, the last, and between, not the first three.
    assert chosen_points(by_part, 3) == ["1a", "3a", "4a"]
    assert chosen_points([[], ["2a"]], 6) == ["2a"]


def test_the_chosen_points_keep_first_a_part_s_point_that_states_a_figure_nothing_else_does() -> None:
    [billion, percent] = extract_figures("Dự án 1,6 tỷ USD, tăng 12%.", "vi")
    by_part = [["1a", "1b"], ["2a", "Amkor invested $1.6 billion in the plant."], ["3a", "3b"]]
    # Room for three: the part's second point that states the figure, then the other parts' first.
    assert chosen_points(by_part, 3, needed=[billion, percent]) == [
        "1a",
        "Amkor invested $1.6 billion in the plant.",
        "3a",
    ]
    assert chosen_points(by_part, 3) == ["1a", "2a", "3a"]  # no figure needed: the spread alone
    # The point kept for its figure is its part's second: the other parts' firsts come before any second.
    last = [["1a", "1b"], ["2a", "2b"], ["3a", "Amkor invested $1.6 billion in the plant."]]
    assert chosen_points(last, 3, needed=[billion]) == ["1a", "2a", "Amkor invested $1.6 billion in the plant."]


def test_a_point_that_says_again_another_part_s_is_not_chosen_beside_it() -> None:
    said = "In the first eight months, revenue reached only 53.17% of the 2020 estimate."
    again = "In the first eight months, revenue reached only 53.17% of the estimate for 2020, down 16%."
    other = "In the first eight months, exports reached only 12% of the 2020 target."
    by_part = [["1a", said], [again, "2b"], ["3a"]]
    # Part 2's first says part 1's second again (with one figure more): the two parts' points
    # overlap, and the room goes to a point that says something else. Firsts are chosen first.
    assert chosen_points(by_part, 6) == ["1a", again, "2b", "3a"]
    assert chosen_points([["1a"], [said], [again]], 3) == ["1a", said]
    # Alike in words is not enough: a figure of one that the other lacks makes two facts.
    assert chosen_points([[said], [other]], 6) == [said, other]
    assert chosen_points([[said, "1b"], ["2a", "2b"]], 6) == [said, "1b", "2a", "2b"]


ARTICLE = (
    "Province reports its year\n\n"
    + " ".join(f"In the north, road {n} was built by the province." for n in range(1, 9))
    + "\n\n"
    + " ".join(f"In the south, school {n} opened for the pupils." for n in range(1, 9))
    + "\n\n"
    + " ".join(f"Exports of product {n} grew strongly in the year." for n in range(1, 9))
    + "\n"
)


@loopback
def test_each_part_is_asked_for_its_own_key_points_and_the_brief_is_written_from_them() -> None:
    def points(body: dict[str, Any]) -> Reply:
        user = body["messages"][1]["content"]
        part = user.split("<part>", 1)[1].split("</part>", 1)[0].strip()
        return Reply(body=chat_completion(json.dumps({"points": [part.rsplit(". ", 1)[-1]]})))  # its last sentence

    summary = " ".join(["The province reported on its roads, schools and exports in the year."] * 6)
    draft = {"headline": "Province reports its year", "summary": summary, "figures": []}
    with ScriptedServer([Reply(body=chat_completion(json.dumps(draft)))], parts=points) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        with Summarizer(settings) as summarizer:
            brief = summarizer.brief(ARTICLE)
    asked = sorted(r["body"]["messages"][1]["content"] for r in server.part_requests)
    # Two parts of about 115 words, each asked for two or three points, and asked again for the
    # second: the first holds the roads, the second the schools and the exports.
    assert len(asked) == 4 and all("Write 2 to 3 key points" in text for text in asked)
    assert "road 1 " in asked[0] and "product 8 " in asked[2] and "road 1 " not in asked[2]
    assert brief.key_points == [
        "In the north, road 8 was built by the province.",
        "Province reports its year",  # the part's own first sentence stands in for the second point
        "Exports of product 8 grew strongly in the year.",
        "In the south, school 1 opened for the pupils.",
    ]
    # The brief is asked after the parts, with their points.
    brief_prompt = server.requests[0]["body"]["messages"][1]["content"]
    assert f"- {brief.key_points[0]}\n- {brief.key_points[1]}\n" in brief_prompt.split("part by part:")[1]
    assert [w for w in brief.meta.warnings if w.startswith("part ")] == [
        "part 1 of 2: the model gave 1 of the 2 key points asked; its first sentences stand in for 1",
        "part 2 of 2: the model gave 1 of the 2 key points asked; its first sentences stand in for 1",
    ]


def test_a_part_is_held_to_its_first_key_figures_an_amount_in_its_precise_form_and_once() -> None:
    text = (
        "Dong Nai licenses projects worth more than VND10 trillion. The 8 projects total more than VND10.43 trillion, "
        "among them $311 million of foreign capital, and 12,000 jobs. Exports grew 7% and imports 5%."
    )
    stated = extract_figures(text, "en")
    held = [figure.english for figure in lead_figures(stated, 3)]
    # The title's rounder amount gives way to the lead's; a count is no key figure; the third is 7%, not 5%.
    assert held == ["more than VND10.43 trillion", "$311 million", "7%"]
    pieces = [EnglishPiece(1, text, text), EnglishPiece(2, "Exports grew 7% and 9%.", "Exports grew 7% and 9%.")]
    parts = article_parts(pieces, words=10)
    figures = extract_figures(" ".join(piece.english for piece in pieces), "en")
    # 7%, held by the first part, is not held again by the second, which states it too.
    assert [[f.english for f in held] for held in held_figures(parts, figures)] == [held, ["9%"]]


FIGURE_ARTICLE = (
    "Province reports its year\n\n"
    "The province licensed 8 projects on Monday. They total $311 million, officials said. "
    "Exports grew 7% in the year.\n\nThái Minh"
)
"""An article of one part, its byline on a line of its own."""


LICENSED, EXPORTS = "The province licensed 8 projects worth $311 million.", "Exports grew 7% in the year."


@loopback
def test_a_lead_figure_the_points_leave_out_is_not_asked_again_but_gets_a_key_point_of_its_own() -> None:
    # Asked again, the model wrote the same points word for word (the Vietnamese seed's parts 1 and
    # 2): the part's points are taken as they are, and the brief's coverage asks for the figure alone.
    part_answer = [
        "The province licensed 8 projects on Monday.",
        "Exports grew 7% in the year.",
        "Officials spoke at the ceremony.",
    ]
    summary = " ".join(["The province licensed 8 projects on Monday, and exports grew 7% in the year."] * 5)
    draft = {"headline": "Province reports its year", "summary": summary}

    def replies(body: dict[str, Any]) -> Reply:
        if "one key point of an English" in body["messages"][0]["content"]:
            return Reply(body=chat_completion(json.dumps({"point": "The 8 projects total $311 million."})))
        return Reply(body=chat_completion(json.dumps(draft)))

    parts = lambda body: Reply(body=chat_completion(json.dumps({"points": part_answer})))  # noqa: E731
    with ScriptedServer(replies, parts=parts) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        with Summarizer(settings) as summarizer:
            brief = summarizer.brief(FIGURE_ARTICLE)
    [asked] = (r["body"]["messages"] for r in server.part_requests)  # once: no re-ask
    assert "[2] $311 million *\n[3] 7% *" in asked[1]["content"]
    key_point_requests = [
        r for r in server.requests if "one key point of an English" in r["body"]["messages"][0]["content"]
    ]
    assert (
        len(key_point_requests) == 1
        and "The figures to state: $311 million" in key_point_requests[0]["body"]["messages"][-1]["content"]
    )
    assert brief.key_points == [*part_answer, "The 8 projects total $311 million."]
    assert [w for w in brief.meta.warnings if "311" in w and "description" not in w] == [
        "the model left out $311 million ('$311 million'), from paragraph 2: "
        "a key point stating it was asked for and added"
    ]
    # The byline is set aside: never part of the article the model sees, told in the result.
    assert brief.meta.source_credits == ["Thái Minh"] and "Thái Minh" not in asked[1]["content"]
    assert "; credits: Thái Minh" in render_markdown(brief)


def test_a_point_that_says_another_again_is_one_point_the_more_precise() -> None:
    # Fidelity article 01: a part's two points, the second the first with its figures exact.
    rough = "Ba Ria - Vung Tau approved eight projects totaling more than VND10 trillion."
    precise = (
        "In the first quarter of 2017, Ba Ria - Vung Tau granted 8 large projects with more than VND10.43 trillion."
    )
    other = "Foreign projects total $311 million and domestic ones VND3.588 trillion."
    assert distinct_points([rough, other, precise]) == [precise, other]
    assert distinct_points([rough, other]) == [rough, other]


def test_a_repeated_point_gives_way_to_the_part_s_sentence_with_a_figure_the_points_leave_out() -> None:
    source = (
        "Tỉnh cấp phép 8 dự án với tổng vốn 10.430 tỷ đồng. Lễ trao giấy phép diễn ra trang trọng tại tỉnh. "
        "Trong đó 4 dự án nước ngoài có vốn 311 triệu USD."
    )
    english = (
        "The province licensed 8 projects with total capital of VND10.43 trillion. The licensing ceremony was "
        "held solemnly in the province. Of these, 4 foreign projects have capital of $311 million."
    )
    article = clean_article(source)
    figures = extract_figures(article.text, "vi")
    env = Env(DEFAULT_GLOSSARY, None, Budget(8192, 2048))
    notes = Notes()
    part = Part(1, 2, (EnglishPiece(1, source, english),))
    steps = _points(part, (), article, figures, env, notes, env.prompt("part_points"))
    next(steps)
    said = "The province licensed 8 projects with total capital of VND10.43 trillion."
    again = "The province licensed 8 projects, with total capital of VND10.43 trillion, this year."
    with pytest.raises(StopIteration) as done:
        steps.send(PartPoints(points=[said, again]))
    points, _ = done.value.value
    # The longer of the two stays; the sentence that states $311 million, not the ceremony, stands in.
    assert points == [again, "Of these, 4 foreign projects have capital of $311 million."]
    assert notes.warnings == [
        "part 1 of 2: the model gave 1 of the 2 key points asked (1 repeating another); "
        "its first sentences stand in for 1"
    ]


def test_a_bare_figure_for_a_key_point_is_sent_back_asking_for_one_full_sentence() -> None:
    # Fidelity article 02: "VND4 trillion" came back as a key point, saying nothing of what it is.
    figures = extract_figures("Dự án nộp ngân sách 4.000 tỷ đồng mỗi năm.", "vi")
    checks = PartPointsChecks(glossary=DEFAULT_GLOSSARY, source_figures=figures, fewest=2)
    with pytest.raises(ValueError, match="write key point 2 as one full sentence: who or what did what"):
        PartPoints.model_validate(
            {"points": ["The project pays VND4 trillion a year.", "VND4 trillion"]}, context=checks
        )
    point = KeyPointChecks(glossary=DEFAULT_GLOSSARY, source_figures=figures, figures=figures[:1])
    with pytest.raises(ValueError, match="write the key point as one full sentence: who or what did what"):
        KeyPoint.model_validate({"point": "VND4 trillion"}, context=point)
    assert KeyPoint.model_validate({"point": "The project pays VND4 trillion a year."}, context=point)


@loopback
def test_a_part_s_point_in_the_wrong_currency_is_mended_and_warned_with_its_part() -> None:
    part_answer = [
        "The province licensed 8 projects worth VND311 million.",
        EXPORTS,
        "Officials spoke at the ceremony.",
    ]
    summary = " ".join(["The province licensed 8 projects worth $311 million, and exports grew 7% in the year."] * 5)
    draft = {"headline": "Province reports its year", "summary": summary}
    parts = lambda body: Reply(body=chat_completion(json.dumps({"points": part_answer})))  # noqa: E731
    with ScriptedServer([Reply(body=chat_completion(json.dumps(draft)))], parts=parts) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        with Summarizer(settings) as summarizer:
            brief = summarizer.brief(FIGURE_ARTICLE)
    assert len(server.part_requests) == 1 and brief.key_points[0] == LICENSED
    assert (
        "part 1 of 1: a key point wrote 'VND311 million' for $311 million ('$311 million'): "
        "put in the article's currency" in brief.meta.warnings
    )


@loopback
def test_a_part_s_answer_cut_off_in_its_figure_notes_keeps_its_key_points() -> None:
    # Fidelity article 03: a part's figure notes ran on past the output limit after its two points.
    points = [LICENSED, EXPORTS, "Officials spoke at the ceremony."]
    whole = json.dumps({"points": points, "figures": [{"id": 1, "refers_to": "projects"}]})
    cut = chat_completion(whole[: whole.index('"refers_to"')] + '"refers_to": "the projects of the province, and')
    cut["choices"][0]["finish_reason"] = "length"
    summary = " ".join(["The province licensed 8 projects worth $311 million, and exports grew 7% in the year."] * 5)
    draft = {"headline": "Province reports its year", "summary": summary}
    with ScriptedServer([Reply(body=chat_completion(json.dumps(draft)))], parts=lambda _: Reply(body=cut)) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        with Summarizer(settings) as summarizer:
            brief = summarizer.brief(FIGURE_ARTICLE)
    assert len(server.part_requests) == 1  # not asked again: the points it wrote whole are kept
    assert brief.key_points == [LICENSED, EXPORTS, "Officials spoke at the ceremony."]
    assert "part 1 of 1: the model's answer was cut off before 'figures': it was kept without" in brief.meta.warnings
    assert not [w for w in brief.meta.warnings if "stand in" in w or "could not be written" in w]


def test_points_written_as_objects_of_their_sentence_are_taken_as_the_sentence() -> None:
    # Fidelity article 04: a part's points came back as objects, twice, and the part lost its points.
    figures = extract_figures("Dự án nộp ngân sách 4.000 tỷ đồng mỗi năm.", "vi")
    checks = PartPointsChecks(glossary=DEFAULT_GLOSSARY, source_figures=figures, fewest=2)
    written = {
        "points": [
            {"text": "The project pays VND4 trillion a year to the budget.", "figures": [1]},
            "The project pays its taxes every year.",
        ]
    }
    answer = PartPoints.model_validate_json(json.dumps(written), context=checks, strict=True)
    assert answer.points == [
        "The project pays VND4 trillion a year to the budget.",
        "The project pays its taxes every year.",
    ]
    with pytest.raises(ValueError, match="valid string"):  # an object of two sentences is no one point
        PartPoints.model_validate({"points": [{"text": "One.", "more": "Two."}, "A point."]}, context=checks)
