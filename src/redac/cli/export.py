"""``redac export``: write a pickle-free bundle and register it (the champion moves only on a better test score)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redac.bundle import DEFAULT_MODEL_NAME
from redac.cli.app import app


@app.command("export")
def export_cmd(
    source: Annotated[str, typer.Argument(help="Compiled program JSON, a run folder, or an MLflow run id.")],
    out: Annotated[Path, typer.Option(help="Bundle directory to write.")],
    config: Annotated[Path | None, typer.Option(
        help="Experiment YAML the program came from (LM, metrics, dataset), for a program file.")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    register_model: Annotated[bool, typer.Option(
        "--register/--no-register", help="Log to the MLflow Model Registry and decide the champion.")] = True,
    model_name: Annotated[str, typer.Option(help="Registered model name.")] = DEFAULT_MODEL_NAME,
    force: Annotated[bool, typer.Option(help="Replace an existing bundle at --out.")] = False,
) -> None:
    """Write a pickle-free bundle and register it; `champion` moves only on a better test score.

    The bundle holds program.json (DSPy state), manifest.json, metrics.yaml and model_card.md.
    """
    _export(source, out, config, tracking_uri, register_model, model_name, force)


def _export(source: str, out: Path, config: Path | None, tracking_uri: str | None, register: bool,
                   model_name: str, force: bool) -> None:
    """Body of ``redac export``: prints what was written and what happened to the champion."""
    from redac.bundle import export

    result = export(source, out, config=config, tracking_uri=tracking_uri, register=register,
                    model_name=model_name, force=force)
    m = result.manifest
    typer.echo(f"bundle {result.bundle} (id {m.id}, {len(m.files) + 1} files, {result.size_bytes / 1024:.1f} KiB)")
    test = m.score("test")
    typer.echo(f"test composite: {test:.4f}" if test is not None else "test composite: none recorded")
    for note in m.notes:
        typer.echo(f"note: {note}")
    reg = result.registry
    if reg is not None:
        typer.echo(f"registered {reg.model_uri} (run {reg.run_id})")
        typer.echo(f"champion: {'moved to version ' + reg.version if reg.champion_moved else 'unchanged'} "
                   f"({reg.reason})")
