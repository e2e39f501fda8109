"""Writing result files: whole or not at all, readable by the user only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def make_private_dirs(path: str | Path) -> None:
    """Create folder `path` and its missing parents, readable by the user only."""
    Path(path).mkdir(mode=0o700, parents=True, exist_ok=True)


def check_writable(path: str | Path) -> None:
    """Raise OSError unless a result can be written to `path` (checked before any paid request)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory")
    fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(probe)


def write_text_atomic(path: str | Path, text: str, *, durable: bool = True) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file in the same folder and a rename.

    The file is the user's alone (0600, as mkstemp makes it): briefs of unpublished articles are
    not for other accounts on the machine. The rename makes it whole or absent after a crash of
    the process; `durable` also flushes it to disk first (an fsync, about a millisecond), for
    whole files after a power loss too.
    """
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
