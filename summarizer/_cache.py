"""The response cache: validated answers stored in SQLite by request, so no request is paid for twice."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ._answers import schema_text
from ._config import Settings, cache_key_settings
from ._errors import ConfigError, Usage

logger = logging.getLogger("summarizer")

BUSY_SECONDS = 0.5
"""How long a read or write waits for another process holding the database."""
CACHE_FORMAT = 1
"""Bumped when what is stored changes meaning; part of every key, so old entries simply miss."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True)
class CachedAnswer:
    """A validated answer as first received, with what it cost then."""

    answer: str
    usage: Usage
    attempts: int


def request_key(settings: Settings, response_model: type[BaseModel], messages: list[dict[str, str]]) -> str:
    """The cache key of a request: endpoint, model, messages, schema and every parameter that shapes
    the answer. The API key is not part of it: it changes no answer and must not be stored."""
    material = {
        "format": CACHE_FORMAT,
        **cache_key_settings(settings),
        "schema": [response_model.__name__, schema_text(response_model)],
        "messages": messages,
    }
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by the user only, or tighten an existing file."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class ResponseCache:
    """Validated answers by request key, in one SQLite file shared by every run of the user.

    Safe to use from several threads and from the event loop: each call is short and serialized.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            _private_file(path)
            # SQLite gives the -wal and -shm files the database file's permissions.
            # A short busy timeout: these calls run on the event loop of a batch.
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL stays consistent after a crash; it skips an fsync per answer.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"response cache {path}: cannot be opened: {exc}; pass --no-cache to run without it"
            ) from None
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer for `key`, if any (none when the database cannot be read just now)."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT answer, prompt_tokens, completion_tokens, attempts FROM answers WHERE key = ?", (key,)
                ).fetchone()
        except sqlite3.Error as exc:
            logger.warning("response cache %s: cannot read (%s); asking the model", self.path, exc)
            return None
        if row is None:
            return None
        return CachedAnswer(answer=row[0], usage=Usage(row[1], row[2]), attempts=row[3])

    def put(self, key: str, answer: str, usage: Usage, attempts: int) -> None:
        """Store an answer under `key` (replacing an older one). The cache is a saving, never a
        reason to fail: an answer that cannot be stored (database locked, disk full) is logged."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                    (key, answer, usage.prompt_tokens, usage.completion_tokens, attempts, time.time()),
                )
        except sqlite3.Error as exc:
            logger.warning("response cache %s: cannot store an answer (%s)", self.path, exc)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            count: Any = self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        return int(count)
