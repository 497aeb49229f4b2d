"""Fact preservation: recall of the source's facts, precision (nothing invented), recall of
hand-labelled facts.

Facts come in three kinds, compared on normalised keys: named entities (spaCy on the source, see
:mod:`redac.metrics.entities`), figures (numbers, amounts, dates, durations, see
:mod:`redac.figures`) and quoted statements. Recall averages the kinds present (macro), so a
dropped figure is not drowned by forty kept names. Precision multiplies the per-kind precisions: an
invented figure or quote must cost more than a missing one, because it makes the article unpublishable.
"""

from __future__ import annotations

import math
from typing import Any

from redac import figures as nums
from redac.article import Article
from redac.factcheck import quote_support
from redac.metrics import entities as ents
from redac.metrics.config import MetricsConfig
from redac.metrics.feedback import listed, short
from redac.metrics.profile import ArticleView, SourceProfile, view
from redac.metrics.registry import Need, register
from redac.metrics.result import MetricResult
from redac.text import fold
from redac.text import tokens as tokenize


def _article_figures(article: Article) -> tuple[set[tuple[Any, ...]], list[nums.Fact]]:
    figs = view(article).figures
    return {f.key for f in figs}, figs


def _figure_recalled(f: nums.Fact, keys: set[tuple[Any, ...]]) -> bool:
    if f.key in keys:
        return True
    if f.kind == "month":  # "septembre" is kept by "19 septembre"
        return any(k[0] == "date" and k[1] == f.key[1] for k in keys)
    if f.kind in nums.SIGNED:  # kept with another sign: fact_precision reports the contradiction
        return nums.magnitude(f.key) in {nums.magnitude(k) for k in keys}
    return False


@register("fact_recall", summary="share of the source's names, figures and quotes kept",
          weight=0.22, threshold=0.80, needs={Need.SOURCE, Need.SPACY})
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
        "missing_quotes": [short(q) for q in missing_q],
    }
    if not (missing_ent or missing_fig or missing_q):
        feedback = "Every entity, figure and quote of the source is in the article."
    else:
        parts = []
        if missing_ent:
            parts.append("names " + listed(missing_ent))
        if missing_fig:
            parts.append("figures " + listed(missing_fig))
        if missing_q:
            parts.append("quotes " + listed([f"« {short(q, 60)} »" for q in missing_q], 3))
        feedback = "Restore these source facts, which the article drops: " + "; ".join(parts) + "."
    return MetricResult(name="fact_recall", value=value, figures=figures, feedback=feedback)


@register("fact_precision", summary="share of the article's names, figures and quotes the source supports",
          weight=0.22, threshold=0.85, needs={Need.SOURCE, Need.SPACY})
def fact_precision(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Precision of the article's entities, figures and quotes against the source (product over kinds).

    Entity precision follows Nan et al. (2021): supported = source entities the article names,
    unsupported = entities (spaCy) built on proper-noun words the source never uses.
    """
    v = view(article)
    found = [e for e in source.entities if e.found_in(v.folded)]
    invented = ents.unsupported_entities(v.all_sentences, source.words, cfg.facts.entity_labels,
                                         cfg.facts.spacy_model, capitals=v.capitals)
    figs: dict[tuple[Any, ...], nums.Fact] = {}
    for f in v.figures:
        if nums.checkable(f):
            figs.setdefault((*f.key, f.sign), f)  # "+14 %" is checked even where "14 %" was
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
        "unsupported_quotes": [short(q) for q in bad_q],
    }
    if not (invented or bad_figs or bad_q):
        feedback = "Nothing in the article contradicts or goes beyond the source's names, figures and quotes."
    else:
        parts = []
        if invented:
            parts.append("names " + listed([t for t, _ in invented]))
        if bad_figs:
            parts.append("figures " + listed(bad_figs))
        if bad_q:
            parts.append("quotes " + listed([f"« {short(q, 60)} »" for q in bad_q], 3))
        feedback = ("Remove or correct what the source does not support (possible hallucinations): "
                    + "; ".join(parts) + ".")
    return MetricResult(name="fact_precision", value=value, figures=figures, feedback=feedback)


@register("labelled_facts", summary="share of the hand-labelled facts kept",
          weight=0.10, threshold=0.80, needs={Need.SOURCE, Need.LABELS})
def labelled_facts(article: Article, source: SourceProfile, cfg: MetricsConfig, facts: dict[str, Any]) -> MetricResult:
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
                "Labelled facts missing from the article: " + listed([short(m, 60) for m in missing], 8) + ".")
    return MetricResult(name="labelled_facts", value=value, figures={"n_labelled": total, "missing": missing},
                        feedback=feedback)


def _labelled_kept(kind: str, item: str, v: ArticleView, keys: set[tuple[Any, ...]], folded: str,
                   cfg: MetricsConfig) -> bool:
    if kind == "quotes":
        return quote_support(tokenize(item), v.trigram_set, v.tokstr) >= cfg.facts.quote_match
    if kind == "entities":
        alts = ents.phrase_alternatives(item, surname=len(ents.entity_key(item)) >= 2)
        return any(all(p in v.folded for p in alt) for alt in alts) or fold(item) in folded
    figs = nums.extract(item)
    if figs:
        return all(_figure_recalled(f, keys) for f in figs)
    return fold(item) in folded


__all__ = ["fact_precision", "fact_recall", "labelled_facts"]
