"""The `summarizer` command: parses options, calls the library, prints results and one-line errors."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer

from .. import __version__
from ._article import brief, check, summarize, translate
from ._batch import batch
from ._desk import desk
from ._exits import EXIT_BACKEND, EXIT_FAILURE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OUTPUT, EXIT_USAGE
from ._local import local_model, local_serve

__all__ = [
    "EXIT_BACKEND",
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OUTPUT",
    "EXIT_USAGE",
    "app",
    "main",
]

app = typer.Typer(
    name="summarizer",
    rich_markup_mode=None,
    help="Vietnamese news articles into English briefs, translations and summaries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
local_app = typer.Typer(help="The embedded llama.cpp server and its model.", no_args_is_help=True)
app.add_typer(local_app, name="local")

# The order here is the order `summarizer --help` lists them in.
for command in (brief, translate, summarize, batch, check, desk):
    app.command()(command)
local_app.command("serve")(local_serve)
local_app.command("model")(local_model)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Vietnamese news articles into English briefs, translations and summaries."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so `with` blocks stop the embedded server.
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
