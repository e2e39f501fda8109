"""Work side by side: a task's requests at once for the sync and async drivers (results in order, the
first error raised), and a batch's articles with a bound on how many are in flight."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

ItemT = TypeVar("ItemT")
OutcomeT = TypeVar("OutcomeT")


def side_by_side_in_threads(work: Callable[[ItemT], OutcomeT], items: Sequence[ItemT]) -> list[OutcomeT]:
    """`work` on each item at once, one thread each (none for a single item); results in order.

    The first error is raised once every thread has ended, so that no request outlives the call.
    The threads are daemons: Ctrl-C in the caller is not held up by requests still in flight.
    """
    if len(items) == 1:
        return [work(items[0])]
    done: queue.Queue[tuple[int, OutcomeT | None, BaseException | None]] = queue.Queue()

    def run(index: int, item: ItemT) -> None:
        try:
            done.put((index, work(item), None))
        except BaseException as exc:  # handed to the caller, whatever it is
            done.put((index, None, exc))

    for index, item in enumerate(items):
        threading.Thread(target=run, args=(index, item), daemon=True, name=f"summarizer-request-{index}").start()
    results: list[OutcomeT | None] = [None] * len(items)
    errors: list[tuple[int, BaseException]] = []
    for _ in items:
        index, outcome, error = done.get()
        if error is not None:
            errors.append((index, error))
        results[index] = outcome
    if errors:
        raise min(errors, key=lambda pair: pair[0])[1]
    return results  # type: ignore[return-value]


async def side_by_side_in_tasks(work: Callable[[ItemT], Awaitable[OutcomeT]], items: Sequence[ItemT]) -> list[OutcomeT]:
    """`work` on each item at once, one task each; results in order. The first error cancels the
    others (a request cancelled mid-answer is dropped by the server) and is raised."""
    tasks = [asyncio.ensure_future(work(item)) for item in items]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def bounded(
    items: Iterable[ItemT],
    work: Callable[[ItemT], Awaitable[OutcomeT]],
    concurrency: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> AsyncGenerator[OutcomeT, None]:
    """`work` on each item, `concurrency` at a time, outcomes in the order they finish.

    Items are pulled one at a time, so memory does not grow with their number. Once
    `should_stop()` is true no new item starts; those in flight finish. An exception from `work`
    stops everything and is raised here.
    """
    iterator = iter(items)
    finished: asyncio.Queue[tuple[OutcomeT | None, BaseException | None] | None] = asyncio.Queue()

    async def worker() -> None:
        try:
            for item in iterator:
                if should_stop():
                    break
                await finished.put((await work(item), None))
        except Exception as exc:
            await finished.put((None, exc))
        finally:
            await finished.put(None)

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    running = len(workers)
    try:
        while running:
            message = await finished.get()
            if message is None:
                running -= 1
                continue
            outcome, error = message
            if error is not None:
                raise error
            yield outcome  # type: ignore[misc]
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
