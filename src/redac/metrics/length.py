"""Length: French word count of the prose against the target (the instruction line's, else 700)."""

from __future__ import annotations

from collections import Counter

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.text import count_words, fold, sentences


@register("length", summary="word count against the target", weight=0.08, threshold=0.95)
def length(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    """1 inside [min_words, max_words]; falls linearly to 0 at ``min * (1 - falloff)`` below and at
    ``max * (1 + falloff)`` above. Words: ``redac.text.count_words`` of the prose, headings excluded
    ("aujourd'hui", "nord-coréen", "1 000" and "3,5 %" are one word each). Sentences that repeat an
    earlier one (padding) earn no length: only the words of distinct sentences count, and the value is
    scaled by the distinct share of the prose, so an article long enough without its repeats still loses
    for saying things twice (a reader and a search engine both notice)."""
    total = view(article).word_count
    repeated = repeated_words(article.body_text)
    n = total - repeated
    lo = source.targets.min_words
    hi = source.targets.max_words or cfg.length.max_words
    fall = cfg.length.falloff
    if n < lo:
        value = max(0.0, 1 - (lo - n) / (lo * fall))
        feedback = f"Too short: {n} words for a target of at least {lo}; add about {lo - n} words of " \
                   "context drawn from the source (no new facts)."
    elif hi is not None and n > hi:
        value = max(0.0, 1 - (n - hi) / (hi * fall))
        feedback = f"Too long: {n} words for a maximum of {hi}; cut about {n - hi} words."
    else:
        value = 1.0
        feedback = f"Length is on target ({n} words, target {lo}{f'-{hi}' if hi else '+'})."
    if repeated:
        value *= n / total
        feedback += f" {repeated} words repeat earlier sentences and do not count: say each thing once."
    return MetricResult(name="length", value=value, figures={"words": n, "words_total": total,
                                                             "repeated_words": repeated, "min_words": lo,
                                                             "max_words": hi}, feedback=feedback)


def repeated_words(text: str, threshold: float = 0.6) -> int:
    """Words in sentences whose word-trigram set overlaps an earlier sentence's by ``threshold`` (Jaccard).

    Earlier sentences are found through an index of their trigrams, so only sentences that share one
    are compared (linear in practice, where comparing every pair was quadratic)."""
    sizes: list[int] = []
    index: dict[tuple[str, ...], list[int]] = {}
    repeated = 0
    for sentence in sentences(text):
        toks = fold(sentence).split()
        grams = {tuple(toks[i:i + 3]) for i in range(max(1, len(toks) - 2))}
        shared = Counter(j for g in grams for j in index.get(g, ()))
        if any(n / (len(grams) + sizes[j] - n) >= threshold for j, n in shared.items()):
            repeated += count_words(sentence)
            continue
        for g in grams:
            index.setdefault(g, []).append(len(sizes))
        sizes.append(len(grams))
    return repeated
