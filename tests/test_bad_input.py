"""Bad input files: `summarizer brief FILE` refuses each with exit code 3 and one line naming the file and
the problem, before any request; odd but valid encodings are accepted and decoded.

The files come from tests/bad_input/corpus.py, written into the test's folder (nothing binary is committed).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from summarizer import Brief
from summarizer.cli import EXIT_FAILURE, EXIT_INPUT, EXIT_USAGE, app

from .bad_input.corpus import ACCEPTED, ENGLISH, REFUSED, VIETNAMESE, Case, write_corpus
from .fake_server import FaultServer, Reply, chat_completion
from .test_batch import brief_reply, make_folder

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
runner = CliRunner()
NUMBERED = re.compile(r"^\[(\d+)\] ", re.MULTILINE)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def article_reply(body: dict[str, Any]) -> Reply:
    """A valid answer to a translation request (one English line per numbered paragraph) or a brief request."""
    if "translator" not in body["messages"][0]["content"]:
        return brief_reply(body)
    prompt = body["messages"][-1]["content"]
    block = prompt.split("<paragraphs>", 1)[1].split("</paragraphs>", 1)[0]
    numbers = [int(n) for n in NUMBERED.findall(block)]
    paragraphs = [{"n": n, "text": f"This is paragraph {n} of the article, put into English."} for n in numbers]
    return Reply(body=chat_completion(json.dumps({"paragraphs": paragraphs})))


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_corpus(tmp_path / "bad_input")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(lambda body, _: article_reply(body)) as instance:
        yield instance


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("summarizer: error: "), lines[0]
    return lines[0].removeprefix("summarizer: error: ")


def _refused_params() -> list[Any]:
    """Every refused case; those the library does not refuse yet are strict xfails, with the reason."""
    return [
        pytest.param(
            case, id=case.name, marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
        )
        for case in REFUSED
    ]


@pytest.mark.parametrize("case", _refused_params())
def test_bad_file_is_refused_before_any_request(case: Case, corpus: dict[str, Path], server: FaultServer) -> None:
    path = corpus[case.name]
    result = runner.invoke(app, ["brief", str(path), "--retries", "0"], env=server.env())
    assert server.requests == []
    assert result.exit_code == EXIT_INPUT, result.stderr or result.exception
    assert one_error_line(result).startswith(f"{path}: ")
    assert case.problem is not None and case.problem in result.stderr


@pytest.mark.parametrize(
    "case", [c for c in REFUSED if c.data and not c.xfail and not c.name.endswith(".html")], ids=lambda c: c.name
)
def test_bad_standard_input_is_refused_before_any_request(case: Case, server: FaultServer) -> None:
    result = runner.invoke(app, ["brief", "-", "--retries", "0"], env=server.env(), input=case.data)
    assert server.requests == []
    assert result.exit_code == EXIT_INPUT, result.stderr or result.exception
    assert one_error_line(result).startswith("<stdin>: ")
    expected = "more than that, over the 2 MB limit" if case.name == "huge.txt" else case.problem
    assert expected is not None and expected in result.stderr


def test_empty_standard_input_is_refused(server: FaultServer) -> None:
    result = runner.invoke(app, ["brief", "-"], env=server.env(), input=b"")
    assert (result.exit_code, one_error_line(result), server.requests) == (EXIT_INPUT, "<stdin>: is empty", [])


def test_huge_file_is_generated_not_committed(corpus: dict[str, Path]) -> None:
    assert corpus["huge.txt"].stat().st_size == 5 * 1024 * 1024
    folder = Path(__file__).parent / "bad_input"
    committed = [p for p in folder.rglob("*") if p.suffix not in {".py", ".pyc"}]
    assert all(p.stat().st_size < 10_000 for p in committed if p.is_file())


def test_folder_passed_as_a_file(tmp_path: Path, server: FaultServer) -> None:
    folder = tmp_path / "article.txt"
    folder.mkdir()
    result = runner.invoke(app, ["brief", str(folder)], env=server.env())
    assert result.exit_code == EXIT_INPUT and server.requests == []
    assert one_error_line(result) == f"{folder}: is a folder, not an article file"


def test_missing_file(tmp_path: Path, server: FaultServer) -> None:
    missing = tmp_path / "notes.txt"
    result = runner.invoke(app, ["brief", str(missing)], env=server.env())
    assert result.exit_code == EXIT_INPUT and server.requests == []
    assert one_error_line(result) == f"{missing}: no such file"


@pytest.mark.skipif(AS_ROOT, reason="root reads a chmod 000 file anyway: permissions cannot make it unreadable")
def test_unreadable_file(tmp_path: Path, server: FaultServer) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    path.chmod(0)
    try:
        result = runner.invoke(app, ["brief", str(path)], env=server.env())
    finally:
        path.chmod(0o600)
    assert result.exit_code == EXIT_INPUT and server.requests == []
    assert one_error_line(result) == f"{path}: cannot be read: permission denied"


def test_unreadable_file_as_any_user(tmp_path: Path, server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same refusal when opening fails with EACCES, which root meets too (on NFS, under SELinux...).
    path = tmp_path / "secret.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    result = runner.invoke(app, ["brief", str(path)], env=server.env())
    assert result.exit_code == EXIT_INPUT and server.requests == []
    assert one_error_line(result) == f"{path}: cannot be read: permission denied"


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.name)
def test_odd_encodings_are_accepted_and_decoded(case: Case, corpus: dict[str, Path], server: FaultServer) -> None:
    path = corpus[case.name]
    result = runner.invoke(app, ["brief", str(path), "--format", "json"], env=server.env())
    assert result.exit_code == 0, result.stderr or result.exception
    brief = Brief.model_validate_json(result.stdout)
    assert brief.meta.source_language == "vi"
    # The model saw the Vietnamese as Vietnamese: decoded, NFC, every paragraph.
    sent = server.requests[0]["body"]["messages"][-1]["content"]
    for paragraph in VIETNAMESE.split("\n\n"):
        assert unicodedata.normalize("NFC", paragraph.strip()) in sent
    assert len(server.requests) == 2  # the translation, then the brief


# -- where the result cannot be written ------------------------------------------------------------


def _unwritable_targets(tmp_path: Path) -> dict[str, Path]:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    existing_folder = tmp_path / "existing"
    existing_folder.mkdir()
    return {
        "parent is a file": blocker / "brief.json",
        "parent is missing": tmp_path / "missing" / "brief.json",
        "target is a folder": existing_folder,
    }


UNWRITABLE = ["parent is a file", "parent is missing", "target is a folder"]


@pytest.mark.parametrize("where", UNWRITABLE)
def test_brief_output_that_cannot_be_written(where: str, tmp_path: Path, server: FaultServer) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    target = _unwritable_targets(tmp_path)[where]
    result = runner.invoke(app, ["brief", str(article), "-o", str(target)], env=server.env())
    assert result.exit_code == EXIT_FAILURE, result.stderr or result.exception
    assert one_error_line(result).startswith(f"{target}: cannot write the result: ")
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob(".brief.json.*"))


@pytest.mark.parametrize("where", UNWRITABLE)
def test_brief_output_is_checked_before_the_request(where: str, tmp_path: Path, server: FaultServer) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    target = _unwritable_targets(tmp_path)[where]
    result = runner.invoke(app, ["brief", str(article), "-o", str(target)], env=server.env())
    assert result.exit_code != 0
    assert server.requests == []


@pytest.mark.skipif(AS_ROOT, reason="root writes into a read-only folder anyway")
def test_brief_output_in_a_read_only_folder(tmp_path: Path, server: FaultServer) -> None:
    article = make_folder(tmp_path, 1) / "a01.txt"
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = runner.invoke(app, ["brief", str(article), "-o", str(folder / "b.json")], env=server.env())
    finally:
        folder.chmod(0o700)
    assert result.exit_code == EXIT_FAILURE
    assert one_error_line(result) == f"{folder / 'b.json'}: cannot write the result: Permission denied"


def _batch_targets(tmp_path: Path) -> dict[str, Path]:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return {"output is a file": blocker, "parent is a file": blocker / "out"}


@pytest.mark.parametrize("where", ["output is a file", "parent is a file"])
def test_batch_output_that_cannot_be_written(where: str, tmp_path: Path, server: FaultServer) -> None:
    folder = make_folder(tmp_path, 2)
    target = _batch_targets(tmp_path)[where]
    result = runner.invoke(app, ["batch", str(folder), "-o", str(target)], env=server.env())
    assert result.exit_code == EXIT_USAGE, result.stderr or result.exception
    assert one_error_line(result).startswith(f"{target}: cannot be written: ")
    assert server.requests == []


@pytest.mark.skipif(AS_ROOT, reason="root writes into a read-only folder anyway")
def test_batch_output_in_a_read_only_folder(tmp_path: Path, server: FaultServer) -> None:
    folder = make_folder(tmp_path, 2)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=server.env())
    finally:
        out.chmod(0o700)
    assert result.exit_code == EXIT_USAGE
    assert one_error_line(result) == f"{out}: cannot be written: Permission denied"
    assert server.requests == []


def test_a_bad_file_in_a_batch_fails_alone(tmp_path: Path, corpus: dict[str, Path], server: FaultServer) -> None:
    folder = make_folder(tmp_path, 2)
    for name in ("empty.txt", "binary.txt", "truncated.txt", "huge.txt", "windows1258.txt"):
        corpus[name].rename(folder / name)
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=server.env())
    assert result.exit_code == EXIT_FAILURE
    failed = [line for line in result.stderr.splitlines() if line.startswith("summarizer: failed: ")]
    assert len(failed) == 4, result.stderr
    for case in REFUSED:
        if (folder / case.name).exists():
            assert any(line.startswith(f"summarizer: failed: {folder / case.name}: ") for line in failed)
            assert any(case.problem is not None and case.problem in line for line in failed)
    assert len(server.requests) == 2 + 2  # two English briefs; the Windows-1258 article: translation + brief
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["a01.json", "a01.md", "a02.json", "a02.md", "windows1258.json", "windows1258.md", "manifest.jsonl"]
    )
