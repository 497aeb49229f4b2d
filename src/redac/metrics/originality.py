"""Originality: an SEO rewrite must not be a near-copy of its source (duplicate content).

Two measures of copying, each mapped through a copy band calibrated on the labelled set's golds
(``originality:`` in ``evals/metrics.yaml``), the value being the lower of the two:

* the extractive fragment **density** of the prose against the cleaned source (Grusky et al., 2018;
  :mod:`redac.metrics.fragments`): long passages copied in the source's order;
* the share of prose sentences copied **near-verbatim** (most of their word trigrams in the source):
  a copy that shuffles or trims the source's sentences keeps a low density but not this share.

Coverage (the share of article tokens inside any shared fragment) is reported, not scored: single
shared words count, so every faithful French rewrite covers 0.6 to 0.99 of its tokens.
"""

from __future__ import annotations

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.feedback import short
from redac.metrics.fragments import copied_sentences, fragments, reversed_automaton, surface
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult

_QUOTE_CHARS = 80


def _band(x: float, band: tuple[float, float]) -> float:
    rewrite, copy = band
    return min(1.0, max(0.0, (copy - x) / (copy - rewrite)))


@register("originality", summary="a rewrite, not a copy of the source (copied fragments)", weight=0.03,
          threshold=0.50)
def originality(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    c = cfg.originality
    v = view(article)
    frags = fragments(v.tokens, reversed_automaton(source.key, source.tokens))
    copied, judged = copied_sentences(v.sentence_tokens, source.trigram_set, c.sentence_match)
    share = len(copied) / judged if judged else 0.0
    density, coverage = frags.density, frags.coverage
    by_density, by_sentences = _band(density, c.density), _band(share, c.copied_sentences)
    prose = " ".join(v.sentences)
    top = [(n, short(surface(prose, v.tokens[i:i + n]), _QUOTE_CHARS)) for i, n in frags.top(c.top_fragments)]
    figures = {
        "coverage": round(coverage, 4), "density": round(density, 3),
        "compression": round(len(source.tokens) / len(v.tokens), 3) if v.tokens else None,
        "longest_fragment": frags.longest, "fragments": len(frags.spans),
        "copied_sentence_share": round(share, 3), "copied_sentences": len(copied), "sentences_judged": judged,
        "density_score": round(by_density, 3), "copied_sentences_score": round(by_sentences, 3),
        "top_fragments": [[n, text] for n, text in top],
    }
    quoted = " | ".join(f"« {text} » ({n} words)" for n, text in top)
    value = min(by_density, by_sentences)
    if value >= 1.0:
        feedback = (f"The article rewrites its source (density {density:.1f}, {share:.0%} of sentences "
                    f"copied near-verbatim); longest copied passage: {frags.longest} words.")
    else:
        feedback = (f"The article copies its source nearly verbatim (density {density:.1f}, {share:.0%} "
                    f"of sentences copied): rewrite these passages in your own words: {quoted}.")
    return MetricResult(name="originality", value=value, figures=figures, feedback=feedback)
