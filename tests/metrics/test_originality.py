"""originality: Grusky et al.'s extractive fragments (checked against the paper's quadratic greedy
scan), the copy bands calibrated on the golds, and near-verbatim copies of real French sources."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from tests.conftest import DATASET
from tests.fixtures.metrics import metrics_fixtures as fx

from redac.dataset import load_jsonl
from redac.metrics import MetricsConfig, load_metrics_config, profile_source, score
from redac.metrics.config import OriginalityConfig
from redac.metrics.fragments import SuffixAutomaton, copied_share, fragments
from redac.metrics.originality import originality
from redac.sources import clean
from redac.text import normalise, tokens

CFG = MetricsConfig(embedder="none")


def greedy_fragments(article: list[str], source: list[str]) -> list[tuple[int, int]]:
    """Grusky et al.'s algorithm as published (Newsroom, 2018), quadratic: the reference."""
    out, i = [], 0
    while i < len(article):
        best = 0
        for j in range(len(source)):
            n = 0
            while i + n < len(article) and j + n < len(source) and article[i + n] == source[j + n]:
                n += 1
            best = max(best, n)
        if best:
            out.append((i, best))
        i += max(best, 1)
    return out


@pytest.mark.parametrize("seed", range(30))
def test_the_automaton_finds_the_published_greedy_fragments(seed):
    rng = random.Random(seed)
    alphabet = "abcde"[: rng.randint(2, 5)]
    source = [rng.choice(alphabet) for _ in range(rng.randint(0, 60))]
    article = [rng.choice(alphabet + "z") for _ in range(rng.randint(0, 60))]
    assert fragments(article, SuffixAutomaton(source[::-1])).spans == greedy_fragments(article, source)


def test_fragments_of_real_french_text_match_the_reference():
    article, source = fx.load_article("000"), fx.load_source("000")
    a, s = tokens(normalise(article.body_text)), tokens(normalise(source.body))
    got = fragments(a, SuffixAutomaton(s[::-1]))
    assert got.spans == greedy_fragments(a, s)
    assert 0 < got.coverage < 1 and got.density == sum(n * n for _, n in got.spans) / len(a)


@pytest.mark.parametrize("key", fx.KEYS)
def test_a_faithful_rewrite_is_original(key):
    r = originality(fx.load_article(key), profile_source(fx.load_source(key), CFG), CFG)
    assert r.value == 1.0, r.feedback
    assert r.figures["density"] < 20 and r.figures["copied_sentence_share"] < 0.6
    assert "rewrites its source" in r.feedback


def test_the_most_extractive_gold_still_passes():
    """politique-a03 keeps most of a long source's wording (density 36): over the rewrite end of the
    band, under the copy end, above the pass threshold."""
    rec = next(r for r in load_jsonl(DATASET) if r.id == "politique-a03")
    r = originality(rec.gold.to_article(), profile_source(clean(rec.source, name=rec.id), CFG), CFG)
    assert 20 < r.figures["density"] < 100
    assert CFG.thresholds["originality"] <= r.value < 1.0


@pytest.mark.parametrize("key", fx.KEYS)
def test_a_near_verbatim_copy_loses_clearly(key):
    article, source = fx.load_article(key), fx.load_source(key)
    good = score(article, source, cfg=CFG)
    copy = score(fx.near_verbatim_copy(article, source), source, cfg=CFG)
    r = copy.results["originality"]
    assert r.value <= 0.05, r.figures
    assert r.figures["density"] > 100 and r.figures["coverage"] > 0.97
    assert r.figures["copied_sentence_share"] > 0.9
    assert copy.composite < good.composite
    # The feedback quotes the longest copied passage, in the article's own words and case.
    longest = r.figures["top_fragments"][0]
    assert longest[0] == r.figures["longest_fragment"] and f"« {longest[1]}" in r.feedback
    assert longest[1][:20] in normalise(source.body)


@pytest.mark.parametrize("key", fx.KEYS)
def test_a_shuffled_copy_is_caught_by_its_copied_sentences(key):
    """Reversing the source's sentences breaks its long passages (density falls into the golds'
    range) but every sentence is still the source's."""
    article, source = fx.load_article(key), fx.load_source(key)
    r = originality(fx.near_verbatim_copy(article, source, shuffle=True), profile_source(source, CFG), CFG)
    assert r.figures["density"] < 60
    assert r.figures["copied_sentence_share"] > 0.9 and r.value <= 0.25


def test_the_bench_and_the_metric_count_copied_sentences_alike():
    article, source = fx.load_article("001"), fx.load_source("001")
    r = originality(article, profile_source(source, CFG), CFG)
    assert copied_share(article.markdown, source.body) == round(r.figures["copied_sentence_share"], 3)


def test_the_shipped_bands_are_the_defaults_and_bands_are_ordered():
    assert load_metrics_config().originality == OriginalityConfig()
    with pytest.raises(ValidationError, match="rewrite < copy"):
        OriginalityConfig(density=(100.0, 20.0))
    with pytest.raises(ValidationError):
        OriginalityConfig(bogus=1)
