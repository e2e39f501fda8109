"""Prompt templates: TOML files with a version, a system and a user message, `$name` variables."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ._errors import PromptError

PROMPT_SUFFIX = ".toml"
_REQUIRED_KEYS = ("version", "system", "user")


def default_prompts_dir() -> Path:
    """The templates shipped with the package (or the repository's, in a source checkout)."""
    packaged = Path(__file__).parent / "prompts"
    # An editable install runs from the source tree, where the templates sit beside the package.
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "prompts"


@dataclass(frozen=True)
class PromptTemplate:
    """One task's prompt: a versioned pair of system and user templates."""

    name: str
    version: str
    system: Template
    user: Template
    path: Path

    @property
    def label(self) -> str:
        """`name@version`, recorded with every result."""
        return f"{self.name}@{self.version}"

    def render(self, **variables: str) -> list[dict[str, str]]:
        """The chat messages with every `$variable` filled; a missing one raises PromptError."""
        messages = []
        for role, template in (("system", self.system), ("user", self.user)):
            try:
                content = template.substitute(variables)
            except KeyError as exc:
                raise PromptError(f"{self.path}: no value for ${exc.args[0]} in the {role} message") from None
            messages.append({"role": role, "content": content.strip()})
        return messages


def load_prompt(
    name: str, prompts_dir: Path | None = None, *, requires: tuple[str, ...] = ("article",)
) -> PromptTemplate:
    """Load `<prompts_dir>/<name>.toml`, checking its keys and that it uses `requires`."""
    path = (prompts_dir or default_prompts_dir()) / f"{name}{PROMPT_SUFFIX}"
    try:
        stat = path.stat()
        # Parsed once per file version: a batch asks for the same templates thousands of times.
        return _parsed_prompt(name, path, stat.st_mtime_ns, stat.st_size, requires)
    except FileNotFoundError:
        raise PromptError(f"{path}: no such prompt template") from None
    except OSError as exc:
        raise PromptError(f"{path}: cannot be read: {exc}") from None


@functools.lru_cache(maxsize=64)
def _parsed_prompt(name: str, path: Path, mtime_ns: int, size: int, requires: tuple[str, ...]) -> PromptTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: cannot be read: {exc}") from None
    missing = [key for key in _REQUIRED_KEYS if not isinstance(data.get(key), str)]
    if missing:
        raise PromptError(f"{path}: needs string keys {', '.join(missing)}")
    system, user = Template(data["system"]), Template(data["user"])
    for template in (system, user):
        if not template.is_valid():
            raise PromptError(f"{path}: a '$' is neither $name nor $$")
    used = set(system.get_identifiers()) | set(user.get_identifiers())
    unused = [f"${variable}" for variable in requires if variable not in used]
    if unused:
        raise PromptError(f"{path}: does not use {', '.join(unused)}")
    return PromptTemplate(name=name, version=data["version"], system=system, user=user, path=path)
