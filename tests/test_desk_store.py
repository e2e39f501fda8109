"""The desk's store without a browser: saving never overwrites, and paths stay inside the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import Brief
from summarizer._desk import DeskStore
from summarizer._errors import InputError, Usage
from summarizer._manifest import MANIFEST_NAME, compact_manifest, make_entry, read_manifest
from summarizer._results import RunInfo


def a_brief(headline: str) -> Brief:
    meta = RunInfo(
        source_name="a.txt",
        source_language="vi",
        source_paragraphs=["Một đoạn."],
        model="m",
        prompt_version="brief@2",
        attempts=1,
        usage=Usage(3, 2),
        seconds=1.5,
    )
    summary = " ".join(["word"] * 70)
    return Brief(
        headline=headline,
        summary=summary,
        key_points=["a point", "another point", "a third point"],
        figures=[],
        meta=meta,
    )


def test_a_second_article_of_one_name_gets_a_number_and_nothing_is_overwritten(tmp_path: Path) -> None:
    store = DeskStore(tmp_path)
    first = store.save(a_brief("First"), "a.txt", b"first", "cfg")
    second = store.save(a_brief("Second"), "a.txt", b"second", "cfg")
    assert (first.input, second.input) == ("desk/a.txt", "desk/a-2.txt")
    assert second.outputs == ["desk/a-2.json", "desk/a-2.md"]
    assert json.loads((tmp_path / "desk/a.json").read_text(encoding="utf-8"))["headline"] == "First"
    assert store.result("desk/a-2.txt").headline == "Second"  # type: ignore[union-attr]
    entries = read_manifest(tmp_path / MANIFEST_NAME)
    assert [entries[name].status for name in entries] == ["done", "done"]
    assert (entries["desk/a.txt"].prompt_tokens, entries["desk/a.txt"].completion_tokens) == (3, 2)
    assert [row.entry.input for row in store.listing()] == ["desk/a-2.txt", "desk/a.txt"]


@pytest.mark.parametrize("name", ["../x.json", "/etc/passwd", "a/../../x", "a\\\\..\\\\x", "", "a\0b"])
def test_a_path_that_leaves_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="is not a path inside the served folder"):
        DeskStore(tmp_path).inside(name)


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "served").mkdir()
    (tmp_path / "outside.json").write_text("{}", encoding="utf-8")
    (tmp_path / "served" / "link.json").symlink_to(tmp_path / "outside.json")
    with pytest.raises(InputError):
        DeskStore(tmp_path / "served").inside("link.json")


def test_a_batch_compacting_its_manifest_keeps_what_the_desk_saved_meanwhile(tmp_path: Path) -> None:
    store = DeskStore(tmp_path)
    store.save(a_brief("Before"), "before.txt", b"1", "cfg")
    previous = read_manifest(tmp_path / MANIFEST_NAME)  # what a batch read when it started
    store.save(a_brief("During"), "during.txt", b"2", "cfg")  # the desk saves while it runs
    batch_entry = make_entry("seed.txt", "done", None, "cfg", outputs=["seed.json", "seed.md"])
    compact_manifest(tmp_path / MANIFEST_NAME, {**previous, "seed.txt": batch_entry})
    assert sorted(read_manifest(tmp_path / MANIFEST_NAME)) == ["desk/before.txt", "desk/during.txt", "seed.txt"]


def test_a_desk_folder_that_links_out_of_the_served_folder_is_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "desk").symlink_to(outside)
    with pytest.raises(InputError, match="is not a path inside the served folder"):
        DeskStore(tmp_path / "served").save(a_brief("X"), "a.txt", b"x", "cfg")
    assert list(outside.iterdir()) == []
