"""Gate settings (``evals/gate.yaml``): floors, tolerated drops, bootstrap and per-example rules.

The one file a user edits to tune the gate, so its schema and validation (metric names, ranges,
unknown keys with their key path) stand apart from the comparison that reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from redac.configfile import StrictModel, load_model

COMPOSITE = "composite"
DEFAULT_GATE_CONFIG = Path("evals/gate.yaml")


def _check_metric_names(names: list[str], *, allow_default: bool = False) -> None:
    from redac.metrics import METRIC_NAMES

    known = {*METRIC_NAMES, COMPOSITE} | ({"default"} if allow_default else set())
    for name in names:
        if name not in known:
            raise ValueError(f"unknown metric {name!r} (known: {', '.join(sorted(known))})")


class FloorsConfig(StrictModel):
    """Absolute lower bounds on a metric's *mean* over the gated examples."""

    from_metric_thresholds: bool = False  # also use the metrics config's `thresholds` as floors
    values: dict[str, float] = Field(default_factory=dict)  # explicit floors; win over thresholds

    @field_validator("values")
    @classmethod
    def _values(cls, v: dict[str, float]) -> dict[str, float]:
        _check_metric_names(list(v))
        for name, value in v.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"floor of {name!r} must be in [0, 1]")
        return v


class BootstrapConfig(StrictModel):
    """Paired bootstrap over examples, deciding whether a drop beyond ``max_drop`` is more than noise.

    ``rule``: ``interval`` = regression only if the whole ``confidence`` interval of the mean delta
    is below 0; ``probability`` = only if P(no drop) under resampling is below ``1 - confidence``
    (one-sided, a little stricter); ``none`` = any drop beyond ``max_drop`` fails (no bootstrap).
    """

    n: int = Field(2000, ge=100, le=200_000)
    confidence: float = Field(0.95, ge=0.5, lt=1.0)
    seed: int = 0
    rule: Literal["interval", "probability", "none"] = "interval"


class ExamplesConfig(StrictModel):
    tolerance: float = Field(0.05, ge=0.0, le=1.0)  # composite drop that lists an example as regressed
    allow_missing: bool = False  # compare on the common examples instead of refusing
    max_new_failures: int = Field(0, ge=0)  # examples that error now but did not in the baseline


class GateConfig(StrictModel):
    """Versioned gate settings; unknown keys are errors (file and key path in the message)."""

    version: Literal[1] = 1
    floors: FloorsConfig = Field(default_factory=FloorsConfig)
    max_drop: dict[str, float] = Field(default_factory=lambda: {"default": 0.05, COMPOSITE: 0.02})
    bootstrap: BootstrapConfig = Field(default_factory=BootstrapConfig)
    examples: ExamplesConfig = Field(default_factory=ExamplesConfig)

    @field_validator("max_drop")
    @classmethod
    def _max_drop(cls, v: dict[str, float]) -> dict[str, float]:
        _check_metric_names(list(v), allow_default=True)
        for name, value in v.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"max_drop of {name!r} must be in [0, 1]")
        return v

    def drop_limit(self, metric: str) -> float | None:
        """The tolerated mean drop for ``metric`` (``default`` when not listed; None = unchecked)."""
        return self.max_drop.get(metric, self.max_drop.get("default"))

    def resolved_floors(self, thresholds: dict[str, float] | None = None) -> dict[str, float]:
        floors = dict(thresholds or {}) if self.floors.from_metric_thresholds else {}
        floors.update(self.floors.values)
        return floors


def load_gate_config(path: str | Path = DEFAULT_GATE_CONFIG) -> GateConfig:
    """Read and validate ``evals/gate.yaml``; every problem is a ConfigError naming file and key path."""
    return load_model(GateConfig, path, "gate config")
