"""A bound on work in flight: outcomes as they finish, never more than so many at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import TypeVar

ItemT = TypeVar("ItemT")
OutcomeT = TypeVar("OutcomeT")


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
