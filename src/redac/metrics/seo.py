"""SEO keyphrase rules in the spirit of Yoast SEO's published analysis (free version, French).

Keyphrase matching ignores case, accents, stop words and a final plural -s/-x, and accepts the content
words in any order within the unit (title, meta description, slug, first paragraph, subheading,
sentence), as Yoast does without its premium morphology. Density = keyphrase occurrences per 100
words of prose (one occurrence = every content word in the same sentence). The value is the mean of
ten checks; over the stuffing density the whole value is halved.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from redac.article import Article
from redac.metrics.config import MetricsConfig
from redac.metrics.entities import fold_word, stopwords
from redac.metrics.profile import SourceProfile, view
from redac.metrics.registry import register
from redac.metrics.result import MetricResult
from redac.rules import SLUG_PATTERN
from redac.text import tokens as tokenize

_SLUG = re.compile(rf"^{SLUG_PATTERN}$")


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    w = fold_word(word)
    return w[:-1] if len(w) > 3 and w[-1] in "sx" else w


def content_stems(text: str) -> list[str]:
    stop = stopwords()
    return [_stem(t) for t in tokenize(text) if len(t) > 1 and fold_word(t) not in stop]


def _contains(unit: str, kp: list[str]) -> bool:
    stems = {_stem(t) for t in tokenize(unit)}
    return bool(kp) and all(k in stems for k in kp)


def _band(x: float, lo: float, hi: float, slack: float) -> float:
    """1 inside [lo, hi], falling linearly to 0 at ``slack`` outside."""
    if lo <= x <= hi:
        return 1.0
    d = lo - x if x < lo else x - hi
    return max(0.0, 1 - d / slack)


@register("seo", summary="keyphrase placement, density, title, meta, slug", weight=0.05, threshold=0.70)
def seo(article: Article, source: SourceProfile, cfg: MetricsConfig) -> MetricResult:
    v = view(article)
    c = cfg.seo
    kp = list(dict.fromkeys(content_stems(article.keyphrase)))
    if not kp:
        return MetricResult(name="seo", value=0.0, figures={"keyphrase": article.keyphrase},
                            feedback="Set a focus keyphrase (1 to 4 content words; `keyphrase:` in the front matter, "
                                     "or `redac score --keyphrase` for a text without one) and use it in the title, "
                                     "meta description, slug, first paragraph and a subheading.")
    checks: dict[str, float] = {}
    tips: list[str] = []
    checks["keyphrase_length"] = 1.0 if len(kp) <= c.max_keyphrase_words else 0.5
    if len(kp) > c.max_keyphrase_words:
        tips.append(f"shorten the keyphrase to at most {c.max_keyphrase_words} content words")

    for name, unit, where in (("in_title", article.title, "the title"),
                              ("in_meta", article.meta_description, "the meta description"),
                              ("in_first_paragraph", v.paragraphs[0] if v.paragraphs else "", "the first paragraph")):
        checks[name] = 1.0 if _contains(unit, kp) else 0.0
        if not checks[name]:
            tips.append(f"put the keyphrase in {where}")
    slug_parts = {_stem(p) for p in article.slug.split("-") if p}
    checks["in_slug"] = 1.0 if all(k in slug_parts for k in kp) else 0.0
    if not checks["in_slug"]:
        tips.append("put the keyphrase's words in the slug")

    subs = [h.text for h in article.headings if h.level in (2, 3)]
    with_kp = sum(_contains(h, kp) for h in subs)
    share = with_kp / len(subs) if subs else 0.0
    checks["in_subheading"] = 0.0 if not with_kp else (0.5 if len(subs) >= 2 and share > 0.75 else 1.0)
    if not with_kp:
        tips.append("use the keyphrase in at least one subheading")
    elif checks["in_subheading"] < 1:
        tips.append(f"the keyphrase is in {with_kp} of {len(subs)} subheadings: vary them (Yoast: at most 75%)")

    occurrences = 0
    for toks in v.sentence_tokens:
        counts = Counter(_stem(t) for t in toks)
        occurrences += min(counts[k] for k in kp)
    density = 100 * occurrences / v.word_count if v.word_count else 0.0
    lo, hi = c.density
    stuffing = density > c.stuffing
    if lo <= density <= hi:
        checks["density"] = 1.0
    elif density < lo:
        checks["density"] = 0.5 if occurrences else 0.0
        tips.append(f"use the keyphrase more often (density {density:.1f}%, aim for {lo}-{hi}%)")
    else:
        checks["density"] = 0.0 if stuffing else 0.5
        tips.append(f"use the keyphrase less often (density {density:.1f}%, aim for {lo}-{hi}%)")

    tl = len(article.title)
    checks["title_length"] = _band(tl, *c.title_chars, slack=20)
    if checks["title_length"] < 1:
        tips.append(f"make the title {c.title_chars[0]}-{c.title_chars[1]} characters (now {tl})")
    ml = len(article.meta_description)
    checks["meta_length"] = _band(ml, *c.meta_chars, slack=40) if ml else 0.0
    if checks["meta_length"] < 1:
        tips.append(f"write a meta description of {c.meta_chars[0]}-{c.meta_chars[1]} characters (now {ml})")
    checks["slug_format"] = 1.0 if _SLUG.match(article.slug) and len(article.slug) <= c.slug_max_chars else 0.0
    if not checks["slug_format"]:
        tips.append(f"use a slug of lower-case ASCII words joined by hyphens, at most {c.slug_max_chars} characters")

    value = sum(checks.values()) / len(checks)
    if stuffing:
        value *= 0.5
        tips.insert(0, f"keyword stuffing: the keyphrase makes {density:.1f}% of the text (over {c.stuffing}%); "
                       "rewrite those sentences naturally")
    figures = {"keyphrase": article.keyphrase, "checks": checks, "density_pct": round(density, 3),
               "occurrences": occurrences, "subheadings_with_keyphrase": with_kp, "title_chars": tl,
               "meta_chars": ml, "stuffing": stuffing}
    feedback = ("SEO rules are met (keyphrase placed, density {:.1f}%, title/meta/slug in range).".format(density)
                if not tips else "SEO: " + "; ".join(tips) + ".")
    return MetricResult(name="seo", value=value, figures=figures, feedback=feedback)
