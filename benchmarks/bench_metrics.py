"""Throughput of the metric suite on ~700-word French article / source pairs.

    .venv/bin/python benchmarks/bench_metrics.py [--rounds 4]

Scores batches of distinct articles (three faithful rewrites and four perturbations of each, all about
700 words) against their sources with ``score_batch``, the way an optimiser does: the source side is
profiled once and reused; every article-side cache (parsed views, sentence embeddings) is cleared
before each round, so each timed article is new to the suite. Reports pairs per second for the full
suite (embeddings on) and without embeddings, against the targets (>= 40 and >= 100 pairs/s on 2 cores),
by wall clock and by CPU time (the machine may be shared; the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "metrics"))

TARGETS = {"full": 40.0, "no_embeddings": 100.0}  # pairs/s on 2 cores, 700-word pairs


def machine() -> str:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cores} cores ({cpu}), Python {platform.python_version()}, load average {load:.2f}"


def build_pairs():
    import metrics_fixtures as fx

    pairs = []
    for key in fx.KEYS:
        article, source = fx.load_article(key), fx.load_source(key)
        variants = [article, fx.change_number(article, source), fx.swap_entity(article, source, fx.SWAP[key]),
                    fx.add_invented_quote(article, source), fx.remove_headings(article, source)]
        pairs += [(v, source) for v in variants]
    return pairs


def clear_article_caches() -> None:
    from redac import text
    from redac.metrics import embed, facts, profile
    from redac.metrics.yoast import BLOCK_CACHE, DOCUMENT_CACHE, document, flesch, passive, readability_rules, sentences

    profile.ARTICLE_CACHE.clear()
    facts.CHECKED_CACHE.clear()
    DOCUMENT_CACHE.clear()  # the Yoast view of each article, and its per-paragraph and per-sentence memos
    BLOCK_CACHE.clear()
    for memo in (sentences.split_tokens, passive.is_passive, flesch.syllables, flesch.text_counts,
                 document.count_words, readability_rules.has_transition_memo, text._count_short):
        memo.cache_clear()
    for enc in embed._ENCODERS.values():
        with enc._lock:
            enc._cache.clear()


def run(pairs, cfg, rounds: int) -> tuple[list[float], list[float]]:
    """Pairs per second per round: by wall clock, and by this process's CPU time (what an idle
    machine would give; the two differ when other jobs share the cores)."""
    from redac.metrics import score_batch

    clear_article_caches()
    score_batch(pairs, cfg)  # warm-up: models loaded, sources profiled
    wall, cpu = [], []
    for _ in range(rounds):
        clear_article_caches()
        t0, c0 = time.perf_counter(), time.process_time()
        out = score_batch(pairs, cfg)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        assert all(s.error is None for s in out), [s.error for s in out if s.error]
        wall.append(len(pairs) / dt)
        cpu.append(len(pairs) / dc)
    return wall, cpu


def rouge_comparison(pairs) -> tuple[float, float]:
    """Milliseconds per pair: rouge-score's LCS vs the bit-parallel LCS (same ROUGE-L)."""
    from rouge_score import rouge_scorer

    from redac.metrics.rouge import FrenchTokenizer, rouge_scores, tokenize

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=FrenchTokenizer())
    a, s = pairs[0]
    t0 = time.perf_counter()
    slow = scorer.score(s.body, a.body_text)["rougeL"].fmeasure
    t_slow = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        fast = rouge_scores(tokenize(s.body), tokenize(a.body_text))["rougeL"].fmeasure
    t_fast = (time.perf_counter() - t0) / 20
    assert abs(slow - fast) < 1e-12
    return 1000 * t_slow, 1000 * t_fast


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    from redac.metrics import MetricsConfig
    from redac.text import count_words

    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    pairs = build_pairs()
    cfg = MetricsConfig()
    words = [count_words(a.body_text) for a, _ in pairs]
    print(f"pairs: {len(pairs)} distinct articles, {min(words)}-{max(words)} words (median "
          f"{statistics.median(words):.0f}), {len({id(s) for _, s in pairs})} sources")
    from redac.metrics import profile_source
    for source in {id(s): s for _, s in pairs}.values():
        profile_source(source, cfg)
    print(f"cold start (spaCy + embedder load, 3 source profiles): {time.perf_counter() - t0:.1f} s")

    results = {}
    for name, c in (("full", cfg), ("no_embeddings", cfg.without_embeddings())):
        wall, cpu = run(pairs, c, args.rounds)
        results[name] = statistics.median(wall)
        per_cpu = statistics.median(cpu)
        print(f"{name:>14}: {results[name]:7.1f} pairs/s wall ({1000 / results[name]:6.1f} ms/pair; rounds "
              f"{', '.join(f'{r:.0f}' for r in wall)}), {per_cpu:7.1f} pairs per CPU-second (rounds {', '.join(f'{r:.0f}' for r in cpu)}) | target >= "
              f"{TARGETS[name]:.0f}: {results[name] / TARGETS[name]:.1f}x wall, {per_cpu / TARGETS[name]:.1f}x CPU")
    slow, fast = rouge_comparison(pairs)
    print(f"ROUGE-L per pair: rouge-score {slow:.0f} ms, bit-parallel LCS {fast:.2f} ms (identical value)")
    print(f"load average after the run: {os.getloadavg()[0]:.2f} (wall-clock rates drop when other jobs share the cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
