"""Yoast SEO's French analysis, ported from the npm package ``yoastseo`` (GPL-3.0, version pinned in
``tests/metrics/yoast/package.json``): the SEO and readability assessments the ``seo`` and
``readability`` metrics report. No node at run time; ``tests/metrics/yoast`` checks agreement with
the real package.
"""

from redac.metrics.yoast.assessment import Assessment, penalty, rating, readability_score, seo_score
from redac.metrics.yoast.document import BLOCK_CACHE, DOCUMENT_CACHE, YoastDocument, parse_markdown, yoast_document
from redac.metrics.yoast.keyphrase import Keyphrase, parse_keyphrase
from redac.metrics.yoast.lexicon import lexicon
from redac.metrics.yoast.seo_rules import seo_assessments
from redac.metrics.yoast.width import title_width

__all__ = [
    "BLOCK_CACHE", "DOCUMENT_CACHE", "Assessment", "Keyphrase", "YoastDocument", "lexicon", "parse_keyphrase", "parse_markdown",
    "penalty", "rating", "readability_score", "seo_assessments", "seo_score", "title_width", "yoast_document",
]
