"""Structured chat completions on one OpenAI-compatible endpoint, with one retry layer per failure kind.

Transport failures are retried by the openai client, per HTTP request; answers that fail the schema
are re-asked, and only those; neither layer re-runs the other's failures (see `ChatBackend`).

- `_chat`: `ChatBackend`, its one call flow for sync and async code, and the library's errors for failures
- `_exchange`: drives such a flow, which yields requests, from a sync or an async sender
- `_instructor`: instructor's mode handlers, and the only module to use instructor at all
- `_reask`: the re-ask policy and the re-asks' wording
- `_clients`: the openai clients, one async client per event loop
- `_backoff`: the pause a 429 asks for, shared by all requests of a client
- `_redaction`: API keys kept out of messages and logs
"""

from ._backoff import MAX_BACKOFF_SECONDS, BackoffGate, retry_after_seconds
from ._chat import ChatBackend, Completion
from ._reask import correction, reask_request, unfit

__all__ = [
    "MAX_BACKOFF_SECONDS",
    "BackoffGate",
    "ChatBackend",
    "Completion",
    "correction",
    "reask_request",
    "retry_after_seconds",
    "unfit",
]
