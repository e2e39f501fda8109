"""Settings precedence: argument > environment > default, and the choice of backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from summarizer import ConfigError, Job, Summarizer, resolve_settings
from summarizer._config import DEFAULT_TIMEOUT, EMBEDDED_MODEL, OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL

from .conftest import EN_SEED, ROOT


def test_nothing_configured_means_embedded() -> None:
    settings = resolve_settings(env={})
    assert settings.embedded and settings.base_url is None
    assert settings.model == EMBEDDED_MODEL
    assert settings.timeout == DEFAULT_TIMEOUT


def test_api_key_alone_means_openai() -> None:
    settings = resolve_settings(env={"OPENAI_API_KEY": "sk-test-0123456789abcdef"})
    assert settings.base_url == OPENAI_BASE_URL and settings.model == OPENAI_DEFAULT_MODEL


def test_argument_beats_environment_beats_default() -> None:
    env = {"OPENAI_BASE_URL": "http://env:1/v1/", "SUMMARIZER_MODEL": "env-model", "SUMMARIZER_TIMEOUT": "12"}
    from_env = resolve_settings(env=env)
    assert (from_env.base_url, from_env.model, from_env.timeout) == ("http://env:1/v1", "env-model", 12.0)
    from_args = resolve_settings(base_url="http://arg:2/v1", model="arg-model", timeout=3, env=env)
    assert (from_args.base_url, from_args.model, from_args.timeout) == ("http://arg:2/v1", "arg-model", 3)


def test_other_server_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="no model named for http://localhost:11434/v1"):
        resolve_settings(base_url="http://localhost:11434/v1", env={})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SUMMARIZER_TIMEOUT": "soon"}, "SUMMARIZER_TIMEOUT: expected seconds"),
        ({"SUMMARIZER_MODE": "xml"}, "SUMMARIZER_MODE: expected json, md_json or tools"),
        ({"SUMMARIZER_RETRIES": "-1"}, "retries and reasks must be 0 or more"),
        ({"SUMMARIZER_MAX_OUTPUT_TOKENS": "9000"}, "context tokens"),
    ],
)
def test_bad_environment_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(env=env)


def test_api_key_is_not_in_repr() -> None:
    settings = resolve_settings(api_key="sk-secret-0123456789abcdef", env={})
    assert "sk-secret" not in repr(settings)


def test_library_refuses_unknown_languages_and_tiny_summaries() -> None:
    summarizer = Summarizer(resolve_settings(base_url="http://127.0.0.1:9/v1", model="m", env={}))
    with pytest.raises(ConfigError, match="target language: expected one of vi, en, got 'fr'"):
        summarizer.translate("Bắc Ninh thu hút đầu tư.", to="fr")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max words: at least 20"):
        summarizer.summarize("Bắc Ninh thu hút đầu tư.", lang="en", max_words=5)


def test_paths_may_be_given_as_strings(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    glossary = tmp_path / "terms.tsv"
    glossary.write_text("source\tenglish\nSở Y tế\tHealth Department\n", encoding="utf-8")
    cache = tmp_path / "cache.sqlite3"
    options = {"base_url": "http://127.0.0.1:9/v1", "model": "m", "env": {}}
    with Summarizer(prompts_dir=str(prompts), cache=str(cache), glossary=str(glossary), **options) as summarizer:
        assert (summarizer.settings.prompts_dir, summarizer.settings.cache_path) == (prompts, cache)
        assert ("Sở Y tế", "Health Department") in summarizer.glossary.terms
        # The templates are read from the folder given as a string (no request is sent for an estimate).
        assert summarizer.estimate_prompt_tokens(Job("brief"), EN_SEED.read_text(encoding="utf-8")) > 0
        summarizer.open_cache()
    assert cache.is_file()
    # A glossary file given beside ready-made settings is loaded too.
    settings = resolve_settings(**options)  # type: ignore[arg-type]
    with Summarizer(settings, glossary=str(glossary)) as summarizer:
        assert ("Sở Y tế", "Health Department") in summarizer.glossary.terms
    (prompts / "brief.toml").unlink()
    with (
        Summarizer(prompts_dir=str(prompts), **options) as summarizer,
        pytest.raises(ConfigError, match=r"brief\.toml: no such prompt template"),
    ):
        summarizer.estimate_prompt_tokens(Job("brief"), EN_SEED.read_text(encoding="utf-8"))
