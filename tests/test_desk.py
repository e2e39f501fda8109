"""The editor's desk in a real browser (Debian's Chromium, driven by Playwright) over recorded
results: a batch of both seeds and a translation, replayed from cassettes recorded on the embedded
default, then new work through the page on the cassette backend.

Without Chromium or Playwright these tests skip with the reason (`.ci/run` installs both).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import vcr as vcrpy

from summarizer import Brief, Settings, Summarizer, Translation, resolve_settings
from summarizer._batch import FolderBatch, write_results
from summarizer._desk import TOKEN_HEADER, DeskServer, open_desk
from summarizer._errors import Usage
from summarizer._figures import extract_figures, supports
from summarizer._job import Job
from summarizer._manifest import MANIFEST_NAME, appending, make_entry, read_manifest
from summarizer._notices import KINDS
from summarizer._results import Notice, ParagraphPair, RunInfo

from .conftest import CASSETTES, EN_SEED, VI_SEED, UnicodeYamlSerializer
from .fake_server import Fault, FaultServer
from .test_batch import mixed_folder

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.replay_only("it replays the batch and task cassettes"),
    pytest.mark.block_network(allowed_hosts=["127.0.0.1"]),
]
# Chromium as root in a container, with no reach to the network (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VI_INPUT = VI_SEED.name
TRANSLATED_INPUT = f"translated/{VI_SEED.name}"
SUMMARIZED_INPUT = f"summarized/{VI_SEED.name}"


def _replayer(vcr_config: dict[str, Any]) -> vcrpy.VCR:
    instance = vcrpy.VCR(**vcr_config)
    instance.register_serializer("yaml", UnicodeYamlSerializer)
    return instance


@pytest.fixture(scope="module")
def replayer(vcr_config: dict[str, Any]) -> vcrpy.VCR:
    return _replayer(vcr_config)


def _cassette(replayer: vcrpy.VCR, module: str, name: str) -> Any:
    return replayer.use_cassette(
        str(CASSETTES / module / f"{name}.yaml"), record_mode="none", allow_playback_repeats=True
    )


@pytest.fixture(scope="module")
def recorded_folder(tmp_path_factory: pytest.TempPathFactory, replayer: vcrpy.VCR) -> Path:
    """A batch's output folder, as `summarizer batch` writes it: both seeds briefed (and two bad
    files failed), then the Vietnamese seed translated, from the cassettes."""
    root = tmp_path_factory.mktemp("desk")
    out = root / "out"
    settings = resolve_settings(
        base_url="http://127.0.0.1:8080/v1", model="qwen2.5-coder-1.5b-instruct-q4_k_m", retries=0, cache=False, env={}
    )

    async def arun(batch: FolderBatch) -> None:
        async with batch.summarizer:
            async for _ in batch.run():
                pass

    def run(batch: FolderBatch) -> None:
        # On a thread of its own: Playwright's sync API keeps an event loop on the test's thread.
        worker = threading.Thread(target=asyncio.run, args=(arun(batch),))
        worker.start()
        worker.join()

    with _cassette(replayer, "test_batch", "test_batch_of_a_mixed_folder"):
        run(FolderBatch(Summarizer(settings), mixed_folder(root), out, recursive=True, concurrency=2))
    # The Vietnamese seed translated, then summarized, each into a sub-folder of the same output.
    for folder, cassette, job in (
        ("translated", "test_translate_vietnamese_to_english", Job(task="translate", to="en")),
        ("summarized", "test_async_summary_of_vietnamese_seed_in_english", Job(task="summarize", lang="en")),
    ):
        (root / f"for-{folder}" / folder).mkdir(parents=True)
        shutil.copy(VI_SEED, root / f"for-{folder}" / folder / VI_SEED.name)
        with _cassette(replayer, "test_tasks", cassette):
            run(FolderBatch(Summarizer(settings), root / f"for-{folder}", out, job, recursive=True))
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module-scoped: Playwright's sync API holds an event loop on this thread while it runs, and the
    # other modules' tests call asyncio.run here.
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def desk(recorded_folder: Path, settings: Settings) -> Iterator[DeskServer]:
    server = open_desk(recorded_folder, settings)
    server.start()
    yield server
    server.close()


class PageWatch:
    """What a page did that it must not: dialogs opened, errors on its console, scripts that threw,
    and requests that left the machine (a CDN, a web font, analytics)."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.away: list[str] = []
        page.on("request", lambda request: self._check_request(request.url))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _check_request(self, url: str) -> None:
        if not url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "blob:")):
            self.away.append(url)


@pytest.fixture
def page(browser: Any, desk: DeskServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=f"http://127.0.0.1:{desk.port}")
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    assert page.watch.dialogs == [] and page.watch.errors == [], (page.watch.dialogs, page.watch.errors)
    assert page.watch.away == []  # nothing left the machine
    context.close()


def opened(page: Any, desk: DeskServer, route: str = "#/") -> Any:
    page.goto(desk.url + route)
    page.wait_for_function("route => document.body.dataset.ready === route", arg=route)
    return page


def result_of(folder: Path, input_name: str) -> Any:
    entry = read_manifest(folder / MANIFEST_NAME)[input_name]
    return json.loads((folder / entry.outputs[0]).read_text(encoding="utf-8"))


def rows(page: Any) -> list[dict[str, str]]:
    """The listing's visible rows: input, status and warnings count."""
    return page.eval_on_selector_all(
        "table.listing tbody tr",
        """rows => rows.map(r => ({input: r.dataset.input, status: r.querySelector('.status').textContent,
            warnings: parseInt(r.querySelector('.warnings').textContent)}))""",
    )


def test_the_listing_shows_the_batch_most_warnings_first_and_filters(
    page: Any, desk: DeskServer, recorded_folder: Path
) -> None:
    opened(page, desk)
    manifest = read_manifest(recorded_folder / MANIFEST_NAME)
    listed = rows(page)
    assert {row["input"] for row in listed} == set(manifest)  # both seeds, the translation, the two bad files
    assert {row["input"]: row["status"] for row in listed} == {name: entry.status for name, entry in manifest.items()}
    for row in listed:
        if manifest[row["input"]].status == "done":
            assert row["warnings"] == len(result_of(recorded_folder, row["input"])["meta"]["notices"])
    counts = [row["warnings"] for row in listed]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]

    page.select_option("#filter-status", "failed")
    assert {row["input"] for row in rows(page)} == {"empty.txt", "binary.txt"}
    assert "binary.txt: looks binary" in page.inner_text("table.listing")
    page.select_option("#filter-status", "all")
    page.check("#filter-warnings")
    assert {row["input"] for row in rows(page)} == {row["input"] for row in listed if row["warnings"] > 0}
    assert page.inner_text(".count") == f"{len(rows(page))} of {len(listed)}"


def test_clicking_a_figure_of_the_brief_highlights_its_source_form_in_view(page: Any, desk: DeskServer) -> None:
    opened(page, desk, f"#/a/{quote(VI_INPUT)}")
    lit = page.locator(".source .lit")
    assert lit.count() == 0
    # The prose or, by rule always, the figures table.
    page.locator(".brief .mark", has_text="$1.6 billion").first.click()
    assert lit.all_inner_texts() == ["1,6 tỷ USD"]
    playwright_api.expect(lit.first).to_be_in_viewport()
    # A name traced to the source the same way, from the people list.
    page.locator(".entities .mark", has_text="Nguyen Anh Tuan").click()
    assert set(lit.all_inner_texts()) == {"Nguyễn Anh Tuấn"}
    # And the figures table ties each figure to its source form, never to another one.
    table = page.locator("table.figures tbody tr")
    for index in range(table.count()):
        row = table.nth(index)
        row.locator(".mark").click()
        assert set(lit.all_inner_texts()) == {row.locator("td").nth(1).inner_text()}


def test_the_translation_is_aligned_paragraph_by_paragraph_with_figures_on_both_sides(
    page: Any, desk: DeskServer, recorded_folder: Path
) -> None:
    translation = result_of(recorded_folder, TRANSLATED_INPUT)
    opened(page, desk, f"#/a/{quote(TRANSLATED_INPUT)}")
    table = page.locator("table.aligned tbody tr")
    assert table.count() == len(translation["paragraphs"])
    for index, pair in enumerate(translation["paragraphs"]):
        row = table.nth(index)
        assert row.locator("td.source").inner_text() == pair["source"]
        assert row.locator("td.target").inner_text().startswith(pair["translation"])
        assert ("flagged" in (row.get_attribute("class") or "")) == bool(pair["flags"])
    # A figure kept by its paragraph's translation, lit on both sides of that row and nowhere else:
    # the first money figure of the recorded translation that its English states.
    kept = [
        (index, figure, stated)
        for index, pair in enumerate(translation["paragraphs"])
        for figure in extract_figures(pair["source"], "vi")
        for stated in extract_figures(pair["translation"], "en")
        if figure.kind == "money" and supports(figure, stated)
    ]
    assert kept, "the recorded translation keeps no money figure"
    index, figure, stated = kept[0]
    row = table.nth(index)
    row.locator("td.target .mark", has_text=stated.source).first.click()
    assert sorted(page.locator(".lit").all_inner_texts()) == sorted([stated.source, figure.source])
    assert row.locator(".lit").count() == 2
    # Each paragraph with flags (a figure lost or changed) is marked, its flags under it.
    flagged = page.locator("tr.flagged")
    with_flags = [pair for pair in translation["paragraphs"] if pair["flags"]]
    assert flagged.count() == len(with_flags)
    for number, pair in enumerate(with_flags):
        for flag in pair["flags"]:
            assert f"⚠ {flag}" in flagged.nth(number).inner_text()


def test_warnings_are_listed_by_severity_and_lead_to_their_paragraph(
    page: Any, desk: DeskServer, recorded_folder: Path
) -> None:
    notices = result_of(recorded_folder, TRANSLATED_INPUT)["meta"]["notices"]
    opened(page, desk, f"#/a/{quote(TRANSLATED_INPUT)}")
    items = page.locator("#warnings li")
    shown = [items.nth(i).get_attribute("class") for i in range(items.count())]
    severities = [name.split("severity-")[1] for name in shown]
    assert len(severities) == len(notices)
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    # The most severe warning that names a paragraph leads to that paragraph's row.
    kinds = [kind.name for kind in KINDS]
    ranked = sorted(notices, key=lambda n: (["high", "medium", "low"].index(n["severity"]), kinds.index(n["kind"])))
    named = [(i, re.search(r"\bparagraph (\d+)\b", n["text"])) for i, n in enumerate(ranked)]
    index, found = next((i, m) for i, m in named if m)
    item = items.nth(index)
    assert ranked[index]["text"] in item.inner_text()
    item.locator("button.goto", has_text=f"paragraph {found.group(1)}").click()
    lit = page.locator("tr.lit")
    assert lit.count() == 1 and lit.get_attribute("data-paragraph") == found.group(1)
    playwright_api.expect(lit).to_be_in_viewport()


def test_copy_as_markdown_and_download_json_give_the_result_files(
    page: Any, desk: DeskServer, recorded_folder: Path
) -> None:
    entry = read_manifest(recorded_folder / MANIFEST_NAME)[VI_INPUT]
    json_file, markdown_file = (recorded_folder / name for name in entry.outputs)
    opened(page, desk, f"#/a/{quote(VI_INPUT)}")
    page.click("#copy-markdown")
    page.wait_for_selector("text=Markdown copied")
    assert page.evaluate("navigator.clipboard.readText()") == markdown_file.read_text(encoding="utf-8")
    with page.expect_download() as download:
        page.click("#download-json")
    assert download.value.suggested_filename == json_file.name
    assert Path(download.value.path()).read_text(encoding="utf-8") == json_file.read_text(encoding="utf-8")
    # The print view: the page's controls go, the brief and its source stay.
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible() and not page.locator("header.bar").is_visible()
    assert page.locator(".brief .headline").is_visible() and page.locator(".source").is_visible()


def test_a_new_brief_through_the_page_is_saved_as_a_batch_saves_it(
    page: Any, browser: Any, replayer: vcrpy.VCR, tmp_path: Path, settings: Settings
) -> None:
    server = open_desk(tmp_path, settings)
    server.start()
    try:
        with _cassette(replayer, "test_tasks", "test_cli_brief_of_vietnamese_seed"):
            opened(page, server, "#/new")
            page.set_input_files("#article-file", str(VI_SEED))
            page.select_option("#task", "brief")
            page.click("#start")
            page.wait_for_selector(".brief .headline", timeout=60_000)
        entries = read_manifest(tmp_path / MANIFEST_NAME)
        assert list(entries) == [f"desk/{VI_SEED.name}"]
        entry = entries[f"desk/{VI_SEED.name}"]
        assert entry.status == "done" and entry.outputs == [f"desk/{VI_SEED.stem}.json", f"desk/{VI_SEED.stem}.md"]
        brief = Brief.model_validate_json((tmp_path / entry.outputs[0]).read_text(encoding="utf-8"))
        assert page.inner_text(".brief .headline") == brief.headline
        assert brief.meta.source_paragraphs and brief.meta.cached_answers == 0
        # The CLI's renderings, and one store: the listing shows it.
        assert (tmp_path / entry.outputs[1]).read_text(encoding="utf-8").startswith(f"# {brief.headline}\n")
        opened(page, server)
        assert [row["input"] for row in rows(page)] == [f"desk/{VI_SEED.name}"]
    finally:
        server.close()


def test_a_running_job_shows_its_stage_and_can_be_cancelled(page: Any, tmp_path: Path) -> None:
    with FaultServer(lambda body, n: Fault(delay=120)) as model:
        settings = resolve_settings(base_url=model.base_url, model="m", retries=0, cache=False, env={})
        server = open_desk(tmp_path, settings)
        server.start()
        try:
            opened(page, server, "#/new")
            page.fill("#article-text", EN_SEED.read_text(encoding="utf-8"))
            page.click("#start")
            stage = page.locator("#job-stage")
            playwright_api.expect(stage).to_contain_text("writing")
            page.click("#cancel")
            playwright_api.expect(stage).to_have_text("cancelled")
        finally:
            server.close()
    assert not (tmp_path / MANIFEST_NAME).exists() and not (tmp_path / "desk").exists()  # nothing half-saved


def test_a_bad_article_gets_one_line_naming_the_file(page: Any, desk: DeskServer, tmp_path: Path) -> None:
    empty = tmp_path / "blank.txt"
    empty.write_text("   \n", encoding="utf-8")
    opened(page, desk, "#/new")
    page.set_input_files("#article-file", str(empty))
    page.click("#start")
    playwright_api.expect(page.locator("p.error")).to_have_text("blank.txt: holds only white space")
    # The browser logs the refusal (400) itself: that one console line is expected, no other.
    assert page.watch.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.watch.errors.clear()


HOSTILE = [
    "<script>alert('source')</script>",
    "<img src=x onerror=alert('img')>",
    "<a href=\"javascript:alert('link')\">click</a>",
]


def hostile_folder(folder: Path) -> Path:
    """Results whose every text holds markup an article might carry: in the source, the
    translation, the brief and a warning, as a batch would have written them."""
    source = [f"Đoạn {n}: {payload} 1,6 tỷ USD." for n, payload in enumerate(HOSTILE, 1)]
    warning = f"paragraph 2 lacks or changes '{HOSTILE[1]}' (a figure)"
    meta = RunInfo(
        source_name=HOSTILE[0],
        source_language="vi",
        source_paragraphs=source,
        model=HOSTILE[2],
        prompt_version="translate@3",
        attempts=1,
        usage=Usage(1, 1),
        seconds=0.1,
        warnings=[warning],
        notices=[Notice(severity="high", kind="lost_figure", text=warning)],
    )
    translation = Translation(
        target_language="en",
        paragraphs=[
            ParagraphPair(source=p, translation=f"Paragraph: {h} $1.6 billion.", flags=[h])
            for p, h in zip(source, HOSTILE, strict=True)
        ],
        meta=meta,
    )
    brief = Brief(
        headline=HOSTILE[0],
        summary=" ".join(["An article about markup."] * 12) + HOSTILE[1],
        key_points=HOSTILE,
        figures=[],
        people=[],
        organizations=[],
        places=[],
        meta=meta,
    )
    with appending(folder / MANIFEST_NAME) as append:
        for name, result in (("hostile-translation.txt", translation), ("hostile-brief.txt", brief)):
            outputs = write_results(folder, (f"{name}.json", f"{name}.md"), result)
            append(make_entry(name, "done", None, "x", outputs=outputs))
    return folder


@pytest.mark.parametrize("input_name", ["hostile-translation.txt", "hostile-brief.txt"])
def test_a_hostile_article_is_shown_as_written_and_nothing_runs(
    page: Any, tmp_path: Path, settings: Settings, input_name: str
) -> None:
    server = open_desk(hostile_folder(tmp_path), settings)
    server.start()
    try:
        opened(page, server)
        opened(page, server, f"#/a/{quote(input_name)}")
        text = page.inner_text("main")
        for payload in HOSTILE:
            assert payload in text  # shown as written, in the source, the result and the warning
        assert page.locator("main img, main script, main a[href^='javascript']").count() == 0
        page.locator("#warnings button.goto").first.click()
        page.click("#copy-markdown")
        page.wait_for_selector("text=Markdown copied")
    finally:
        server.close()
    assert page.watch.dialogs == [] and page.watch.errors == []  # no alert ran, nothing broke


def raw_request(
    desk: DeskServer, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{desk.port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_requests_without_the_token_or_for_another_host_are_refused(desk: DeskServer) -> None:
    token = {TOKEN_HEADER: desk.token}
    assert raw_request(desk, "GET", "/api/articles", token)[0] == 200
    # DNS rebinding: a page at another name that resolves to 127.0.0.1 gets nothing.
    assert raw_request(desk, "GET", "/api/articles", {**token, "Host": "attacker.example"})[0] == 403
    assert raw_request(desk, "GET", f"/?token={desk.token}", {"Host": f"attacker.example:{desk.port}"})[0] == 403
    # The page itself holds no results; without the token it reads none and starts nothing.
    status, shell = raw_request(desk, "GET", "/")
    assert status == 200 and VI_INPUT.encode() not in shell
    assert raw_request(desk, "GET", "/api/articles")[0] == 403
    assert raw_request(desk, "GET", "/api/articles", {TOKEN_HEADER: "guess"})[0] == 403
    job = json.dumps({"task": "brief", "text": "Xin chào"}).encode()
    assert raw_request(desk, "POST", "/api/jobs", {"Content-Type": "application/json"}, job)[0] == 403
    # A form post (what another site's page can send without asking) is not JSON: refused.
    form = {**token, "Content-Type": "text/plain"}
    assert raw_request(desk, "POST", "/api/jobs", form, job)[0] == 415
    # Nothing changes on GET.
    assert raw_request(desk, "GET", "/api/jobs", token)[0] == 404
    # Only files inside the served folder, whatever the request or a manifest says.
    for name in ("../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "english/../../x.json"):
        status, body = raw_request(desk, "GET", f"/api/result?input={quote(name, safe='%')}", token)
        assert status == 404 and b"root:" not in body
    assert raw_request(desk, "GET", "/static/../_desk/_server.py")[0] == 404
    status, _ = raw_request(desk, "GET", "/static/desk.js")
    assert status == 200
    # A request target naming another site is refused like a foreign Host.
    assert raw_request(desk, "GET", "http://attacker.example/api/articles", token)[0] == 403


def test_bad_requests_get_an_answer_and_the_server_stays_up(desk: DeskServer) -> None:
    token = {TOKEN_HEADER: desk.token, "Content-Type": "application/json"}
    surrogate = b'{"task": "brief", "text": "\\ud800 x"}'  # a lone surrogate, as JSON allows
    status, body = raw_request(desk, "POST", "/api/jobs", token, surrogate)
    assert status == 400 and b"pasted.txt: the pasted text holds characters that are not text" in body
    assert raw_request(desk, "POST", "/api/jobs", token, b"[" * 100_000)[0] == 400
    assert raw_request(desk, "POST", "/api/jobs", token, b"{not json")[0] == 400
    status, body = raw_request(desk, "POST", "/api/jobs", token, json.dumps({"task": "poem", "text": "x"}).encode())
    assert status == 400 and b"task: must be one of brief, translate, summarize" in body
    connection = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    connection.request("OPTIONS", "/api/articles", headers={"Host": f"127.0.0.1:{desk.port}"})
    response = connection.getresponse()
    assert response.status == 501 and response.getheader("Content-Type", "").startswith("application/json")
    assert "default-src 'none'" in (response.getheader("Content-Security-Policy") or "")
    connection.close()
    assert raw_request(desk, "GET", "/api/articles", {TOKEN_HEADER: desk.token})[0] == 200  # still serving


def test_a_manifest_that_points_outside_the_folder_is_not_followed(tmp_path: Path, settings: Settings) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text("{}", encoding="utf-8")
    served = tmp_path / "served"
    served.mkdir()
    with appending(served / MANIFEST_NAME) as append:
        append(make_entry("a.txt", "done", None, "x", outputs=["../secret.json", "../secret.md"]))
    server = open_desk(served, settings)
    server.start()
    try:
        status, body = raw_request(server, "GET", "/api/result?input=a.txt", {TOKEN_HEADER: server.token})
        assert status == 404 and b"has no result" in body
    finally:
        server.close()


def test_every_answer_carries_a_strict_content_security_policy(desk: DeskServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=10)
    connection.request("GET", "/", headers={"Host": f"localhost:{desk.port}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    policy = response.getheader("Content-Security-Policy") or ""
    assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_the_command_prints_its_address_serves_the_folder_and_stops_on_sigterm(
    recorded_folder: Path, cli_env: dict[str, str]
) -> None:
    command = [sys.executable, "-m", "summarizer", "desk", str(recorded_folder), "--no-browser"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **cli_env}
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("summarizer desk: http://127.0.0.1:"), line
        url = urlsplit(line.split(": ", 1)[1].strip())
        token = url.query.removeprefix("token=")
        connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=10)
        connection.request("GET", "/api/articles", headers={TOKEN_HEADER: token})
        listed = json.loads(connection.getresponse().read())
        connection.close()
        assert {row["input"] for row in listed["articles"]} == set(read_manifest(recorded_folder / MANIFEST_NAME))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "stopped" in (process.stderr.read() if process.stderr else "")
    finally:
        process.kill()


def test_the_command_refuses_a_missing_folder_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "desk", str(missing), "--no-browser"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.strip() == f"summarizer: error: {missing}: no such folder"


def test_the_summary_is_shown_beside_its_source_with_its_figures_tied_to_it(
    page: Any, desk: DeskServer, recorded_folder: Path
) -> None:
    summary = result_of(recorded_folder, SUMMARIZED_INPUT)
    opened(page, desk, f"#/a/{quote(SUMMARIZED_INPUT)}")
    assert page.inner_text(".summary-result .headline") == summary["title"]
    assert page.inner_text(".summary-result .lead") == summary["lead"]
    assert page.locator(".source p").count() == len(summary["meta"]["source_paragraphs"])
    marks = page.locator(".summary-result .mark")
    assert marks.count() > 0
    for index in range(marks.count()):
        marks.nth(index).click()
        assert page.locator(".source .lit").count() >= 1  # every figure marked in the summary is in the source


def test_the_token_leaves_the_address_bar_and_a_page_without_it_reads_nothing(
    page: Any, browser: Any, desk: DeskServer
) -> None:
    opened(page, desk)
    assert "token" not in page.url and page.url.endswith("/#/")
    page.reload()  # the tab keeps the token for itself
    page.wait_for_selector("table.listing")
    stranger = browser.new_page()
    stranger.goto(f"http://127.0.0.1:{desk.port}/")
    playwright_api.expect(stranger.locator("p.error")).to_contain_text("Open the address summarizer desk printed")
    assert stranger.locator("table.listing").count() == 0
    stranger.close()


def test_marks_are_whole_words_only(page: Any, desk: DeskServer) -> None:
    opened(page, desk)
    spans = page.evaluate(
        """() => {
            const terms = [{text: "5%", id: "a", kind: "percent", label: "5%"},
                           {text: "Vietnam", id: "b", kind: "place", label: "Vietnam"}];
            const box = document.createElement("p");
            box.append(marked("Up 15% in Vietnamese exports; 5% in Vietnam.", terms));
            return [...box.querySelectorAll("[data-mark]")].map(s => s.textContent);
        }"""
    )
    assert spans == ["5%", "Vietnam"]
