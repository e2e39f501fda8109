"""A task's independent requests go out side by side: a brief's translation chunks all in flight at
once, their results in article order, and a failed branch closing its siblings."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from summarizer import BackendError, Progress, Summarizer, resolve_settings
from summarizer._answers import SummaryContent
from summarizer._backend import Completion
from summarizer._cache import ResponseCache
from summarizer._checks import Checks, SummaryChecks
from summarizer._driver import Task, TaskRun
from summarizer._errors import Usage
from summarizer._hygiene import clean_article
from summarizer._pipeline import Fork, Notes, Request

from .fake_server import Reply, ScriptedServer, chat_completion, paragraph_numbers

loopback = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
ORDINALS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
VIETNAMESE = ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười"]
# Ten short paragraphs without figures: two translation chunks (at most eight paragraphs each).
ARTICLE = "\n\n".join(f"Đoạn văn thứ {word} nói về kinh tế của tỉnh và việc làm cho người dân." for word in VIETNAMESE)
SUMMARY = (
    "The province described its economy and the jobs it offers to residents in ten short paragraphs. "
    "Officials said the plans would bring work to many families. They asked companies to invest in the area. "
    "Residents welcomed the news and asked for training courses close to their homes. "
    "The report did not give any figures for the plans, and it named no companies or dates."
)
BRIEF = json.dumps(
    {
        "headline": "The province describes its economy",
        "summary": SUMMARY,
        "key_points": ["The economy was described.", "Jobs were promised.", "Residents asked for training."],
        "figures": [],
    }
)


def _translation(numbers: list[int]) -> Reply:
    paragraphs = [{"n": n, "text": f"Paragraph {ORDINALS[n - 1]} is about the economy and jobs."} for n in numbers]
    return Reply(body=chat_completion(json.dumps({"paragraphs": paragraphs})))


class ChunksTogether:
    """Answers a translation request only once every chunk's request has arrived: a driver that
    sends them one after another never gets past the first (the barrier breaks, HTTP 500)."""

    def __init__(self, chunks: int) -> None:
        self.barrier = threading.Barrier(chunks, timeout=30)

    def __call__(self, body: dict[str, Any]) -> Reply:
        if "<paragraphs>" not in body["messages"][1]["content"]:
            return Reply(body=chat_completion(BRIEF))
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return Reply(status=500, body={"error": {"message": "the chunks were not sent together"}})
        return _translation(paragraph_numbers(body))


def _summarizer(server: ScriptedServer) -> Summarizer:
    return Summarizer(resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={}))


def _check_brief_and_requests(server: ScriptedServer, headline: str) -> None:
    assert headline == "The province describes its economy"
    chunks = [paragraph_numbers(request["body"]) for request in server.requests[:2]]
    assert sorted(chunks) == [list(range(1, 9)), [9, 10]]
    # The brief is written from the translation, in article order, once both chunks are back.
    brief_prompt = server.requests[2]["body"]["messages"][1]["content"]
    positions = [brief_prompt.index(f"Paragraph {word} is") for word in ORDINALS]
    assert positions == sorted(positions)


@loopback
def test_a_briefs_translation_chunks_are_in_flight_at_once() -> None:
    with ScriptedServer(ChunksTogether(2)) as server, _summarizer(server) as summarizer:
        brief = summarizer.brief(ARTICLE)
    _check_brief_and_requests(server, brief.headline)
    # Two chunks, the key points of the article's one part, the brief.
    assert brief.meta.attempts == 4 and brief.meta.usage == Usage(40, 20)


@loopback
def test_the_async_brief_sends_its_chunks_at_once_too() -> None:
    async def main(server: ScriptedServer) -> str:
        async with _summarizer(server) as summarizer:
            return (await summarizer.abrief(ARTICLE)).headline

    with ScriptedServer(ChunksTogether(2)) as server:
        headline = asyncio.run(main(server))
    _check_brief_and_requests(server, headline)


@loopback
@pytest.mark.parametrize("driver", ["sync", "async"])
def test_a_failed_chunk_fails_the_brief_and_no_brief_is_asked_for(driver: str) -> None:
    def replies(body: dict[str, Any]) -> Reply:
        numbers = paragraph_numbers(body)
        if numbers == [9, 10]:
            return Reply(status=400, body={"error": {"message": "bad chunk"}})
        return _translation(numbers) if numbers else Reply(body=chat_completion(BRIEF))

    async def abrief(summarizer: Summarizer) -> None:
        async with summarizer:
            await summarizer.abrief(ARTICLE)

    with (
        ScriptedServer(replies) as server,
        _summarizer(server) as summarizer,
        pytest.raises(BackendError, match="HTTP 400") as failed,
    ):
        if driver == "sync":
            summarizer.brief(ARTICLE)
        else:
            asyncio.run(abrief(summarizer))
    assert all("<paragraphs>" in r["body"]["messages"][1]["content"] for r in server.requests)
    assert failed.value.task_attempts <= 1  # only the good chunk's answer, if it came first


# -- the stepper on its own ---------------------------------------------------------------------


def _request(label: str) -> Request[SummaryContent]:
    return Request(SummaryContent, [{"role": "user", "content": label}], SummaryChecks(language="en"))


def _answer(label: str) -> Completion[Any]:
    content = SummaryContent.model_construct(title=label, lead="", summary="", key_points=[])
    return Completion(value=content, usage=Usage(1, 1), attempts=1)


def test_forks_nest_and_return_in_order_whatever_order_the_answers_come_in() -> None:
    def leaf(label: str) -> Generator[Any, Any, str]:
        answer = yield _request(label)
        return str(answer.title)

    def pair(first: str, second: str) -> Generator[Any, Any, str]:
        results = yield Fork((leaf(first), leaf(second)))
        return "+".join(results)

    def steps() -> Generator[Any, Any, Any]:
        results = yield Fork((pair("a", "b"), leaf("c"), pair("d", "e")))
        return lambda info: results

    run: TaskRun[Any] = TaskRun(Task(clean_article("x"), Notes(), steps()), resolve_settings(env={}), None)
    requests = run.pending()
    assert [r.messages[0]["content"] for r in requests] == ["a", "b", "c", "d", "e"]
    backwards = list(reversed(requests))
    run.feed(backwards, [_answer(r.messages[0]["content"]) for r in backwards])
    assert run.pending() == []
    assert run.task.steps.gi_frame is None and run.tally.attempts == 5
    assert run.result() == ["a+b", "c", "d+e"]


def test_a_failed_branch_closes_its_siblings_and_is_raised_where_it_forked() -> None:
    closed: list[str] = []

    def leaf(label: str) -> Generator[Any, Any, str]:
        try:
            answer = yield _request(label)
        except GeneratorExit:
            closed.append(label)
            raise
        if label == "bad":
            raise ValueError("bad answer")
        return str(answer.title)

    def steps() -> Generator[Any, Any, Any]:
        try:
            yield Fork((leaf("good"), leaf("bad"), leaf("late")))
        except ValueError as exc:
            caught = str(exc)
        again = yield _request("after")
        return lambda info: (caught, again.title)

    run: TaskRun[Any] = TaskRun(Task(clean_article("x"), Notes(), steps()), resolve_settings(env={}), None)
    good, bad, _ = run.pending()
    run.feed([bad], [_answer("bad")])
    assert closed == ["good", "late"]
    [after] = run.pending()
    assert after.messages[0]["content"] == "after"
    run.feed([good, after], [_answer("good"), _answer("after")])  # a closed branch's late answer is dropped
    assert run.pending() == [] and run.result() == ("bad answer", "after")
    assert run.tally.attempts == 3  # the closed branch's late answer was paid for: it counts


class Label(BaseModel):
    """An answer that a cached copy of always passes."""

    text: str


def _label_request(label: str) -> Request[Label]:
    return Request(Label, [{"role": "user", "content": label}], Checks[Label]())


def test_a_rerun_takes_every_answer_from_the_cache_whatever_ids_its_requests_had(tmp_path: Path) -> None:
    # Each round's answer frees its request before the fork asks two more: CPython hands the freed
    # id to one of them, which a stepper that remembered ids alone would send to the model unlooked-up.
    def leaf(label: str) -> Generator[Any, Any, str]:
        answer = yield _label_request(label)
        return str(answer.text)

    def steps() -> Generator[Any, Any, Any]:
        texts = []
        for round_ in range(30):
            texts.append((yield _label_request(f"alone {round_}")).text)
            texts += yield Fork((leaf(f"left {round_}"), leaf(f"right {round_}")))
        return lambda info: texts

    def answer(request: Request[Any]) -> Completion[Any]:
        return Completion(value=Label(text=request.messages[0]["content"]), usage=Usage(1, 1), attempts=1)

    settings, cache = resolve_settings(env={}), ResponseCache(tmp_path / "cache.sqlite3")
    first: TaskRun[Any] = TaskRun(Task(clean_article("x"), Notes(), steps()), settings, cache)
    while requests := first.pending():
        first.feed(requests, [answer(request) for request in requests])
    second: TaskRun[Any] = TaskRun(Task(clean_article("x"), Notes(), steps()), settings, cache)
    assert second.pending() == []
    assert second.tally.cached == 90 and second.result() == first.result()


@loopback
def test_progress_is_reported_by_stage_with_the_models_speed() -> None:
    seen: list[Progress] = []
    with ScriptedServer(ChunksTogether(2)) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        with Summarizer(settings, progress=seen.append) as summarizer:
            summarizer.brief(ARTICLE, name="a.txt")
    stages = [event.stage for event in seen]
    assert stages[0] == "reading" and stages[-1] == "checking"
    assert list(dict.fromkeys(stages)) == ["reading", "translating", "writing", "checking"]
    translating = [event for event in seen if event.stage == "translating"]
    assert (translating[0].done, translating[0].total) == (0, 2) and (translating[-1].done, translating[-1].total) == (
        2,
        2,
    )
    assert translating[-1].tokens_per_second and translating[-1].tokens_per_second > 0
    assert str(translating[-1]).startswith("translating 2/2 · ") and all(event.name == "a.txt" for event in seen)
