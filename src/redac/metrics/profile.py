"""Work done once per source (:class:`SourceProfile`) and once per article (:class:`ArticleView`).

During optimisation the same source is scored against hundreds of candidate articles, so everything
that depends only on the source (NER, figures, quotes, sentence embeddings, boilerplate fragments) is
computed once and memoised by a content hash. The article side is parsed once per article and shared
by all metrics through :func:`view`, which keeps each metric a pure ``(article, profile, cfg)`` function.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from redac import figures as nums
from redac.article import Article, paragraphs, sections
from redac.digest import text_key
from redac.errors import ArticleError, SourceError
from redac.factcheck import quote_support, quotes_of, trigrams
from redac.memo import LRU
from redac.metrics import entities as ents
from redac.metrics.config import MetricsConfig
from redac.metrics.embed import get_encoder
from redac.sources import Source, Targets
from redac.text import count_words, fold, normalise, sentences, words
from redac.text import tokens as tokenize

_DATELINE = re.compile(r"\A\s*[A-ZÀ-Ý][A-ZÀ-Ý'\- ]{2,60}(?:\s*\([^)\n]{1,40}\))?(?:\s*,\s*[^()\n–—]{1,40})?"
                       r"\s*\([^)\n]{1,40}\)\s*[–—-]\s*")


def strip_dateline(body: str) -> str:
    """Drop an agency dateline ("PARIS, 14 mars (Agence) – "): where and when it was filed is not a
    fact of the story a rewrite must repeat."""
    return _DATELINE.sub("", body, count=1)


# --------------------------------------------------------------------------------------------------
# Source side
# --------------------------------------------------------------------------------------------------

@dataclass
class SourceProfile:
    """Everything about one cleaned source that metrics need, computed once."""

    key: str
    name: str
    body: str
    targets: Targets
    language: str
    tokens: list[str]                       # ROUGE tokens of the body
    trigram_set: set[tuple[str, str, str]]
    tokstr: str                             # " tok tok ... " for whole-phrase lookups
    words: set[str]                         # folded word parts (entities: "does the source use this word")
    entities: list[ents.Entity]
    figures: list[nums.Fact]                # numbers, dates, durations (unique keys, in order)
    figure_keys: set[tuple[Any, ...]]      # support for precision (dateline included)
    figure_values: set[float]
    quotes: list[str]
    quote_tokens: list[list[str]]
    boilerplate: list[tuple[str, str]]      # (kind, text) removed from the raw source, not in the body
    sentences: list[str]                    # for semantic coverage
    vectors: np.ndarray | None = None       # normalised embeddings of ``sentences`` (None: no embedder)
    embedder: str = "none"
    extra: dict[str, Any] = field(default_factory=dict)


SOURCE_CACHE: LRU[SourceProfile] = LRU(256)
ARTICLE_CACHE: LRU[ArticleView] = LRU(64)


def profile_source(source: Source, cfg: MetricsConfig) -> SourceProfile:
    """The :class:`SourceProfile` of ``source``, memoised on (body, removed, targets, relevant config)."""
    if not source.body or not source.body.strip():
        raise SourceError("source body is empty", file=source.name)
    removed = json.dumps([[r.kind, r.text] for r in source.removed], ensure_ascii=False)
    key = text_key(source.body, removed, source.targets.model_dump_json(), source.language, cfg.embedder,
                str(cfg.embedder_threads), cfg.facts.model_dump_json(), str(cfg.coverage.min_sentence_words))
    return SOURCE_CACHE.get_or_make(key, lambda: _build_profile(key, source, cfg))


def _build_profile(key: str, source: Source, cfg: MetricsConfig) -> SourceProfile:
    body = normalise(source.body)
    toks = tokenize(body)
    figures: list[nums.Fact] = []
    seen: set[tuple[Any, ...]] = set()
    facts_text = strip_dateline(body)
    for f in nums.extract(facts_text):
        if f.key not in seen:
            seen.add(f.key)
            figures.append(f)
    # The dateline is not a fact to repeat, but an article may use it ("ce mardi 4 novembre").
    support = nums.extract(body)
    quotes = quotes_of(body)
    # Tables are not prose an article restates line for line; their figures are checked by the fact metric.
    sents = [s for s in sentences(body)
             if count_words(s) >= cfg.coverage.min_sentence_words and not s.startswith("|")]
    tokstr = f" {' '.join(toks)} "
    tri = trigrams(toks)
    profile = SourceProfile(
        key=key, name=source.name, body=body, targets=source.targets, language=source.language,
        tokens=toks, trigram_set=tri, tokstr=tokstr, words=ents.all_tokens(body),
        entities=ents.source_entities(facts_text, cfg.facts.entity_labels, cfg.facts.spacy_model),
        figures=figures, figure_keys=nums.support_keys(support), figure_values=nums.values_of(support) | nums.per_unit_values(body),
        quotes=quotes, quote_tokens=[tokenize(q) for q in quotes],
        boilerplate=_boilerplate_fragments(source, tri, tokstr), sentences=sents, embedder=cfg.embedder,
    )
    encoder = get_encoder(cfg.embedder, cfg.embedder_threads)
    if encoder is not None and sents:
        profile.vectors = encoder.encode(sents)
    return profile


def _boilerplate_fragments(source: Source, body_trigrams: set[tuple[str, str, str]], body_tokstr: str) -> list[tuple[str, str]]:
    """Removed pieces worth watching for: not the instruction, and not text the story itself contains
    (a duplicated lede line is removed once but stays in the body)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for r in source.removed:
        if r.kind == "instruction":
            continue
        text = " ".join(normalise(r.text).split()).rstrip(".… ")
        toks = tokenize(text)
        if not toks or fold(text) in seen:
            continue
        if quote_support(toks, body_trigrams, body_tokstr) >= 0.6:
            continue
        seen.add(fold(text))
        out.append((r.kind, text))
    return out


# --------------------------------------------------------------------------------------------------
# Article side
# --------------------------------------------------------------------------------------------------

@dataclass
class ArticleView:
    """An article parsed once for all metrics."""

    article: Article
    markdown: str
    body_text: str
    paragraphs: list[str]
    sentences: list[str]          # prose sentences (headings excluded)
    all_sentences: list[str]      # title + headings + prose sentences (entity and figure checks)
    words: list[str]
    word_count: int
    tokens: list[str]             # ROUGE tokens of the prose
    all_tokens: list[str]         # ROUGE tokens of title + headings + prose
    trigram_set: set[tuple[str, str, str]]
    tokstr: str
    capitals: list[tuple[list[str], set[str]]]  # entities.sentence_capitals() of each of all_sentences
    sentence_lengths: list[int]   # French words per prose sentence
    sentence_tokens: list[list[str]]   # ROUGE tokens per prose sentence
    paragraph_tokens: list[list[str]]  # ROUGE tokens per paragraph
    proper: set[str]              # folded proper-noun words (title + headings + prose)
    folded: str                   # folded token string (entity phrase lookups)
    figures: list[nums.Fact]
    quotes: list[str]


def article_key(article: Article) -> str:
    return text_key(article.title, article.meta_description, article.slug, article.keyphrase, article.markdown)


def view(article: Article) -> ArticleView:
    """The parsed :class:`ArticleView` of ``article`` (memoised: metrics share it)."""
    return ARTICLE_CACHE.get_or_make(article_key(article), lambda: _build_view(article))


def _build_view(article: Article) -> ArticleView:
    md = normalise(article.markdown)
    secs = sections(md)
    body_text = "\n\n".join(s.body for s in secs if s.body)
    paras = paragraphs(md)
    prose_sents = sentences(body_text)
    heads = [s.heading.text for s in secs if s.heading is not None]
    title = normalise(article.title)
    all_sents = ([title] if title and title not in heads else []) + heads + prose_sents
    all_text = "\n\n".join(all_sents)
    # Figures from the lines as written (the source side does the same): a list item's "2." starts a line.
    figures_text = "\n\n".join([*all_sents[: len(all_sents) - len(prose_sents)], body_text])
    sent_toks = [tokenize(s) for s in prose_sents]  # sentences tile the prose: their tokens are its tokens
    toks = [t for st in sent_toks for t in st]
    all_toks = [t for s in all_sents[: len(all_sents) - len(prose_sents)] for t in tokenize(s)] + toks
    ws = words(body_text)
    caps = [ents.sentence_capitals(s) for s in all_sents]
    return ArticleView(
        article=article, markdown=md, body_text=body_text, paragraphs=paras, sentences=prose_sents,
        all_sentences=all_sents, words=ws, word_count=len(ws), tokens=toks, all_tokens=all_toks,
        trigram_set=trigrams(all_toks), tokstr=f" {' '.join(all_toks)} ", capitals=caps,
        sentence_lengths=[len(words(s)) for s in prose_sents], sentence_tokens=sent_toks,
        paragraph_tokens=[tokenize(p) for p in paras], proper={t for p, _ in caps for t in p},
        folded=ents.folded_from_tokens(all_toks), figures=nums.extract(figures_text), quotes=quotes_of(all_text),
    )


def check_article(article: Article, cfg: MetricsConfig) -> ArticleView:
    """Refuse only what cannot be read as an article (not an Article, empty, over the size limit).

    Everything readable is graded: plain text, Markdown without headings or front matter, headings
    without prose. What is missing scores low in the metric that checks it (headings, SEO, length),
    whose feedback says what to add.
    """
    if not isinstance(article, Article):
        raise ArticleError(f"expected an Article, got {type(article).__name__}")
    if not article.markdown or not article.markdown.strip():
        raise ArticleError("article is empty")
    n = len(article.markdown.split())  # whitespace words: enough to refuse a runaway output, and cheap
    if n > cfg.max_article_words:
        raise ArticleError(f"article has {n:,} words, over the limit of {cfg.max_article_words:,} "
                           "(max_article_words in the metrics config)")
    return view(article)
