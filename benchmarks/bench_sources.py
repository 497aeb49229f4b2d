"""Speed of source cleaning and language detection (targets that used to be timed tests).

    .venv/bin/python benchmarks/bench_sources.py [--rounds 5]

Cleans the five real seeds and every source of the labelled set, and detects the language of a
1,000-word French text, reporting the median time per item against its target and the ratio
(target / measured; above 1 is within target). Cleaning runs once per source before any LM call, so
it must stay negligible next to a rewrite (seconds); the targets keep it there on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"

# seconds per item
TARGETS = {"clean five seeds (all five)": 0.5, "clean one labelled source (median)": 0.02,
           "detect language, 1,000 words": 0.02}


def _median_seconds(fn, rounds: int) -> float:
    fn()  # warm-up: regex compilation, lazy imports
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from redac.dataset import load_jsonl
    from redac.sources import clean, detect_language

    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("source_*.txt"))]
    labelled = [r.source for r in load_jsonl(DATASET)]
    text = " ".join(seeds[2].split()[:1000])

    measured = {
        "clean five seeds (all five)": _median_seconds(lambda: [clean(raw) for raw in seeds], args.rounds),
        "clean one labelled source (median)": statistics.median(
            _median_seconds(lambda raw=raw: clean(raw), args.rounds) for raw in labelled),
        "detect language, 1,000 words": _median_seconds(lambda: detect_language(text), args.rounds * 4),
    }
    print(f"{'what':<38} {'measured':>10} {'target':>10} {'ratio':>7}")
    for name, seconds in measured.items():
        target = TARGETS[name]
        print(f"{name:<38} {seconds * 1000:>8.1f}ms {target * 1000:>8.1f}ms {target / seconds:>6.1f}x")
    print(f"({len(labelled)} labelled sources, {len(seeds)} seeds)")


if __name__ == "__main__":
    main()
