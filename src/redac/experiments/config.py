"""The experiment config (``experiments/*.yaml``): everything a result depends on, validated.

A config names the program, LMs, dataset and splits, metric config, optimiser, seed and budget, so a
run is reproducible from the file and the git commit; its digest names the run folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from redac.configfile import StrictModel
from redac.experiments.layout import RunLayout
from redac.experiments.optimizers import OPTIMIZERS, unknown_optimizer
from redac.lm import LMConfig
from redac.program.config import ProgramConfig


class ProgramRef(ProgramConfig):
    """The ``program:`` block: the state to start from plus :class:`~redac.program.ProgramConfig` settings.

    The settings are the program's own config type (same names, bounds and errors); only the keys the
    YAML sets override the config saved with the state, the rest keep the saved value.
    """

    state: Path | None = None  # compiled program JSON to start from; None = the packaged default

    def overrides(self) -> dict[str, Any]:
        """The settings this block sets (not ``state``), to apply over the saved program config."""
        return {name: getattr(self, name) for name in sorted(self.model_fields_set - {"state"})}

    @model_serializer(mode="wrap")
    def _dump_what_is_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Logged configs, digests and exports carry only what the YAML set: a default written out would
        read as an override of the saved program config."""
        data = handler(self)
        return {k: v for k, v in data.items() if k == "state" or k in self.model_fields_set}


class DatasetRef(StrictModel):
    path: Path = Path("datasets/redac-fr-news/redac-fr-news.jsonl")
    train_split: Literal["train", "dev"] = "train"
    eval_splits: list[Literal["train", "dev", "test"]] = ["dev"]
    limit: int | None = Field(default=None, ge=1)  # first N examples of each split (by id order)
    ids: list[str] | None = None


class OptimizerConfig(StrictModel):
    name: str = "none"  # a name in the optimiser registry (redac.experiments.optimizers.OPTIMIZERS)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _registered(cls, v: str) -> str:
        if v not in OPTIMIZERS:
            raise ValueError(unknown_optimizer(v))
        return v


class BudgetConfig(StrictModel):
    max_calls: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, gt=0)


class TrackingConfig(StrictModel):
    enabled: bool = True
    uri: str | None = None
    experiment: str = "redac"
    autolog: bool = True


class ExperimentConfig(StrictModel):
    version: Literal[1] = 1
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    program: ProgramRef = Field(default_factory=ProgramRef)
    lm: LMConfig
    prompt_lm: LMConfig | None = None  # MIPROv2's instruction proposer
    reflection_lm: LMConfig | None = None  # GEPA's reflection model
    dataset: DatasetRef = Field(default_factory=DatasetRef)
    metrics: Path = Path("evals/metrics.yaml")
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    seed: int = 0
    threads: int = Field(default=1, ge=1, le=64)
    repeat: int = Field(default=1, ge=1, le=100)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    output_dir: Path = Path(".redac/runs")

    def public_dict(self) -> dict[str, Any]:
        """The config as logged: LM blocks without secrets."""
        data: dict[str, Any] = json.loads(self.model_dump_json())
        for key in ("lm", "prompt_lm", "reflection_lm"):
            lm = getattr(self, key)
            data[key] = lm.public_dict() if lm is not None else None
        return data

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.public_dict(), sort_keys=True).encode()).hexdigest()[:10]

    @property
    def run_dir(self) -> Path:
        return self.output_dir / f"{self.name}-{self.digest()}"

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.run_dir)


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """Read and validate an experiment YAML; errors name the file, line and key path.

    ``overrides`` maps dotted keys to values (``{"dataset.limit": 2}``), applied before validation.
    """
    from redac.configfile import load_model

    return load_model(ExperimentConfig, path, "experiment config", overrides)
