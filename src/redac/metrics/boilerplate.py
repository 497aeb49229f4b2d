"""Boilerplate leak: fragments that ``redac.sources.clean`` removed from the raw source (captions,
"Lire aussi", teasers, banners; not the instruction line), plus generic page-chrome lines, found in
the article.
"""

from __future__ import annotations

import re

from redac.article import Article
from redac.factcheck import quote_support
from redac.metrics.config import MetricsConfig
from redac.metrics.entities import fold_word
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.text import tokens as tokenize

_GENERIC = ("lire aussi", "a lire aussi", "voir aussi", "source link", "aller au contenu", "publicite",
            "partager", "abonnez vous", "newsletter", "commentaires", "membres publique", "sur le meme sujet")
_MD_LINE = re.compile(r"^\s*(?:#{1,6}\s+|[-*>]\s+|\d+\.\s+)?")


@register("boilerplate", summary="no page chrome or teasers from the source", weight=0.03, threshold=1.00)
def boilerplate(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    lines = [_MD_LINE.sub("", ln) for ln in v.markdown.splitlines() if ln.strip()]
    # A line "is" a short fragment when it equals it, or its part before a colon does ("Lire aussi : ...").
    line_keys = []
    for ln in lines:
        line_keys.append([fold_word(t) for t in tokenize(ln)])
        if ":" in ln:
            line_keys.append([fold_word(t) for t in tokenize(ln.split(":", 1)[0])])
    leaks: list[tuple[str, str]] = []

    def line_match(frag: list[str]) -> bool:
        return any(k == frag for k in line_keys)

    for kind, text in source.boilerplate:
        toks = tokenize(text)
        if len(toks) <= 2:
            if line_match([fold_word(t) for t in toks]):
                leaks.append((kind, text))
        elif quote_support(toks, v.trigram_set, v.tokstr) >= 0.6:
            leaks.append((kind, text))
    seen = {" ".join(fold_word(x) for x in tokenize(t)) for _, t in leaks}
    for marker in _GENERIC:
        if marker not in seen and line_match(marker.split()):
            leaks.append(("generic", marker))
    leaked_words = sum(len(tokenize(t)) for _, t in leaks)
    share = leaked_words / max(1, len(v.all_tokens))
    value = max(0.0, 1 - 0.25 * len(leaks) - 5 * share)
    figures = {"leaks": [[k, t[:120]] for k, t in leaks], "leaked_words": leaked_words,
               "fragments_checked": len(source.boilerplate)}
    feedback = ("No page chrome or unrelated teaser from the source leaked into the article." if not leaks else
                "Delete source boilerplate copied into the article: "
                + " | ".join(f"{k}: « {t[:60]} »" for k, t in leaks[:4]) + ".")
    return MetricResult(name="boilerplate", value=value, figures=figures, feedback=feedback)
