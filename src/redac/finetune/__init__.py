"""Fine-tuning the embedded model: ``redac finetune CONFIG`` (DSPy's BootstrapFinetune idea, on a CPU).

Step examples are built from the program's own prompts (:mod:`.examples`), a LoRA is trained on the
embedded Gemma with torch + peft in bounded memory (:mod:`.train`), converted to llama.cpp's adapter
format (:mod:`.convert`) and written as an adapter folder that ``lm: {provider: embedded, adapter: DIR}``
serves (:mod:`.run`). Importing this package is cheap: torch loads only when training starts.
"""

from __future__ import annotations

from redac.finetune.config import FinetuneConfig, LoraSettings, load_finetune_config
from redac.finetune.examples import (
    StepExample,
    build_examples,
    examples_digest,
    record_examples,
)

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
]


def __getattr__(name: str):
    if name in ("finetune", "prepare", "FinetuneResult"):
        from redac.finetune import run

        return getattr(run, name)
    raise AttributeError(f"module 'redac.finetune' has no attribute {name!r}")
