"""The options commands share: the backend options, derived from the settings' declarations, and
the argument and options of the commands that take one article."""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar, cast, get_type_hints

import typer

from .._config import SETTINGS, resolve_settings
from .._setting import Setting
from ._exits import errors_reported

F = TypeVar("F", bound=Callable[..., Any])
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


class OutputFormat(enum.StrEnum):
    """How results are printed."""

    markdown = "markdown"
    json = "json"


class TargetLanguage(enum.StrEnum):
    """Languages a result can be written in."""

    en = "en"
    vi = "vi"


ArticleArgument = Annotated[str, typer.Argument(metavar="ARTICLE", help="Article file, or - for standard input.")]
FormatOption = Annotated[
    Optional[OutputFormat],
    typer.Option("--format", "-f", help="markdown or json [markdown on a terminal and for .md, else json]."),
]
OutputOption = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout.")
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress and the last invalid answer.")]


def _choice_type(setting: Setting[Any]) -> type[enum.StrEnum]:
    """An enum of the setting's choices, as typer takes choices."""
    members = [(choice, choice) for choice in setting.choices]
    # mypy reads the functional enum API as a member lookup.
    return cast(type[enum.StrEnum], enum.StrEnum(f"{setting.name.title()}Choice", members))


def _backend_parameters() -> list[inspect.Parameter]:
    """The options of every declared setting that has flags, in the order they are declared."""
    parameters = []
    for setting in SETTINGS:
        if not setting.flags:
            continue
        value_type = _choice_type(setting) if setting.choices else setting.value_type
        option = typer.Option(
            None,
            *setting.flags,
            envvar=setting.env if setting.cli_envvar else None,
            # The default is the declaration's, which the help says; None only means "not given".
            show_default=False,
            help=setting.help,
        )
        parameters.append(inspect.Parameter(setting.name, _KEYWORD, default=option, annotation=value_type | None))
        if setting.off_flag:
            off = typer.Option(False, setting.off_flag, help=setting.off_help)
            parameters.append(inspect.Parameter(f"no_{setting.name}", _KEYWORD, default=off, annotation=bool))
    return parameters


_BACKEND_PARAMETERS = _backend_parameters()


def _arguments(options: dict[str, Any]) -> dict[str, Any]:
    """Take the backend options out of a command's `options`, as `resolve_settings` arguments."""
    arguments = {}
    for setting in SETTINGS:
        if not setting.flags:
            continue
        value = options.pop(setting.name)
        arguments[setting.name] = value.value if isinstance(value, enum.Enum) else value
        if setting.off_flag and options.pop(f"no_{setting.name}"):
            arguments[setting.name] = False
    return arguments


def with_backend_options(command: F) -> F:
    """Give `command` the shared backend options; it receives them resolved as `settings`."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    own = [p.replace(annotation=hints[p.name]) for p in signature.parameters.values() if p.name != "settings"]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        arguments = _arguments(kwargs)
        with errors_reported(kwargs.get("article")):
            settings = resolve_settings(**arguments)
        return command(**kwargs, settings=settings)

    parameters = [*own, *_BACKEND_PARAMETERS]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]
