"""The desk's new work: articles sent from the page, each run on the configured backend on an
event loop of the desk's own, reporting its stage as it goes, cancellable, and saved to the store."""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import itertools
import logging
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from .._batch import ARTICLE_SUFFIXES, one_line_error, result_fingerprint
from .._config import Settings
from .._errors import InputError, SummarizerError
from .._events import Progress
from .._job import Job, TaskName
from .._reading import HTML_SUFFIXES, MAX_ARTICLE_BYTES, article_text, over_limit
from .._summarizer import Summarizer
from ._store import DeskStore

JobState = Literal["running", "done", "failed", "cancelled"]
_TASKS: dict[str, TaskName] = {"brief": "brief", "translate": "translate", "summarize": "summarize"}
_LANGUAGES = ("en", "vi")
MAX_NAME = 120
logger = logging.getLogger("summarizer.desk")


@dataclass
class DeskJob:
    """One article sent from the page: its task, the stage it is in, and how it ended."""

    id: str
    name: str
    task: str
    state: JobState = "running"
    stage: str = "reading"
    done: int = 0
    total: int = 0
    tokens_per_second: float | None = None
    error: str | None = None
    input: str | None = None
    """The manifest name of its saved result, once done."""
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    future: concurrent.futures.Future[None] | None = None
    runner: asyncio.Task[Any] | None = None
    """The asyncio task running it, on the desk's loop."""

    def to_json(self) -> dict[str, Any]:
        """The job as the page polls it."""
        return {
            "id": self.id,
            "name": self.name,
            "task": self.task,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "tokens_per_second": self.tokens_per_second,
            "error": self.error,
            "input": self.input,
            "seconds": round((self.ended or time.monotonic()) - self.started, 1),
        }


def article_name(name: object) -> str:
    """The file name an article was sent under, checked: a .txt, .md or .html name, no folders."""
    if not isinstance(name, str) or not name.strip():
        return "pasted.txt"
    # A dropped file's name is the browser's, so anything the user's file system allows: keep the
    # last part only, without control characters.
    cleaned = "".join(ch for ch in name.replace("\\", "/") if unicodedata.category(ch)[0] != "C")
    base = PurePosixPath(cleaned).name.strip() or "pasted.txt"
    if PurePosixPath(base).suffix.lower() not in ARTICLE_SUFFIXES:
        raise InputError(base, "is not a .txt, .md or .html article")
    kept = PurePosixPath(base)
    # Shortened in its stem only: the suffix says how the article is read (HTML or text).
    return kept.stem[: MAX_NAME - len(kept.suffix)] + kept.suffix


def job_of(request: dict[str, Any]) -> Job:
    """The job a request from the page asks for; InputError naming the field that is wrong."""
    task = _TASKS.get(str(request.get("task", "brief")))
    if task is None:
        raise InputError("task", f"must be one of {', '.join(_TASKS)}")
    to, lang = request.get("to", "en"), request.get("lang", "en")
    if to not in _LANGUAGES or lang not in _LANGUAGES:
        raise InputError("language", "must be en or vi")
    return Job(task=task, to=to, lang=lang)


def article_bytes(request: dict[str, Any], name: str) -> bytes:
    """The article's bytes: a dropped file's (base64, so its own encoding is decoded as a file's
    would be), or the pasted text's."""
    if isinstance(request.get("data"), str):
        try:
            data = base64.b64decode(request["data"], validate=True)
        except (binascii.Error, ValueError):
            raise InputError(name, "was not sent as base64") from None
    elif isinstance(request.get("text"), str):
        try:
            data = request["text"].encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(name, "the pasted text holds characters that are not text (lone surrogates)") from None
    else:
        raise InputError(name, "no article text was sent")
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(name, over_limit(f"{len(data) / 1e6:.1f} MB"))
    return data


class DeskJobs:
    """The articles the page sent, run side by side on one Summarizer, each saved when done."""

    def __init__(self, settings: Settings, store: DeskStore) -> None:
        self.store = store
        self.summarizer = Summarizer(settings, progress=self._progress)
        self._jobs: dict[str, DeskJob] = {}
        self._running: dict[str, DeskJob] = {}
        """Running jobs by the name their task reports progress under."""
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    def _ready_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise InputError("the desk", "is stopping: it takes no new work")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="summarizer-desk", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def submit(self, request: dict[str, Any]) -> DeskJob:
        """Start the task a request from the page asks for; InputError (naming the file) if the
        article or the request cannot be used, before anything is sent to the model."""
        name = article_name(request.get("name"))
        job = job_of(request)
        data = article_bytes(request, name)
        text = article_text(data, name, html=PurePosixPath(name).suffix.lower() in HTML_SUFFIXES)
        loop = self._ready_loop()
        with self._lock:
            number = next(self._ids)
            running_name = name if name not in self._running else f"{name} ({number})"
            desk_job = DeskJob(f"job{number}", running_name, job.task)
            self._jobs[desk_job.id] = desk_job
            self._running[running_name] = desk_job
        future = asyncio.run_coroutine_threadsafe(self._run(desk_job, job, text, data, name), loop)
        future.add_done_callback(lambda ended: self._ended(desk_job, ended))
        desk_job.future = future
        return desk_job

    def _progress(self, progress: Progress) -> None:
        desk_job = self._running.get(progress.name)
        if desk_job is not None:
            desk_job.stage, desk_job.done, desk_job.total = progress.stage, progress.done, progress.total
            desk_job.tokens_per_second = progress.tokens_per_second

    async def _run(self, desk_job: DeskJob, job: Job, text: str, data: bytes, name: str) -> None:
        desk_job.runner = asyncio.current_task()
        try:
            result = await self.summarizer.arun(job, text, name=desk_job.name)
        except asyncio.CancelledError:
            desk_job.state = "cancelled"
            raise
        except SummarizerError as exc:
            desk_job.state, desk_job.error = "failed", one_line_error(exc, desk_job.name)
            return
        # The answers are paid for: from here on the result is saved whole, cancelled or not (there
        # is no await below, so a cancel cannot cut the save in two).
        try:
            entry = self.store.save(result, name, data, result_fingerprint(self.summarizer, job))
        except (InputError, OSError) as exc:
            logger.warning("%s: the result could not be saved: %s", desk_job.name, exc)
            desk_job.state, desk_job.error = "failed", f"{desk_job.name}: the result could not be saved: {exc}"
        else:
            desk_job.state, desk_job.input = "done", entry.input

    def _ended(self, desk_job: DeskJob, future: concurrent.futures.Future[None]) -> None:
        """However the job's coroutine ended, it is running no more: an error no branch above took
        is reported as the job's failure, never left to look like work in progress."""
        with self._lock:
            self._running.pop(desk_job.name, None)
        if desk_job.state == "running":
            if future.cancelled():
                desk_job.state = "cancelled"
            else:
                logger.error("%s: the desk's job failed", desk_job.name, exc_info=future.exception())
                desk_job.state, desk_job.error = "failed", f"{desk_job.name}: {future.exception()}"
        desk_job.ended = time.monotonic()

    def get(self, job_id: str) -> DeskJob | None:
        """The job of that id, if the page started one."""
        return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> DeskJob | None:
        """Stop a running job: its requests are dropped, which stops the server's work on them. The
        job says "cancelled" once its task has stopped (a result already in hand is still saved)."""
        desk_job = self._jobs.get(job_id)
        loop = self._loop
        if desk_job is not None and loop is not None and desk_job.state == "running":
            loop.call_soon_threadsafe(self._cancel_task, desk_job)
        return desk_job

    @staticmethod
    def _cancel_task(desk_job: DeskJob) -> None:
        # On the loop: the task's first step ran before this callback (callbacks run in order).
        if desk_job.runner is not None:
            desk_job.runner.cancel()

    def close(self) -> None:
        """Cancel what still runs, stop the loop and the Summarizer (and its embedded server)."""
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            for desk_job in list(self._jobs.values()):
                loop.call_soon_threadsafe(self._cancel_task, desk_job)
            asyncio.run_coroutine_threadsafe(self._aclose(), loop).result()
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
            with self._lock:
                self._loop = self._thread = None
        else:
            self.summarizer.close()

    async def _aclose(self) -> None:
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        await asyncio.gather(*pending, return_exceptions=True)
        await self.summarizer.__aexit__(None, None, None)


__all__ = ["DeskJob", "DeskJobs", "article_name"]
