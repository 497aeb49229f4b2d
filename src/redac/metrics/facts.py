"""Fact preservation: recall of the source's facts, precision (nothing invented), recall of
hand-labelled facts.

Facts come in three kinds, compared on normalised keys: named entities (spaCy on the source, see
:mod:`redac.metrics.entities`), figures (numbers, amounts, dates, durations, see
:mod:`redac.figures`) and quoted statements. Recall averages the kinds present (macro), so a
dropped figure is not drowned by forty kept names. Precision multiplies the per-kind precisions: an
invented figure or quote must cost more than a missing one, because it makes the article unpublishable.
For the same reason one invented fact the checks are sure of fails the item (``invented_facts`` and
its capping gate), however good the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from redac import figures as nums
from redac.article import Article
from redac.digest import text_key
from redac.factcheck import quote_support
from redac.metrics import entities as ents
from redac.metrics.config import MetricsConfig
from redac.metrics.feedback import listed, short
from redac.memo import LRU
from redac.metrics.profile import ArticleView, SourceProfile, article_key, view
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


@dataclass(frozen=True)
class Checked:
    """The article's facts checked against the source (shared by fact_precision and invented_facts)."""

    found: list[ents.Entity]               # source entities the article names
    invented: list[tuple[str, str]]        # (text, label) of entities built on words the source never uses
    figures: list[nums.Fact]               # checkable figures, one per key and sign
    bad_figures: list[nums.Fact]
    quotes: list[tuple[str, float]]        # (quote, share found in the source)
    bad_quotes: list[str]


CHECKED_CACHE: LRU[Checked] = LRU(64)


def checked_facts(article: Article, source: SourceProfile, cfg: MetricsConfig) -> Checked:
    """What of the article the source supports: computed once per (article, source, facts config)."""
    key = text_key(article_key(article), source.key, cfg.facts.model_dump_json())
    return CHECKED_CACHE.get_or_make(key, lambda: _check(article, source, cfg))


def _check(article: Article, source: SourceProfile, cfg: MetricsConfig) -> Checked:
    v = view(article)
    invented = ents.unsupported_entities(v.all_sentences, source.words, cfg.facts.entity_labels,
                                         cfg.facts.spacy_model, capitals=v.capitals)
    figs: dict[tuple[Any, ...], nums.Fact] = {}
    for f in v.figures:
        if nums.checkable(f):
            figs.setdefault((*f.key, f.sign), f)  # "+14 %" is checked even where "14 %" was
    q_scores = [(q, quote_support(tokenize(q), source.trigram_set, source.tokstr)) for q in v.quotes]
    return Checked(found=[e for e in source.entities if e.found_in(v.folded)], invented=invented,
                   figures=list(figs.values()),
                   bad_figures=[f for f in figs.values()
                                if not nums.supported(f, source.figure_keys, source.figure_values)],
                   quotes=q_scores, bad_quotes=[q for q, s in q_scores if s < cfg.facts.quote_match])


@register("fact_precision", summary="share of the article's names, figures and quotes the source supports",
          weight=0.22, threshold=0.85, needs={Need.SOURCE, Need.SPACY})
def fact_precision(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """Precision of the article's entities, figures and quotes against the source (product over kinds).

    Entity precision follows Nan et al. (2021): supported = source entities the article names,
    unsupported = entities (spaCy) built on proper-noun words the source never uses.
    """
    c = checked_facts(article, source, cfg)
    found, invented, figs, q_scores, bad_q = c.found, c.invented, c.figures, c.quotes, c.bad_quotes
    bad_figs = [f.text for f in c.bad_figures]
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


@register("invented_facts", summary="no invented name, quote or firm figure (one fails the item)",
          weight=0.0, threshold=1.0, needs={Need.SOURCE, Need.SPACY},
          gate=(1.0, "one invented name, quote or figure fails the item"), gate_cap=0.69)
def invented_facts(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """1 if the article invents nothing the checks are sure of, else 0: a name or a quote the source does
    not support, or a figure that is firm evidence (:func:`redac.figures.firm`: digits, percentages,
    amounts, dates; not a spelled-out "Quatre priorités"). Its weight is 0 (fact_precision already
    weighs every fact); its gate caps the composite just under the pass threshold, so one invented fact
    fails an otherwise perfect article without a 0 dragging the mean of a run down."""
    c = checked_facts(article, source, cfg)
    names = [t for t, _ in c.invented]
    figs = [f.text for f in c.bad_figures if nums.firm(f)]
    quotes = [short(q, 60) for q in c.bad_quotes]
    n = len(names) + len(figs) + len(quotes)
    figures = {"n_invented": n, "names": names, "figures": figs, "quotes": quotes,
               "soft_figures": [f.text for f in c.bad_figures if not nums.firm(f)]}
    if not n:
        feedback = "The article states no name, quote or figure that the source lacks."
    else:
        parts = ([f"names {listed(names)}"] if names else []) + ([f"figures {listed(figs)}"] if figs else []) \
            + ([f"quotes {listed([f'« {q} »' for q in quotes], 3)}"] if quotes else [])
        feedback = (f"{n} invented fact{'s' if n > 1 else ''} ({'; '.join(parts)}): one is enough to fail the "
                    "article; remove it or restore what the source says.")
    return MetricResult(name="invented_facts", value=0.0 if n else 1.0, figures=figures, feedback=feedback)


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


__all__ = ["CHECKED_CACHE", "Checked", "checked_facts", "fact_precision", "fact_recall", "invented_facts", "labelled_facts"]
