"""Run the suite on one article: every registered metric whose inputs are there, the weighted
composite and the gates.

composite = sum(w_m * v_m) / sum(w_m) over the metrics computed for this item (gold similarity only
with a gold article, labelled facts only with labels, coverage only with an embedder); 0 when a hard
gate fails (by default: the article is not French), at most a gate's cap when a capping gate fails (by
default: one invented name, quote or figure caps it just under the pass threshold). Weights, gates and
the per-metric pass thresholds used by the CI gate live in ``evals/metrics.yaml``; which metrics exist,
what each needs and their default weights live in :mod:`redac.metrics.registry`.
"""

from __future__ import annotations

from typing import Any

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile, check_article, profile_source
from redac.metrics.registry import ALWAYS_MET, Need, specs
from redac.metrics.result import MetricResult, Scores
from redac.sources import Source


def composite(results: dict[str, MetricResult], cfg: MetricsConfig) -> tuple[float, list[str], list[str]]:
    """Weighted mean of the computed metrics; the hard gates that failed (which force it to 0) and the
    capping gates that failed (which cap it, under the pass threshold)."""
    failed: list[str] = []
    capped: list[str] = []
    cap = 1.0
    for g in cfg.gates:
        if g.metric in results and results[g.metric].value < g.min:
            line = f"{g.metric} {results[g.metric].value:.2f} < {g.min:.2f}" + (f" ({g.reason})" if g.reason else "")
            if g.cap is None:
                failed.append(line)
            else:
                capped.append(f"{line}: composite capped at {g.cap:.2f}")
                cap = min(cap, g.cap)
    num = sum(cfg.weights.get(n, 0.0) * r.value for n, r in results.items())
    den = sum(cfg.weights.get(n, 0.0) for n in results)
    value = min(cap, max(0.0, num / den if den > 0 else 0.0))
    return (0.0 if failed else value), failed, capped


def score(article: Article, source: Source | SourceProfile, *, gold: Article | None = None,
          facts: dict[str, Any] | Any | None = None, cfg: MetricsConfig | None = None) -> Scores:
    """Score one article against its (cleaned) source.

    Raises :class:`redac.errors.ArticleError` for an article that cannot be read (empty, over
    ``max_article_words``; plain text and Markdown without headings or front matter are graded) and
    :class:`redac.errors.SourceError` for an empty source: the CLI shows them as one line. Use :func:`~redac.metrics.batch.score_batch` to get a 0 with
    feedback instead.
    """
    cfg = cfg or MetricsConfig()
    profile = source if isinstance(source, SourceProfile) else profile_source(source, cfg)
    check_article(article, cfg)
    available = set(ALWAYS_MET)
    if cfg.uses_embeddings:
        available.add(Need.EMBEDDER)
    labels: dict[str, Any] | None = None
    if facts:
        labels = facts.model_dump() if hasattr(facts, "model_dump") else dict(facts)
        if any(labels.get(k) for k in ("entities", "numbers", "dates", "quotes")):
            available.add(Need.LABELS)
    if gold is not None:
        check_article(gold, cfg)
        available.add(Need.GOLD)
    met = frozenset(available)
    results: dict[str, MetricResult] = {}
    for spec in specs():  # display order
        if spec.applies(met):
            results[spec.name] = spec.compute(article, profile, cfg, gold=gold, labels=labels)
    value, failed, capped = composite(results, cfg)
    return Scores(results=results, composite=value, gates_failed=failed, capped=capped)


def failed_scores(message: str) -> Scores:
    """The scores of an item that could not be scored: composite 0 and the reason as feedback."""
    return Scores(results={}, composite=0.0, gates_failed=[], error=message)
