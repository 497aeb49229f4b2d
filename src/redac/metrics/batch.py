"""Score many items at once without ever crashing: any input turned into an article or a reason,
sources profiled once each, and every article sentence of the batch embedded in one call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from redac.article import Article
from redac.errors import RedacError
from redac.metrics.composite import failed_scores, score
from redac.metrics.config import MetricsConfig
from redac.metrics.embed import get_encoder
from redac.metrics.profile import view
from redac.metrics.similarity import coverage_units
from redac.metrics.result import Scores
from redac.text import count_words


def coerce_article(obj: Any) -> Article:
    """Accept an Article, a dict of its fields, or Markdown / plain text (str or UTF-8 bytes); raise
    ArticleError for what cannot be read (empty, binary, not UTF-8, not an article at all)."""
    from redac.errors import ArticleError

    if isinstance(obj, Article):
        return obj
    if obj is None:
        raise ArticleError("no article was produced")
    if isinstance(obj, bytes):
        return Article.from_bytes(obj, file="article")
    if isinstance(obj, str):
        return Article.from_markdown(obj)  # Markdown with or without front matter or headings, or plain text
    if isinstance(obj, dict):
        try:
            return Article.model_validate(obj)
        except Exception as exc:  # pydantic ValidationError: say which field
            errs: list[dict[str, Any]] = getattr(exc, "errors", lambda: [])()
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


def _prewarm_embeddings(prepared: list[tuple[Article, Any, Any, Any]], cfg: MetricsConfig) -> None:
    """One ``encode`` call for all article sentences of a batch (cheaper than one call per article)."""
    enc = get_encoder(cfg.embedder, cfg.embedder_threads) if cfg.uses_embeddings else None
    if enc is None:
        return
    texts: list[str] = []
    for art, *_ in prepared:
        try:
            if count_words(art.markdown) <= cfg.max_article_words:
                singles, pairs = coverage_units(view(art))
                texts += singles + pairs
        except Exception:  # noqa: BLE001 - the item will report its own error when scored
            continue
    if texts:
        enc.encode(texts)
