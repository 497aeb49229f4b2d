"""One Yoast assessment's result and Yoast's two ways of adding them up.

Scores are Yoast's: 9 green, 5–7 orange, ≤ 4 red, negative for the worst (keyphrase stuffing -50);
``scoring/interpreters/scoreToRating.js``. The SEO score is the mean score over the assessments on a
0–100 scale (``scoreAggregators/SEOScoreAggregator.js``); readability adds penalty points, 3 per red
and 2 per orange result, and maps them to 90 / 60 / 30 (``ReadabilityScoreAggregator.js``, French
being a fully supported language).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assessment:
    """``id`` as in yoastseo (``keyphraseDensity``), Yoast's ``score``, and what to do about it."""

    id: str
    score: int
    feedback: str            # English; for a green result, what is right
    keyphrase: bool = False  # about the focus keyphrase (these must always be named when red)

    @property
    def rating(self) -> str:
        return rating(self.score)


def rating(score: float) -> str:
    """``bad`` (≤ 4), ``ok`` (5–7) or ``good`` (> 7), as Yoast's traffic lights."""
    if score <= 4:
        return "bad"
    return "ok" if score <= 7 else "good"


def seo_score(results: list[Assessment]) -> int:
    """Yoast's overall SEO score, 0–100 (the rounded mean of scores over 9; negative scores pull it down)."""
    if not results:
        return 0
    return round(100 * sum(r.score for r in results) / (9 * len(results)))


def penalty(results: list[Assessment]) -> int:
    """Yoast's readability penalty points: 3 per red result, 2 per orange one."""
    return sum({"bad": 3, "ok": 2}.get(r.rating, 0) for r in results)


def readability_score(results: list[Assessment]) -> int:
    """Yoast's overall readability score: 90 (≤ 4 penalty points), 60 (5–6) or 30 (> 6)."""
    if len(results) <= 1:
        return 0
    p = penalty(results)
    return 30 if p > 6 else 60 if p > 4 else 90
