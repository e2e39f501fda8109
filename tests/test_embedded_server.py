"""The embedded llama-server: built for a CPU level, checked against this CPU, probed with a real
generation, and a dead server reported as dead (its signal, its log, what to do), never as
"connection refused".

The dying servers are stubs on 127.0.0.1 that list a model and then kill themselves with SIGILL, as
a llama.cpp build for the wrong CPU does on its first prompt of more than one token.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import summarizer._embedded as embedded
from summarizer import EmbeddedBackendError, LocalServer, Summarizer, resolve_settings
from summarizer._config import EMBEDDED_MODEL
from summarizer._embedded import PROBE_PROMPT, ServerBuild, check_cpu, cpu_flags, free_port, server_command

from .conftest import EN_SEED

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])

# A stand-in for llama-server: lists its model, answers `--answers` completions, then dies with
# SIGILL on the next one after logging what llama.cpp logs before such a death.
DYING_SERVER = """
import json, os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

answers = int(sys.argv[sys.argv.index("--answers") + 1])
seen = []

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send({"object": "list", "data": [{"id": "m"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        seen.append(body["messages"][-1]["content"])
        print("request:", seen[-1][:60], flush=True)
        if len(seen) > answers:
            print("slot launch_slot_: id 0 | task 1 | processing task", flush=True)
            print("ggml_backend_amx_mul_mat: tilezero", flush=True)
            os.kill(os.getpid(), signal.SIGILL)
        message = {"role": "assistant", "content": "Yes"}
        usage = {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}
        self._send({"id": "c", "object": "chat.completion", "created": 0, "model": "m", "usage": usage,
                    "choices": [{"index": 0, "finish_reason": "stop", "message": message}]})

port = int(sys.argv[sys.argv.index("--port") + 1])
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def _dying_server(tmp_path: Path, answers: int) -> LocalServer:
    port = free_port()
    command = [sys.executable, "-c", DYING_SERVER, "--port", str(port), "--answers", str(answers)]
    return LocalServer(command, port=port, log_path=tmp_path / "server.log")


def test_server_command_binds_loopback_with_all_cores_and_parallel_slots(tmp_path: Path) -> None:
    command = server_command(tmp_path / "bin" / "llama-server", tmp_path / "m.gguf", 1234, context_tokens=8192)
    assert command[0] == str(tmp_path / "bin" / "llama-server")
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--threads") + 1] == str(os.cpu_count())
    assert command[command.index("--alias") + 1] == EMBEDDED_MODEL
    # Every slot gets the whole context the settings promise.
    slots = int(command[command.index("--parallel") + 1])
    assert "--no-kv-unified" in command and int(command[command.index("--ctx-size") + 1]) == 8192 * slots


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(cpuinfo) == {"fpu", "sse4_2", "avx", "avx2", "fma"}
    assert cpu_flags(tmp_path / "missing") is None


def test_a_build_for_a_cpu_level_this_cpu_lacks_is_refused_with_the_rebuild_command(tmp_path: Path) -> None:
    build = ServerBuild(tmp_path / "llama-server", "x86-64-v3", ("sse4_2", "avx", "avx2", "bmi2", "fma", "f16c"))
    check_cpu(build, {"sse4_2", "avx", "avx2", "bmi2", "fma", "f16c", "avx512f"})
    check_cpu(build, None)  # flags that cannot be read: the probe still guards the start
    with pytest.raises(EmbeddedBackendError) as caught:
        check_cpu(build, {"sse4_2", "avx"})
    message = str(caught.value)
    assert "built for x86-64-v3 CPUs and this CPU lacks avx2, bmi2, fma, f16c" in message
    assert "SUMMARIZER_LLAMA_CPU=x86-64 pip install --force-reinstall" in message


def test_server_is_probed_with_a_real_generation_before_work_is_sent(tmp_path: Path) -> None:
    with _dying_server(tmp_path, answers=1) as server:
        assert server.death() is None
    assert f"request: {PROBE_PROMPT}" in (tmp_path / "server.log").read_text()


def test_server_that_lists_its_model_and_dies_on_its_first_generation_is_reported(tmp_path: Path) -> None:
    server = _dying_server(tmp_path, answers=0)
    with pytest.raises(EmbeddedBackendError) as caught:
        server.start()
    message = str(caught.value)
    assert message.startswith("the embedded server died with SIGILL (an instruction this CPU does not run")
    assert "SUMMARIZER_LLAMA_CPU=x86-64 pip install --force-reinstall" in message
    assert "on its first generation" in message and "ggml_backend_amx_mul_mat: tilezero" in message
    assert server.pid is None  # stopped, nothing left behind


def test_server_that_dies_during_the_work_is_reported_as_dead_not_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The embedded default as the Summarizer starts it, with the stub in llama-server's place.
    monkeypatch.setattr(embedded, "installed_server", lambda: ServerBuild(tmp_path / "llama-server", "x86-64-v3", ()))
    monkeypatch.setattr(embedded, "ensure_model", lambda *args, **kwargs: tmp_path / "m.gguf")
    monkeypatch.setattr(embedded, "default_cache_dir", lambda: tmp_path)  # the server's log

    def stub_command(executable: Path, model: Path, port: int, **options: object) -> list[str]:
        return [sys.executable, "-c", DYING_SERVER, "--port", str(port), "--answers", "1"]

    monkeypatch.setattr(embedded, "server_command", stub_command)
    settings = resolve_settings(retries=1, reasks=0, cache=False, env={})
    assert settings.embedded
    with Summarizer(settings) as summarizer, pytest.raises(EmbeddedBackendError) as caught:
        summarizer.brief(EN_SEED.read_text(encoding="utf-8"), name="a.txt")
    message = str(caught.value)
    assert message.startswith("the embedded server died with SIGILL (an instruction this CPU does not run")
    assert "ggml_backend_amx_mul_mat: tilezero" in message
    assert "cannot reach" not in message and "Connection refused" not in message
