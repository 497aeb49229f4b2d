"""Fine-tuning the embedded model: ``redac finetune CONFIG`` (DSPy's BootstrapFinetune idea, on a CPU).

Step examples are built from the program's own prompts (:mod:`.examples`), a LoRA is trained on the
embedded Gemma with torch + peft in bounded memory (:mod:`.train`), converted to llama.cpp's adapter
format (:mod:`.convert`) and written as an adapter folder that ``lm: {provider: embedded, adapter: DIR}``
serves (:mod:`.run`). Importing this package is cheap: torch loads only when training starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from redac.finetune.config import FinetuneConfig, LoraSettings, load_finetune_config
from redac.finetune.examples import StepExample, build_examples, examples_digest, record_examples

__all__ = [
    "FinetuneConfig",
    "LoraSettings",
    "StepExample",
    "build_examples",
    "examples_digest",
    "finetune",
    "load_finetune_config",
    "prepare",
    "record_examples",
    "register",
]


def __getattr__(name: str):
    if name in ("finetune", "prepare", "FinetuneResult"):
        from redac.finetune import run

        return getattr(run, name)
    raise AttributeError(f"module 'redac.finetune' has no attribute {name!r}")


def register(app) -> None:
    """The ``redac finetune`` command (registered by redac.cli)."""

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

        from redac.finetune import run

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
