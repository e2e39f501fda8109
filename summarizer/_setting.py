"""What declaring one setting says: its names, where its value comes from, and what it changes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._errors import ConfigError

T = TypeVar("T")


class Effect(enum.Enum):
    """What a setting changes, which decides whether it enters the cache key and the batch fingerprint."""

    ANSWER = "answer"
    """Each request's answer (model, mode, ...): the cache key and the batch fingerprint."""
    SERVER = "server"
    """Which server answers: the cache key only, as a result stands whichever server ran the same model."""
    RESULT = "result"
    """The result but no one answer (whether a long article goes part by part): the fingerprint only."""
    CONTENT = "content"
    """Files whose content shapes answers: the content enters the key and the fingerprint, the path never."""
    NOTHING = "nothing"
    """How requests are sent or where things are kept: neither."""

    @property
    def in_cache_key(self) -> bool:
        """Whether the response cache key holds the setting's value."""
        return self in (Effect.ANSWER, Effect.SERVER)

    @property
    def in_fingerprint(self) -> bool:
        """Whether a batch's fingerprint holds the setting's value."""
        return self in (Effect.ANSWER, Effect.RESULT)


def either(choices: tuple[str, ...]) -> str:
    """Choices as a message says them: 'a, b or c'."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else "".join(choices)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting, declared once: `resolve_settings`, the command line's options, the response
    cache key and the batch fingerprint all follow from it."""

    name: str
    """The keyword of `resolve_settings`, and the parameter of each command that takes the option."""
    default: T
    """The value when neither an argument nor the environment gives one."""
    effect: Effect
    env: str | None = None
    """The environment variable, if any."""
    parse: Callable[[str], T] | None = None
    """How the variable's text becomes a value (ValueError when it cannot)."""
    expected: str = ""
    """What `parse` accepts, as the error says it: "SUMMARIZER_TIMEOUT: expected seconds, got 'soon'"
    (not needed for text, which any value is)."""
    strip: bool = True
    """Blanks around the variable's text are dropped; False takes it as written (endpoints, keys, names)."""
    flags: tuple[str, ...] = ()
    """The command-line flags; none: not on the command line."""
    help: str = ""
    """The command line's help, which says the default itself."""
    cli_type: type[Any] | None = None
    """What the command line parses the value as; None: `parse`, which must then be a type."""
    choices: tuple[str, ...] = ()
    """The only values the command line takes, if limited."""
    cli_envvar: bool = True
    """Whether the option reads the variable; False leaves it to `resolve_settings`, which alone knows
    values that are no option value (SUMMARIZER_CACHE=off)."""
    off_flag: str = ""
    """A flag that passes False, as `--no-cache` does; `off_help` is its help."""
    off_help: str = ""
    field: str = ""
    """The `Settings` field, if not `name`."""
    label: str = ""
    """The setting's name in the cache key and the fingerprint, if not `field`."""
    identify: Callable[[Any], object] | None = None
    """What the key and the fingerprint hold of the value, if not the value itself."""
    secret: bool = False
    """Never in a key, a fingerprint or a default shown."""

    def __post_init__(self) -> None:
        if self.secret and self.effect is not Effect.NOTHING:
            raise ValueError(f"{self.name}: a secret must not enter a cache key or a fingerprint")
        if (self.env is None) != (self.parse is None):
            raise ValueError(f"{self.name}: an environment variable goes with a parser, and only with one")
        if self.parse not in (None, str) and not self.expected:
            raise ValueError(f"{self.name}: say what the variable expects")
        if self.flags and not self.help:
            raise ValueError(f"{self.name}: an option needs its help")
        if self.flags and self.cli_type is None and not isinstance(self.parse, type):
            raise ValueError(f"{self.name}: say what the command line parses the value as")
        if any(not flag.startswith("-") for flag in (*self.flags, self.off_flag) if flag):
            raise ValueError(f"{self.name}: flags start with '-'")
        if bool(self.off_flag) != bool(self.off_help) or (self.off_flag and not self.flags):
            raise ValueError(f"{self.name}: an off flag needs its help and the setting's own flag")
        object.__setattr__(self, "field", self.field or self.name)
        object.__setattr__(self, "label", self.label or self.field)

    @property
    def value_type(self) -> type[Any]:
        """What the command line parses the value as."""
        if self.cli_type is not None:
            return self.cli_type
        if not isinstance(self.parse, type):
            raise TypeError(f"{self.name} is not on the command line")
        return self.parse

    def from_env(self, env: Mapping[str, str]) -> T | None:
        """The environment's value, or None when the variable is unset or empty."""
        if self.env is None or self.parse is None:
            return None
        raw = env.get(self.env, "")
        text = raw.strip() if self.strip else raw
        if not text:
            return None
        try:
            return self.parse(text)
        except ValueError:
            raise ConfigError(f"{self.env}: expected {self.expected}, got {raw!r}") from None

    def pick(self, argument: T | None, env: Mapping[str, str]) -> T:
        """The argument if given, else the environment's value, else the default."""
        if argument is not None:
            return argument
        from_env = self.from_env(env)
        return self.default if from_env is None else from_env

    def identity(self, settings: object) -> tuple[str, object]:
        """The setting's name and value as the cache key and the fingerprint hold them."""
        value = getattr(settings, self.field)
        return self.label, value if self.identify is None else self.identify(value)
