"""``redac data validate|stats|build``: the one command line for labelled datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redac.cli.app import app
from redac.cli.app import console as _console

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from redac.dataset import Problem

data_app = typer.Typer(no_args_is_help=True, help="Validate, build and describe labelled datasets.")
app.add_typer(data_app, name="data")


def _report(problems: Sequence[Problem], where: Path) -> None:
    """Print every problem on stderr; exit 2 if there is any."""
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {where}", err=True)
        raise typer.Exit(2)


@data_app.command("validate")
def data_validate(
    path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")],
    schema_only: Annotated[bool, typer.Option("--schema-only", help="Skip the gold/label quality checks.")] = False,
) -> None:
    """Report every problem as FILE:LINE: FIELD: MESSAGE; exit 2 if there is any."""
    from redac.dataset import validate

    _report(validate(path, quality=not schema_only), path)
    typer.echo(f"{path}: valid")


@data_app.command("stats")
def data_stats(
    path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
) -> None:
    """Counts per split, kind and tag, word counts, fact counts."""
    from redac.dataset import load_jsonl, render_stats, stats

    data = stats(load_jsonl(path))
    if as_json:
        import json

        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _console().print(render_stats(data))


@data_app.command("build")
def data_build(
    folder: Annotated[Path, typer.Argument(help="Dataset folder with pairs/ and splits.yaml.")],
    skip_incomplete: Annotated[bool, typer.Option("--skip-incomplete",
                                                  help="Leave out pair folders missing a file.")] = False,
) -> None:
    """Rebuild FOLDER/<name>.jsonl from the pair folders (splits stay frozen), then validate it."""
    from collections import Counter

    from redac.dataset import SPLITS, build_dataset, load_jsonl, validate

    path = build_dataset(folder, skip_incomplete=skip_incomplete)
    records = load_jsonl(path)
    counts = Counter(r.split for r in records)
    typer.echo(f"wrote {path}: {len(records)} records ({', '.join(f'{s} {counts[s]}' for s in SPLITS)})")
    _report(validate(path), path)
