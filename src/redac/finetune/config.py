"""The ``redac finetune`` config: an experiment file whose optimiser trains weights, not prompts.

Same family as ``redac eval|optimize`` configs (``version``, ``name``, ``program``, ``dataset``,
``tracking``, validated with file, line and key path in errors), plus the LoRA settings and a wall-clock
budget. Nothing here imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from redac.configfile import StrictModel
from redac.lm import LMConfig

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoraSettings(StrictModel):
    """LoRA and optimisation settings. Defaults are the ones the shipped adapter was trained with."""

    rank: int = Field(16, ge=1, le=256)
    alpha: float = Field(32.0, gt=0)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: list(TARGET_MODULES))
    learning_rate: float = Field(3e-4, gt=0, le=1e-2)
    epochs: int = Field(2, ge=1, le=50)
    grad_accum: int = Field(4, ge=1, le=256)  # examples per optimiser update
    warmup_steps: int = Field(6, ge=1)
    max_grad_norm: float = Field(1.0, gt=0)
    max_tokens: int = Field(2048, ge=128)  # longer examples are skipped (and listed), never cut
    loss_chunk: int = Field(256, ge=16)  # target positions per logits chunk: bounds memory (262k vocabulary)
    gradient_checkpointing: bool = False  # only needed for examples well beyond 2,048 tokens
    checkpoint_every: int = Field(16, ge=1)  # examples between checkpoints
    seed: int = 0
    threads: int = Field(2, ge=1, le=256)


class Decoding(StrictModel):
    """How the adapter is served (written to its manifest; an LM config may override each field)."""

    repeat_penalty: float = Field(1.1, ge=1.0, le=2.0)
    frequency_penalty: float = Field(0.0, ge=0.0, le=2.0)
    presence_penalty: float = Field(0.0, ge=0.0, le=2.0)
    copy_penalty: float = Field(0.0, ge=0.0, le=100.0)
    copy_ngram: int = Field(6, ge=2, le=32)


class FinetuneData(StrictModel):
    path: Path = Path("datasets/redac-fr-news/redac-fr-news.jsonl")
    split: Literal["train"] = "train"  # dev and test measure the model: they are never learnt
    limit: int | None = Field(default=None, ge=1)
    ids: list[str] | None = None
    exclude_ids: list[str] = Field(default_factory=list)  # e.g. pairs kept aside to show generalisation


class FinetuneTracking(StrictModel):
    enabled: bool = True
    uri: str | None = None
    experiment: str = "redac-finetune"


class FinetuneConfig(StrictModel):
    version: Literal[1] = 1
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    # The program whose prompts are learnt (its instructions, with no demos); None = the packaged prompts.
    program: Path | None = None
    # How the trained program gets its facts: "sentences" computes them (the cleaned source's sentences,
    # no LM call, nothing to invent), "model" asks the extract step (then add "extract" to steps).
    facts: Literal["sentences", "model"] = "sentences"
    dedupe: bool = True  # the trained program drops sentences that repeat earlier ones
    verify: bool = True  # the trained program drops sentences the source does not support (redac.factcheck)
    steps: list[Literal["extract", "plan", "write"]] = Field(default_factory=lambda: ["plan", "write"])  # type: ignore[arg-type]  # pydantic's default_factory typing infers list[str] for the lambda
    base_model: Path | None = None  # GGUF of the model to adapt; None = the pip-shipped Gemma 3 270M
    # Targets from a teacher program's traces on a capable LM instead of the golds (kept where every
    # metric threshold passes). None = targets from the labelled golds.
    teacher: LMConfig | None = None
    metrics: Path = Path("evals/metrics.yaml")  # thresholds that filter teacher traces
    dataset: FinetuneData = Field(default_factory=FinetuneData)
    lora: LoraSettings = Field(default_factory=LoraSettings)
    decoding: Decoding = Field(default_factory=Decoding)
    budget_minutes: float = Field(85.0, gt=0)  # wall-clock training budget; a checkpoint is kept at the end
    output_dir: Path = Path(".redac/finetune")
    tracking: FinetuneTracking = Field(default_factory=FinetuneTracking)

    @model_validator(mode="after")
    def _steps_match_facts(self) -> FinetuneConfig:
        if self.facts == "model" and "extract" not in self.steps:
            raise ValueError("facts: model needs the extract step in steps")
        if len(set(self.steps)) != len(self.steps):
            raise ValueError("steps must not repeat")
        return self

    @property
    def run_dir(self) -> Path:
        return self.output_dir / self.name

    def public_dict(self) -> dict[str, Any]:
        data = json.loads(self.model_dump_json())
        data["teacher"] = self.teacher.public_dict() if self.teacher is not None else None
        return data


def load_finetune_config(path: str | Path, overrides: dict[str, Any] | None = None) -> FinetuneConfig:
    """Read and validate a finetune YAML; errors name the file, line and key path."""
    from redac.configfile import load_model

    return load_model(FinetuneConfig, path, "finetune config", overrides)
