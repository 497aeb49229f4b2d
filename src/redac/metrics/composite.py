"""Run the suite: every metric, the weighted composite, hard gates, batches that never crash, the table.

composite = sum(w_m * v_m) / sum(w_m) over the metrics computed for this item (gold similarity only
with a gold article, labelled facts only with labels, coverage only with an embedder); 0 when a hard
gate fails (by default: the article is not French). Weights, gates and the per-metric pass thresholds
used by the CI gate live in ``evals/metrics.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from redac.article import Article
from redac.errors import RedacError
from redac.metrics import facts as F
from redac.metrics.base import METRIC_NAMES, MetricResult, MetricsConfig, Scores
from redac.metrics.embed import get_encoder
from redac.metrics.headings import headings
from redac.metrics.language import boilerplate, language, readability
from redac.metrics.length import length
from redac.metrics.profile import SourceProfile, check_article, profile_source
from redac.metrics.seo import seo
from redac.sources import Source
from redac.text import count_words

Metric = Callable[[Article, SourceProfile, MetricsConfig], MetricResult]

#: The per-article metrics that need only (article, source profile, cfg), in display order.
METRICS: dict[str, Metric] = {
    "fact_recall": F.fact_recall,
    "fact_precision": F.fact_precision,
    "coverage": F.coverage,
    "rouge": F.rouge,
    "length": length,
    "headings": headings,
    "seo": seo,
    "language": language,
    "readability": readability,
    "boilerplate": boilerplate,
}

_ONE_LINERS = {
    "fact_recall": "share of the source's names, figures and quotes kept",
    "fact_precision": "share of the article's names, figures and quotes the source supports",
    "labelled_facts": "share of the hand-labelled facts kept",
    "coverage": "source sentences with a close counterpart (embeddings)",
    "rouge": "ROUGE-L recall of the source",
    "gold_similarity": "closeness to the reference article",
    "length": "word count against the target",
    "headings": "H1 / H2 / H3 structure",
    "seo": "keyphrase placement, density, title, meta, slug",
    "language": "share of the article in French",
    "readability": "Kandel-Moles ease and long sentences",
    "boilerplate": "no page chrome or teasers from the source",
}


def composite(results: dict[str, MetricResult], cfg: MetricsConfig) -> tuple[float, list[str]]:
    """Weighted mean of the computed metrics, and the hard gates that failed (which force it to 0)."""
    failed = [f"{g.metric} {results[g.metric].value:.2f} < {g.min:.2f}" + (f" ({g.reason})" if g.reason else "")
              for g in cfg.gates if g.metric in results and results[g.metric].value < g.min]
    num = sum(cfg.weights.get(n, 0.0) * r.value for n, r in results.items())
    den = sum(cfg.weights.get(n, 0.0) for n in results)
    value = num / den if den > 0 else 0.0
    return (0.0 if failed else min(1.0, max(0.0, value))), failed


def score(article: Article, source: Source | SourceProfile, *, gold: Article | None = None,
          facts: dict | Any | None = None, cfg: MetricsConfig | None = None) -> Scores:
    """Score one article against its (cleaned) source.

    Raises :class:`redac.errors.ArticleError` for an article that cannot be scored (empty, no Markdown
    headings, over ``max_article_words``) and :class:`redac.errors.SourceError` for an empty source:
    the CLI shows them as one line. Use :func:`score_batch` to get a 0 with feedback instead.
    """
    cfg = cfg or MetricsConfig()
    profile = source if isinstance(source, SourceProfile) else profile_source(source, cfg)
    check_article(article, cfg)
    results: dict[str, MetricResult] = {}
    for name, fn in METRICS.items():
        if name == "coverage" and not cfg.uses_embeddings:
            continue
        results[name] = fn(article, profile, cfg)
    if facts:
        labels = facts.model_dump() if hasattr(facts, "model_dump") else dict(facts)
        if any(labels.get(k) for k in ("entities", "numbers", "dates", "quotes")):
            results["labelled_facts"] = F.labelled_facts(article, profile, cfg, labels)
    if gold is not None:
        check_article(gold, cfg)
        results["gold_similarity"] = F.gold_similarity(article, gold, cfg)
    ordered = {n: results[n] for n in METRIC_NAMES if n in results}
    value, failed = composite(ordered, cfg)
    return Scores(results=ordered, composite=value, gates_failed=failed)


def failed_scores(message: str) -> Scores:
    """The scores of an item that could not be scored: composite 0 and the reason as feedback."""
    return Scores(results={}, composite=0.0, gates_failed=[], error=message)


def coerce_article(obj: Any) -> Article:
    """Accept an Article, a dict of its fields, or Markdown text/bytes (UTF-8); raise ArticleError otherwise."""
    from redac.errors import ArticleError

    if isinstance(obj, Article):
        return obj
    if obj is None:
        raise ArticleError("no article was produced")
    if isinstance(obj, bytes):
        try:
            obj = obj.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"article is not UTF-8 (byte {exc.start})") from None
    if isinstance(obj, str):
        return Article.from_markdown(obj)
    if isinstance(obj, dict):
        try:
            return Article.model_validate(obj)
        except Exception as exc:  # pydantic ValidationError: say which field
            errs = getattr(exc, "errors", lambda: [])()
            where = ".".join(str(x) for x in errs[0]["loc"]) if errs else ""
            raise ArticleError(f"invalid article fields ({where or exc.__class__.__name__}: "
                               f"{errs[0]['msg'] if errs else exc})") from None
    raise ArticleError(f"expected an Article, a dict or Markdown text, got {type(obj).__name__}")


def score_batch(pairs: Iterable[Sequence[Any]], cfg: MetricsConfig | None = None) -> list[Scores]:
    """Score many ``(article, source[, gold[, facts]])`` items; a bad item gets composite 0 and the
    reason as feedback, never an exception. Sources are profiled once each (memoised), and every
    article sentence of the batch is embedded in one call."""
    cfg = cfg or MetricsConfig()
    items = [tuple(p) for p in pairs]
    prepared: list[tuple[Article, Any, Any, Any] | str] = []
    for item in items:
        try:
            if len(item) < 2:
                raise ValueError("expected (article, source[, gold[, facts]])")
            art = coerce_article(item[0])
            gold = coerce_article(item[2]) if len(item) > 2 and item[2] is not None else None
            prepared.append((art, item[1], gold, item[3] if len(item) > 3 else None))
        except RedacError as exc:
            prepared.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a batch must survive any single bad item
            prepared.append(f"{exc.__class__.__name__}: {exc}")
    _prewarm_embeddings([p for p in prepared if not isinstance(p, str)], cfg)
    out: list[Scores] = []
    for p in prepared:
        if isinstance(p, str):
            out.append(failed_scores(p))
            continue
        art, src, gold, labels = p
        try:
            out.append(score(art, src, gold=gold, facts=labels, cfg=cfg))
        except RedacError as exc:
            out.append(failed_scores(str(exc)))
        except Exception as exc:  # noqa: BLE001
            out.append(failed_scores(f"{exc.__class__.__name__}: {exc}"))
    return out


def _prewarm_embeddings(prepared: list[tuple], cfg: MetricsConfig) -> None:
    """One ``encode`` call for all article sentences of a batch (cheaper than one call per article)."""
    enc = get_encoder(cfg.embedder, cfg.embedder_threads) if cfg.uses_embeddings else None
    if enc is None:
        return
    from redac.metrics.profile import view

    texts: list[str] = []
    for art, *_ in prepared:
        try:
            if count_words(art.markdown) <= cfg.max_article_words:
                texts += [s for s in view(art).sentences if count_words(s) >= 3]
        except Exception:  # noqa: BLE001 - the item will report its own error when scored
            continue
    if texts:
        enc.encode(texts)


def render_scores(scores: Scores, cfg: MetricsConfig | None = None):
    """A rich Table: metric, value, one-line explanation (the feedback), composite last."""
    from rich.table import Table

    thresholds = (cfg or MetricsConfig()).thresholds
    table = Table(title="redac score", show_lines=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_column("what it measures")
    table.add_column("feedback")
    for name, r in scores.results.items():
        t = thresholds.get(name)
        style = "green" if t is None or r.value >= t else "red"
        table.add_row(name, f"[{style}]{r.value:.2f}[/{style}]", _ONE_LINERS.get(name, ""), r.feedback)
    note = scores.error or ("; ".join(f"gate failed: {g}" for g in scores.gates_failed)
                            or "weighted mean of the metrics above")
    t = thresholds.get("composite")
    style = "green" if t is None or scores.composite >= t else "red"
    table.add_row("composite", f"[{style}]{scores.composite:.2f}[/{style}]", "weighted mean, 0 if a gate fails", note)
    return table
