"""The editor's desk: a local page to check a result against its source (see `open_desk`)."""

from __future__ import annotations

from pathlib import Path

from .._config import Settings
from ._jobs import DeskJob, DeskJobs
from ._server import TOKEN_HEADER, DeskServer
from ._store import DESK_FOLDER, DeskStore


def open_desk(folder: Path, settings: Settings, *, port: int = 0) -> DeskServer:
    """A desk over `folder` (a batch's output folder, or any folder for new work), bound to
    127.0.0.1:`port` (0: a free port), not yet serving: call `start()` or `serve_forever()`,
    then `close()`. InputError if `folder` is not a folder; OSError if the port is taken."""
    store = DeskStore(folder)
    return DeskServer(store, lambda: DeskJobs(settings, store), port)


__all__ = ["DESK_FOLDER", "TOKEN_HEADER", "DeskJob", "DeskServer", "DeskStore", "open_desk"]
