"""The metric suite on the dataset's own gold articles: what "good" scores, and which golds fail.

    .venv/bin/python benchmarks/bench_gold_scores.py [--dataset PATH] [--config PATH] [--embedder use|none]

Each gold (``Article(**record.gold.model_dump())``) is scored against its cleaned source
(``redac.sources.clean(record.source, name=record.id)``) with its hand-labelled facts and no gold
article (comparing a gold with itself would give ``gold_similarity`` = 1 for free). Prints mean and
minimum per metric and of the composite, per split and over the whole set, then every gold under a
pass threshold of the config (``thresholds`` in ``evals/metrics.yaml``) with the metric's figures,
so a failure can be traced to the gold, to ``clean()`` or to the metric. ``tests/dataset/test_quality.py``
asserts that every gold passes, except the (id, metric) pairs it lists as known metric defects.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
CONFIG = ROOT / "evals" / "metrics.yaml"
SPLITS = ("train", "dev", "test")


@dataclass
class GoldScore:
    id: str
    split: str
    values: dict[str, float]        # metric -> value, plus "composite"
    figures: dict[str, dict]        # metric -> raw figures
    failing: dict[str, float]       # metric (or "composite") -> value under its threshold
    error: str | None = None


def score_golds(records, cfg) -> list[GoldScore]:
    """Score every record's gold against its cleaned source and labelled facts."""
    from redac.article import Article
    from redac.metrics import score
    from redac.sources import clean

    out = []
    for r in records:
        scores = score(Article(**r.gold.model_dump()), clean(r.source, name=r.id), facts=r.facts, cfg=cfg)
        values = {**{n: res.value for n, res in scores.results.items()}, "composite": scores.composite}
        out.append(GoldScore(id=r.id, split=r.split, values=values,
                             figures={n: res.figures for n, res in scores.results.items()},
                             failing=under_threshold(values, cfg.thresholds), error=scores.error))
    return out


def under_threshold(values: dict[str, float], thresholds: dict[str, float]) -> dict[str, float]:
    """The metrics (and composite) of one item under their pass threshold."""
    return {m: v for m, v in values.items() if m in thresholds and v < thresholds[m]}


def summary(scores: list[GoldScore]) -> dict[str, dict[str, tuple[float, float, int]]]:
    """``{group: {metric: (mean, min, n)}}`` for each split and "all"."""
    groups = {s: [g for g in scores if g.split == s] for s in SPLITS}
    groups["all"] = list(scores)
    out: dict[str, dict[str, tuple[float, float, int]]] = {}
    for name, items in groups.items():
        metrics: dict[str, list[float]] = {}
        for g in items:
            for m, v in g.values.items():
                metrics.setdefault(m, []).append(v)
        out[name] = {m: (sum(v) / len(v), min(v), len(v)) for m, v in metrics.items()}
    return out


def render(scores: list[GoldScore], thresholds: dict[str, float]) -> str:
    from redac.metrics import METRIC_NAMES

    summ = summary(scores)
    groups = [s for s in (*SPLITS, "all") if summ.get(s)]
    counts = {s: sum(1 for g in scores if s in ("all", g.split)) for s in groups}
    metrics = [m for m in (*METRIC_NAMES, "composite") if m in summ["all"]]
    lines = [f"Gold articles scored against their cleaned sources ({len(scores)} golds; mean / min)", ""]
    lines.append("| metric | threshold | " + " | ".join(f"{s} (n={counts[s]})" for s in groups) + " | golds under |")
    lines.append("|---|---:|" + "---:|" * len(groups) + "---:|")
    for m in metrics:
        t = thresholds.get(m)
        cells = []
        for s in groups:
            mean, lo, _ = summ[s].get(m, (float("nan"), float("nan"), 0))
            cells.append(f"{mean:.3f} / {lo:.3f}")
        under = sum(1 for g in scores if m in g.failing)
        lines.append(f"| {m} | {'' if t is None else f'{t:.2f}'} | " + " | ".join(cells) + f" | {under} |")
    failing = [g for g in scores if g.failing]
    lines.append("")
    lines.append(f"Golds under a threshold: {len(failing)} of {len(scores)}")
    for g in failing:
        lines.append(f"- {g.id} ({g.split}): " + ", ".join(f"{m} {v:.3f} < {thresholds[m]:.2f}"
                                                      for m, v in g.failing.items()))
        for m in g.failing:
            if m in g.figures:
                lines.append(f"    {m}: {_figures_line(g.figures[m])}")
    return "\n".join(lines)


def _figures_line(fig: dict, n: int = 400) -> str:
    keep = {k: v for k, v in fig.items() if v not in ([], {}, None) and k not in ("embedder",)}
    text = json.dumps(keep, ensure_ascii=False, default=str)
    return text if len(text) <= n else text[: n - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default=str(DATASET))
    ap.add_argument("--config", default=str(CONFIG))
    ap.add_argument("--embedder", help="override the config's embedder (e.g. none)")
    args = ap.parse_args(argv)

    from redac.dataset import load_jsonl
    from redac.metrics import load_metrics_config

    cfg = load_metrics_config(args.config)
    if args.embedder:
        cfg = cfg.model_copy(update={"embedder": args.embedder})
    records = load_jsonl(args.dataset)
    t0 = time.perf_counter()
    scores = score_golds(records, cfg)
    elapsed = time.perf_counter() - t0
    print(render(scores, cfg.thresholds))
    print(f"({len(records)} golds in {elapsed:.1f} s, embedder {cfg.embedder}, models loaded on first use)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
