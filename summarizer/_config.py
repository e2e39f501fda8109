"""Settings and their precedence: explicit argument > environment > default."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar, get_args

import platformdirs

from ._errors import ConfigError

Mode = Literal["json", "md_json", "tools"]

DEFAULT_MODE: Mode = "json"
DEFAULT_TIMEOUT = 300.0
DEFAULT_RETRIES = 2
DEFAULT_REASKS = 2
DEFAULT_MAX_OUTPUT_TOKENS = 2048
DEFAULT_CONTEXT_TOKENS = 8192
DEFAULT_TEMPERATURE = 0.0
OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
EMBEDDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
# Servers such as vLLM, Ollama and llama.cpp ignore the key, but the openai client insists on one.
PLACEHOLDER_API_KEY = "not-needed"

ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_API_KEY = "OPENAI_API_KEY"
ENV_MODEL = "SUMMARIZER_MODEL"
ENV_MODE = "SUMMARIZER_MODE"
ENV_TIMEOUT = "SUMMARIZER_TIMEOUT"
ENV_RETRIES = "SUMMARIZER_RETRIES"
ENV_REASKS = "SUMMARIZER_REASKS"
ENV_MAX_OUTPUT_TOKENS = "SUMMARIZER_MAX_OUTPUT_TOKENS"
ENV_CONTEXT_TOKENS = "SUMMARIZER_CONTEXT_TOKENS"
ENV_PROMPTS = "SUMMARIZER_PROMPTS"
ENV_CACHE = "SUMMARIZER_CACHE"
ENV_GLOSSARY = "SUMMARIZER_GLOSSARY"
CACHE_OFF_WORDS = frozenset({"off", "0", "false", "no"})
"""Values of SUMMARIZER_CACHE that turn the response cache off; any other value is a file path."""
CACHE_FILE_NAME = "responses.sqlite3"


def default_cache_dir() -> Path:
    """The user cache folder: models, the embedded server's log and the response cache live here."""
    return Path(platformdirs.user_cache_dir("summarizer"))


def default_cache_path() -> Path:
    """Where the response cache lives unless told otherwise."""
    return default_cache_dir() / CACHE_FILE_NAME


T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one Summarizer; build it with `resolve_settings`."""

    base_url: str | None
    """The endpoint, or None for the embedded llama.cpp server."""
    api_key: str = field(repr=False)
    model: str = EMBEDDED_MODEL
    mode: Mode = DEFAULT_MODE
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    """Transport retries per request (connection errors, 408, 409, 429, 5xx)."""
    reasks: int = DEFAULT_REASKS
    """Extra attempts when the answer fails the schema."""
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    temperature: float = DEFAULT_TEMPERATURE
    prompts_dir: Path | None = None
    cache_path: Path | None = None
    """The SQLite response cache, or None for no cache."""
    glossary_path: Path | None = None
    """A glossary file (TSV or YAML) whose terms join the built-in ones."""

    @property
    def embedded(self) -> bool:
        """True when the embedded llama.cpp server is to be used."""
        return self.base_url is None

    @property
    def endpoint_label(self) -> str:
        """Where requests go, for messages (any user name and password in the URL left out)."""
        if self.base_url is None:
            return "the embedded llama.cpp server"
        parts = urllib.parse.urlsplit(self.base_url)
        host = parts.netloc.rpartition("@")[2]
        return urllib.parse.urlunsplit(parts._replace(netloc=host))


def _parse(env: Mapping[str, str], name: str, convert: Callable[[str], T], expected: str) -> T | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return convert(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected {expected}, got {raw!r}") from None


def _parse_mode(raw: str) -> Mode:
    if raw not in get_args(Mode):
        raise ValueError(raw)
    return raw  # type: ignore[return-value]


def _first(*values: T | None, default: T) -> T:
    for value in values:
        if value is not None:
            return value
    return default


def resolve_settings(
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    mode: Mode | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    reasks: int | None = None,
    max_output_tokens: int | None = None,
    context_tokens: int | None = None,
    prompts_dir: str | os.PathLike[str] | None = None,
    cache: str | os.PathLike[str] | bool | None = None,
    glossary: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings: an argument wins over the environment, which wins over the default.

    With no endpoint and no API key anywhere, the embedded server is chosen; an API key alone
    means OpenAI itself. `cache` is a file path, True for the default file, or False for none.
    Paths may be given as `str` or `Path`.
    """
    env = os.environ if env is None else env
    env_base_url = env.get(ENV_BASE_URL) or None
    env_api_key = env.get(ENV_API_KEY) or None
    chosen_key = _first(api_key, env_api_key, default="") or None
    chosen_url = _first(base_url, env_base_url, default="") or None
    if chosen_url is None and chosen_key is not None:
        chosen_url = OPENAI_BASE_URL
    if chosen_url is not None:
        chosen_url = chosen_url.rstrip("/")

    chosen_model = _first(model, env.get(ENV_MODEL) or None, default="") or None
    if chosen_model is None:
        if chosen_url is None:
            chosen_model = EMBEDDED_MODEL
        elif chosen_url == OPENAI_BASE_URL:
            chosen_model = OPENAI_DEFAULT_MODEL
        else:
            raise ConfigError(f"no model named for {chosen_url}: pass --model or set {ENV_MODEL}")

    settings = Settings(
        base_url=chosen_url,
        api_key=chosen_key or PLACEHOLDER_API_KEY,
        model=chosen_model,
        mode=_first(mode, _parse(env, ENV_MODE, _parse_mode, "json, md_json or tools"), default=DEFAULT_MODE),
        timeout=_first(timeout, _parse(env, ENV_TIMEOUT, float, "seconds"), default=DEFAULT_TIMEOUT),
        retries=_first(retries, _parse(env, ENV_RETRIES, int, "a whole number"), default=DEFAULT_RETRIES),
        reasks=_first(reasks, _parse(env, ENV_REASKS, int, "a whole number"), default=DEFAULT_REASKS),
        max_output_tokens=_first(
            max_output_tokens,
            _parse(env, ENV_MAX_OUTPUT_TOKENS, int, "a whole number"),
            default=DEFAULT_MAX_OUTPUT_TOKENS,
        ),
        context_tokens=_first(
            context_tokens,
            _parse(env, ENV_CONTEXT_TOKENS, int, "a whole number"),
            default=DEFAULT_CONTEXT_TOKENS,
        ),
        prompts_dir=_first(_path(prompts_dir), _parse(env, ENV_PROMPTS, Path, "a folder"), default=None),
        cache_path=_cache_path(cache, env.get(ENV_CACHE, "").strip()),
        glossary_path=_first(_path(glossary), _parse(env, ENV_GLOSSARY, Path, "a file"), default=None),
    )
    _check_ranges(settings)
    return settings


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def _cache_path(cache: str | os.PathLike[str] | bool | None, env_value: str) -> Path | None:
    if isinstance(cache, (str, os.PathLike)):
        return _path(cache)
    if cache is None:
        if env_value.lower() in CACHE_OFF_WORDS:
            return None
        cache = Path(env_value).expanduser() if env_value else True
    if cache is True:
        return default_cache_path()
    return cache or None


def _check_ranges(settings: Settings) -> None:
    if settings.mode not in get_args(Mode):
        raise ConfigError(f"mode: expected json, md_json or tools, got {settings.mode!r}")
    if settings.timeout <= 0:
        raise ConfigError(f"timeout: must be positive, got {settings.timeout}")
    if settings.retries < 0 or settings.reasks < 0:
        raise ConfigError("retries and reasks must be 0 or more")
    if settings.max_output_tokens < 64:
        raise ConfigError(f"max output tokens: at least 64, got {settings.max_output_tokens}")
    if settings.context_tokens <= settings.max_output_tokens:
        raise ConfigError(
            f"context tokens ({settings.context_tokens}) must exceed max output tokens ({settings.max_output_tokens})"
        )
