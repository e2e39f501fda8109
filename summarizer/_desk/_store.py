"""The desk's store: a batch's output folder, read through its manifest, and where the desk saves
its own work (under `desk/`, as a batch writes it: JSON, Markdown and a manifest line)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .._batch import write_results
from .._errors import InputError
from .._job import Result
from .._manifest import MANIFEST_NAME, ManifestEntry, appending, make_entry, read_manifest
from .._results import Brief, Summary, read_result

MAX_RESULT_BYTES = 20_000_000
"""Far above any result of a 2 MB article: a larger file in the folder is not read as one."""
DESK_FOLDER = "desk"
"""Where the desk's own results go, under the served folder, apart from a batch's."""


@dataclass(frozen=True)
class Listed:
    """One article of the listing: its manifest entry and, once done, what its result says."""

    entry: ManifestEntry
    task: str | None
    title: str
    warnings: int
    high: int

    def to_json(self) -> dict[str, Any]:
        """The row as the page reads it."""
        entry = self.entry
        return {
            "input": entry.input,
            "status": entry.status,
            "task": self.task,
            "title": self.title,
            "warnings": self.warnings,
            "high": self.high,
            "tokens": entry.prompt_tokens + entry.completion_tokens,
            "seconds": entry.seconds,
            "error": entry.error,
        }


def task_of(result: Result) -> str:
    """brief, summary or translation: what kind of result this is."""
    if isinstance(result, Brief):
        return "brief"
    return "summary" if isinstance(result, Summary) else "translation"


def _title(result: Result) -> str:
    if isinstance(result, Brief):
        return result.headline
    if isinstance(result, Summary):
        return result.title
    first = next((pair.translation for pair in result.paragraphs if pair.translation), "")
    return first[:120]


class DeskStore:
    """A folder of results with a manifest: listed, read and added to, never outside the folder."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise InputError(str(folder), "is not a folder" if folder.exists() else "no such folder")
        self.folder = folder.resolve()
        self._lock = threading.Lock()
        self._read: dict[Path, tuple[int, int, Result]] = {}

    @property
    def manifest_path(self) -> Path:
        """The manifest the listing reads and the desk appends to."""
        return self.folder / MANIFEST_NAME

    def inside(self, relative: str) -> Path:
        """The path of `relative` in the folder; InputError for an absolute path or one that leaves it."""
        pure = PurePosixPath(relative)
        if not relative or pure.is_absolute() or ".." in pure.parts or "\\" in relative or "\0" in relative:
            raise InputError(relative, "is not a path inside the served folder")
        path = (self.folder / pure).resolve()
        if not path.is_relative_to(self.folder):
            raise InputError(relative, "is not a path inside the served folder")
        return path

    def _result(self, path: Path) -> Result:
        """The result at `path`, read again only when the file changed."""
        stat = path.stat()
        if (
            not path.is_file() or stat.st_size > MAX_RESULT_BYTES
        ):  # a FIFO would hang the read; a huge file is no result
            raise InputError(path.name, "is not a result file summarizer wrote")
        seen = self._read.get(path)
        if seen is not None and seen[:2] == (stat.st_mtime_ns, stat.st_size):
            return seen[2]
        result = read_result(path)
        self._read[path] = (stat.st_mtime_ns, stat.st_size, result)
        return result

    def _entries(self) -> dict[str, ManifestEntry]:
        return read_manifest(self.manifest_path)

    def listing(self) -> list[Listed]:
        """Every article of the manifest, most warnings first, then by name."""
        rows = []
        for entry in self._entries().values():
            result = self._entry_result(entry)
            if result is None:
                rows.append(Listed(entry, None, "", 0, 0))
                continue
            notices = result.meta.notices
            high = sum(1 for notice in notices if notice.severity == "high")
            rows.append(Listed(entry, task_of(result), _title(result), len(notices), high))
        return sorted(rows, key=lambda row: (-row.warnings, row.entry.input))

    def _entry_result(self, entry: ManifestEntry) -> Result | None:
        """The result of a done (or up-to-date) entry, or None when it has none that can be read."""
        if entry.status not in ("done", "skipped"):
            return None
        name = next((output for output in entry.outputs if output.endswith(".json")), None)
        if name is None:
            return None
        try:
            return self._result(self.inside(name))
        except (InputError, OSError):
            return None

    def result(self, input_name: str) -> Result:
        """The result recorded for the article `input_name`; InputError if there is none."""
        entry = self._entries().get(input_name)
        if entry is None:
            raise InputError(input_name, "is not an article of this folder's manifest")
        result = self._entry_result(entry)
        if result is None:
            raise InputError(input_name, f"has no result to show (status: {entry.status})")
        return result

    def json_name(self, input_name: str) -> str:
        """The file name of the article's JSON result, as a download should be called."""
        entry = self._entries().get(input_name)
        name = next((output for output in entry.outputs if output.endswith(".json")), "") if entry else ""
        return PurePosixPath(name).name or "result.json"

    def save(self, result: Result, name: str, data: bytes, config: str) -> ManifestEntry:
        """Write the desk's result for the article `name` (JSON and Markdown, whole or not at all),
        then its manifest line; a name taken by an earlier result gets a number, never overwrites."""
        stem = PurePosixPath(name).stem or "article"
        with self._lock:
            taken = {entry.input for entry in self._entries().values()}
            number = 1
            while True:
                suffix = f"-{number}" if number > 1 else ""
                base = f"{DESK_FOLDER}/{stem}{suffix}"
                names = (f"{base}.json", f"{base}.md")
                if f"{base}{PurePosixPath(name).suffix}" not in taken and not any(
                    (self.folder / output).exists() for output in names
                ):
                    break
                number += 1
            for output in names:
                self.inside(output)  # a `desk` link out of the folder is not written through
            outputs = write_results(self.folder, names, result)
            meta = result.meta
            entry = make_entry(
                f"{base}{PurePosixPath(name).suffix}",
                "done",
                hashlib.sha256(data).hexdigest(),
                config,
                outputs=outputs,
                prompt_tokens=meta.usage.prompt_tokens,
                completion_tokens=meta.usage.completion_tokens,
                seconds=meta.seconds,
                attempts=meta.attempts,
                cached_answers=meta.cached_answers,
            )
            with appending(self.manifest_path) as append:
                append(entry)
        return entry


__all__ = ["DESK_FOLDER", "DeskStore", "Listed", "task_of"]
