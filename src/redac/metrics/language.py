"""Language and readability: the article is French, readable, and free of the source's page chrome.

* ``language``: share of the article's words in paragraphs identified as French by distinctive
  function words (six European languages are told apart). Deterministic, ~0.2 ms per article, and
  per paragraph, so one paragraph left in English costs its share; the composite has a hard gate on it.
* ``readability``: Kandel & Moles' French adaptation of Flesch (``207 - 1.015 W/S - 73.6 Syl/W``,
  syllables from Pyphen's French dictionary as textstat does) and the share of sentences over 20 words.
* ``boilerplate``: fragments that ``redac.sources.clean`` removed from the raw source (captions,
  "Lire aussi", teasers, banners; not the instruction line), plus generic page-chrome lines, found in
  the article.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from redac.article import Article
from redac.factcheck import quote_support
from redac.metrics.base import MetricResult, MetricsConfig
from redac.metrics.entities import fold_word
from redac.metrics.profile import SourceProfile, view
from redac.metrics.rouge import tokenize

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


def language(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    target = cfg.language.target
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


# --------------------------------------------------------------------------------------------------
# Readability
# --------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------
# Boilerplate leak
# --------------------------------------------------------------------------------------------------

_GENERIC = ("lire aussi", "a lire aussi", "voir aussi", "source link", "aller au contenu", "publicite",
            "partager", "abonnez vous", "newsletter", "commentaires", "membres publique", "sur le meme sujet")
_MD_LINE = re.compile(r"^\s*(?:#{1,6}\s+|[-*>]\s+|\d+\.\s+)?")


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
