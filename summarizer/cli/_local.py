"""The `local` commands: the embedded llama.cpp server and its model."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .._config import DEFAULT_CONTEXT_TOKENS, EMBEDDED_MODEL, ENV_BASE_URL, ENV_MODEL
from .._embedded import LocalServer
from .._model_file import ensure_model
from ._exits import configure_logging, errors_reported
from ._options import VerboseOption


def local_serve(
    port: Annotated[Optional[int], typer.Option("--port", help="Port on 127.0.0.1 [a free one].")] = None,
    context_tokens: Annotated[int, typer.Option("--context-tokens", help="Context window.")] = DEFAULT_CONTEXT_TOKENS,
    verbose: VerboseOption = False,
) -> None:
    """Run the embedded server until Ctrl-C, for repeated use with --base-url."""
    configure_logging(verbose)
    server = LocalServer(port=port, context_tokens=context_tokens)
    with errors_reported():
        server.start()
    typer.echo(f"serving {EMBEDDED_MODEL} at {server.base_url} (Ctrl-C stops it)", err=True)
    typer.echo(f"export {ENV_BASE_URL}={server.base_url} {ENV_MODEL}={EMBEDDED_MODEL}")
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def local_model() -> None:
    """Assemble and verify the embedded model file (size and SHA-256); print its path."""
    with errors_reported():
        typer.echo(str(ensure_model()))
