"""The command line: exit codes and one-line errors that name the file and the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import __version__
from summarizer._files import write_text_atomic
from summarizer.cli import EXIT_BACKEND, EXIT_INPUT, EXIT_USAGE, app

from .fake_server import Reply, ScriptedServer

runner = CliRunner()


def run(args: list[str], env: dict[str, str], stdin: bytes | None = None) -> tuple[int, str]:
    result = runner.invoke(app, args, env=env, input=stdin)
    return result.exit_code, result.stderr


def assert_one_line(stderr: str, *parts: str) -> None:
    assert stderr.startswith("summarizer: error: ") and stderr.count("\n") == 1, stderr
    for part in parts:
        assert part in stderr


@pytest.mark.parametrize("command", [["brief"], ["translate", "--to", "en"], ["summarize", "--lang", "en"]])
def test_missing_file(command: list[str], cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    code, stderr = run([*command, str(missing)], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, f"{missing}: no such file")


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "is empty"), (b"   \n\n", "holds only white space"), (b"\x00\x01PK\x03\x04", "looks binary")],
)
def test_unusable_files(content: bytes, problem: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    code, stderr = run(["brief", str(article)], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, f"{article}: {problem}")


def test_folder_given_as_article(cli_env: dict[str, str], tmp_path: Path) -> None:
    code, stderr = run(["brief", str(tmp_path)], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, "is a folder")


def test_stdin_is_read(cli_env: dict[str, str]) -> None:
    code, stderr = run(["brief", "-"], cli_env, stdin=b"")
    assert code == EXIT_INPUT
    assert_one_line(stderr, "<stdin>: is empty")


def test_only_captions_and_links(cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "captions.txt"
    article.write_text("A photo of the meeting. |\nSource: https://example.org/a\nComment (0)\n", encoding="utf-8")
    code, stderr = run(["brief", str(article)], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, "holds no article text")


def test_too_long_article_says_by_how_much(cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    article.write_text("Bắc Ninh thu hút đầu tư nước ngoài. " * 2000, encoding="utf-8")
    code, stderr = run(["brief", str(article)], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, f"{article}: its longest paragraph is too long for one request", "over")


def test_translation_into_the_same_language(cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "en.txt"
    article.write_text("The province opened a new industrial park this week.", encoding="utf-8")
    code, stderr = run(["translate", str(article), "--to", "en"], cli_env)
    assert code == EXIT_INPUT
    assert_one_line(stderr, "is already in English")


def test_server_without_model_is_a_usage_error(tmp_path: Path) -> None:
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "SUMMARIZER_MODEL": "", "OPENAI_API_KEY": ""}
    code, stderr = run(["brief", str(tmp_path / "a.txt")], env)
    assert code == EXIT_USAGE
    assert_one_line(stderr, "no model named for http://127.0.0.1:11434/v1")


def test_unreachable_server_names_file_and_endpoint(cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Bắc Ninh thu hút 400 triệu USD vốn đầu tư.", encoding="utf-8")
    env = {**cli_env, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    code, stderr = run(["brief", str(article)], env)
    assert code == EXIT_BACKEND
    assert_one_line(stderr, str(article), "cannot reach http://127.0.0.1:9/v1")


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_api_key_never_printed_even_when_the_server_echoes_it(
    cli_env: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-sentinel-0123456789abcdef"
    article = tmp_path / "a.txt"
    article.write_text("Bắc Ninh thu hút 400 triệu USD vốn đầu tư.", encoding="utf-8")
    echo = Reply(status=401, body={"error": {"message": f"Incorrect API key provided: {key}"}})
    with ScriptedServer([echo]) as server:
        env = {**cli_env, "OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": key}
        result = runner.invoke(app, ["brief", str(article), "-v"], env=env)
    assert len(server.requests) == 1 and result.exit_code == EXIT_BACKEND
    assert "answered HTTP 401" in result.stderr and "[redacted]" in result.stderr
    assert key not in result.stdout + result.stderr + caplog.text


def test_version_and_help() -> None:
    assert runner.invoke(app, ["--version"]).stdout.strip() == __version__
    help_text = runner.invoke(app, ["brief", "--help"]).stdout
    for option in ("--base-url", "OPENAI_BASE_URL", "--model", "SUMMARIZER_MODEL", "--format", "--output", "--mode"):
        assert option in help_text


def test_result_file_is_the_users_alone_even_with_a_lax_umask(tmp_path: Path) -> None:
    target = tmp_path / "brief.md"
    previous = os.umask(0)
    try:
        write_text_atomic(target, "# Bắc Ninh\n")
    finally:
        os.umask(previous)
    assert target.read_text(encoding="utf-8") == "# Bắc Ninh\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summarize", "--lang", "fr"], "'fr' is not one of"),
        (["summarize", "--max-words", "5"], "greater than or equal to 20"),
    ],
)
def test_bad_option_values(args: list[str], message: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Bắc Ninh thu hút 400 triệu USD vốn đầu tư.", encoding="utf-8")
    result = runner.invoke(app, [*args, str(article)], env=cli_env)
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
