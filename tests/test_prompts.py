"""Prompt templates: shipped, versioned, and loud about anything missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import PromptError, load_prompt
from summarizer._prompts import default_prompts_dir


@pytest.mark.parametrize("name", ["brief", "translate", "summarize"])
def test_shipped_templates_load_with_a_version(name: str) -> None:
    template = load_prompt(name)
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
