"""``redac data validate|stats|build``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redac.cli.app import app
from redac.cli.app import console as _console

data_app = typer.Typer(no_args_is_help=True, help="Validate, build and describe labelled datasets.")
app.add_typer(data_app, name="data")


@data_app.command("validate")
def data_validate(path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")]) -> None:
    """Report every problem as FILE:LINE: FIELD: MESSAGE; exit 2 if there is any."""
    from redac.data import validate

    problems = validate(path)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {path}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{path}: valid")


@data_app.command("stats")
def data_stats(path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")]) -> None:
    """Counts per split and tag, word counts, fact counts."""
    from redac.data import load_jsonl, render_stats, stats

    _console().print(render_stats(stats(load_jsonl(path))))


@data_app.command("build")
def data_build(folder: Annotated[Path, typer.Argument(help="Dataset folder with pairs/ and splits.yaml.")]) -> None:
    """Rebuild FOLDER/<name>.jsonl from the pair folders (splits stay frozen)."""
    from redac.data import build_dataset

    path = build_dataset(folder)
    typer.echo(f"wrote {path}")
