"""Prompt templates: shipped, versioned, and loud about anything missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from summarizer import PromptError, Summarizer, load_prompt, resolve_settings
from summarizer._prompts import default_prompts_dir

from .fake_server import Reply, ScriptedServer, chat_completion


@pytest.mark.parametrize(
    ("name", "uses"),
    [
        ("brief", "article"),
        ("translate", "article"),
        ("summarize", "article"),
        ("facts", "article"),
        ("key_point", "sentence"),
    ],
)
def test_shipped_templates_load_with_a_version(name: str, uses: str) -> None:
    template = load_prompt(name, requires=(uses,))
    assert template.version and template.label == f"{name}@{template.version}"
    assert template.path.parent == default_prompts_dir()


def test_missing_variable_is_named(tmp_path: Path) -> None:
    (tmp_path / "brief.toml").write_text('version = "x"\nsystem = "Hi $who"\nuser = "$article"\n')
    template = load_prompt("brief", tmp_path)
    with pytest.raises(PromptError, match=r"no value for \$who in the system message"):
        template.render(article="text")
    assert template.render(article="text", who="you")[0] == {"role": "system", "content": "Hi you"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('version = "1"\nsystem = "s"\n', "needs string keys user"),
        ('version = "1"\nsystem = "s"\nuser = "no article"\n', r"does not use \$article"),
        ('version = "1"\nsystem = "costs $5"\nuser = "$article"\n', "neither"),
        ("version = [", "cannot be read"),
    ],
)
def test_malformed_templates_are_refused(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "brief.toml").write_text(content)
    with pytest.raises(PromptError, match=message):
        load_prompt("brief", tmp_path)


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="no such prompt template"):
        load_prompt("brief", tmp_path)


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_prompts_folder_without_a_template_a_brief_may_need_fails_before_any_request(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder)
    (folder / "key_point.toml").unlink()  # a folder copied before the key point template existed
    with ScriptedServer([Reply(body=chat_completion("{}"))]) as server:
        settings = resolve_settings(base_url=server.base_url, model="m", prompts_dir=folder, cache=False, env={})
        with Summarizer(settings) as summarizer, pytest.raises(PromptError, match=r"key_point\.toml: no such"):
            summarizer.brief("Hanoi approved a $400 million park on Monday, officials said.")
    assert server.requests == []
