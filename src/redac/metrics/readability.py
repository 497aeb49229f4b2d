"""Readability as Yoast SEO's French readability analysis computes it, plus the French Flesch ease.

Assessments (``redac.metrics.yoast.readability_rules``, ported from ``yoastseo``): subheading
distribution, paragraph length, sentence length, transition words, passive voice, consecutive
sentence beginnings, and the Kandel–Moles Flesch ease. Yoast adds penalty points (3 per red result,
2 per orange) and shows 90 / 60 / 30; the value here is the same penalty on a continuous scale,
``1 - penalty / max_penalty`` (12 by default: 6 points, Yoast's last "OK", gives 0.5), so an optimiser
sees every step. ``figures`` hold every score; the feedback names each assessment not green.
"""

from __future__ import annotations

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.metrics.yoast import penalty, readability_score, yoast_document
from redac.metrics.yoast.readability_rules import readability_assessments


@register("readability", summary="Yoast SEO's readability checks and the Flesch-Kandel ease", weight=0.03,
          threshold=0.40)
def readability(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    doc = yoast_document(article)
    if not doc.sentences:
        return MetricResult(name="readability", value=0.0, feedback="No prose to read.")
    results = readability_assessments(doc, cfg.readability)
    yoast = [r for r in results if r.id != "fleschReadingEase"]
    points = penalty(results)
    value = max(0.0, 1.0 - points / cfg.readability.max_penalty)
    figures = {"yoast_score": readability_score(yoast), "penalty": points,
               "assessments": {r.id: r.score for r in results}}
    todo = sorted((r for r in results if r.rating != "good"), key=lambda r: r.score)
    feedback = ("Readable (Yoast): every check is green." if not todo
                else f"Readability (Yoast score {figures['yoast_score']}, {points} penalty points): "
                     + "; ".join(r.feedback for r in todo) + ".")
    return MetricResult(name="readability", value=value, figures=figures, feedback=feedback)
