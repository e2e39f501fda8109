"""Pauses the server asks for (429, 503 with Retry-After), shared by every request of a client."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time

import httpx2

MAX_BACKOFF_SECONDS = 120.0
"""The longest Retry-After the openai client waits for before a retry (it gives up on a longer one)."""


def retry_after_seconds(headers: httpx2.Headers) -> float | None:
    """The delay a 429 or 503 asks for: `retry-after-ms`, else `retry-after` in seconds or as a date."""
    with contextlib.suppress(ValueError):
        return float(headers.get("retry-after-ms", "")) / 1000
    raw = headers.get("retry-after", "")
    with contextlib.suppress(ValueError):
        return float(raw)
    try:
        return email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


class BackoffGate:
    """Holds every request of a client back while the server asks for a pause.

    The openai client retries a 429 on its own, honouring Retry-After for that request; the gate
    makes the other requests in flight wait too, so a batch slows down instead of hammering.
    """

    def __init__(self) -> None:
        self.resume_at = 0.0
        self.pauses = 0

    def note(self, response: httpx2.Response) -> None:
        """Start a pause on a 429 (its Retry-After, else one second) or a 503 with a Retry-After.

        A delay the openai client will not wait for (over MAX_BACKOFF_SECONDS, or not finite)
        starts none: that request fails at once, and the others need not stop.
        """
        if response.status_code not in (429, 503):
            return
        delay = retry_after_seconds(response.headers)
        if delay is None:
            if response.status_code == 503:
                return
            delay = 1.0
        if not 0 <= delay <= MAX_BACKOFF_SECONDS:
            return
        self.resume_at = max(self.resume_at, time.monotonic() + delay)
        self.pauses += 1

    def wait(self) -> None:
        """Sleep until the pause, if any, is over."""
        remaining = self.resume_at - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    async def await_resume(self) -> None:
        """The async twin of `wait`."""
        remaining = self.resume_at - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
