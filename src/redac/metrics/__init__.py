"""The metric suite: every metric is ``(article, source_profile, cfg) -> MetricResult`` with a value in
[0, 1], raw figures and a feedback sentence, declared once in :mod:`redac.metrics.registry`;
:func:`score` runs them all and the weighted composite.

    from redac.metrics import load_metrics_config, score, render_scores
    scores = score(article, source, gold=gold, cfg=load_metrics_config())
    scores.as_flat_dict(); scores.feedback_text()

Heavy models (spaCy, the sentence embedder) load on first use, once per process.
"""

from __future__ import annotations

# The metric modules register their metrics when imported, so this line's order is the display order
# (`redac score`'s table, Scores.results): keep it unsorted. Explicit, so a broken module fails loudly.
# isort: off
from redac.metrics import facts, similarity, length, headings, seo, language, readability, boilerplate  # noqa: F401
from redac.metrics import originality, leaks  # noqa: F401
# isort: on
from redac.metrics.batch import coerce_article, score_batch
from redac.metrics.composite import composite, score
from redac.metrics.config import Gate, MetricsConfig, load_metrics_config
from redac.metrics.dspy_adapters import (
    make_dspy_metric,
    make_gepa_metric,
    score_example,
)
from redac.metrics.embed import get_embedder
from redac.metrics.profile import SourceProfile, profile_source
from redac.metrics.registry import MetricSpec, Need, metric_names, register
from redac.metrics.render import render_scores
from redac.metrics.result import MetricResult, Scores

#: The built-in metrics, in display order (:func:`metric_names` also lists metrics registered later).
METRIC_NAMES: tuple[str, ...] = metric_names()

__all__ = [
    "METRIC_NAMES", "Gate", "MetricResult", "MetricSpec", "MetricsConfig", "Need", "Scores", "SourceProfile",
    "coerce_article", "composite", "get_embedder", "load_metrics_config", "make_dspy_metric", "make_gepa_metric",
    "metric_names", "profile_source", "register", "render_scores", "score", "score_batch", "score_example",
]
