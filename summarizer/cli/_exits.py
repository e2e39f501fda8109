"""What the command says when things go wrong: the exit codes, one-line errors, and the log on stderr."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from .._errors import BackendError, ConfigError, InputError, OutputValidationError, SummarizerError

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_BACKEND = 4
EXIT_OUTPUT = 5
EXIT_INTERRUPTED = 130


def fail(message: str, code: int) -> NoReturn:
    """Say `message` as one error line on stderr and exit with `code`."""
    typer.echo(f"summarizer: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def errors_reported(
    article: str | None = None, *, verbose: bool = False, input_code: int = EXIT_INPUT
) -> Iterator[None]:
    """Turn library errors into one line on stderr and a documented exit code."""
    try:
        yield
    except InputError as exc:
        fail(str(exc), input_code)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    except BackendError as exc:
        fail(f"{article}: {exc}" if article else str(exc), EXIT_BACKEND)
    except OutputValidationError as exc:
        if verbose and exc.last_output:
            typer.echo(f"last answer from the model:\n{exc.last_output}", err=True)
        fail(f"{article}: {exc}" if article else str(exc), EXIT_OUTPUT)
    except SummarizerError as exc:
        fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)


def configure_logging(verbose: bool) -> None:
    """Log to stderr: progress with `verbose`, else warnings only."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="summarizer: %(message)s")
    if not verbose:
        # instructor logs every failed attempt at ERROR; the CLI reports the outcome once instead.
        logging.getLogger("instructor").setLevel(logging.CRITICAL)
