"""The settings, each declared once, and their precedence: explicit argument > environment > default."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs

from ._errors import ConfigError
from ._setting import Effect, Setting, either

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


MODES: tuple[Mode, ...] = get_args(Mode)
"""Every instructor mode the settings take."""


def _parse_mode(raw: str) -> Mode:
    if raw not in MODES:
        raise ValueError(raw)
    return raw


def _parse_cache(raw: str) -> Path | bool:
    return False if raw.lower() in CACHE_OFF_WORDS else Path(raw).expanduser()


def _endpoint(base_url: str | None) -> str:
    return "embedded" if base_url is None else base_url


BASE_URL = Setting[str | None](
    "base_url",
    None,
    Effect.SERVER,
    env=ENV_BASE_URL,
    parse=str,
    strip=False,
    flags=("--base-url",),
    help="OpenAI-compatible endpoint; unset: the embedded server.",
    label="endpoint",
    identify=_endpoint,
)
API_KEY = Setting[str | None](
    "api_key",
    None,
    Effect.NOTHING,
    env=ENV_API_KEY,
    parse=str,
    strip=False,
    flags=("--api-key",),
    help="API key (never printed).",
    secret=True,
)
MODEL = Setting[str | None](
    "model",
    None,  # then the endpoint's own: see resolve_settings
    Effect.ANSWER,
    env=ENV_MODEL,
    parse=str,
    strip=False,
    flags=("--model", "-m"),
    help=f"Model name (embedded: {EMBEDDED_MODEL}; OpenAI: {OPENAI_DEFAULT_MODEL}).",
)
MODE = Setting[Mode](
    "mode",
    DEFAULT_MODE,
    Effect.ANSWER,
    env=ENV_MODE,
    parse=_parse_mode,
    expected=either(MODES),
    flags=("--mode",),
    help="instructor mode (default json, which works everywhere).",
    cli_type=str,
    choices=MODES,
)
TIMEOUT = Setting[float](
    "timeout",
    DEFAULT_TIMEOUT,
    Effect.NOTHING,
    env=ENV_TIMEOUT,
    parse=float,
    expected="seconds",
    flags=("--timeout",),
    help=f"Seconds per request [{DEFAULT_TIMEOUT:g}].",
)
RETRIES = Setting[int](
    "retries",
    DEFAULT_RETRIES,
    Effect.NOTHING,
    env=ENV_RETRIES,
    parse=int,
    expected="a whole number",
    flags=("--retries",),
    help=f"Transport retries per request [{DEFAULT_RETRIES}].",
)
REASKS = Setting[int](
    "reasks",
    DEFAULT_REASKS,
    Effect.NOTHING,
    env=ENV_REASKS,
    parse=int,
    expected="a whole number",
    flags=("--reasks",),
    help=f"Re-asks after an invalid answer [{DEFAULT_REASKS}].",
)
MAX_OUTPUT_TOKENS = Setting[int](
    "max_output_tokens",
    DEFAULT_MAX_OUTPUT_TOKENS,
    Effect.ANSWER,
    env=ENV_MAX_OUTPUT_TOKENS,
    parse=int,
    expected="a whole number",
    flags=("--max-output-tokens",),
    help=f"Tokens per answer [{DEFAULT_MAX_OUTPUT_TOKENS}].",
)
CONTEXT_TOKENS = Setting[int](
    "context_tokens",
    DEFAULT_CONTEXT_TOKENS,
    Effect.RESULT,
    env=ENV_CONTEXT_TOKENS,
    parse=int,
    expected="a whole number",
    flags=("--context-tokens",),
    help=f"The model's context window [{DEFAULT_CONTEXT_TOKENS}].",
)
PROMPTS_DIR = Setting[Path | None](
    "prompts_dir",
    None,
    Effect.CONTENT,
    env=ENV_PROMPTS,
    parse=Path,
    expected="a folder",
    flags=("--prompts",),
    help="Folder of prompt templates to use.",
)
GLOSSARY = Setting[Path | None](
    "glossary",
    None,
    Effect.CONTENT,
    env=ENV_GLOSSARY,
    parse=Path,
    expected="a file",
    flags=("--glossary",),
    help="Glossary file (TSV or YAML: source term, English term, note), added to the built-in terms.",
    field="glossary_path",
)
CACHE = Setting[Path | bool](
    "cache",
    True,  # the default file
    Effect.NOTHING,
    env=ENV_CACHE,
    parse=_parse_cache,
    expected="a file or off",
    flags=("--cache",),
    help=f"Response cache file [{ENV_CACHE}, else {CACHE_FILE_NAME} in the user cache folder].",
    cli_type=Path,
    cli_envvar=False,
    off_flag="--no-cache",
    off_help=f"Neither read nor fill the response cache ({ENV_CACHE}=off).",
    field="cache_path",
)
# Set in code only (dataclasses.replace), yet it shapes answers: declared for the key and the fingerprint.
TEMPERATURE = Setting[float]("temperature", DEFAULT_TEMPERATURE, Effect.ANSWER)

SETTINGS: tuple[Setting[Any], ...] = (
    BASE_URL,
    API_KEY,
    MODEL,
    MODE,
    TIMEOUT,
    RETRIES,
    REASKS,
    MAX_OUTPUT_TOKENS,
    CONTEXT_TOKENS,
    PROMPTS_DIR,
    GLOSSARY,
    CACHE,
    TEMPERATURE,
)
"""Every setting, in the order the command line lists its options."""


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
    # An empty argument counts as unset too: `--api-key ""` drops a key the environment holds.
    chosen_key = API_KEY.pick(api_key, env) or None
    chosen_url = BASE_URL.pick(base_url, env) or None
    if chosen_url is None and chosen_key is not None:
        chosen_url = OPENAI_BASE_URL
    if chosen_url is not None:
        chosen_url = chosen_url.rstrip("/")
    chosen_model = MODEL.pick(model, env) or _default_model(chosen_url)

    settings = Settings(
        base_url=chosen_url,
        api_key=chosen_key or PLACEHOLDER_API_KEY,
        model=chosen_model,
        mode=MODE.pick(mode, env),
        timeout=TIMEOUT.pick(timeout, env),
        retries=RETRIES.pick(retries, env),
        reasks=REASKS.pick(reasks, env),
        max_output_tokens=MAX_OUTPUT_TOKENS.pick(max_output_tokens, env),
        context_tokens=CONTEXT_TOKENS.pick(context_tokens, env),
        prompts_dir=PROMPTS_DIR.pick(_path(prompts_dir), env),
        cache_path=_cache_file(CACHE.pick(_cache_argument(cache), env)),
        glossary_path=GLOSSARY.pick(_path(glossary), env),
    )
    _check_ranges(settings)
    return settings


def _default_model(base_url: str | None) -> str:
    if base_url is None:
        return EMBEDDED_MODEL
    if base_url == OPENAI_BASE_URL:
        return OPENAI_DEFAULT_MODEL
    raise ConfigError(f"no model named for {base_url}: pass --model or set {ENV_MODEL}")


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def _cache_argument(cache: str | os.PathLike[str] | bool | None) -> Path | bool | None:
    return _path(cache) if isinstance(cache, (str, os.PathLike)) else cache


def _cache_file(cache: Path | bool) -> Path | None:
    if cache is True:
        return default_cache_path()
    return cache or None


def _check_ranges(settings: Settings) -> None:
    if settings.mode not in MODES:
        raise ConfigError(f"mode: expected {MODE.expected}, got {settings.mode!r}")
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


def cache_key_settings(settings: Settings) -> dict[str, object]:
    """The settings that shape each request's answer, as the response cache key holds them."""
    return dict(setting.identity(settings) for setting in SETTINGS if setting.effect.in_cache_key)


def fingerprint_settings(settings: Settings) -> dict[str, object]:
    """The settings that shape a result, as a batch's fingerprint holds them."""
    return dict(setting.identity(settings) for setting in SETTINGS if setting.effect.in_fingerprint)
