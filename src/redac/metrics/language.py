"""Language: the article is French.

``language``: share of the article's words in paragraphs identified as French by distinctive
function words (six European languages are told apart). Deterministic, ~0.2 ms per article, and
per paragraph, so one paragraph left in English costs its share; the composite has a hard gate on it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.text import tokens as tokenize

# The most frequent function words of each language; words shared by two lists are dropped below,
# so every hit is evidence for one language only.
_FUNCTION_WORDS = {
    "fr": "le la les des du et est une dans pour qui que sur pas au aux avec ce cette il elle ils elles sont ont été "
          "mais ou leur leurs nous vous par plus se sa son ses selon lors après aussi très comme déjà où qu été "
          "avait était sera fait entre sous chez dont ne cet à",
    "en": "the and of to is in that it was for with as on by this are were be has have had from at which not but "
          "an or they their his her its will would been who after also than into about there what when",
    "es": "el la los las del y es una por con para que lo al como más pero sus su fue está según también muy ha "
          "han este esta entre se sin sobre ya cuando porque hasta desde donde",
    "it": "il la lo gli della delle dei degli è e una per con che non sono nel nella alla anche più come ha hanno "
          "questo questa tra se si ma sul dalla dal ad",
    "de": "der die das und ist nicht ein eine mit von zu den dem auf für sich auch es wurde werden im sind bei "
          "nach wie oder aus noch hat haben",
    "pt": "o os as da do das dos e é um uma em para com não que no na nos pelo pela mais foi são seu sua também "
          "entre se ao aos à mas como",
}


_QUOTED = re.compile(r"«[^»]*»|“[^”]*”")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for lang, ws in _FUNCTION_WORDS.items():
        for w in ws.split():
            seen.setdefault(w, set()).add(lang)
    return {w: next(iter(langs)) for w, langs in seen.items() if len(langs) == 1}


def detect(text: str | list[str]) -> tuple[str | None, dict[str, int]]:
    """Language of a text (or of its tokens) by distinctive function words: ``(code or None, hits)``."""
    lex = _lexicon()
    hits: dict[str, int] = {}
    for t in tokenize(text) if isinstance(text, str) else text:
        lang = lex.get(t)
        if lang:
            hits[lang] = hits.get(lang, 0) + 1
    if not hits or max(hits.values()) < 2:
        return None, hits
    best = max(hits, key=lambda k: hits[k])
    return best, hits


@register("language", summary="share of the article in French", weight=0.03, threshold=0.95,
          gate=(0.8, "the article must be in French"))
def language(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    target = cfg.language.target
    if not v.tokens:  # nothing to judge: length and coverage already score an article without prose 0
        return MetricResult(name="language", value=1.0, figures={"detected": None, "words_by_language": {},
                                                                 "foreign_paragraphs": 0,
                                                                 "source_language": source.language},
                            feedback="No prose to judge the language of (the title alone is not enough).")
    by_lang: dict[str, int] = {}
    foreign: list[str] = []
    for para, toks in [(article.title, tokenize(article.title)), *zip(v.paragraphs, v.paragraph_tokens)]:
        # A quotation kept verbatim in its own language is not a paragraph written in that language.
        lang, _ = detect(tokenize(_QUOTED.sub(" ", para)) if "«" in para or "“" in para else toks)
        if lang is None:
            continue
        n = len(toks)
        by_lang[lang] = by_lang.get(lang, 0) + n
        if lang != target:
            foreign.append(para)
    total = sum(by_lang.values())
    overall, _ = detect(v.tokens)
    value = by_lang.get(target, 0) / total if total else (1.0 if overall == target else 0.0)
    figures = {"detected": overall, "words_by_language": by_lang, "foreign_paragraphs": len(foreign),
               "source_language": source.language}
    if value >= 0.999:
        feedback = "The article is in French."
    elif overall != target:
        feedback = (f"The article is not in French (detected: {overall or 'unknown'}); write the whole "
                    "article in French, whatever the source's language.")
    else:
        feedback = ("Translate into French the paragraphs written in another language: "
                    + " | ".join(f"« {p[:60]}… »" for p in foreign[:3]) + ".")
    return MetricResult(name="language", value=value, figures=figures, feedback=feedback)
