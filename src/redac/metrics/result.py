"""What a metric returns (:class:`MetricResult`) and what scoring one article returns (:class:`Scores`).

A metric is a pure function ``(article, source_profile, cfg) -> MetricResult``; what it returns is a
number in [0, 1] *and* the raw figures behind it *and* one sentence telling the writer what to fix,
because the optimiser (GEPA) and the human reading ``redac score`` both need the why, not just the how much.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _json_safe(value: Any) -> Any:
    """Figures go to MLflow and JSON reports: tuples become lists, NaN/inf become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _json_safe(value.item())
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


class MetricResult(BaseModel):
    """One metric on one article: ``value`` in [0, 1] (1 = good), raw ``figures``, actionable ``feedback``."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float = Field(ge=0.0, le=1.0)
    figures: dict[str, Any] = Field(default_factory=dict)
    feedback: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _clip(cls, v: Any) -> float:
        # Rounding noise (1.0000000002) must not turn into a validation error; NaN or 1.5 is a bug and fails.
        x = float(v)
        if math.isnan(x) or not -1e-6 <= x <= 1 + 1e-6:
            raise ValueError(f"metric value {x} is not in [0, 1]")
        return min(1.0, max(0.0, round(x, 6)))

    @field_validator("figures", mode="before")
    @classmethod
    def _safe(cls, v: Any) -> dict[str, Any]:
        safe: dict[str, Any] = _json_safe(dict(v or {}))
        return safe


class Scores(BaseModel):
    """All metrics of one article plus the weighted composite (0 when a hard gate fails, capped when a
    capping gate does)."""

    results: dict[str, MetricResult] = Field(default_factory=dict)
    composite: float = Field(ge=0.0, le=1.0)
    gates_failed: list[str] = Field(default_factory=list)  # hard gates: the composite is 0
    capped: list[str] = Field(default_factory=list)        # capping gates: the composite is capped
    error: str | None = None  # set when the item could not be scored at all (bad input)

    def as_flat_dict(self) -> dict[str, float]:
        """``{metric: value, ..., "composite": c}`` for MLflow ``log_metrics``."""
        out = {name: r.value for name, r in self.results.items()}
        out["composite"] = self.composite
        return out

    def feedback_text(self) -> str:
        """Feedback for a reflective optimiser: the failure first, then weakest metrics first."""
        lines = [f"Composite score {self.composite:.2f}."]
        if self.error:
            lines.append(f"The article could not be scored: {self.error}")
        if self.gates_failed:
            lines.append("Hard gate failed (composite forced to 0): " + "; ".join(self.gates_failed) + ".")
        if self.capped:
            lines.append("Gate failed (the item fails its pass threshold): " + "; ".join(self.capped) + ".")
        for r in sorted(self.results.values(), key=lambda r: r.value):
            lines.append(f"- {r.name} = {r.value:.2f}: {r.feedback}")
        return "\n".join(lines)

    def failing(self, thresholds: dict[str, float]) -> dict[str, tuple[float, float]]:
        """Metrics (and ``composite``) under their pass threshold: ``{name: (value, threshold)}``."""
        flat = self.as_flat_dict()
        return {k: (flat[k], t) for k, t in thresholds.items() if k in flat and flat[k] < t}
