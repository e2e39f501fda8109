"""The desk command: serves the editor's page over a folder of results and prints its address."""

from __future__ import annotations

import html
import shutil
import tempfile
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from .._config import Settings
from ._exits import EXIT_USAGE, configure_logging, errors_reported, fail
from ._options import VerboseOption, with_backend_options


def _redirect_page(url: str) -> Path:
    """A page of the user's own (0600, in a private folder) that sends the browser to `url`: the
    browser is started with this file's name, so the token is not in its command line, which other
    accounts on the machine can read (Jupyter does the same)."""
    folder = Path(tempfile.mkdtemp(prefix="summarizer-desk-"))
    page = folder / "open.html"
    escaped = html.escape(url, quote=True)
    page.write_text(f'<!doctype html><meta http-equiv="refresh" content="0;url={escaped}"><a href="{escaped}">desk</a>')
    page.chmod(0o600)
    return page


@with_backend_options
def desk(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="A batch's output folder, or any folder for new work.")
    ] = Path("."),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 [a free one].")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the address; do not open a browser.")] = False,
    verbose: VerboseOption = False,
    *,
    settings: Settings,
) -> None:
    """A page in your browser to check results against their sources, and to start new work.

    Serves on 127.0.0.1 only, with a token in the printed address; Ctrl-C stops it.
    """
    configure_logging(verbose)
    from .._desk import open_desk  # noqa: PLC0415 - the server loads only for this command

    with errors_reported(input_code=EXIT_USAGE):
        try:
            server = open_desk(folder, settings, port=port)
        except OSError as exc:
            fail(f"port {port}: cannot serve there: {exc.strerror or exc}", EXIT_USAGE)
        redirect = None
        try:
            typer.echo(f"summarizer desk: {server.url}")
            typer.echo("Ctrl-C stops it.", err=True)
            if not no_browser:
                redirect = _redirect_page(server.url)
                webbrowser.open(redirect.as_uri())
            server.serve_forever()
        except KeyboardInterrupt:
            typer.echo("summarizer desk: stopped", err=True)  # Ctrl-C is how it ends: not an error
        finally:
            server.close()
            if redirect is not None:
                shutil.rmtree(redirect.parent, ignore_errors=True)
