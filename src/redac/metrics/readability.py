"""Readability: Kandel & Moles' French adaptation of Flesch (``207 - 1.015 W/S - 73.6 Syl/W``,
syllables from Pyphen's French dictionary as textstat does) and the share of sentences over 20 words.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult

_PYPHEN_LOCK = threading.Lock()
_DIC = None


@lru_cache(maxsize=50_000)
def syllables(word: str) -> int:
    """Syllables of one French word: Pyphen hyphenation points + 1 (textstat's French rule)."""
    global _DIC
    if not word[:1].isalpha():
        return 1
    if _DIC is None:
        with _PYPHEN_LOCK:
            if _DIC is None:
                import pyphen

                _DIC = pyphen.Pyphen(lang="fr_FR")
    return sum(len(_DIC.positions(part)) + 1 for part in word.lower().split("-") if part)


def kandel_moles(n_words: int, n_sentences: int, n_syllables: int) -> float:
    return 207 - 1.015 * (n_words / n_sentences) - 73.6 * (n_syllables / n_words)


@register("readability", summary="Kandel-Moles ease and long sentences", weight=0.03, threshold=0.50)
def readability(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    c = cfg.readability
    lens = [n for n in v.sentence_lengths if n]
    if not lens or not v.word_count:
        return MetricResult(name="readability", value=0.0, feedback="No prose to read.")
    n_syl = sum(syllables(w) for w in v.words)
    km = kandel_moles(v.word_count, len(lens), n_syl)
    long_share = sum(n > c.long_sentence_words for n in lens) / len(lens)
    v_km = min(1.0, max(0.0, (km - c.floor) / (c.good - c.floor)))
    v_long = 1.0 if long_share <= c.max_long_share else max(0.0, 1 - (long_share - c.max_long_share) / c.max_long_share)
    value = 0.5 * v_km + 0.5 * v_long
    band = "easy" if km >= c.good else ("fairly difficult" if km >= 50 else "difficult")
    figures = {"kandel_moles": round(km, 2), "band": band, "words_per_sentence": round(v.word_count / len(lens), 2),
               "syllables_per_word": round(n_syl / v.word_count, 3), "long_sentence_share": round(long_share, 3),
               "sentences": len(lens)}
    tips = []
    if km < c.good:
        tips.append(f"Kandel-Moles {km:.0f} ({band}): use shorter sentences and simpler words")
    if long_share > c.max_long_share:
        tips.append(f"{long_share:.0%} of sentences exceed {c.long_sentence_words} words (aim for at most "
                    f"{c.max_long_share:.0%}): split the longest")
    feedback = ("Readable French (Kandel-Moles {:.0f}, {:.0%} long sentences).".format(km, long_share)
                if not tips else "; ".join(tips) + ".")
    return MetricResult(name="readability", value=value, figures=figures, feedback=feedback)
