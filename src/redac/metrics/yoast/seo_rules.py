"""Yoast SEO's SEO assessments for a French article without images or links, one function each.

Each follows ``yoastseo/build/scoring/assessments/seo/<Name>Assessment.js`` (thresholds and scores)
and its research (``languageProcessing/researches``); :func:`seo_assessments` runs those of
``scoring/assessors/seoAssessor.js`` that can say anything about redac's articles (images, alt texts,
internal, outbound and competing links are left out: an article here has none, and Yoast scores them
the same for every one). Feedback says what to change, in English.
"""

from __future__ import annotations

import math

from redac.article import Article
from redac.metrics.config import SeoConfig
from redac.metrics.yoast.assessment import Assessment
from redac.metrics.yoast.document import YoastDocument
from redac.metrics.yoast.keyphrase import (
    Keyphrase,
    count_in_description,
    count_in_sentences,
    in_title,
    share_found,
)
from redac.metrics.yoast.width import title_width


def _words(kp: Keyphrase) -> str:
    return ", ".join(f"'{w}'" for w in kp.words)


def keyphrase_length(kp: Keyphrase, c: SeoConfig) -> Assessment:
    """KeyphraseLengthAssessment: 1–4 content words green, 5–8 orange, more red, none -999."""
    good, acceptable = c.keyphrase_words
    n = kp.length
    if n == 0:
        return Assessment("keyphraseLength", -999, "keyphrase length: no focus keyphrase is set; set one "
                          "(1 to 4 content words) so the keyphrase checks can run", keyphrase=True)
    if n <= good:
        return Assessment("keyphraseLength", 9, f"keyphrase length: {n} content word(s), good", keyphrase=True)
    score = 6 if n <= acceptable else 3
    return Assessment("keyphraseLength", score, f"keyphrase length: {n} content words, over the recommended "
                      f"maximum of {good}: shorten the keyphrase", keyphrase=True)


def recommended_count(kp_length: int, density: float, words: int, *, maximum: bool) -> int:
    """recommendedKeywordCount.js: occurrences giving ``density`` % at this length, at least 2."""
    if words == 0:
        return 0
    n = density * words / (100 * (0.7 + kp_length / 3))
    if n < 2:
        return 2
    return math.floor(n) if maximum else math.ceil(n)


def keyphrase_density(doc: YoastDocument, kp: Keyphrase, c: SeoConfig) -> Assessment:
    """KeyphraseDensityAssessment: occurrences against a minimum and maximum scaled by text and keyphrase
    length; over the maximum -10, far over (keyword stuffing) -50."""
    words = doc.tree_word_count
    if not kp or not doc.sentences:
        return Assessment("keyphraseDensity", -50, "keyphrase density: add a keyphrase and text that uses it",
                          keyphrase=True)
    count = count_in_sentences(doc.sentences, kp)
    figures = f"found {count} time(s) in {words} words"
    if words < 100:
        lo, hi = 1, (2 if words > 50 else 1)
        if count == 0:
            score = 4
        elif lo <= count <= hi:
            score = 9
        else:
            score = -10 if count == hi + 1 else -50
    else:
        lo = recommended_count(kp.length, c.density[0], words, maximum=False)
        hi = recommended_count(kp.length, c.density[1], words, maximum=True)
        weighted = 100 * count / words * (0.7 + kp.length / 3)
        if count == 0 or (0 <= weighted < c.density[0]) or count == 1:
            score = 4
        elif c.density[0] <= weighted <= c.density[1] or (count == 2 and lo <= 2):
            score = 9
        else:
            score = -10 if weighted <= c.stuffing else -50
    if score == 9:
        text = f"keyphrase density: {figures}, within the recommended {lo} to {hi}"
    elif score == 4:
        text = (f"keyphrase density: {figures}, under the recommended minimum of {lo} for a text of this "
                f"length: use the keyphrase ({_words(kp)} in one sentence) more often")
    else:
        way = "far " if score == -50 else ""
        text = (f"keyphrase density: {figures}, {way}over the recommended maximum of {hi} for a text of this "
                f"length (keyword stuffing): use the keyphrase less often, rewrite those sentences naturally")
    return Assessment("keyphraseDensity", score, text, keyphrase=True)


def introduction(doc: YoastDocument, kp: Keyphrase) -> Assessment:
    """IntroductionKeywordAssessment: every content word in one sentence of the first paragraph 9, in the
    paragraph 6, else 3."""
    first = doc.paragraphs[0] if doc.paragraphs else None
    if not kp or first is None:
        return Assessment("introductionKeyword", 3, "keyphrase in introduction: write a first paragraph that "
                          "contains the keyphrase", keyphrase=True)
    if any(share_found(s.text, kp) == 100 for s in first.sentences):
        return Assessment("introductionKeyword", 9, "keyphrase in introduction: in one sentence, good",
                          keyphrase=True)
    if share_found(first.text, kp) == 100:
        return Assessment("introductionKeyword", 6, f"keyphrase in introduction: {_words(kp)} are in the first "
                          "paragraph but not in one sentence: put them in the same sentence", keyphrase=True)
    return Assessment("introductionKeyword", 3, f"keyphrase in introduction: the first paragraph lacks "
                      f"{_words(kp)}: name the keyphrase there", keyphrase=True)


def meta_description_keyphrase(article: Article, kp: Keyphrase) -> Assessment:
    """MetaDescriptionKeywordAssessment: the keyphrase once or twice 9, else 3."""
    n = count_in_description(article.meta_description, kp) if kp and article.meta_description else 0
    if n in (1, 2):
        return Assessment("metaDescriptionKeyword", 9, "keyphrase in meta description: present, good", keyphrase=True)
    if n >= 3:
        return Assessment("metaDescriptionKeyword", 3, f"keyphrase in meta description: {n} times, over the "
                          "maximum of 2: use it once or twice", keyphrase=True)
    return Assessment("metaDescriptionKeyword", 3, f"keyphrase in meta description: missing ({_words(kp)} not "
                      "all in one sentence): put the keyphrase in the meta description", keyphrase=True)


def meta_description_length(article: Article, c: SeoConfig) -> Assessment:
    """MetaDescriptionLengthAssessment: over 120 and at most 156 characters 9, otherwise 6, none 1."""
    n = len(article.meta_description)
    lo, hi = c.meta_chars
    if n == 0:
        return Assessment("metaDescriptionLength", 1, "meta description length: write a meta description "
                          f"of {lo + 1} to {hi} characters")
    if n <= lo:
        return Assessment("metaDescriptionLength", 6, f"meta description length: {n} characters, too short: "
                          f"use {lo + 1} to {hi}")
    if n > hi:
        return Assessment("metaDescriptionLength", 6, f"meta description length: {n} characters, over {hi}: "
                          "shorten it")
    return Assessment("metaDescriptionLength", 9, f"meta description length: {n} characters, good")


def subheadings_keyphrase(doc: YoastDocument, kp: Keyphrase, c: SeoConfig) -> Assessment:
    """SubHeadingsKeywordAssessment: more than half the content words in 30–75 % of the H2/H3 9."""
    subs = doc.subheadings((2, 3))
    if not kp or not doc.blocks:
        return Assessment("subheadingsKeyword", 1, "keyphrase in subheadings: set a keyphrase", keyphrase=True)
    if not subs:
        if doc.word_count >= 300:
            return Assessment("subheadingsKeyword", 2, "keyphrase in subheadings: the text has no H2/H3 "
                              "subheadings: add some, with the keyphrase in a third of them", keyphrase=True)
        return Assessment("subheadingsKeyword", 9, "keyphrase in subheadings: short text, none needed",
                          keyphrase=True)
    matches = sum(1 for s in subs if share_found(s, kp) > 50)
    lo = math.ceil(len(subs) * c.subheadings_share[0])
    hi = math.floor(len(subs) * c.subheadings_share[1])
    where = f"{matches} of {len(subs)} H2/H3 subheadings reflect the keyphrase"
    if 0 < matches < lo:
        return Assessment("subheadingsKeyword", 3, f"keyphrase in subheadings: only {where}: use it (or most "
                          f"of {_words(kp)}) in at least {lo}", keyphrase=True)
    if len(subs) > 1 and matches > hi:
        return Assessment("subheadingsKeyword", 3, f"keyphrase in subheadings: {where}, over {hi}: vary them",
                          keyphrase=True)
    if (len(subs) == 1 and matches == 1) or lo <= matches <= hi and matches > 0:
        return Assessment("subheadingsKeyword", 9, f"keyphrase in subheadings: {where}, good", keyphrase=True)
    return Assessment("subheadingsKeyword", 3, f"keyphrase in subheadings: none of the {len(subs)} H2/H3 "
                      f"subheadings reflects the keyphrase: use it in {lo} to {hi} of them", keyphrase=True)


def text_length(doc: YoastDocument, c: SeoConfig) -> Assessment:
    """TextLengthAssessment: at least 300 words 9, then 6, 3, -10 and -20 in 50- and 100-word steps."""
    n, m = doc.word_count, c.min_words
    if n >= m:
        return Assessment("textLength", 9, f"text length: {n} words, good")
    score = 6 if n >= m * 5 / 6 else 3 if n >= m * 2 / 3 else -10 if n >= m / 3 else -20
    return Assessment("textLength", score, f"text length: {n} words, under the recommended minimum of {m}: "
                      "add content")


def title_keyphrase(article: Article, kp: Keyphrase) -> Assessment:
    """KeyphraseInSEOTitleAssessment: the exact keyphrase at the start 9, elsewhere or its words 6, else 2."""
    if not kp or not article.title:
        return Assessment("keyphraseInSEOTitle", 2, "keyphrase in SEO title: set a title and a keyphrase",
                          keyphrase=True)
    exact, all_words, position = in_title(article.title, kp)
    if exact and position == 0:
        return Assessment("keyphraseInSEOTitle", 9, "keyphrase in SEO title: at the beginning, good", keyphrase=True)
    if exact:
        return Assessment("keyphraseInSEOTitle", 6, f"keyphrase in SEO title: '{kp.text}' is in the title but not "
                          "at its beginning: move it to the front", keyphrase=True)
    if all_words:
        return Assessment("keyphraseInSEOTitle", 6, f"keyphrase in SEO title: the words of '{kp.text}' are in the "
                          "title but not as the exact phrase: use the exact keyphrase at the beginning",
                          keyphrase=True)
    return Assessment("keyphraseInSEOTitle", 2, f"keyphrase in SEO title: '{kp.text}' is not in the title: "
                      "start the title with it", keyphrase=True)


def title_width_assessment(article: Article, c: SeoConfig) -> Assessment:
    """PageTitleWidthAssessment as the SEO assessor configures it: short titles allowed, over 600 px 3."""
    px = title_width(article.title)
    if px <= 0:
        return Assessment("titleWidth", 1, "SEO title width: write an SEO title")
    if px > c.title_max_px:
        return Assessment("titleWidth", 3, f"SEO title width: about {px:.0f} px, over the {c.title_max_px} px "
                          "a search result shows: shorten the title")
    return Assessment("titleWidth", 9, f"SEO title width: about {px:.0f} px, good")


def slug_keyphrase(article: Article, kp: Keyphrase) -> Assessment:
    """SlugKeywordAssessment: every content word (over half from 3 words on) in the slug 9, else 6."""
    if not kp or not article.slug:
        return Assessment("slugKeyword", 3, "keyphrase in slug: set a slug containing the keyphrase", keyphrase=True)
    share = share_found(article.slug.replace("-", " ").replace("_", " "), kp)
    if share == 100 or (kp.length >= 3 and share > 50):
        return Assessment("slugKeyword", 9, "keyphrase in slug: present, good", keyphrase=True)
    return Assessment("slugKeyword", 6, f"keyphrase in slug: the slug lacks some of {_words(kp)}: put the "
                      "keyphrase's words in the slug", keyphrase=True)


def single_h1(doc: YoastDocument) -> Assessment:
    """SingleH1Assessment: at most one H1 8, more 1."""
    n = sum(1 for b in doc.blocks if b.kind == "h1" and b.text)
    if n <= 1:
        return Assessment("singleH1", 8, "single title: one H1, good")
    return Assessment("singleH1", 1, f"single title: {n} H1 headings: keep one H1 (the title), make the others H2")


def seo_assessments(article: Article, doc: YoastDocument, kp: Keyphrase, c: SeoConfig) -> list[Assessment]:
    """The assessments of Yoast's SEO assessor that apply to an article without images or links, in its order."""
    out = [introduction(doc, kp), keyphrase_length(kp, c), keyphrase_density(doc, kp, c),
           meta_description_keyphrase(article, kp), meta_description_length(article, c),
           subheadings_keyphrase(doc, kp, c), text_length(doc, c), title_keyphrase(article, kp),
           title_width_assessment(article, c), slug_keyphrase(article, kp)]
    if kp and kp.function_only:
        out.append(Assessment("functionWordsInKeyphrase", 0, f"function words in keyphrase: '{kp.text}' has only "
                              "function words: use a keyphrase with content words", keyphrase=True))
    return [*out, single_h1(doc)]
