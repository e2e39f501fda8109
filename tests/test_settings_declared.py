"""Each setting is declared once, and the declarations cover `Settings` and `resolve_settings`."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from summarizer import Settings, resolve_settings
from summarizer._config import SETTINGS, cache_key_settings, fingerprint_settings
from summarizer._setting import Effect, Setting


def test_every_settings_field_is_declared_once() -> None:
    assert sorted(setting.field for setting in SETTINGS) == sorted(f.name for f in dataclasses.fields(Settings))


def test_every_setting_from_outside_is_a_keyword_of_resolve_settings() -> None:
    keywords = set(inspect.signature(resolve_settings).parameters) - {"env"}
    assert {setting.name for setting in SETTINGS if setting.env or setting.flags} == keywords


def test_the_api_key_enters_no_key_and_no_fingerprint() -> None:
    settings = resolve_settings(api_key="sk-secret-0123456789abcdef", env={})
    assert "sk-secret" not in repr(cache_key_settings(settings)) + repr(fingerprint_settings(settings))


def test_a_secret_that_would_shape_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="a secret must not enter"):
        Setting[str]("token", "", Effect.ANSWER, secret=True)
