"""``redac finetune``: LoRA-train the embedded model and write a llama.cpp adapter folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from redac.cli.app import app


@app.command("finetune")
def finetune_command(
    config: Annotated[Path, typer.Argument(help="Finetune YAML (experiments/finetune-*.yaml).")],
    out: Annotated[Optional[Path], typer.Option(help="Adapter folder to write (default: <output_dir>/<name>).")] = None,
    fresh: Annotated[bool, typer.Option(help="Start over instead of resuming from the last checkpoint.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Build and count the training examples; train nothing.")] = False,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI.")] = None,
) -> None:
    """LoRA-train the embedded model on the train split; write a llama.cpp adapter + its program."""
    from rich.console import Console

    from redac.finetune import load_finetune_config, run

    overrides = {"tracking.uri": tracking_uri} if tracking_uri else None
    cfg = load_finetune_config(config, overrides)
    console = Console(highlight=False, soft_wrap=True)
    if dry_run:
        plan = run.prepare(cfg)
        console.print(run.describe_plan(cfg, plan))
        return
    result = run.finetune(cfg, resume=not fresh, out=out, config_path=config)
    training = result.manifest["training"]
    console.print(f"adapter: {result.folder} ({result.manifest['adapter']['bytes'] / 1e6:.1f} MB), "
                  f"{training['examples_seen']} examples in {training['seconds'] / 60:.1f} min, "
                  f"loss {training['loss_first_epoch']} -> {training['loss_last_epoch']}, "
                  f"peak memory {training['peak_rss_gb']} GB"
                  + (f"; stopped by the budget after epoch {training['epochs_done']}" if training["stopped"] else ""))
    console.print(f"use it: lm: {{provider: embedded, adapter: {result.folder}}}")
    if result.run_id:
        console.print(f"MLflow run: {result.run_id}")
