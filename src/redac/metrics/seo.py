"""SEO as Yoast SEO's French analysis computes it (``redac.metrics.yoast``, ported from ``yoastseo``).

The value is Yoast's overall SEO score over the assessments that apply to an article without images
or links (keyphrase length, density, introduction, subheadings, title, meta description, slug, meta
description length, SEO title width, text length, single H1), i.e. the mean of their 9/6/3 scores
over 9, clipped to [0, 1]: keyphrase stuffing scores -50 and drags the whole value down, as in Yoast.
``figures`` hold every assessment's score; the feedback names each one that is not green.
"""

from __future__ import annotations

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.metrics.yoast import parse_keyphrase, seo_assessments, seo_score, yoast_document


@register("seo", summary="Yoast SEO's keyphrase, title, meta and slug checks", weight=0.05, threshold=0.85)
def seo(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    kp = parse_keyphrase(article.keyphrase)
    results = seo_assessments(article, yoast_document(article), kp, cfg.seo)
    score = seo_score(results)
    value = max(0.0, min(1.0, score / 100))
    todo = [r for r in results if r.rating != "good"]
    figures = {"yoast_score": score, "keyphrase": article.keyphrase, "content_words": list(kp.words),
               "assessments": {r.id: r.score for r in results}}
    if not todo:
        feedback = "SEO (Yoast): every check is green (" + "; ".join(r.feedback for r in results[:3]) + ")."
    else:
        todo.sort(key=lambda r: r.score)
        feedback = f"SEO (Yoast score {score}): " + "; ".join(r.feedback for r in todo) + "."
    if not kp.words:  # every keyphrase check fails, and an SEO article without one is not optimised for anything
        value = 0.0
        feedback += (" Set a focus keyphrase of 1 to 4 content words: `keyphrase:` in the front matter, or "
                     "`redac score --keyphrase` for a text without one.")
    return MetricResult(name="seo", value=value, figures=figures, feedback=feedback)
