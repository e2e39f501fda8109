"""Batch runs over a folder: outputs, manifest, resume, budget, failure isolation, the cache, exit codes.

The cassette tests replay a batch recorded on the embedded default; the others use a scripted
loopback server that answers every brief request with a valid draft, so they can count requests.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer import Brief, Summarizer, resolve_settings
from summarizer._batch import MANIFEST_NAME, FolderBatch, ManifestEntry, abatch
from summarizer._job import Job
from summarizer.cli import EXIT_FAILURE, EXIT_USAGE, app

from .conftest import EN_SEED, VI_SEED, exchanged_usage
from .fake_server import Reply, ScriptedServer, chat_completion

runner = CliRunner()
SUMMARY = (
    "The city council approved a new industrial park on the edge of the city this week. Officials said "
    "the project would bring investment, jobs and new roads to the district, and that the first factories "
    "could open within two years. Residents welcomed the plan but asked for clear rules on land use, on "
    "pollution and on compensation for the farmers who will have to move."
)


STARRED_FIGURE = re.compile(r"^(.+) \*$", re.MULTILINE)


def brief_reply(body: dict[str, Any]) -> Reply:
    """A valid brief draft stating the request's key figures (its parts describe them)."""
    # A re-ask's last message is the fault: the figures are in the first prompt.
    prompt = "\n".join(message["content"] for message in body["messages"] if message["role"] == "user")
    key = STARRED_FIGURE.findall(prompt)
    stated = [f"The article gives {', '.join(key)}."] if key else []
    draft = {
        "headline": "City approves a new industrial park",
        "summary": SUMMARY,
        "key_points": ["The park was approved.", "Factories may open in two years.", "Residents want rules.", *stated],
    }
    return Reply(body=chat_completion(json.dumps(draft), prompt_tokens=100, completion_tokens=40))


def english_article(number: int) -> str:
    return (
        f"Hanoi approves park {number}\n\nHanoi on Monday approved a ${number} million industrial park of "
        f"{100 + number} hectares, officials said. About 5,000 workers will be needed by May 2026.\n"
    )


def make_folder(root: Path, count: int) -> Path:
    folder = root / "in"
    folder.mkdir()
    for number in range(1, count + 1):
        (folder / f"a{number:02d}.txt").write_text(english_article(number), encoding="utf-8")
    return folder


def manifest(out: Path) -> dict[str, ManifestEntry]:
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    entries = [ManifestEntry.model_validate_json(line) for line in lines]
    return {entry.input: entry for entry in entries}


def result_files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)


def server_env(server: ScriptedServer, **extra: str) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.base_url, "SUMMARIZER_MODEL": "m", "SUMMARIZER_RETRIES": "0", **extra}


# -- replayed from cassettes recorded on the embedded default --------------------------------------


def mixed_folder(root: Path) -> Path:
    folder = root / "in"
    (folder / "english").mkdir(parents=True)
    shutil.copy(VI_SEED, folder / VI_SEED.name)
    shutil.copy(EN_SEED, folder / "english" / EN_SEED.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)))
    (folder / "notes.csv").write_text("not an article", encoding="utf-8")
    return folder


@pytest.mark.vcr
def test_batch_of_a_mixed_folder(cli_env: dict[str, str], tmp_path: Path, vcr: Any) -> None:
    folder, out = mixed_folder(tmp_path), tmp_path / "out"
    result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "--recursive", "-j", "2"], env=cli_env)

    # The bad files fail, each with its own one-line error; the good ones are written.
    assert result.exit_code == EXIT_FAILURE, result.stderr
    assert f"{folder / 'empty.txt'}: is empty" in result.stderr
    assert f"{folder / 'binary.txt'}: looks binary" in result.stderr
    vi_name, en_name = VI_SEED.stem, f"english/{EN_SEED.stem}"
    assert result_files(out) == sorted([f"{vi_name}.json", f"{vi_name}.md", f"{en_name}.json", f"{en_name}.md"])
    for name in (vi_name, en_name):
        brief = Brief.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))
        assert (out / f"{name}.md").read_text(encoding="utf-8").startswith(f"# {brief.headline}\n")

    # One manifest line per article (the .csv is no article), with what each cost.
    entries = manifest(out)
    assert {name: entry.status for name, entry in entries.items()} == {
        VI_SEED.name: "done",
        f"english/{EN_SEED.name}": "done",
        "empty.txt": "failed",
        "binary.txt": "failed",
    }
    done = [entries[VI_SEED.name], entries[f"english/{EN_SEED.name}"]]
    assert sum(e.prompt_tokens for e in done) + sum(e.completion_tokens for e in done) == sum(exchanged_usage(vcr))
    assert sum(e.attempts for e in done) == len(vcr.requests)
    assert entries[VI_SEED.name].outputs == [f"{vi_name}.json", f"{vi_name}.md"]
    assert re.fullmatch(r"[0-9a-f]{64}", entries[VI_SEED.name].content_hash or "")
    assert "done" in result.stdout and "failed" in result.stdout


@pytest.mark.default_cassette("test_batch_of_a_mixed_folder.yaml")
@pytest.mark.vcr(allow_playback_repeats=True)  # a clean run, then the interrupted one, replay the same answers
@pytest.mark.replay_only("it shares the mixed-folder cassette")
def test_interrupted_batch_resumes_to_the_set_of_a_clean_run(
    tmp_path: Path, settings: Any, vcr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = mixed_folder(tmp_path)
    for bad in ("empty.txt", "binary.txt"):
        (folder / bad).unlink()
    settings_one = resolve_settings(base_url=settings.base_url, model=settings.model, retries=0, cache=False, env={})

    async def run(out: Path) -> list[ManifestEntry]:
        async with Summarizer(settings_one) as summarizer:
            batch = FolderBatch(summarizer, folder, out, concurrency=1, recursive=True)
            return [entry async for entry in batch.run()]

    clean = tmp_path / "clean"
    asyncio.run(run(clean))
    requests_for_all = vcr.play_count

    # Ctrl-C arrives while the second article's result is being written, after its answers came.
    write = FolderBatch._write
    calls = []

    def interrupted_write(self: FolderBatch, path: Path, result: Any) -> list[str]:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return write(self, path, result)

    out = tmp_path / "out"
    monkeypatch.setattr(FolderBatch, "_write", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(run(out))
    monkeypatch.setattr(FolderBatch, "_write", write)
    first = manifest(out)
    assert [entry.status for entry in first.values()] == ["done"]
    assert not [p for p in out.rglob("*.tmp")]
    assert len(result_files(out)) == 2  # the first article's JSON and Markdown, nothing of the second
    requests_before_resume = vcr.play_count

    resumed = asyncio.run(run(out))
    assert sorted(entry.status for entry in resumed) == ["done", "skipped"]
    assert result_files(out) == result_files(clean)
    # The resumed run asked only for the article the interruption left undone.
    skipped = next(e for e in resumed if e.status == "skipped")
    assert skipped.input in first
    assert 0 < vcr.play_count - requests_before_resume < requests_for_all
    assert set(manifest(out)) == set(manifest(clean))


# -- a scripted loopback server --------------------------------------------------------------------

pytest_loopback = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@pytest_loopback
def test_a_rerun_skips_what_is_done_and_redoes_what_changed(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 3), tmp_path / "out"
    with ScriptedServer(brief_reply) as server:
        env = server_env(server)
        assert runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=env).exit_code == 0
        assert len(server.requests) == 3
        assert runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=env).exit_code == 0
        assert len(server.requests) == 3
        assert {e.status for e in manifest(out).values()} == {"skipped"}

        (folder / "a02.txt").write_text(english_article(22), encoding="utf-8")  # new content
        (out / "a03.md").unlink()  # a lost output
        runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=env)
        assert len(server.requests) == 5
        assert {n: e.status for n, e in manifest(out).items()} == {
            "a01.txt": "skipped",
            "a02.txt": "done",
            "a03.txt": "done",
        }
        # Another model is another configuration: nothing is skipped.
        result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "--model", "other"], env=env)
        assert result.exit_code == 0 and len(server.requests) == 8


@pytest_loopback
def test_one_bad_answer_is_isolated_and_fail_fast_stops_new_articles(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 4), tmp_path / "out"

    def replies(body: dict[str, Any]) -> Reply:
        if any("approves park 2\n" in message["content"] for message in body["messages"]):
            return Reply(body=chat_completion('{"headline": 1}'))
        return brief_reply(body)

    with ScriptedServer(replies) as server:
        result = runner.invoke(
            app, ["batch", str(folder), "-o", str(out), "-j", "1", "--reasks", "1"], env=server_env(server)
        )
        assert result.exit_code == EXIT_FAILURE
        entries = manifest(out)
        # Its part's key points, two drafts, then the prose alone twice ("headline": 1 is no headline either).
        assert entries["a02.txt"].status == "failed" and entries["a02.txt"].attempts == 1 + 4
        assert "did not fit the BriefDraft schema after 2 attempt(s)" in (entries["a02.txt"].error or "")
        assert "its prose, asked for alone, did not fit either" in (entries["a02.txt"].error or "")
        assert entries["a02.txt"].prompt_tokens == 50  # every attempt counted, its part's key points too
        assert [entries[n].status for n in ("a01.txt", "a03.txt", "a04.txt")] == ["done"] * 3

        shutil.rmtree(out)
        result = runner.invoke(
            app,
            ["batch", str(folder), "-o", str(out), "-j", "1", "--reasks", "0", "--fail-fast"],
            env=server_env(server),
        )
        assert result.exit_code == EXIT_FAILURE
        statuses = {n: e.status for n, e in manifest(out).items()}
        assert statuses == {"a01.txt": "done", "a02.txt": "failed", "a03.txt": "not_started", "a04.txt": "not_started"}
        assert "--fail-fast" in (manifest(out)["a03.txt"].error or "")


@pytest_loopback
def test_token_budget_stops_new_articles_and_keeps_finished_work(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 5), tmp_path / "out"
    with ScriptedServer(brief_reply) as server:
        args = ["batch", str(folder), "-o", str(out), "-j", "1", "--max-tokens", "250"]
        result = runner.invoke(app, args, env=server_env(server))
    assert result.exit_code == EXIT_FAILURE
    statuses = [e.status for e in manifest(out).values()]
    assert statuses == ["done", "done", "not_started", "not_started", "not_started"]  # 140 tokens each
    assert len(server.requests) == 2
    assert "budget of 250 tokens" in (manifest(out)["a05.txt"].error or "")
    assert result_files(out) == ["a01.json", "a01.md", "a02.json", "a02.md"]


@pytest_loopback
def test_dry_run_estimates_and_sends_nothing(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 2), tmp_path / "out"
    (folder / "empty.txt").write_bytes(b"")
    with ScriptedServer(brief_reply) as server:
        result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "--dry-run"], env=server_env(server))
    assert result.exit_code == 0, result.stderr
    assert server.requests == [] and not out.exists()
    assert "2 of 3 to run" in result.stdout and "is empty" in result.stdout


@pytest_loopback
def test_response_cache_answers_a_repeated_request_without_sending_it(tmp_path: Path) -> None:
    folder, cache = make_folder(tmp_path, 2), tmp_path / "cache" / "responses.sqlite3"
    with ScriptedServer(brief_reply) as server:
        env = server_env(server, SUMMARIZER_CACHE=str(cache))
        assert runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "one")], env=env).exit_code == 0
        assert len(server.requests) == 2
        assert runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "two")], env=env).exit_code == 0
        single = runner.invoke(app, ["brief", str(folder / "a01.txt"), "--format", "json"], env=env)
        assert len(server.requests) == 2  # neither the second batch nor the single brief sent a request
        off = runner.invoke(app, ["brief", str(folder / "a01.txt"), "--no-cache"], env=env)
        assert off.exit_code == 0 and len(server.requests) == 3
    brief = Brief.model_validate_json(single.stdout)
    assert (brief.meta.cached_answers, brief.meta.usage.total_tokens) == (2, 0)  # its part's key points, the brief
    assert manifest(tmp_path / "two")["a01.txt"].cached_answers == 2  # its part's key points, the brief
    assert cache.stat().st_mode & 0o777 == 0o600 and cache.parent.stat().st_mode & 0o777 == 0o700


@pytest_loopback
def test_outputs_mirror_the_tree_and_keep_suffixes_apart(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 1), tmp_path / "out"
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "deep" / "er" / "b.md").write_text(english_article(7), encoding="utf-8")
    (folder / "a01.html").write_text(
        "<html><head><title>Park</title></head><body><nav><a href='/'>Home</a> <a href='/x'>World</a></nav><article>"
        f"<p>{english_article(9).replace(chr(10), ' ')}</p></article><footer>Contact us</footer></body></html>",
        encoding="utf-8",
    )
    with ScriptedServer(brief_reply) as server:
        result = runner.invoke(app, ["batch", str(folder), "-o", str(out), "-r"], env=server_env(server))
        assert result.exit_code == 0, result.stderr
        html_prompt = next(r["body"]["messages"][-1]["content"] for r in server.requests if "park 9" in json.dumps(r))
    assert result_files(out) == [
        "a01.html.json",
        "a01.html.md",
        "a01.txt.json",
        "a01.txt.md",
        "deep/er/b.json",
        "deep/er/b.md",
    ]
    assert "Contact us" not in html_prompt and "World" not in html_prompt
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "{missing}", "-o", "{out}"], "no such folder"),
        (["batch", "{empty}", "-o", "{out}"], "holds no article files"),
        (["batch", "{folder}", "-o", "{out}", "--concurrency", "0"], "greater than or equal to 1"),
        (["batch", "{folder}", "-o", "{blocked}/out"], "cannot be written"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    args: list[str], message: str, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    places = {
        "missing": tmp_path / "missing",
        "empty": tmp_path / "empty",
        "folder": make_folder(tmp_path, 1),
        "out": tmp_path / "out",
        "blocked": blocked,
    }
    result = runner.invoke(app, [arg.format(**places) for arg in args], env=cli_env)
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr


@pytest_loopback
def test_abatch_yields_results_as_they_finish_with_errors_in_place() -> None:
    articles = [("one", english_article(1)), ("empty", "   "), ("two", english_article(2))]

    async def collect(server: ScriptedServer) -> dict[str, Any]:
        settings = resolve_settings(base_url=server.base_url, model="m", retries=0, cache=False, env={})
        async with Summarizer(settings) as summarizer:
            return {item.name: item async for item in abatch(summarizer, articles, Job(), concurrency=2)}

    with ScriptedServer(brief_reply) as server:
        results = asyncio.run(collect(server))
    assert isinstance(results["one"].result, Brief) and isinstance(results["two"].result, Brief)
    assert results["empty"].result is None and "holds no article text" in str(results["empty"].error)


@pytest_loopback
def test_a_stopped_run_keeps_the_records_of_finished_articles(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path, 3), tmp_path / "out"

    def failing_first(body: dict[str, Any]) -> Reply:
        if any("approves park 11\n" in m["content"] for m in body["messages"]):
            return Reply(status=500, body={"error": "down"})
        return brief_reply(body)

    with ScriptedServer(brief_reply) as server:
        assert (
            runner.invoke(app, ["batch", str(folder), "-o", str(out), "-j", "1"], env=server_env(server)).exit_code == 0
        )
    (folder / "a01.txt").write_text(english_article(11), encoding="utf-8")
    with ScriptedServer(failing_first) as server:
        runner.invoke(app, ["batch", str(folder), "-o", str(out), "-j", "1", "--fail-fast"], env=server_env(server))
    # The unchanged articles the stop left unreached are still up to date, not "not started".
    assert {n: e.status for n, e in manifest(out).items()} == {
        "a01.txt": "failed",
        "a02.txt": "skipped",
        "a03.txt": "skipped",
    }
    with ScriptedServer(brief_reply) as server:
        assert runner.invoke(app, ["batch", str(folder), "-o", str(out)], env=server_env(server)).exit_code == 0
        assert len(server.requests) == 1  # only the changed article


@pytest_loopback
def test_a_resume_never_takes_another_inputs_output_for_its_own(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "b.txt").write_text(english_article(1), encoding="utf-8")
    (folder / "b.md").write_text(english_article(2), encoding="utf-8")
    with ScriptedServer(brief_reply) as server:
        env = server_env(server)
        for pattern in ("*.txt", "*.md", "*.txt"):
            assert runner.invoke(app, ["batch", str(folder), "-o", str(out), "--glob", pattern], env=env).exit_code == 0
        assert len(server.requests) == 3  # the third run redoes b.txt: b.json now holds b.md's brief
    assert "$1 million" in (out / "b.json").read_text(encoding="utf-8")


@pytest.mark.default_cassette("test_batch_of_a_mixed_folder.yaml")
@pytest.mark.vcr
@pytest.mark.replay_only("it shares the mixed-folder cassette")
def test_cached_rerun_of_the_recorded_batch_sends_no_request(cli_env: dict[str, str], tmp_path: Path, vcr: Any) -> None:
    folder = mixed_folder(tmp_path)
    env = {**cli_env, "SUMMARIZER_CACHE": str(tmp_path / "cache.sqlite3")}
    first = runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "one"), "-r", "-j", "2"], env=env)
    played = vcr.play_count
    second = runner.invoke(app, ["batch", str(folder), "-o", str(tmp_path / "two"), "-r"], env=env)
    assert first.exit_code == second.exit_code == EXIT_FAILURE  # the two bad files fail both times
    assert played == len(vcr.requests) and vcr.play_count == played  # the second run sent nothing
    assert result_files(tmp_path / "one") == result_files(tmp_path / "two"), second.stderr
    cached = {e.input: e.cached_answers for e in manifest(tmp_path / "two").values() if e.status == "done"}
    assert cached and all(count >= 1 for count in cached.values())
