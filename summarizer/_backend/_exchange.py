"""One flow of requests and answers, driven from sync or from async code alike (as httpx drives one
auth flow from thin sync and async drivers).

A flow is a generator that yields each request to send and gets back, at that `yield`, what sending
gave: the response, or the exception it raised (thrown in there, so it meets the flow's own `try` and
`with` blocks just as if the flow had sent the request itself). Re-asks and error translation are
written once, in the flow; a driver only sends:

    exchange = Exchange(flow)
    for turn in exchange:
        with turn:
            turn.response = client.create(**turn.request)  # or `await client.create(...)`
    return exchange.result
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from types import TracebackType
from typing import Any, Generic, TypeAlias, TypeVar

ResultT = TypeVar("ResultT")

Flow: TypeAlias = Generator[dict[str, Any], Any, ResultT]
"""Yields the requests to send, takes back their responses, returns its result."""


class Turn:
    """One request to send; the `with` block that sends it keeps what came of it for the flow."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request
        self.response: Any = None
        self.error: BaseException | None = None

    def __enter__(self) -> Turn:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        self.error = exc
        return True  # the flow gets it at its `yield`, and raises it again unless it handles it


class Exchange(Generic[ResultT]):
    """A flow being driven: iterate it for its turns, then read `result`."""

    _result: ResultT

    def __init__(self, flow: Flow[ResultT]) -> None:
        self._flow = flow
        self._first = Turn(next(flow))  # the flow's set-up runs now, before the driver makes its client

    def __iter__(self) -> Iterator[Turn]:
        turn = self._first
        while True:
            yield turn
            try:
                request = self._flow.send(turn.response) if turn.error is None else self._flow.throw(turn.error)
            except StopIteration as done:
                self._result = done.value
                return
            turn = Turn(request)

    @property
    def result(self) -> ResultT:
        """What the flow returned, once its turns are over."""
        return self._result
