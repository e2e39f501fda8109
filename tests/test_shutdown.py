"""The embedded server never outlives the command: not after an error, not after Ctrl-C (SIGINT).

The real CLI runs in a child process, with the embedded llama.cpp server replaced by a stub server
on 127.0.0.1 that answers the readiness check and then fails or hangs on every chat request.
The tests wait on conditions (the server's pid file, a file the stub writes when a chat request
arrives), never for a fixed time: a busy machine only makes them slower.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.cli import EXIT_BACKEND, EXIT_INTERRUPTED

from .conftest import EN_SEED

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

STUB_SERVER = """
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._send(200, b'{"object": "list", "data": [{"id": "m"}]}')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if b"are you ready" in body:  # the start-up probe: a real server generates a few tokens
            message = b'{"role": "assistant", "content": "Yes"}'
            self._send(200, b'{"object": "chat.completion", "choices": [{"index": 0, "message": ' + message + b'}]}')
            return
        # Tell the test that a chat request is in flight (it waits for this file before Ctrl-C).
        with open(sys.argv[sys.argv.index("--arrived") + 1], "a") as arrived:
            arrived.write(self.path)
        if sys.argv[sys.argv.index("--post") + 1] == "hang":
            time.sleep(3600)
        self._send(500, b'{"error": "broken"}')

port = int(sys.argv[sys.argv.index("--port") + 1])
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

# The CLI, with the embedded server's command swapped for the stub; the server's pid is written to
# a file once it answers, so the test knows which process must be gone afterwards, and the stub
# writes the `arrived` file when a chat request (not the start-up probe) reaches it.
# A shell ignores SIGINT in the background jobs it starts and a child inherits that (CI may run the
# suite so); Ctrl-C reaches a command in a terminal's foreground, where Python raises KeyboardInterrupt.
CLI_WITH_STUB = """
import signal, sys
from pathlib import Path
import summarizer._embedded as embedded

signal.signal(signal.SIGINT, signal.default_int_handler)

pid_file, arrived, post, stub = Path(sys.argv.pop(1)), sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)
embedded.installed_server = lambda: embedded.ServerBuild(Path("llama-server"), "x86-64-v3", ())
embedded.ensure_model = lambda *args, **kwargs: Path("model.gguf")
embedded.server_command = lambda executable, model, port, **kwargs: [
    sys.executable, "-c", stub, "--port", str(port), "--post", post, "--arrived", arrived
]
wait_until_ready = embedded.LocalServer._wait_until_ready

def ready(self, *args):
    wait_until_ready(self, *args)
    pid_file.write_text(str(self.pid))

embedded.LocalServer._wait_until_ready = ready
from summarizer.cli import main
main()
"""


HANG_GUARD = 120.0
"""Seconds after which a condition that never comes fails the test instead of hanging it: only a
stuck run gets near it, a slow or busy machine merely takes longer to start the CLI."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: it holds no port and no memory.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def _start(tmp_path: Path, post: str, *args: str) -> tuple[subprocess.Popen[str], Path, Path]:
    pid_file, arrived = tmp_path / "server.pid", tmp_path / "request.arrived"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_CACHE"] = "off"
    stub = [str(pid_file), str(arrived), post, STUB_SERVER]
    command = [sys.executable, "-c", CLI_WITH_STUB, *stub, *args, "--retries", "0"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, pid_file, arrived


def _wait_for_file(process: subprocess.Popen[str], path: Path, what: str) -> str:
    """The text of `path` once something is written into it; the CLI must be running until then."""
    deadline = time.monotonic() + HANG_GUARD
    while not path.exists() or not (text := path.read_text()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{what} within {HANG_GUARD:g} s"
        time.sleep(0.05)
    return text


def _server_pid(process: subprocess.Popen[str], pid_file: Path) -> int:
    return int(_wait_for_file(process, pid_file, "the stub server did not start"))


def test_no_server_left_after_an_error(tmp_path: Path) -> None:
    process, pid_file, _ = _start(tmp_path, "fail", "brief", str(EN_SEED))
    server = _server_pid(process, pid_file)
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == EXIT_BACKEND
    assert "answered HTTP 500" in stderr and stderr.count("\n") == 1
    assert not _alive(server)


@pytest.mark.parametrize("command", [["brief", str(EN_SEED)], ["batch", str(EN_SEED.parent), "-o", "{out}"]])
def test_no_server_left_after_ctrl_c(command: list[str], tmp_path: Path) -> None:
    args = [arg.format(out=tmp_path / "out") for arg in command]
    process, pid_file, arrived = _start(tmp_path, "hang", *args)
    server = _server_pid(process, pid_file)
    # Ctrl-C once a chat request has reached the server, which hangs on it.
    assert "/chat/completions" in _wait_for_file(process, arrived, "no chat request arrived")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == EXIT_INTERRUPTED, stderr
    assert "interrupted" in stderr
    assert not _alive(server)
    if command[0] == "batch":
        # Nothing half-written, and the manifest is there for the resume.
        assert not list((tmp_path / "out").rglob("*.tmp"))
        assert (tmp_path / "out" / "manifest.jsonl").exists()
