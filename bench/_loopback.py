"""Starting the loopback server of the benchmarks and reading its counters."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SERVER = Path(__file__).resolve().parent / "loopback_server.py"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def loopback_server(delay: float) -> Iterator[str]:
    """Run loopback_server.py answering after `delay` seconds; yield its root URL (no /v1)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", str(port), "--delay", str(delay)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "ready on ..."
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def server_stats(base: str, *, reset: bool = False) -> dict[str, Any]:
    """The server's counters (requests, server_seconds, prompt_chars); `reset` zeroes them first."""
    url, method = (f"{base}/stats/reset", "POST") if reset else (f"{base}/stats", "GET")
    with urllib.request.urlopen(urllib.request.Request(url, method=method)) as answer:
        data: dict[str, Any] = json.loads(answer.read())
        return data
