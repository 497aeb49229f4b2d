"""``redac serve``: HTTP over a loaded bundle."""

from __future__ import annotations

from typing import Annotated

import typer

from redac.cli.app import app
from redac.serve import DEFAULT_MAX_SOURCE_CHARS


@app.command("serve")
def serve_cmd(
    bundle: Annotated[str, typer.Argument(help="Bundle directory or models:/NAME@ALIAS.")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    lm: Annotated[str | None, typer.Option(
        help="LM spec: embedded | openai/MODEL | openai_compatible:URL@MODEL | replay:FILE | PATH.yaml "
             "(default: the LM the bundle was compiled with).")] = None,
    max_source_chars: Annotated[int, typer.Option(help="Longest accepted source (characters).")] =
        DEFAULT_MAX_SOURCE_CHARS,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI for models:/ refs.")] = None,
) -> None:
    """Serve BUNDLE over HTTP: GET /health, POST /v1/rewrite (JSON errors, size limits; one rewrite at a time)."""
    from redac.serve import serve_command

    serve_command(bundle, host, port, lm, max_source_chars, tracking_uri)
