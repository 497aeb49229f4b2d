"""Calibration of ``originality`` and ``leaks`` on the labelled set (the figures in docs/metrics.md).

    .venv/bin/python benchmarks/bench_originality.py [--dataset PATH] [--config PATH]

For each of the golds, scored against its cleaned source (``clean(record.source, name=record.id)``):
extractive fragment coverage and density (Grusky et al., 2018), longest fragment, share of sentences
copied near-verbatim, the originality value; and the leaks value. Then the two populations each band
must separate: near-verbatim copies of every source (its sentences under the gold's headings, in order
and reversed) for originality, and every gold scored against another record's source (an article
about another story) for leaks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "metrics"))


def describe(values: list[float]) -> str:
    v = sorted(values)

    def q(p: float) -> float:
        return v[round(p * (len(v) - 1))]

    return (f"mean {statistics.fmean(v):7.3f}  min {v[0]:7.3f}  p5 {q(0.05):7.3f}  median {q(0.5):7.3f}  "
            f"p95 {q(0.95):7.3f}  max {v[-1]:7.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl")
    parser.add_argument("--config", type=Path, default=ROOT / "evals" / "metrics.yaml")
    args = parser.parse_args()

    import metrics_fixtures as fx

    from redac.dataset import load_jsonl
    from redac.metrics import load_metrics_config, profile_source
    from redac.metrics.leaks import leaks
    from redac.metrics.originality import originality
    from redac.sources import clean

    cfg = load_metrics_config(args.config).without_embeddings()
    records = load_jsonl(args.dataset)
    sources = [clean(r.source, name=r.id) for r in records]
    profiles = [profile_source(s, cfg) for s in sources]
    golds = [r.gold.to_article() for r in records]
    orig = [originality(g, p, cfg) for g, p in zip(golds, profiles)]
    leak = [leaks(g, p, cfg) for g, p in zip(golds, profiles)]
    print(f"{len(records)} golds against their own cleaned source")
    for name in ("coverage", "density", "longest_fragment", "copied_sentence_share"):
        print(f"  {name:>22}: {describe([float(o.figures[name]) for o in orig])}")
    print(f"  {'originality':>22}: {describe([o.value for o in orig])}   under threshold "
          f"{cfg.thresholds.get('originality')}: {sum(o.value < cfg.thresholds.get('originality', 0) for o in orig)}")
    worst = sorted(zip(orig, records), key=lambda x: x[0].value)[:3]
    print("  least original golds: " + ", ".join(f"{r.id} {o.value:.2f} (density {o.figures['density']:.1f}, "
                                                 f"copied {o.figures['copied_sentence_share']:.2f})" for o, r in worst))
    flagged = [(r.id, x.figures["content_leaks"], x.figures["format_leaks"]) for x, r in zip(leak, records) if x.value < 1]
    print(f"  {'leaks':>22}: {sum(x.value < 1 for x in leak)} golds flagged {flagged[:5]}")
    evidence = [(d["words"], len(d["names"]) + len(d["figures"]), r.id, d["example"])
                for x, r in zip(leak, records) for d in x.figures["below_threshold"]]
    print(f"  {'under the bar':>22}: largest evidence from another story (words, names + figures, gold, story): "
          f"{max(evidence, default=None)}, {max(evidence, key=lambda e: e[1], default=None)}")

    # A gold in the corpus can lend nothing to another story by construction (what two stories share is
    # not indexed), so the honest false-alarm check is leave-one-out: each gold, its pair out of the corpus.
    loo = []
    with tempfile.TemporaryDirectory() as tmp:
        lines = args.dataset.read_text(encoding="utf-8").splitlines()
        for i, (g, p) in enumerate(zip(golds, profiles)):
            path = Path(tmp) / f"without-{i}.jsonl"
            path.write_text("\n".join(ln for j, ln in enumerate(lines) if j != i) + "\n", encoding="utf-8")
            c = cfg.model_copy(update={"leaks": cfg.leaks.model_copy(update={"corpus": [str(path)]})})
            loo.append(leaks(g, p, c))
    top = [max(((d["words"], len(d["names"]) + len(d["figures"]), d["example"])
                for d in x.figures["below_threshold"] + x.figures["content_leaks"]), default=(0, 0, "-"), key=key)
           for key in (lambda e: e[0], lambda e: e[1]) for x in loo]
    n = len(records)
    print(f"  {'leave-one-out':>22}: {sum(x.value < 1 for x in loo)} golds flagged when their pair is not in the "
          f"corpus; most words from one other story {max(top[:n])}, most names + figures {max(top[n:], key=lambda e: e[1])}")

    copies = [originality(fx.near_verbatim_copy(g, s), p, cfg) for g, s, p in zip(golds, sources, profiles)]
    shuffled = [originality(fx.near_verbatim_copy(g, s, shuffle=True), p, cfg)
                for g, s, p in zip(golds, sources, profiles)]
    print("near-verbatim copies of each source (its sentences under the gold's headings)")
    print(f"  {'in order: density':>22}: {describe([float(o.figures['density']) for o in copies])}")
    print(f"  {'in order: value':>22}: {describe([o.value for o in copies])}")
    print(f"  {'reversed: density':>22}: {describe([float(o.figures['density']) for o in shuffled])}")
    print(f"  {'reversed: value':>22}: {describe([o.value for o in shuffled])}")

    cross = [leaks(golds[(i + 7) % n], profiles[i], cfg) for i in range(n)]
    words = [max((d["words"] for d in x.figures["content_leaks"]), default=0) for x in cross]
    print("each gold against another record's source (an article about another story)")
    print(f"  {'leaked words':>22}: {describe([float(w) for w in words])}")
    print(f"  {'leaks value':>22}: {describe([x.value for x in cross])}   under the gate "
          f"({cfg.gates[-1].metric} {cfg.gates[-1].min}): {sum(x.value < 0.5 for x in cross)}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
