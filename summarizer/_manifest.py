"""A batch's manifest: one JSON line per article saying what happened to it and what it cost."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

try:
    import fcntl
except ImportError:  # Windows: one writer per folder there, as before
    fcntl = None  # type: ignore[assignment]

from ._errors import InputError
from ._files import write_text_atomic

MANIFEST_NAME = "manifest.jsonl"

Status = Literal["done", "failed", "skipped", "not_started"]


class ManifestEntry(BaseModel):
    """One line of a batch manifest: what happened to one article, and what it cost."""

    input: str
    """The article's path under the input folder."""
    status: Status
    content_hash: str | None = None
    """SHA-256 of the article file's bytes."""
    config: str
    """Fingerprint of the model, prompts, task and options that made the outputs."""
    outputs: list[str] = []
    """Result files, relative to the output folder."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    attempts: int = 0
    cached_answers: int = 0
    error: str | None = None


def make_entry(relative: str, status: Status, content_hash: str | None, config: str, **fields: Any) -> ManifestEntry:
    """A manifest entry for the article at `relative`, made under fingerprint `config`."""
    return ManifestEntry(input=relative, status=status, content_hash=content_hash, config=config, **fields)


def disowned(entry: ManifestEntry, by: str) -> ManifestEntry:
    """`entry` once the article `by` has taken its result files: not started, and no outputs."""
    return entry.model_copy(
        update={"status": "not_started", "outputs": [], "error": f"its result was replaced by {by}'s"}
    )


def read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """The latest entry per input from an earlier run; a torn last line (a crash) is ignored."""
    entries: dict[str, ManifestEntry] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return entries
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read: {exc}") from None
    for line in lines:
        try:
            entry = ManifestEntry.model_validate_json(line)
        except ValidationError:
            continue
        entries[entry.input] = entry
    return entries


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the manifest's lock: one writer at a time (a batch and the desk may share a folder). It
    is the folder's lock, not the file's: compaction replaces the file, and a lock file would be one
    more file among the user's results."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


@contextmanager
def appending(path: Path) -> Iterator[Callable[[ManifestEntry], None]]:
    """A function that adds an entry to the manifest at `path` as one line, flushed at once."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a+", encoding="utf-8") as manifest:
        manifest.seek(0, os.SEEK_END)
        if manifest.tell() > 0:
            # A crash may have torn the last line: start on a fresh one (the torn one is ignored).
            manifest.seek(manifest.tell() - 1)
            if manifest.read(1) != "\n":
                manifest.write("\n")

        def append(entry: ManifestEntry) -> None:
            # One write per line, flushed, under the lock: a crash loses at most the line being
            # written, and another writer's line is never torn into it.
            with _locked(path):
                manifest.write(entry.model_dump_json() + "\n")
                manifest.flush()

        yield append


def compact_manifest(path: Path, latest: dict[str, ManifestEntry]) -> None:
    """Rewrite the manifest at `path` with one line per article, in the order of their paths: the
    entries of `latest`, and those another writer (the desk) added meanwhile for other articles."""
    with _locked(path):
        added = {key: entry for key, entry in read_manifest(path).items() if key not in latest}
        merged = {**added, **latest}
        write_text_atomic(path, "".join(merged[key].model_dump_json() + "\n" for key in sorted(merged)))
