"""The metric suite: every metric is ``(article, source_profile, cfg) -> MetricResult`` with a value in
[0, 1], raw figures and a feedback sentence; :func:`score` runs them all and the weighted composite.

    from redac.metrics import load_metrics_config, score, render_scores
    scores = score(article, source, gold=gold, cfg=load_metrics_config())
    scores.as_flat_dict(); scores.feedback_text()

Heavy models (spaCy, the sentence embedder) load on first use, once per process.
"""

from __future__ import annotations

from redac.metrics.base import (
    METRIC_NAMES,
    Gate,
    MetricResult,
    MetricsConfig,
    Scores,
    load_metrics_config,
)
from redac.metrics.composite import (
    METRICS,
    coerce_article,
    composite,
    render_scores,
    score,
    score_batch,
)
from redac.metrics.dspy_adapters import (
    make_dspy_metric,
    make_gepa_metric,
    score_example,
)
from redac.metrics.embed import get_embedder
from redac.metrics.profile import SourceProfile, profile_source

__all__ = [
    "METRICS", "METRIC_NAMES", "Gate", "MetricResult", "MetricsConfig", "Scores", "SourceProfile",
    "coerce_article", "composite", "get_embedder", "load_metrics_config", "make_dspy_metric", "make_gepa_metric",
    "profile_source", "render_scores", "score", "score_batch", "score_example",
]
