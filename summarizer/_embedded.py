"""The embedded default: llama.cpp's own server, built for a named CPU level, run on loopback."""

from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ._config import DEFAULT_CONTEXT_TOKENS, EMBEDDED_MODEL, default_cache_dir
from ._errors import EmbeddedBackendError
from ._files import make_private_dirs
from ._model_file import ensure_model

logger = logging.getLogger("summarizer")

LOOPBACK = "127.0.0.1"
DEFAULT_STARTUP_TIMEOUT = 180.0
_PR_SET_PDEATHSIG = 1
# Loopback needs no proxy, and an http_proxy in the environment must not answer for our server.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Linux only: the server gets SIGTERM if this process dies without cleaning up (kill -9).
    # The signal follows the *thread* that started the child, so it is only set from the main thread.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


SERVER_DISTRIBUTION = "summarizer-llama-server"
SERVER_PACKAGE = "summarizer_llama_server"
DEFAULT_SLOTS = 4
"""Requests the embedded server decodes at once (continuous batching): a batch's articles and one
article's independent requests share each forward pass, which on CPU costs little more than one."""
REPEAT_PENALTY = 1.1
PROBE_PROMPT = "Reply with one word: are you ready to write news briefs?"
"""The first generation: several tokens, as SIGILL in a build for another CPU needs more than one."""
REBUILD_COMMAND = "pip install --force-reinstall --no-deps ./llama-server"
"""Run from a clone of summarizer: builds llama-server again for this machine's CPU level."""
BASELINE_REBUILD = f"SUMMARIZER_LLAMA_CPU=x86-64 {REBUILD_COMMAND}"
"""The rebuild for a CPU that lacks what the default level needs: no instruction-set extension."""


@dataclass(frozen=True)
class ServerBuild:
    """The installed llama-server executable and what it was built for."""

    executable: Path
    cpu_level: str
    cpu_flags_needed: tuple[str, ...]


def installed_server() -> ServerBuild:
    """The llama-server that `pip install 'summarizer[local]'` built (EmbeddedBackendError if none)."""
    # Located, not imported: the package holds only the executable and its build record.
    spec = importlib.util.find_spec(SERVER_PACKAGE)
    if spec is None or spec.origin is None:
        raise EmbeddedBackendError(
            f"no endpoint is configured and the embedded server is not installed ({SERVER_DISTRIBUTION} is "
            "missing): pip install '.[local]' in a clone of summarizer, or set OPENAI_BASE_URL"
        )
    folder = Path(spec.origin).parent
    try:
        info = json.loads((folder / "build.json").read_text())
    except (OSError, ValueError) as exc:
        raise EmbeddedBackendError(
            f"the embedded server's build record is unreadable ({exc}): {REBUILD_COMMAND}"
        ) from None
    return ServerBuild(folder / "bin" / "llama-server", str(info["cpu_level"]), tuple(info["cpu_flags_needed"]))


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str] | None:
    """The instruction-set flags of this machine's CPU (Linux), or None where they cannot be read."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return None


def check_cpu(build: ServerBuild, flags: set[str] | None) -> None:
    """Refuse a build that needs an instruction this CPU lacks: it would die with SIGILL."""
    if flags is None or not build.cpu_flags_needed:
        return
    missing = [flag for flag in build.cpu_flags_needed if flag not in flags]
    if missing:
        raise EmbeddedBackendError(
            f"the embedded server was built for {build.cpu_level} CPUs and this CPU lacks {', '.join(missing)}: "
            f"rebuild it for this CPU with {BASELINE_REBUILD}"
        )


def server_command(
    executable: Path,
    model_path: Path,
    port: int,
    *,
    context_tokens: int = DEFAULT_CONTEXT_TOKENS,
    slots: int = DEFAULT_SLOTS,
) -> list[str]:
    """The command line that starts llama.cpp's llama-server on loopback, every core, `slots`
    requests at once, each with the whole `context_tokens`."""
    threads = str(os.cpu_count() or 1)
    return [
        str(executable),
        "--model", str(model_path),
        "--alias", EMBEDDED_MODEL,
        "--host", LOOPBACK,
        "--port", str(port),
        "--parallel", str(slots),
        # One KV cache per slot, so that every request has the context the settings promise.
        "--no-kv-unified",
        "--ctx-size", str(context_tokens * slots),
        "--threads", threads,
        "--threads-batch", threads,
        # The server acts on a cancel only between steps, and a step reads up to this many prompt
        # tokens of every slot: 512 (one micro-batch) bounds a cancel's wait to about 10 s on 2 cores,
        # where the default 2,048 kept two left translation chunks read for 32 s.
        "--batch-size", "512",
        "--fit", "off",
        # llama-cpp-python's server penalised repeats (1.1); llama-server does not by default, and this
        # small model then loops, greedy, until the token limit (seen on a Vietnamese summary).
        "--repeat-penalty", str(REPEAT_PENALTY),
        "--no-webui",
    ]  # fmt: skip


_DEATH_HINTS = {  # what a signal most likely means here, and what to do
    signal.SIGILL: f"an instruction this CPU does not run: rebuild the server for this CPU with {BASELINE_REBUILD}",
    signal.SIGKILL: "killed from outside, often by the kernel when memory runs out",
    signal.SIGSEGV: "a crash inside llama.cpp; its log may say more",
}


class LocalServer:
    """A llama.cpp server child process on 127.0.0.1, stopped on close, exit, error or Ctrl-C."""

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        port: int | None = None,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
        log_path: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self._command = list(command) if command is not None else None
        self._context_tokens = context_tokens
        self._startup_timeout = startup_timeout
        # One log per server: two servers at once (a batch beside `local serve`) must not share one.
        self.log_path = log_path or default_cache_dir() / f"llama-server-{self.port}.log"
        self._own_log = log_path is None
        self._ready = False
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint of the running server."""
        return f"http://{LOOPBACK}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process else None

    def start(self) -> str:
        """Start the server, wait until it answers and has generated from a real prompt; return its
        base URL."""
        if self._process is not None:
            return self.base_url
        command = self._command
        if command is None:
            build = installed_server()
            check_cpu(build, cpu_flags())
            model = ensure_model()
            command = server_command(build.executable, model, self.port, context_tokens=self._context_tokens)
        logger.info("starting the embedded server on %s (log: %s)", self.base_url, self.log_path)
        on_main_thread = threading.current_thread() is threading.main_thread()
        # llama-server also reads LLAMA_ARG_* variables: its settings come from our command alone.
        environment = {name: value for name, value in os.environ.items() if not name.startswith("LLAMA_ARG_")}
        try:
            make_private_dirs(self.log_path.parent)
            # The log may quote requests: the user's alone, like the cache and the results.
            fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as log:
                self._process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=environment,
                    preexec_fn=_die_with_parent if sys.platform == "linux" and on_main_thread else None,  # noqa: PLW1509
                )
        except OSError as exc:
            raise EmbeddedBackendError(f"cannot start the embedded server: {exc.strerror or exc}") from None
        try:
            deadline = time.monotonic() + self._startup_timeout
            self._wait_until_ready(deadline)
            self._probe(deadline)
        except BaseException:
            self.stop()  # the log stays: the error quotes it
            raise
        self._ready = True
        return self.base_url

    def _wait_until_ready(self, deadline: float) -> None:
        """Wait until the server lists its model (llama-server answers 503 while it loads it)."""
        assert self._process is not None
        while time.monotonic() < deadline:
            if (death := self.death()) is not None:
                raise EmbeddedBackendError(f"the embedded server {death} while starting: {self._log_tail()}")
            try:
                with _NO_PROXY.open(f"{self.base_url}/models", timeout=2) as answer:
                    json.load(answer)
                    return
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)
        raise EmbeddedBackendError(
            f"the embedded server did not answer within {self._startup_timeout:g} s; log: {self.log_path}"
        )

    def _probe(self, deadline: float) -> None:
        """Have the server generate from a prompt of several tokens: a server can list its model and
        still die on its first real prompt (a build for another CPU, a corrupt model)."""
        body = {"model": EMBEDDED_MODEL, "messages": [{"role": "user", "content": PROBE_PROMPT}], "max_tokens": 2}
        request = urllib.request.Request(  # noqa: S310 - our own loopback URL
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        try:
            with _NO_PROXY.open(request, timeout=max(1.0, deadline - time.monotonic())) as answer:
                completion = json.load(answer)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if (death := self._death_after_failure()) is not None:
                raise EmbeddedBackendError(
                    f"the embedded server {death} on its first generation: {self._log_tail()}"
                ) from None
            status = f"HTTP {exc.code}" if isinstance(exc, urllib.error.HTTPError) else str(exc)
            raise EmbeddedBackendError(
                f"the embedded server failed its first generation ({status}): {self._log_tail()}"
            ) from None
        if not isinstance(completion, dict) or not completion.get("choices"):
            raise EmbeddedBackendError(f"the embedded server's first generation held no answer: {self._log_tail()}")

    def _death_after_failure(self, grace: float = 5.0) -> str | None:
        """`death()`, once a process whose connection just broke has had the time to finish dying."""
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=grace)
        return self.death()

    def death(self) -> str | None:
        """How the server process ended ("died with SIGILL (what to do)", "exited with code 1"), or
        None while it runs or before it starts."""
        if self._process is None or (code := self._process.poll()) is None:
            return None
        if code >= 0:
            return f"exited with code {code}"
        try:
            received = signal.Signals(-code)
        except ValueError:
            return f"died with signal {-code}"
        hint = _DEATH_HINTS.get(received)
        return f"died with {received.name}" + (f" ({hint})" if hint else "")

    def dead_server_error(self) -> EmbeddedBackendError | None:
        """The error to report, instead of the connection failure a request met, when the server has
        died: its signal or exit code, the end of its log and what to do. None while it runs."""
        death = self._death_after_failure(grace=0.5) if self._process is not None else None
        if death is None:
            return None
        return EmbeddedBackendError(f"the embedded server {death}; last lines of its log: {self._log_tail()}")

    def _log_tail(self, lines: int = 3) -> str:
        try:
            tail = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return f"see {self.log_path}"
        return " | ".join(line.strip() for line in tail) or f"(empty: {self.log_path})"

    def wait(self) -> int:
        """Block until the server exits; return its exit code."""
        if self._process is None:
            raise EmbeddedBackendError("the embedded server is not running")
        return self._process.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); safe to call twice. The log of a server
        that ran is removed with it (ours only, not one the caller named)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._ready and self._own_log:
            self.log_path.unlink(missing_ok=True)
        self._ready = False

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
