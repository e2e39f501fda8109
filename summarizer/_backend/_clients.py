"""The openai clients of one endpoint: each made on first use, the async one anew for each event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx2
import openai

from .._config import Settings
from ._backoff import BackoffGate


class Clients:
    """The sync and the async openai client of one endpoint, both held back by one `BackoffGate`.

    Each is made on first use: making one takes a good part of a second (TLS setup, instructor's
    imports), and a batch only ever uses the async one.
    """

    def __init__(self, settings: Settings, base_url: str, gate: BackoffGate) -> None:
        self.settings = settings
        self.base_url = base_url
        self.gate = gate
        self._sync: openai.OpenAI | None = None
        self._async: openai.AsyncOpenAI | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "api_key": self.settings.api_key,
            "max_retries": self.settings.retries,
            "timeout": self.settings.timeout,
        }

    def sync_client(self) -> openai.OpenAI:
        """The sync client, made if need be."""
        with self._lock:
            if self._sync is None:
                gate = self.gate

                def wait(request: httpx2.Request) -> None:
                    gate.wait()

                def note(response: httpx2.Response) -> None:
                    gate.note(response)

                http = openai.DefaultHttpx2Client(event_hooks={"request": [wait], "response": [note]})
                self._sync = openai.OpenAI(**self._options(), http_client=http)
            return self._sync

    def async_client(self) -> openai.AsyncOpenAI:
        """The async client of the running event loop (or, called from a thread, of the next one to use it)."""
        with self._lock:
            try:
                loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
            except RuntimeError:  # made ahead, from a thread
                loop = None
            if self._async is not None and loop is not None and self._async_loop not in (None, loop):
                # Its pooled connections belong to an event loop that has ended: start a new pool.
                self._async = None
            if self._async is None:
                gate = self.gate

                async def wait(request: httpx2.Request) -> None:
                    await gate.await_resume()

                async def note(response: httpx2.Response) -> None:
                    gate.note(response)

                http = openai.DefaultAsyncHttpx2Client(event_hooks={"request": [wait], "response": [note]})
                self._async = openai.AsyncOpenAI(**self._options(), http_client=http)
            if loop is not None:
                self._async_loop = loop
            return self._async

    def close(self) -> None:
        """Close the sync HTTP connection pool (see `aclose` for the async one)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close the async HTTP connection pool."""
        if self._async is not None:
            await self._async.close()
            self._async = None
