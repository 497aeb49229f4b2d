"""The metric registry: every metric is declared once, next to its function.

A metric's name, function, inputs, one-line summary, default weight and default pass threshold used
to live in five places (a names tuple, a weights dict, a thresholds dict, a table of functions, a
table of one-liners). Now the declaration sits on the function::

    @register("length", summary="word count against the target", weight=0.08, threshold=0.95)
    def length(article, source, cfg) -> MetricResult: ...

and everything else derives from here: the known names and defaults of
:class:`~redac.metrics.config.MetricsConfig` (and its "unknown metric" errors), the metrics
:func:`~redac.metrics.composite.score` runs, their weights, and the "what it measures" column of
:func:`~redac.metrics.render.render_scores`.

Display order is registration order: ``redac.metrics`` imports the metric modules explicitly, in
that order, so a broken metric module fails loudly instead of vanishing from the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from redac.article import Article
    from redac.metrics.config import MetricsConfig
    from redac.metrics.profile import SourceProfile
    from redac.metrics.result import MetricResult

#: The composite's own name in score tables, thresholds and gates (never a metric name).
COMPOSITE = "composite"


class Need(str, Enum):
    """What a metric needs besides the article. A metric runs for an item only when all its needs are met.

    The function's signature follows from its needs: ``fn(article, gold, cfg)`` with ``GOLD``,
    ``fn(article, source_profile, cfg, labels)`` with ``LABELS``, else ``fn(article, source_profile, cfg)``.
    """

    SOURCE = "source"        # the cleaned source's profile (every metric but gold similarity)
    GOLD = "gold"            # a reference article
    LABELS = "labels"        # hand-labelled facts (entities, numbers, dates, quotes)
    EMBEDDER = "embedder"    # a sentence embedder (skipped with ``embedder: none``)
    SPACY = "spacy"          # spaCy's French NER model (always installed; listed for the record)


#: Needs every scored item meets.
ALWAYS_MET: frozenset[Need] = frozenset({Need.SOURCE, Need.SPACY})


@dataclass(frozen=True)
class MetricSpec:
    """One metric's declaration: what it is called, how it is computed, what it needs, how it counts."""

    name: str
    fn: Callable[..., MetricResult]
    summary: str                       # one line: what it measures (the `redac score` table)
    weight: float                      # default weight in the composite
    threshold: float | None = None     # default pass threshold (CI gate, red/green in `redac score`)
    needs: frozenset[Need] = frozenset({Need.SOURCE})
    gate: tuple[float, str] | None = None  # default hard gate: (min, reason); under it the composite is 0
    gate_cap: float | None = None          # ... or, if set, the composite is capped at this value instead

    def __post_init__(self) -> None:
        if not self.name.isidentifier() or self.name == COMPOSITE:
            raise ValueError(f"invalid metric name {self.name!r}")
        if self.weight < 0:
            raise ValueError(f"weight of {self.name!r} must be >= 0")
        for what, bound in (("threshold", self.threshold), ("gate", self.gate[0] if self.gate else None),
                            ("gate_cap", self.gate_cap)):
            if bound is not None and not 0.0 <= bound <= 1.0:
                raise ValueError(f"{what} of {self.name!r} must be in [0, 1]")
        if self.gate_cap is not None and self.gate is None:
            raise ValueError(f"gate_cap of {self.name!r} needs a gate")
        if {Need.GOLD, Need.LABELS} <= self.needs:
            raise ValueError(f"metric {self.name!r} cannot need both a gold article and labelled facts")

    def applies(self, available: frozenset[Need]) -> bool:
        """Whether every input the metric needs is available for this item."""
        return self.needs <= available

    def compute(self, article: Article, profile: SourceProfile, cfg: MetricsConfig, *,
                gold: Article | None = None, labels: dict[str, Any] | None = None) -> MetricResult:
        """Call the function with the arguments its needs imply (see :class:`Need`)."""
        if Need.GOLD in self.needs:
            return self.fn(article, gold, cfg)
        if Need.LABELS in self.needs:
            return self.fn(article, profile, cfg, labels)
        return self.fn(article, profile, cfg)


_LOCK = threading.Lock()
_SPECS: dict[str, MetricSpec] = {}

_F = TypeVar("_F", bound=Callable[..., Any])


def add(spec: MetricSpec) -> MetricSpec:
    """Register a metric (appended to the display order); a name can be registered once."""
    with _LOCK:
        if spec.name in _SPECS:
            raise ValueError(f"metric {spec.name!r} is already registered")
        _SPECS[spec.name] = spec
    return spec


def remove(name: str) -> MetricSpec:
    """Unregister a metric (tests registering a toy metric clean up with this)."""
    with _LOCK:
        return _SPECS.pop(name)


def register(name: str, *, summary: str, weight: float, threshold: float | None = None,
             needs: frozenset[Need] | set[Need] = frozenset({Need.SOURCE}),
             gate: tuple[float, str] | None = None, gate_cap: float | None = None) -> Callable[[_F], _F]:
    """Decorator declaring the function below as metric ``name`` (see :class:`MetricSpec`); returns it unchanged."""

    def decorate(fn: _F) -> _F:
        add(MetricSpec(name=name, fn=fn, summary=summary, weight=weight, threshold=threshold,
                       needs=frozenset(needs), gate=gate, gate_cap=gate_cap))
        return fn

    return decorate


def specs() -> tuple[MetricSpec, ...]:
    """Every registered metric, in display order."""
    with _LOCK:
        return tuple(_SPECS.values())


def get(name: str) -> MetricSpec | None:
    """The metric called ``name``, or ``None``."""
    with _LOCK:
        return _SPECS.get(name)


def metric_names() -> tuple[str, ...]:
    """Names of the registered metrics, in display order."""
    return tuple(s.name for s in specs())


def unknown_metric(name: str, *, composite: bool = False) -> str | None:
    """``None`` for a known metric name (or ``composite`` if allowed), else the error message listing known names."""
    known = metric_names() + ((COMPOSITE,) if composite else ())
    if name in known:
        return None
    return f"unknown metric {name!r} (known: {', '.join(known)})"


def default_weights() -> dict[str, float]:
    """The composite's default weights: every registered metric's."""
    return {s.name: s.weight for s in specs()}


def default_thresholds(composite: float) -> dict[str, float]:
    """The default pass thresholds: ``composite`` first, then every metric that declares one."""
    return {COMPOSITE: composite, **{s.name: t for s in specs() if (t := s.threshold) is not None}}


def default_gates() -> list[tuple[str, float, str, float | None]]:
    """The default gates: ``(metric, min, reason, cap)`` of every metric that declares one (cap ``None``:
    a hard gate, the composite is 0 under ``min``)."""
    return [(s.name, s.gate[0], s.gate[1], s.gate_cap) for s in specs() if s.gate is not None]
