"""DSPy metrics over the suite: the classic ``metric(example, pred, trace=None)`` and GEPA's form.

Examples follow ``redac.dataset``: ``dspy.Example(id=..., source=<raw source text>, gold=<dict of Article
fields or None>, facts=<dict or None>).with_inputs("source")``; predictions carry ``pred.article`` (an
``Article``, a dict of its fields, or Markdown text). The raw source is cleaned with
``redac.sources.clean`` once per distinct text. A missing or malformed article scores 0 with feedback
that says why; nothing here raises on model output.

dspy is only needed for GEPA's return type and is imported when that metric is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redac.digest import text_key
from redac.errors import RedacError
from redac.memo import LRU
from redac.metrics.batch import coerce_article
from redac.metrics.composite import failed_scores, score
from redac.metrics.config import MetricsConfig
from redac.metrics.result import Scores
from redac.sources import Source

_SOURCES: LRU[Source] = LRU(512)


def cleaned_source(raw: str, name: str = "source") -> Source:
    """``redac.sources.clean(raw)``, memoised by content (an optimiser scores each example many times)."""
    from redac.sources import clean

    return _SOURCES.get_or_make(text_key(raw), lambda: clean(raw, name=name))


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    try:
        return obj[name] if hasattr(obj, "keys") and name in obj.keys() else getattr(obj, name, None)
    except Exception:  # noqa: BLE001 - dspy.Example raises on some lookups
        return getattr(obj, name, None)


def score_example(example: Any, pred: Any, cfg: MetricsConfig | None = None) -> Scores:
    """Scores of one (example, prediction) pair; never raises on a bad prediction."""
    cfg = cfg or MetricsConfig()
    raw = _get(example, "source")
    if not isinstance(raw, Source) and (not isinstance(raw, str) or not raw.strip()):
        return failed_scores("the example has no source text")
    try:
        source = raw if isinstance(raw, Source) else cleaned_source(raw, name=str(_get(example, "id") or "source"))
    except RedacError as exc:
        return failed_scores(f"source cannot be cleaned: {exc}")
    article_obj = _get(pred, "article") if pred is not None else None
    try:
        article = coerce_article(article_obj)
    except RedacError as exc:
        return failed_scores(f"the prediction holds no usable article ({exc.message}); return an article with "
                             "title, meta_description, slug, keyphrase and Markdown starting with '# title'")
    gold_obj = _get(example, "gold")
    try:
        gold = coerce_article(gold_obj) if gold_obj else None
    except RedacError:
        gold = None  # a bad gold is a dataset problem, reported by redac.dataset; score without it
    facts = _get(example, "facts") or None
    try:
        return score(article, source, gold=gold, facts=facts, cfg=cfg)
    except RedacError as exc:
        return failed_scores(str(exc))
    except Exception as exc:  # noqa: BLE001 - an optimiser run must not die on one odd output
        return failed_scores(f"{exc.__class__.__name__}: {exc}")


def make_dspy_metric(cfg: MetricsConfig | None = None, *, bootstrap_threshold: float | None = None
                     ) -> Callable[..., float | bool]:
    """``metric(example, pred, trace=None)`` -> composite in [0, 1].

    When DSPy passes a ``trace`` (bootstrapping demos), it returns ``composite >= threshold`` (the
    ``composite`` pass threshold of the config unless ``bootstrap_threshold`` is given), because any
    non-zero float would accept every demo.
    """
    cfg = cfg or MetricsConfig()
    threshold = bootstrap_threshold if bootstrap_threshold is not None else cfg.thresholds.get("composite", 0.7)

    def redac_metric(example: Any, pred: Any, trace: Any = None) -> float | bool:
        value = score_example(example, pred, cfg).composite
        return value >= threshold if trace is not None else value

    return redac_metric


def make_gepa_metric(cfg: MetricsConfig | None = None) -> Callable[..., Any]:
    """GEPA's ``metric(gold, pred, trace=None, pred_name=None, pred_trace=None)`` ->
    ``dspy.Prediction(score=composite, feedback=what to fix, weakest metric first)``."""
    cfg = cfg or MetricsConfig()

    def redac_gepa_metric(gold: Any, pred: Any, trace: Any = None, pred_name: str | None = None,
                          pred_trace: Any = None) -> Any:
        import dspy

        s = score_example(gold, pred, cfg)
        return dspy.Prediction(score=s.composite, feedback=s.feedback_text())

    return redac_gepa_metric
