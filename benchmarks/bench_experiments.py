"""Framework overhead of `redac eval`, measured against the metric suite's own time.

    .venv/bin/python benchmarks/bench_experiments.py [--split dev] [--rounds 3]

1. A stand-in LM (a local OpenAI-compatible server answering from the gold articles, see
   notebooks/standin.py) is recorded once; the eval is then re-run on a **zero-latency replay** of
   that recording. Framework overhead per example = (eval time - metric time) / metric time, where
   metric time is `redac.metrics.score` alone on the same outputs. Target: <= 5 %.
2. **Cached re-run**: the live stand-in with the LM disk cache warm, resume off (every example is
   run again, every LM call is a cache hit). Target: <= 1.2x the metric-only time.
MLflow is off for these timings (its fixed cost per run is printed separately); 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from standin import StandIn

    from redac.article import Article
    from redac.dataset import load_jsonl
    from redac.experiments import ExperimentConfig, Runtime, evaluate_split, make_program
    from redac.lm import LMConfig
    from redac.metrics import score
    from redac.sources import clean

    tmp = Path(tempfile.mkdtemp(prefix="redac-bench-"))
    os.environ["REDAC_CACHE_DIR"] = str(tmp / "cache")
    dataset = ROOT / "datasets/redac-fr-news/redac-fr-news.jsonl"
    records = {r.id: r for r in load_jsonl(dataset)}

    def config(lm: LMConfig) -> ExperimentConfig:
        return ExperimentConfig(name="bench", lm=lm, metrics=ROOT / "evals/metrics.yaml",
                                dataset={"path": dataset, "eval_splits": [args.split]},
                                tracking={"enabled": False}, output_dir=tmp / "runs")

    standin = StandIn(list(records.values()), style="gold")
    live = standin.start().model_copy(update={"record_to": tmp / "rec.jsonl", "cache": True})
    try:
        rt_live = Runtime(config(live))
        program = make_program(rt_live.cfg)
        first = evaluate_split(program, rt_live, args.split, store_dir=tmp / "live", resume=False)
        n = len(first.rows)
        replay = LMConfig(provider="replay", replay_from=tmp / "rec.jsonl", cache=False)
        rt_replay = Runtime(config(replay))

        def timed(fn) -> float:
            best = float("inf")
            for _ in range(args.rounds):
                start = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - start)
            return best

        def metrics_only() -> None:
            for row in first.rows:
                rec = records[row.id]
                score(Article.from_markdown(row.output), clean(rec.source, name=rec.id),
                      gold=Article(**rec.gold.model_dump()), facts=rec.facts, cfg=rt_live.metrics_cfg)

        t_metric = timed(metrics_only)
        t_replay = timed(lambda: evaluate_split(program, rt_replay, args.split, store_dir=tmp / "replay",
                                                resume=False))
        t_cached = timed(lambda: evaluate_split(program, rt_live, args.split, store_dir=tmp / "cached",
                                                resume=False))
        failed = sum(r.failed for r in first.rows)
    finally:
        standin.stop()

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp / 'mlflow.db'}")
    mlflow.set_experiment("bench")
    start = time.perf_counter()
    with mlflow.start_run():
        from redac.experiments import log_report

        log_report(first, args.split)
    t_mlflow = time.perf_counter() - start

    overhead = (t_replay - t_metric) / t_metric
    ratio = t_cached / t_metric
    print(f"split {args.split}: {n} examples ({failed} failed), best of {args.rounds} rounds, {os.cpu_count()} cores")
    print(f"metric suite only      {t_metric / n * 1000:8.1f} ms/example")
    print(f"eval on replay LM      {t_replay / n * 1000:8.1f} ms/example")
    print(f"eval, cached re-run    {t_cached / n * 1000:8.1f} ms/example")
    print(f"framework overhead     {overhead * 100:8.1f} %   (target <= 5 %:   {'met' if overhead <= 0.05 else 'MISSED'})")
    print(f"cached re-run / metric {ratio:8.2f} x   (target <= 1.2 x: {'met' if ratio <= 1.2 else 'MISSED'})")
    print(f"MLflow logging of the split (fixed per run): {t_mlflow:.2f} s")


if __name__ == "__main__":
    main()
