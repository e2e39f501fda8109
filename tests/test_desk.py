"""The editor's desk in a real browser (Debian's Chromium, driven by Playwright) over recorded
results: a batch of both seeds and a translation, replayed from cassettes recorded on the embedded
default, then new work through the page on the cassette backend.

Without Chromium or Playwright these tests skip with the reason (`.ci/run` installs both).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import vcr as vcrpy

from summarizer import Brief, Settings, Summarizer, Translation, resolve_settings
from summarizer._batch import FolderBatch, write_results
from summarizer._desk import TOKEN_HEADER, DeskServer, open_desk
from summarizer._job import Job
from summarizer._manifest import MANIFEST_NAME, appending, make_entry, read_manifest
from summarizer._results import Notice, ParagraphPair, RunInfo
from summarizer._errors import Usage

from .conftest import CASSETTES, EN_SEED, VI_SEED, UnicodeYamlSerializer
from .fake_server import Fault, FaultServer
from .test_batch import mixed_folder

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')")
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


def _replayer(vcr_config: dict[str, Any]) -> vcrpy.VCR:
    instance = vcrpy.VCR(**vcr_config)
    instance.register_serializer("yaml", UnicodeYamlSerializer)
    return instance


@pytest.fixture(scope="module")
def replayer(vcr_config: dict[str, Any]) -> vcrpy.VCR:
    return _replayer(vcr_config)


def _cassette(replayer: vcrpy.VCR, module: str, name: str) -> Any:
    return replayer.use_cassette(str(CASSETTES / module / f"{name}.yaml"), record_mode="none", allow_playback_repeats=True)


@pytest.fixture(scope="module")
def recorded_folder(tmp_path_factory: pytest.TempPathFactory, replayer: vcrpy.VCR) -> Path:
    """A batch's output folder, as `summarizer batch` writes it: both seeds briefed (and two bad
    files failed), then the Vietnamese seed translated, from the cassettes."""
    root = tmp_path_factory.mktemp("desk")
    out = root / "out"
    settings = resolve_settings(base_url="http://127.0.0.1:8080/v1", model="qwen2.5-coder-1.5b-instruct-q4_k_m", retries=0, cache=False, env={})

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
        run((FolderBatch(Summarizer(settings), mixed_folder(root), out, recursive=True, concurrency=2)))
    translate_in = root / "to-translate" / "translated"
    translate_in.mkdir(parents=True)
    shutil.copy(VI_SEED, translate_in / VI_SEED.name)
    with _cassette(replayer, "test_tasks", "test_translate_vietnamese_to_english"):
        job = Job(task="translate", to="en")
        run((FolderBatch(Summarizer(settings), root / "to-translate", out, job, recursive=True)))
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
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
    """What a page did that it must not: dialogs opened, errors on its console, scripts that threw."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def page(browser: Any, desk: DeskServer) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=f"http://127.0.0.1:{desk.port}")
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    assert page.watch.dialogs == [] and page.watch.errors == [], (page.watch.dialogs, page.watch.errors)
    context.close()


def opened(page: Any, desk: DeskServer, route: str = "#/") -> Any:
    page.goto(desk.url + route)
    page.wait_for_function("route => document.body.dataset.ready === route", arg=route)
    return page


def result_of(folder: Path, input_name: str) -> Any:
    entry = read_manifest(folder / MANIFEST_NAME)[input_name]
    return json.loads((folder / entry.outputs[0]).read_text(encoding="utf-8"))


def test_smoke(page: Any, desk: DeskServer, recorded_folder: Path) -> None:
    opened(page, desk)
    print(page.inner_text("main"))
    opened(page, desk, f"#/a/{quote(VI_INPUT)}")
    print(page.inner_text("main"))
    page.screenshot(path="/tmp/desk-brief.png", full_page=False)
