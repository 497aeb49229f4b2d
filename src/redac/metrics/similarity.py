"""Closeness of the article to a text: semantic coverage of the source (sentence embeddings),
ROUGE against the source, and similarity to a gold article.

These measure how much of a text the article restates, not whether its facts are right (that is
:mod:`redac.metrics.facts`): a faithful paraphrase scores high on coverage and lower on ROUGE.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from redac.article import Article
from redac.digest import text_key
from redac.memo import LRU
from redac.metrics.config import MetricsConfig
from redac.metrics.embed import get_encoder
from redac.metrics.feedback import short
from redac.metrics.profile import ArticleView, SourceProfile, view
from redac.metrics.registry import Need, register
from redac.metrics.result import MetricResult
from redac.metrics.rouge import rouge_scores
from redac.text import count_words, sentences

_GOLD_CACHE: LRU[tuple[list[str], int, np.ndarray | None]] = LRU(256)


def coverage_units(v: ArticleView) -> tuple[list[str], list[str]]:
    """What a source sentence is matched against: the article's sentences (3 words or more) and each
    pair of consecutive sentences of a paragraph, so that a source sentence the article splits in two
    (as readability asks) is matched by the two halves together."""
    singles = [s for s in v.sentences if count_words(s) >= 3] or v.sentences
    pairs: list[str] = []
    for para in v.paragraphs:
        sents = [s for s in sentences(para) if count_words(s) >= 3]
        pairs += [f"{a} {b}" for a, b in zip(sents, sents[1:])]
    return singles, pairs


@register("coverage", summary="source sentences with a close counterpart (embeddings)",
          weight=0.10, threshold=0.60, needs={Need.SOURCE, Need.EMBEDDER})
def coverage(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Semantic coverage: for each source sentence, its best cosine match among article sentences and
    pairs of consecutive sentences, mapped linearly from ``coverage.low`` (0) to ``coverage.high`` (1),
    averaged."""
    v = view(article)
    encoder = get_encoder(cfg.embedder, cfg.embedder_threads)
    if encoder is None or source.vectors is None or not len(source.sentences):
        return MetricResult(name="coverage", value=1.0, figures={"skipped": True},
                            feedback="No source sentence to cover.")
    singles, pairs = coverage_units(v)
    if not singles:
        return MetricResult(name="coverage", value=0.0, figures={"n_source_sentences": len(source.sentences),
                                                                 "n_covered": 0, "embedder": cfg.embedder},
                            feedback="The article has no prose: write paragraphs that restate the source.")
    sims = source.vectors @ encoder.encode(singles + pairs).T
    best = sims.max(axis=1)
    by_pair = int((sims.argmax(axis=1) >= len(singles)).sum())
    lo, hi = cfg.coverage.low, cfg.coverage.high
    per = np.clip((best - lo) / (hi - lo), 0.0, 1.0)
    order = np.argsort(best)
    weak = [(source.sentences[i], float(best[i])) for i in order[:3] if best[i] < hi]
    figures = {"mean_best_cosine": float(best.mean()), "n_source_sentences": len(best),
               "n_covered": int((best >= hi).sum()), "matched_by_pair": by_pair,
               "weakest": [[short(s, 120), round(b, 3)] for s, b in weak], "embedder": cfg.embedder}
    if not weak:
        feedback = "Every source sentence has a close counterpart in the article."
    else:
        feedback = ("Source statements least covered by the article (restate them if they carry facts): "
                    + " | ".join(f"« {short(s, 80)} »" for s, _ in weak) + ".")
    return MetricResult(name="coverage", value=float(per.mean()), figures=figures, feedback=feedback)


@register("rouge", summary="ROUGE-L recall of the source", weight=0.03)
def rouge(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """ROUGE-L recall of the source body by the article prose (value), with ROUGE-2 and F-scores as figures."""
    v = view(article)
    r = rouge_scores(source.tokens, v.tokens)
    figures = {"rougeL_recall": r["rougeL"].recall, "rougeL_precision": r["rougeL"].precision,
               "rougeL_f": r["rougeL"].fmeasure, "rouge2_recall": r["rouge2"].recall, "rouge2_f": r["rouge2"].fmeasure}
    value = r["rougeL"].recall
    if value >= 0.5:
        feedback = f"The article follows the source's content closely (ROUGE-L recall {value:.2f})."
    else:
        feedback = (f"Only {value:.0%} of the source's word sequence survives (ROUGE-L recall): keep more of "
                    "the source's statements, in its order.")
    return MetricResult(name="rouge", value=value, figures=figures, feedback=feedback)


_GoldSide = tuple[list[str], int, np.ndarray | None]


def _gold_side(gold: Article, cfg: MetricsConfig) -> _GoldSide:
    """The gold's ROUGE tokens, its number of sentences and the embeddings of its sentences then sentence
    pairs (:func:`coverage_units`), once per gold."""
    gv = view(gold)
    key = text_key(gold.markdown, cfg.embedder, "units")

    def make() -> _GoldSide:
        enc = get_encoder(cfg.embedder, cfg.embedder_threads)
        singles, pairs = coverage_units(gv)
        return gv.tokens, len(singles), (enc.encode(singles + pairs) if enc is not None and singles else None)

    return _GOLD_CACHE.get_or_make(key, make)


def _calibrated(best: np.ndarray, cfg: MetricsConfig) -> float:
    lo, hi = cfg.coverage.low, cfg.coverage.high
    return float(np.clip((best - lo) / (hi - lo), 0.0, 1.0).mean()) if len(best) else 0.0


@register("gold_similarity", summary="closeness to the reference article", weight=0.05, needs={Need.GOLD})
def gold_similarity(article: Article, gold: Article, cfg: MetricsConfig) -> MetricResult:
    """Similarity to a reference article: coverage both ways, F1 of them (BERTScore-like, at sentence level)
    when an embedder is configured, else ROUGE-L F1.

    Recall is the share of the gold's sentences with a close counterpart in the article (each sentence's
    best cosine over the article's sentences and sentence pairs, calibrated as coverage, then averaged),
    precision the same the other way. Calibrating each sentence before averaging is what keeps a partial
    copy of the gold from scoring 1 (the F1 of mean cosines did: docs/metrics.md, "Fixed weaknesses")."""
    v = view(article)
    gold_tokens, n_gold, gold_vecs = _gold_side(gold, cfg)
    r = rouge_scores(gold_tokens, v.tokens)
    figures: dict[str, Any] = {"rougeL_f": r["rougeL"].fmeasure, "rouge2_f": r["rouge2"].fmeasure}
    encoder = get_encoder(cfg.embedder, cfg.embedder_threads)
    singles, pairs = coverage_units(v)
    if encoder is not None and gold_vecs is not None and singles:
        sims = encoder.encode(singles + pairs) @ gold_vecs.T
        best_p, best_r = sims[: len(singles)].max(axis=1), sims[:, :n_gold].max(axis=0)
        p, rc = _calibrated(best_p, cfg), _calibrated(best_r, cfg)
        value = 2 * p * rc / (p + rc) if p + rc > 0 else 0.0
        figures.update({"embedding_precision": p, "embedding_recall": rc, "embedding_f1": value,
                        "mean_best_cosine_precision": float(best_p.mean()),
                        "mean_best_cosine_recall": float(best_r.mean())})
    else:
        value = r["rougeL"].fmeasure
    if value >= 0.8:
        feedback = "Close to the reference article in content."
    else:
        feedback = ("Far from the reference article: compare with it and cover the same points "
                    f"(sentence-level similarity {value:.2f}).")
    return MetricResult(name="gold_similarity", value=value, figures=figures, feedback=feedback)


__all__ = ["coverage", "gold_similarity", "rouge"]
