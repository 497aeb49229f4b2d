"""Validity of the metric suite on the whole labelled set: does every gold outscore its perturbations?

    .venv/bin/python benchmarks/bench_validity.py [--dataset PATH] [--config PATH] [--limit N]

For each of the labelled pairs and each perturbation kind of ``tests/support/perturbations.py`` (an
invented figure, a swapped name, a near-verbatim copy of the source, another pair's story, JSON debris,
keyphrase stuffing, no headings, plain text...), the gold and its perturbation are scored against the
cleaned source with the pair's labelled facts, and the report gives per kind: how many pairs it applies
to, the share where the gold's composite is higher (goal 100 %, never under 95 %), the mean composites
and the metric that dropped most. ``tests/metrics/test_validity_dataset.py`` asserts the floor.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATASET = ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl"
CONFIG = ROOT / "evals" / "metrics.yaml"
FLOOR = 0.95


@dataclass
class KindReport:
    kind: str
    applied: int = 0
    refused: int = 0                 # perturbations the suite refused to grade (an error, not a score)
    gold_wins: int = 0
    gold_composite: list[float] = field(default_factory=list)
    bad_composite: list[float] = field(default_factory=list)
    drops: dict[str, float] = field(default_factory=dict)     # metric -> summed drop
    losers: list[tuple[str, float, float]] = field(default_factory=list)  # (pair id, gold, perturbed)

    @property
    def share(self) -> float:
        """Share of the graded perturbations the gold outscores (a refused one is neither a win nor a loss)."""
        graded = self.applied - self.refused
        return self.gold_wins / graded if graded else 1.0

    @property
    def main_drop(self) -> str:
        return max(self.drops, key=lambda m: self.drops[m]) if self.drops else "-"


def run(records, cfg) -> dict[str, KindReport]:
    """Score every gold and every applicable perturbation of it; one :class:`KindReport` per kind."""
    from redac.errors import RedacError
    from redac.metrics import score

    from tests.support import perturbations as pt

    reports = {k: KindReport(k) for k in pt.PERTURBATIONS}
    for pair in pt.pairs(records):
        facts = pair.record.facts
        base = score(pair.gold, pair.source, facts=facts, cfg=cfg)
        for kind, fn in pt.PERTURBATIONS.items():
            bad = fn(pair.gold, pair)
            if bad is None:
                continue
            rep = reports[kind]
            rep.applied += 1
            try:
                after = score(bad, pair.source, facts=facts, cfg=cfg)
            except RedacError:
                rep.refused += 1
                continue
            rep.gold_composite.append(base.composite)
            rep.bad_composite.append(after.composite)
            if base.composite > after.composite:
                rep.gold_wins += 1
            else:
                rep.losers.append((pair.record.id, base.composite, after.composite))
            for name, res in base.results.items():
                if name in after.results:
                    rep.drops[name] = rep.drops.get(name, 0.0) + res.value - after.results[name].value
    return reports


def render(reports: dict[str, KindReport]) -> str:
    rows = [f"{'perturbation':<26} {'pairs':>5} {'refused':>7} {'gold wins':>9} {'gold':>6} {'perturbed':>9}  main drop",
            "-" * 84]
    for r in reports.values():
        mean = (lambda xs: sum(xs) / len(xs) if xs else float("nan"))
        flag = "" if r.share >= FLOOR else "  << under the floor"
        rows.append(f"{r.kind:<26} {r.applied:>5} {r.refused:>7} {r.share:>8.0%} {mean(r.gold_composite):>6.3f} "
                    f"{mean(r.bad_composite):>9.3f}  {r.main_drop}{flag}")
    for r in reports.values():
        for pid, g, b in r.losers:
            rows.append(f"  {r.kind}: {pid} gold {g:.3f} <= perturbed {b:.3f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, default=DATASET)
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--limit", type=int, default=None, help="first N pairs only")
    args = ap.parse_args(argv)

    from redac.dataset import load_jsonl
    from redac.metrics import load_metrics_config

    records = load_jsonl(args.dataset)[: args.limit]
    reports = run(records, load_metrics_config(args.config))
    print(f"{len(records)} labelled pairs, {sum(r.applied for r in reports.values())} perturbed articles")
    print(render(reports))
    worst = min(r.share for r in reports.values())
    refused = sum(r.refused for r in reports.values())
    print(f"\nworst kind: {worst:.0%} of pairs where the gold wins (floor {FLOOR:.0%}, goal 100%); "
          f"{refused} perturbed articles refused instead of graded")
    return 0 if worst >= FLOOR and not refused else 1


if __name__ == "__main__":
    raise SystemExit(main())
