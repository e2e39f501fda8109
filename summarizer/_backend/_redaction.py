"""API keys kept out of error messages and out of the logs of the libraries below us."""

from __future__ import annotations

import logging


def redact(text: str, secret: str) -> str:
    """`text` with `secret` replaced, unless the secret is too short to be told from ordinary text."""
    return text.replace(secret, "[redacted]") if len(secret) >= 8 else text


class _RedactingFilter(logging.Filter):
    """Hides API keys in records of the libraries below us (instructor logs raw API errors)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = redact(message, secret)
        record.msg, record.args = message, None
        return True


_REDACTING_FILTER = _RedactingFilter()
_REDACTED_LOGGERS = ("instructor", "openai", "httpx", "httpx2", "httpcore", "httpcore2")


def _guard_loggers() -> None:
    """Put the redacting filter on those libraries' loggers and every child logger they have made:
    a logger's filters do not see records that its children pass up."""
    names = [*_REDACTED_LOGGERS, *logging.root.manager.loggerDict]
    for name in names:
        if name.split(".")[0] in _REDACTED_LOGGERS:
            logger = logging.getLogger(name)
            if _REDACTING_FILTER not in logger.filters:
                logger.addFilter(_REDACTING_FILTER)


def hide_in_logs(secret: str) -> None:
    """Redact `secret` from those libraries' log records from now on."""
    _REDACTING_FILTER.secrets.add(secret)
    _guard_loggers()  # loggers made since import (openai makes some on first use)


_guard_loggers()
