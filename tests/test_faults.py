"""Transport and answer faults from a loopback server, for single briefs and for batches.

Each fault is met with `--retries 1 --reasks 2 --timeout 0.5`, so that the two retry layers can be told
apart by the number of requests the server sees: a transport fault is sent 2 times (the openai client's
retries), an invalid answer 3 times (the re-asks), never 2 x 3; a 200 that is no chat completion at all is
sent once and reported as the server's fault. For each fault the tests check that
count, the exit code, the one line the user sees (the file and the cause), and in a batch that the other
articles are done and written exactly once, with no temporary file left.

Waits are checked so that a busy machine cannot fail them: a wait the server asked for is measured on
the server's clock as "at least", and "no longer than asked" is checked on the sleeps the client and
the gate ask for, not on the wall clock. Replies that must come in a given order wait on conditions.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner, Result

from summarizer import BackendError, Brief, OutputValidationError, resolve_settings
from summarizer._backend import BackoffGate, ChatBackend
from summarizer._batch import MANIFEST_NAME
from summarizer._files import write_text_atomic
from summarizer._pipeline._brief import PROSE_REASKS
from summarizer.cli import EXIT_BACKEND, EXIT_FAILURE, EXIT_OUTPUT, app

from .fake_server import Fault, FaultServer, Reply, chat_completion
from .test_batch import brief_reply, make_folder, manifest

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
runner = CliRunner()

RETRIES = 1
REASKS = 2
TIMEOUT = 0.5
TRANSPORT_TRIES = RETRIES + 1
ANSWER_TRIES = REASKS + 1
PROSE_TRIES = PROSE_REASKS + 1


def cli_options(timeout: float = TIMEOUT) -> list[str]:
    return ["--retries", str(RETRIES), "--reasks", str(REASKS), "--timeout", f"{timeout:g}"]


OPTIONS = cli_options()
CLOCK_SLACK = 0.01
"""Sleeps may end a hair early by the clock's resolution."""
HANG_GUARD = 60.0
"""The longest a scripted reply waits for a condition: only a broken run gets there."""
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _error(status: int, message: str, **headers: str) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": "server_error"}}, headers=headers)


def _truncated() -> Reply:
    body = chat_completion('{"headline": "City approves a new ind')
    body["choices"][0]["finish_reason"] = "length"
    return Reply(body=body)


def _no_choices() -> Reply:
    body = chat_completion("")
    body["choices"] = []
    return Reply(body=body)


PART_ANSWERS, PART_TOKENS = 1, 10
"""Each article here is one part: its key points are one answer (of 10 prompt tokens), which the
fault server's `parts` gives; the faults are the other requests'."""


@dataclass(frozen=True)
class FaultCase:
    """A fault the server answers every request of an article with, and what the user must get."""

    id: str
    reply: Callable[[], Reply]
    exit_code: tuple[int, ...]
    requests: range
    """How many requests the server may see for the article."""
    cause: str
    """The start of the one-line error after the file name; {url} stands for the server's address."""
    answers: int = 0
    """Answers the failed article's manifest entry counts (transport faults bring none)."""
    xfail: str | None = None

    def param(self) -> Any:
        marks = [pytest.mark.xfail(reason=self.xfail, strict=True)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


_EXACT_TRANSPORT = range(TRANSPORT_TRIES, TRANSPORT_TRIES + 1)
_ANSWER_NUMBERS = itertools.count(1)


def _invalid_answer(number: int) -> str:
    """An invalid brief draft whose faults differ from those of the answer numbered one less."""
    field = "headline" if number % 2 else "summary"
    return json.dumps({field: number})


FAULTS = [
    FaultCase(
        "429 with Retry-After",
        lambda: _error(429, "Rate limit reached", **{"retry-after": "0.2"}),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        "{url} answered HTTP 429: Error code: 429 - ",
    ),
    FaultCase(
        "429 without Retry-After",
        lambda: _error(429, "Rate limit reached"),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        "{url} answered HTTP 429: Error code: 429 - ",
    ),
    FaultCase(
        "500",
        lambda: _error(500, "internal error"),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        "{url} answered HTTP 500: Error code: 500 - ",
    ),
    FaultCase(
        "502 nginx page",
        lambda: Fault(status=502, raw=NGINX_502, content_type="text/html"),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        "{url} answered HTTP 502: <html>",
    ),
    FaultCase(
        "503",
        lambda: _error(503, "overloaded"),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        "{url} answered HTTP 503: Error code: 503 - ",
    ),
    FaultCase(
        "hangs past the timeout",
        lambda: Fault(delay=30, body=chat_completion("{}")),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        f"{{url}}: no answer within {TIMEOUT:g} s ({TRANSPORT_TRIES} tries)",
    ),
    FaultCase(
        "connection dropped",
        lambda: Fault(drop=True),
        (EXIT_BACKEND,),
        _EXACT_TRANSPORT,
        f"cannot reach {{url}} ({TRANSPORT_TRIES} tries): "
        "RemoteProtocolError: Server disconnected without sending a response",
    ),
    FaultCase(
        "schema never met",
        # A different invalid answer each time, with other faults than the one before: an answer
        # repeated word for word, or with the same faults, ends the re-asks early.
        lambda: Reply(body=chat_completion(_invalid_answer(next(_ANSWER_NUMBERS)))),
        (EXIT_OUTPUT,),
        range(ANSWER_TRIES + PROSE_TRIES, ANSWER_TRIES + PROSE_TRIES + 1),  # then the prose alone
        f"the model's answer did not fit the BriefDraft schema after {ANSWER_TRIES} attempt(s): ",
        answers=ANSWER_TRIES + PROSE_TRIES,
    ),
    FaultCase(
        "truncated (finish_reason length)",
        _truncated,
        (EXIT_OUTPUT,),
        range(2, 3),  # the draft, then the prose alone
        "the answer was cut off at the 2048-token limit before the JSON was complete; raise --max-output-tokens",
        answers=2,
    ),
    # A 200 that is no chat completion is the server's fault: neither re-asked nor retried. (These three
    # raised JSONDecodeError or instructor's ResponseParsingError before: a re-ask loop over the same
    # request, or a traceback that aborted a whole batch.)
    FaultCase(
        "body not JSON (application/json)",
        lambda: Fault(raw=b"upstream error: model crashed", content_type="application/json"),
        (EXIT_BACKEND,),
        range(1, 2),
        "{url} answered HTTP 200 with a body that is not JSON",
    ),
    FaultCase(
        "body not JSON (text/html)",
        lambda: Fault(raw=b"<html><body>Service Unavailable</body></html>", content_type="text/html"),
        (EXIT_BACKEND,),
        range(1, 2),
        "{url} answered HTTP 200 with something that is not a chat completion",
    ),
    FaultCase(
        "empty choices", _no_choices, (EXIT_BACKEND,), range(1, 2), "{url} answered with an empty list of choices"
    ),
]
FAULT_PARAMS = [case.param() for case in FAULTS]


def is_faulty(body: dict[str, Any], marker: str = "approves park 2\n") -> bool:
    return any(marker in message["content"] for message in body["messages"])


def one_error_line(result: Result) -> str:
    """The single stderr line of a failed command, without its prefix."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"{result.stderr!r} {result.exception!r}"
    assert lines[0].startswith("summarizer: error: "), lines[0]
    return lines[0].removeprefix("summarizer: error: ")


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".summarizer-write-check" in p.name]


def run_brief(server: FaultServer, article: Path, *extra: str) -> Result:
    return runner.invoke(app, ["brief", str(article), *OPTIONS, *extra], env=server.env())


@pytest.fixture
def requested_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds asked of `time.sleep` during the test, which still sleeps: the openai client's
    retry waits and the gate's pauses (a single brief runs synchronously). Unlike the wall clock,
    these do not grow when the machine is busy."""
    asked: list[float] = []
    sleep = time.sleep

    def recording(seconds: float) -> None:
        asked.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(time, "sleep", recording)
    return asked


# -- single briefs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", FAULT_PARAMS)
def test_single_brief_meets_a_fault(case: FaultCase, tmp_path: Path) -> None:
    article = make_folder(tmp_path, 2) / "a02.txt"
    out = tmp_path / "brief.json"
    with FaultServer(lambda body, n: case.reply()) as server:
        result = run_brief(server, article, "-o", str(out))
    assert result.exit_code in case.exit_code, f"{result.stderr!r} {result.exception!r}"
    assert len(server.requests) in case.requests
    line = one_error_line(result)
    assert line.startswith(f"{article}: {case.cause.format(url=server.base_url)}"), line
    assert not out.exists() and no_temporary_files(tmp_path)


# Retried by the client: transport faults, which bring no answer.
TRANSIENT = [case for case in FAULTS if case.requests == _EXACT_TRANSPORT and not case.answers and not case.xfail]


@pytest.mark.parametrize("case", TRANSIENT, ids=lambda case: case.id)
def test_single_brief_recovers_from_one_transport_fault(case: FaultCase, tmp_path: Path) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    with FaultServer(lambda body, n: case.reply() if n == 1 else brief_reply(body)) as server:
        result = run_brief(server, article, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len(server.requests) == 2
    brief = Brief.model_validate_json(result.stdout)
    # The transport retry is no attempt: one answer, its tokens only (and its part's key points).
    assert (brief.meta.attempts, brief.meta.usage.prompt_tokens) == (1 + PART_ANSWERS, 100 + PART_TOKENS)


def test_single_brief_recovers_from_one_invalid_answer(tmp_path: Path) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    with FaultServer(lambda body, n: Reply(body=chat_completion("{}")) if n == 1 else brief_reply(body)) as server:
        result = run_brief(server, article, "--format", "json")
    assert result.exit_code == 0, result.stderr
    brief = Brief.model_validate_json(result.stdout)
    assert (len(server.requests), brief.meta.attempts, brief.meta.usage.prompt_tokens) == (
        2,
        2 + PART_ANSWERS,
        110 + PART_TOKENS,
    )
    reask = server.requests[1]["body"]["messages"]
    assert reask[-2] == {"role": "assistant", "content": "{}"}


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "1"}, 1.0),
        ({"retry-after": "0.6"}, 0.6),
        # openai 3.3.0 reads retry-after-ms first, and so does the gate: 30 s is not waited.
        ({"retry-after-ms": "300", "retry-after": "30"}, 0.3),
        # No Retry-After: the openai client would back off 0.375-0.5 s; the gate holds one second.
        ({}, 1.0),
    ],
    ids=["retry-after 1", "retry-after 0.6", "retry-after-ms wins", "none: one second"],
)
def test_single_brief_waits_as_a_429_asks(
    headers: dict[str, str], wait: float, tmp_path: Path, requested_sleeps: list[float]
) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    with FaultServer(
        lambda body, n: _error(429, "Rate limit reached", **headers) if n == 1 else brief_reply(body)
    ) as server:
        result = run_brief(server, article)
    assert result.exit_code == 0, result.stderr
    first, second = server.arrivals()
    assert second - first >= wait - CLOCK_SLACK
    # No longer than asked: the client's wait and the gate's pause together ask for `wait` (the 30 s
    # Retry-After beside retry-after-ms, or a pause on top of the client's wait, would show here).
    assert 0 < sum(requested_sleeps) <= wait + CLOCK_SLACK, requested_sleeps


def test_429_asking_for_more_than_two_minutes_fails_at_once(tmp_path: Path, requested_sleeps: list[float]) -> None:
    # openai 3.3.0 does not retry when Retry-After is over 120 s: one request, and the user is told now.
    article = make_folder(tmp_path, 1) / "a01.txt"
    with FaultServer([_error(429, "Come back in an hour", **{"retry-after": "3600"})]) as server:
        started = time.monotonic()
        result = run_brief(server, article)
        elapsed = time.monotonic() - started
    assert result.exit_code == EXIT_BACKEND
    # Nothing waited: no sleep was asked for, and the run took nowhere near the 120 s the client
    # would have had to wait (the bound is that loose so that a busy machine cannot reach it).
    assert len(server.requests) == 1 and requested_sleeps == [] and elapsed < 60
    assert one_error_line(result).startswith(f"{article}: {server.base_url} answered HTTP 429: ")


def test_503_retry_after_is_honoured_by_the_client(tmp_path: Path) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    with FaultServer(
        lambda body, n: _error(503, "warming up", **{"retry-after": "0.7"}) if n == 1 else brief_reply(body)
    ) as server:
        result = run_brief(server, article)
    assert result.exit_code == 0, result.stderr
    first, second = server.arrivals()
    assert second - first >= 0.7 - CLOCK_SLACK


def test_gate_and_client_agree_when_retry_after_ms_is_malformed(tmp_path: Path, requested_sleeps: list[float]) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    headers = {"retry-after-ms": "soon", "retry-after": "0.2"}
    with FaultServer(
        lambda body, n: _error(429, "Rate limit reached", **headers) if n == 1 else brief_reply(body)
    ) as server:
        result = run_brief(server, article)
    assert result.exit_code == 0, result.stderr
    first, second = server.arrivals()
    assert second - first >= 0.2 - CLOCK_SLACK
    # Both read the 0.2 s: a gate that fell back to its one second would sleep some 0.8 s more.
    assert 0 < sum(requested_sleeps) <= 0.2 + CLOCK_SLACK, requested_sleeps


# -- the backend directly: one layer per failure kind ----------------------------------------------


class Colour(BaseModel):
    name: str


MESSAGES = [{"role": "user", "content": "Name a colour."}]


def _invalid_colour(number: int) -> str:
    return f'{{"name": {number}}}' if number % 2 else '{"colour": "red"}'


def _backend(server: FaultServer, *, retries: int, reasks: int) -> ChatBackend:
    settings = resolve_settings(
        base_url=server.base_url, model="m", retries=retries, reasks=reasks, timeout=TIMEOUT, cache=False, env={}
    )
    return ChatBackend(settings, server.base_url)


@pytest.mark.parametrize(("retries", "reasks"), [(0, 0), (2, 0), (0, 2), (2, 2)])
def test_attempts_never_multiply(retries: int, reasks: int) -> None:
    with FaultServer([_error(503, "overloaded", **{"retry-after-ms": "10"})]) as server, pytest.raises(BackendError):
        _backend(server, retries=retries, reasks=reasks).complete(Colour, MESSAGES)
    assert len(server.requests) == retries + 1
    with (
        # Invalid each time, with other faults than the answer before (same faults end the re-asks early).
        FaultServer(lambda body, n: Reply(body=chat_completion(_invalid_colour(n)))) as server,
        pytest.raises(OutputValidationError) as caught,
    ):
        _backend(server, retries=retries, reasks=reasks).complete(Colour, MESSAGES)
    assert len(server.requests) == reasks + 1 == caught.value.attempts


def test_an_answer_with_the_faults_of_the_one_before_ends_the_reasks() -> None:
    # Different words, the same fault: the re-ask mended nothing, so no third answer is paid for.
    with (
        FaultServer(lambda body, n: Reply(body=chat_completion(f'{{"colour": "red {n}"}}'))) as server,
        pytest.raises(OutputValidationError) as caught,
    ):
        _backend(server, retries=0, reasks=5).complete(Colour, MESSAGES)
    assert len(server.requests) == 2 == caught.value.attempts


def test_each_reask_has_its_own_transport_retries() -> None:
    # 503, invalid answer, 503, valid answer: two answers (attempts), four requests, nothing lost.
    replies: list[Reply] = [
        _error(503, "overloaded", **{"retry-after-ms": "10"}),
        Reply(body=chat_completion('{"colour": "red"}', prompt_tokens=10, completion_tokens=4)),
        _error(503, "overloaded", **{"retry-after-ms": "10"}),
        Reply(body=chat_completion('{"name": "red"}', prompt_tokens=30, completion_tokens=5)),
    ]
    with FaultServer(replies) as server:
        result = _backend(server, retries=1, reasks=1).complete(Colour, MESSAGES)
    assert result.value.name == "red"
    assert (len(server.requests), result.attempts, result.usage.prompt_tokens) == (4, 2, 40)
    # The retried request is the same request; the re-ask carries the invalid answer and the reason.
    assert server.requests[0]["body"] == server.requests[1]["body"]
    assert server.requests[2]["body"] == server.requests[3]["body"]
    assert server.requests[3]["body"]["messages"][-2]["content"] == '{"colour": "red"}'


def test_a_dropped_connection_then_a_hang_exhaust_the_transport_retries() -> None:
    with (
        FaultServer([Fault(drop=True), Fault(delay=30, body=chat_completion('{"name": "red"}'))]) as server,
        pytest.raises(BackendError) as caught,
    ):
        _backend(server, retries=1, reasks=2).complete(Colour, MESSAGES)
    assert len(server.requests) == 2
    assert str(caught.value) == f"{server.base_url}: no answer within 0.5 s (2 tries)"
    assert caught.value.status_code is None


# -- batches ---------------------------------------------------------------------------------------


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times the batch wrote each file (results and manifest)."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    write = write_text_atomic

    def counting(path: str | Path, text: str, **options: Any) -> None:
        write(path, text, **options)
        with lock:
            counts[Path(path).name] += 1

    for module in ("summarizer._batch", "summarizer._manifest"):
        monkeypatch.setattr(f"{module}.write_text_atomic", counting)
    yield counts


def run_batch(server: FaultServer, folder: Path, out: Path, *extra: str, timeout: float = TIMEOUT) -> Result:
    options = cli_options(timeout)
    return runner.invoke(app, ["batch", str(folder), "-o", str(out), *options, *extra], env=server.env())


@pytest.mark.parametrize("case", FAULT_PARAMS)
def test_batch_isolates_a_fault(case: FaultCase, tmp_path: Path, writes: Counter[str]) -> None:
    folder, out = make_folder(tmp_path, 3), tmp_path / "out"
    with FaultServer(lambda body, n: case.reply() if is_faulty(body) else brief_reply(body)) as server:
        result = run_batch(server, folder, out, "-j", "3")
    faulty = [r for r in server.requests if is_faulty(r["body"])]
    assert len(faulty) in case.requests
    assert len(server.requests) - len(faulty) == 2  # one request for each other article
    entries = manifest(out)
    assert {name: entry.status for name, entry in entries.items()} == {
        "a01.txt": "done",
        "a02.txt": "failed",
        "a03.txt": "done",
    }
    assert result.exit_code == EXIT_FAILURE, f"{result.stderr!r} {result.exception!r}"
    error = f"{folder / 'a02.txt'}: {case.cause.format(url=server.base_url)}"
    # One line on stderr, naming the file and the cause; the table of outcomes goes to stdout.
    assert result.stderr.strip().splitlines() == [f"summarizer: failed: {entries['a02.txt'].error}"]
    assert (entries["a02.txt"].error or "").startswith(error)
    assert entries["a02.txt"].attempts == case.answers + PART_ANSWERS and entries["a02.txt"].outputs == []
    # Everything else finished and was written exactly once; nothing half-written is left.
    assert sorted(p.name for p in out.iterdir()) == ["a01.json", "a01.md", "a03.json", "a03.md", MANIFEST_NAME]
    assert writes == Counter({"a01.json": 1, "a01.md": 1, "a03.json": 1, "a03.md": 1, MANIFEST_NAME: 1})
    assert len((out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()) == 3
    for name in ("a01", "a03"):
        brief = Brief.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))
        assert brief.meta.attempts == 1 + PART_ANSWERS
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"retry-after": "1"}, 1.0), ({"retry-after-ms": "800"}, 0.8), ({}, 1.0)],
    ids=["retry-after 1", "retry-after-ms 800", "none: one second"],
)
def test_batch_429_holds_back_every_request(
    headers: dict[str, str], wait: float, tmp_path: Path, writes: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two articles in flight: a01 meets a 429, sent once a02's request has arrived (so a02 is surely on
    # its way first); a02 is answered once the client has noted the 429, then a03 starts. The pause must
    # hold a01's retry and a03's first request, not only a01's; a02, sent before the 429, is not held.
    # The replies wait on those conditions, not for fixed times, so a busy machine only slows the test.
    folder, out = make_folder(tmp_path, 3), tmp_path / "out"
    a02_arrived, pause_noted = threading.Event(), threading.Event()
    came: dict[str, bool] = {}
    sent: dict[str, float] = {}
    seen_a01 = Counter[str]()
    note = BackoffGate.note

    def noting(gate: BackoffGate, response: Any) -> None:
        note(gate, response)
        if response.status_code == 429:
            pause_noted.set()

    monkeypatch.setattr(BackoffGate, "note", noting)

    def replies(body: dict[str, Any], n: int) -> Reply:
        if is_faulty(body, "approves park 1\n"):
            seen_a01["requests"] += 1
            if seen_a01["requests"] == 1:
                came["a02 while a01 was in flight"] = a02_arrived.wait(HANG_GUARD)
                sent["429"] = time.monotonic()
                return _error(429, "Rate limit reached", **headers)
        if is_faulty(body, "approves park 2\n"):
            a02_arrived.set()
            came["the 429 noted while a02 was in flight"] = pause_noted.wait(HANG_GUARD)
            sent["a02"] = time.monotonic()
        return brief_reply(body)

    with FaultServer(replies) as server:
        # The held replies must not meet the 0.5 s timeout: this test is about the pause.
        result = run_batch(server, folder, out, "-j", "2", timeout=2 * HANG_GUARD)
    assert result.exit_code == 0, result.stderr
    assert came == {"a02 while a01 was in flight": True, "the 429 noted while a02 was in flight": True}
    (_, retried) = server.arrivals(lambda body: is_faulty(body, "approves park 1\n"))
    (in_flight,) = server.arrivals(lambda body: is_faulty(body, "approves park 2\n"))
    (held_back,) = server.arrivals(lambda body: is_faulty(body, "approves park 3\n"))
    paused_from = sent["429"]  # the client starts the pause a little later, when the 429 reaches it
    assert retried - paused_from >= wait - CLOCK_SLACK
    assert held_back > sent["a02"]  # a03 started once a02 was answered...
    assert held_back - paused_from >= wait - CLOCK_SLACK  # ...and waited for the end of the pause
    assert in_flight < paused_from
    assert {entry.status for entry in manifest(out).values()} == {"done"}
    assert writes == Counter({f"a0{n}.{ext}": 1 for n in (1, 2, 3) for ext in ("json", "md")} | {MANIFEST_NAME: 1})
    assert no_temporary_files(tmp_path)


def test_batch_recovers_from_one_fault_of_each_kind(tmp_path: Path, writes: Counter[str]) -> None:
    # Six articles, each meeting a different transient fault once (a01 none): all done, none lost.
    folder, out = make_folder(tmp_path, 6), tmp_path / "out"
    first_faults: dict[int, Callable[[], Reply]] = {
        2: lambda: _error(500, "internal error"),
        3: lambda: Fault(drop=True),
        4: lambda: Fault(delay=30, body=chat_completion("{}")),
        5: lambda: _error(502, "bad gateway"),
        6: lambda: Reply(body=chat_completion('{"headline": 1}')),  # an invalid answer: re-asked
    }
    seen: Counter[int] = Counter()
    lock = threading.Lock()

    def replies(body: dict[str, Any], n: int) -> Reply:
        for number, fault in first_faults.items():
            if is_faulty(body, f"approves park {number}\n"):
                with lock:
                    seen[number] += 1
                    first = seen[number] == 1
                if first:
                    return fault()
        return brief_reply(body)

    with FaultServer(replies) as server:
        result = run_batch(server, folder, out, "-j", "6")
    assert result.exit_code == 0, result.stderr
    assert len(server.requests) == 1 + 2 * 5
    entries = manifest(out)
    assert {entry.status for entry in entries.values()} == {"done"}
    assert [entries[f"a0{n}.txt"].attempts - PART_ANSWERS for n in range(1, 7)] == [1, 1, 1, 1, 1, 2]
    assert writes == Counter({f"a0{n}.{ext}": 1 for n in range(1, 7) for ext in ("json", "md")} | {MANIFEST_NAME: 1})
    assert no_temporary_files(tmp_path)


def test_batch_rerun_after_a_fault_redoes_only_the_failed_article(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 3), tmp_path / "out"
    with FaultServer(lambda body, n: _error(503, "overloaded") if is_faulty(body) else brief_reply(body)) as server:
        assert run_batch(server, folder, out).exit_code == EXIT_FAILURE
    with FaultServer(lambda body, n: brief_reply(body)) as server:
        result = run_batch(server, folder, out)
    assert result.exit_code == 0, result.stderr
    assert len(server.requests) == 1 and is_faulty(server.requests[0]["body"])
    assert {name: entry.status for name, entry in manifest(out).items()} == {
        "a01.txt": "skipped",
        "a02.txt": "done",
        "a03.txt": "skipped",
    }
