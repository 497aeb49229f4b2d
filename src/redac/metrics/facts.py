"""Fact preservation: recall of the source's facts, precision (nothing invented), semantic coverage,
ROUGE against the source, similarity to a gold article, recall of hand-labelled facts.

Facts come in three kinds, compared on normalised keys: named entities (spaCy on the source, see
:mod:`redac.metrics.entities`), figures (numbers, amounts, dates, durations, see
:mod:`redac.figures`) and quoted statements. Recall averages the kinds present (macro), so a
dropped figure is not drowned by forty kept names. Precision multiplies the per-kind precisions: an
invented figure or quote must cost more than a missing one, because it makes the article unpublishable.
"""

from __future__ import annotations

import math

import numpy as np

from redac import figures as nums
from redac.article import Article
from redac.digest import text_key
from redac.factcheck import quote_support
from redac.memo import LRU
from redac.metrics import entities as ents
from redac.metrics.base import MetricResult, MetricsConfig
from redac.metrics.embed import get_encoder
from redac.metrics.profile import SourceProfile, view
from redac.metrics.rouge import rouge_scores, tokenize
from redac.text import count_words, fold

_GOLD_CACHE = LRU(256)


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _list(items: list[str], n: int = 6) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def _article_figures(article: Article) -> tuple[set[tuple], list[nums.Fact]]:
    figs = view(article).figures
    return {f.key for f in figs}, figs


def _figure_recalled(f: nums.Fact, keys: set[tuple]) -> bool:
    if f.key in keys:
        return True
    if f.kind == "month":  # "septembre" is kept by "19 septembre"
        return any(k[0] == "date" and k[1] == f.key[1] for k in keys)
    return False


def fact_recall(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Share of the source's entities, figures and quotes that the article keeps (macro over kinds)."""
    v = view(article)
    keys, _ = _article_figures(article)
    missing_ent = [e.text for e in source.entities if not e.found_in(v.folded)]
    missing_fig = [f.text for f in source.figures if not _figure_recalled(f, keys)]
    supports = [quote_support(q, v.trigram_set, v.tokstr) for q in source.quote_tokens]
    missing_q = [q for q, s in zip(source.quotes, supports) if s < cfg.facts.quote_match]
    per_kind: dict[str, float] = {}
    if source.entities:
        per_kind["entities"] = 1 - len(missing_ent) / len(source.entities)
    if source.figures:
        per_kind["figures"] = 1 - len(missing_fig) / len(source.figures)
    if source.quotes:
        per_kind["quotes"] = 1 - len(missing_q) / len(source.quotes)
    value = sum(per_kind.values()) / len(per_kind) if per_kind else 1.0
    figures = {
        **{f"{k}_recall": round(x, 4) for k, x in per_kind.items()},
        "n_entities": len(source.entities), "n_figures": len(source.figures), "n_quotes": len(source.quotes),
        "missing_entities": missing_ent, "missing_figures": missing_fig,
        "missing_quotes": [_short(q) for q in missing_q],
    }
    if not (missing_ent or missing_fig or missing_q):
        feedback = "Every entity, figure and quote of the source is in the article."
    else:
        parts = []
        if missing_ent:
            parts.append("names " + _list(missing_ent))
        if missing_fig:
            parts.append("figures " + _list(missing_fig))
        if missing_q:
            parts.append("quotes " + _list([f"« {_short(q, 60)} »" for q in missing_q], 3))
        feedback = "Restore these source facts, which the article drops: " + "; ".join(parts) + "."
    return MetricResult(name="fact_recall", value=value, figures=figures, feedback=feedback)


def fact_precision(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Precision of the article's entities, figures and quotes against the source (product over kinds).

    Entity precision follows Nan et al. (2021): supported = source entities the article names,
    unsupported = entities (spaCy) built on proper-noun words the source never uses.
    """
    v = view(article)
    found = [e for e in source.entities if e.found_in(v.folded)]
    invented = ents.unsupported_entities(v.all_sentences, source.words, cfg.facts.entity_labels,
                                         cfg.facts.spacy_model, capitals=v.capitals)
    figs: dict[tuple, nums.Fact] = {}
    for f in v.figures:
        if nums.checkable(f):
            figs.setdefault(f.key, f)
    bad_figs = [f.text for f in figs.values() if not nums.supported(f, source.figure_keys, source.figure_values)]
    q_scores = [(q, quote_support(tokenize(q), source.trigram_set, source.tokstr)) for q in v.quotes]
    bad_q = [q for q, s in q_scores if s < cfg.facts.quote_match]
    per_kind: dict[str, float] = {}
    if found or invented:
        per_kind["entities"] = len(found) / (len(found) + len(invented))
    if figs:
        per_kind["figures"] = 1 - len(bad_figs) / len(figs)
    if q_scores:
        per_kind["quotes"] = 1 - len(bad_q) / len(q_scores)
    value = math.prod(per_kind.values()) if per_kind else 1.0
    figures = {
        **{f"{k}_precision": round(x, 4) for k, x in per_kind.items()},
        "n_entities": len(found) + len(invented), "n_figures": len(figs), "n_quotes": len(q_scores),
        "unsupported_entities": [f"{t} ({lab})" for t, lab in invented], "unsupported_figures": bad_figs,
        "unsupported_quotes": [_short(q) for q in bad_q],
    }
    if not (invented or bad_figs or bad_q):
        feedback = "Nothing in the article contradicts or goes beyond the source's names, figures and quotes."
    else:
        parts = []
        if invented:
            parts.append("names " + _list([t for t, _ in invented]))
        if bad_figs:
            parts.append("figures " + _list(bad_figs))
        if bad_q:
            parts.append("quotes " + _list([f"« {_short(q, 60)} »" for q in bad_q], 3))
        feedback = ("Remove or correct what the source does not support (possible hallucinations): "
                    + "; ".join(parts) + ".")
    return MetricResult(name="fact_precision", value=value, figures=figures, feedback=feedback)


def labelled_facts(article: Article, source: SourceProfile, cfg: MetricsConfig, facts: dict) -> MetricResult:
    """Recall of hand-labelled facts (``redac.dataset.Facts`` fields: entities, numbers, dates, quotes)."""
    v = view(article)
    keys, _ = _article_figures(article)
    folded = fold(v.markdown + "\n" + v.article.title)
    missing: list[str] = []
    total = 0
    for kind in ("entities", "numbers", "dates", "quotes"):
        for item in facts.get(kind) or []:
            total += 1
            if not _labelled_kept(kind, str(item), v, keys, folded, cfg):
                missing.append(str(item))
    value = 1 - len(missing) / total if total else 1.0
    feedback = ("The article keeps every labelled fact." if not missing else
                "Labelled facts missing from the article: " + _list([_short(m, 60) for m in missing], 8) + ".")
    return MetricResult(name="labelled_facts", value=value, figures={"n_labelled": total, "missing": missing},
                        feedback=feedback)


def _labelled_kept(kind: str, item: str, v, keys: set[tuple], folded: str, cfg: MetricsConfig) -> bool:
    if kind == "quotes":
        return quote_support(tokenize(item), v.trigram_set, v.tokstr) >= cfg.facts.quote_match
    if kind == "entities":
        alts = ents.phrase_alternatives(item, surname=len(ents.entity_key(item)) >= 2)
        return any(all(p in v.folded for p in alt) for alt in alts) or fold(item) in folded
    figs = nums.extract(item)
    if figs:
        return all(_figure_recalled(f, keys) for f in figs)
    return fold(item) in folded


def coverage(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Semantic coverage: for each source sentence, its best cosine match among article sentences,
    mapped linearly from ``coverage.low`` (0) to ``coverage.high`` (1), averaged."""
    v = view(article)
    encoder = get_encoder(cfg.embedder, cfg.embedder_threads)
    if encoder is None or source.vectors is None or not len(source.sentences):
        return MetricResult(name="coverage", value=1.0, figures={"skipped": True},
                            feedback="No source sentence to cover.")
    art_sents = [s for s in v.sentences if count_words(s) >= 3] or v.sentences
    best = (source.vectors @ encoder.encode(art_sents).T).max(axis=1)
    lo, hi = cfg.coverage.low, cfg.coverage.high
    per = np.clip((best - lo) / (hi - lo), 0.0, 1.0)
    order = np.argsort(best)
    weak = [(source.sentences[i], float(best[i])) for i in order[:3] if best[i] < hi]
    figures = {"mean_best_cosine": float(best.mean()), "n_source_sentences": len(best),
               "n_covered": int((best >= hi).sum()), "weakest": [[_short(s, 120), round(b, 3)] for s, b in weak],
               "embedder": cfg.embedder}
    if not weak:
        feedback = "Every source sentence has a close counterpart in the article."
    else:
        feedback = ("Source statements least covered by the article (restate them if they carry facts): "
                    + " | ".join(f"« {_short(s, 80)} »" for s, _ in weak) + ".")
    return MetricResult(name="coverage", value=float(per.mean()), figures=figures, feedback=feedback)


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


def _gold_side(gold: Article, cfg: MetricsConfig):
    gv = view(gold)
    key = text_key(gold.markdown, cfg.embedder)

    def make():
        enc = get_encoder(cfg.embedder, cfg.embedder_threads)
        sents = [s for s in gv.sentences if count_words(s) >= 3] or gv.sentences
        return gv.tokens, (enc.encode(sents) if enc is not None and sents else None)

    return _GOLD_CACHE.get_or_make(key, make)


def gold_similarity(article: Article, gold: Article, cfg: MetricsConfig) -> MetricResult:
    """Similarity to a reference article: sentence-embedding F1 (BERTScore-like, calibrated like
    coverage) when an embedder is configured, else ROUGE-L F1."""
    v = view(article)
    gold_tokens, gold_vecs = _gold_side(gold, cfg)
    r = rouge_scores(gold_tokens, v.tokens)
    figures: dict = {"rougeL_f": r["rougeL"].fmeasure, "rouge2_f": r["rouge2"].fmeasure}
    encoder = get_encoder(cfg.embedder, cfg.embedder_threads)
    art_sents = [s for s in v.sentences if count_words(s) >= 3] or v.sentences
    if encoder is not None and gold_vecs is not None and art_sents:
        sims = encoder.encode(art_sents) @ gold_vecs.T
        p, rc = float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean())
        f1 = 2 * p * rc / (p + rc) if p + rc > 0 else 0.0
        lo, hi = cfg.coverage.low, cfg.coverage.high
        value = min(1.0, max(0.0, (f1 - lo) / (hi - lo)))
        figures.update({"embedding_precision": p, "embedding_recall": rc, "embedding_f1": f1})
    else:
        value = r["rougeL"].fmeasure
    if value >= 0.8:
        feedback = "Close to the reference article in content."
    else:
        feedback = ("Far from the reference article: compare with it and cover the same points "
                    f"(sentence-level similarity {value:.2f}).")
    return MetricResult(name="gold_similarity", value=value, figures=figures, feedback=feedback)


__all__ = ["fact_recall", "fact_precision", "labelled_facts", "coverage", "rouge", "gold_similarity"]
