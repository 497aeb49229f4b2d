"""The two runners, ``run_eval`` and ``run_optimize``: stages, resumption and MLflow tracking.

What makes a run reproducible (config, git commit, dataset hash, versions) is logged up front, then
each stage's report; ``run_optimize`` also saves the compiled program (JSON) and the lift.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from redac.errors import BudgetExceeded
from redac.experiments.config import ExperimentConfig
from redac.experiments.evaluate import evaluate_split
from redac.experiments.layout import RunLayout
from redac.experiments.optimizers import (
    compile_program,
    get_optimizer,
    optimizer_trajectory,
)
from redac.experiments.results import EvalReport, ProgressFn
from redac.experiments.runtime import Runtime, make_program

if TYPE_CHECKING:
    import dspy


@dataclass
class RunResult:
    run_id: str | None
    reports: dict[str, list[EvalReport]]  # "dev", "baseline:dev", "compiled:test" -> one report per repeat
    program_path: Path | None = None
    lift: dict[str, Any] | None = None
    stopped: str | None = None


def _start(cfg: ExperimentConfig) -> tuple[Runtime, RunResult]:
    """Check the tracking server first (before any LM money is spent), then build the runtime."""
    from redac import tracking

    if cfg.tracking.enabled:
        tracking.setup(cfg.tracking.uri, cfg.tracking.experiment)
    return Runtime(cfg), RunResult(run_id=None, reports={})


@contextlib.contextmanager
def _tracked(cfg: ExperimentConfig, rt: Runtime, result: RunResult, kind: str) -> Iterator[None]:
    """The MLflow run of an eval or optimisation, with what makes it reproducible logged up front."""
    from redac import tracking

    if not cfg.tracking.enabled:
        yield
        return
    with tracking.run(f"{kind}:{cfg.name}", tags={"redac.kind": kind}):
        result.run_id = tracking.active_run_id()
        tracking.log_params(_base_params(cfg, rt))
        tracking.log_file_text(yaml.safe_dump(cfg.public_dict(), allow_unicode=True), RunLayout.CONFIG_ARTIFACT)
        tracking.log_file_text(Path(cfg.metrics).read_text(encoding="utf-8"), RunLayout.METRICS_ARTIFACT)
        if cfg.tracking.autolog:
            tracking.autolog_dspy()
        yield


def _base_params(cfg: ExperimentConfig, rt: Runtime) -> dict[str, Any]:
    from redac import tracking

    return {"config": cfg.public_dict(), "git_commit": tracking.git_commit(),
            "dataset_hash": tracking.file_hash(cfg.dataset.path), "versions": tracking.package_versions()}


def log_report(report: EvalReport, prefix: str, step: int | None = None) -> None:
    """Log one stage's report to the active MLflow run: summary metrics, the rows as a table, a score plot."""
    from redac import tracking

    summary = report.summary()
    tracking.log_metrics({f"{prefix}.{k}": v for k, v in summary.items()}, step=step)
    tracking.log_table([asdict(r) for r in report.rows], f"tables/{prefix}.json")
    if report.rows:
        tracking.log_figure(tracking.score_distribution_plot(
            [r.metrics | {"composite": r.composite} for r in report.rows], title=prefix), f"plots/{prefix}.png")


def run_eval(cfg: ExperimentConfig, *, resume: bool = True, progress: ProgressFn | None = None,
             on_stage: Callable[[str], None] | None = None) -> RunResult:
    """Evaluate the configured program on ``dataset.eval_splits``, ``repeat`` times, tracked in MLflow."""
    from redac import tracking

    rt, result = _start(cfg)
    program = make_program(cfg)
    with _tracked(cfg, rt, result, "eval"):
        for split in cfg.dataset.eval_splits:
            for k in range(cfg.repeat):
                if on_stage:
                    on_stage(f"eval {split}" + (f" repeat {k + 1}/{cfg.repeat}" if cfg.repeat > 1 else ""))
                nested = tracking.run(f"{split}-r{k}", nested=True) \
                    if cfg.tracking.enabled and cfg.repeat > 1 else _null()
                with nested:
                    report = evaluate_split(program, rt, split, repeat=k, store_dir=cfg.layout.stage_dir("eval"),
                                            resume=resume, progress=progress)
                    if cfg.tracking.enabled:
                        log_report(report, split)
                result.reports.setdefault(split, []).append(report)
                if cfg.tracking.enabled and cfg.repeat > 1:
                    tracking.log_metrics({f"{split}.composite_by_repeat": report.summary().get("composite", 0)},
                                         step=k)
                if report.stopped:
                    result.stopped = report.stopped
                    return result
            if cfg.tracking.enabled and cfg.repeat > 1:
                from redac.stats import bootstrap_mean

                means = bootstrap_mean([r.summary().get("composite", 0.0) for r in result.reports[split]])
                tracking.log_metrics({f"{split}.composite_mean_over_repeats": means.mean,
                                      f"{split}.composite_repeat_ci_low": means.low,
                                      f"{split}.composite_repeat_ci_high": means.high})
    return result


def run_optimize(cfg: ExperimentConfig, *, resume: bool = True, progress: ProgressFn | None = None,
                 on_stage: Callable[[str], None] | None = None) -> RunResult:
    """Baseline eval -> compile on train -> compiled eval on dev and test -> JSON program + lift."""
    from redac import tracking
    from redac.stats import paired_bootstrap

    rt, result = _start(cfg)
    eval_splits = list(dict.fromkeys([*cfg.dataset.eval_splits, "test"]))
    with _tracked(cfg, rt, result, "optimize"):

        def stage(label: str, program: dspy.Module, split: str, runtime: Runtime = rt) -> EvalReport | None:
            if on_stage:
                on_stage(f"{label} {split}")
            report = evaluate_split(program, runtime, split, store_dir=cfg.layout.stage_dir(label), resume=resume,
                                    progress=progress)
            result.reports[f"{label}:{split}"] = [report]
            if cfg.tracking.enabled:
                log_report(report, f"{label}.{split}")
            if report.stopped:
                result.stopped = report.stopped
            return report

        baseline = make_program(cfg)
        for split in eval_splits:
            stage("baseline", baseline, split)
            if result.stopped:
                return result
        if on_stage:
            on_stage(f"compile ({cfg.optimizer.name}) on {cfg.dataset.train_split}")
        started = time.perf_counter()
        optimizer = get_optimizer(cfg.optimizer.name)
        train = rt.split(cfg.dataset.train_split)
        val = rt.split("dev") if optimizer.uses_valset and cfg.dataset.train_split != "dev" else []
        try:
            outcome = compile_program(make_program(cfg), rt, train, val)
        except BudgetExceeded as exc:
            result.stopped = str(exc)
            return result
        compiled, compiled_lm = outcome.program, outcome.lm
        compiled_rt = rt.with_lm(compiled_lm) if compiled_lm is not None else rt
        compile_seconds = time.perf_counter() - started
        cfg.run_dir.mkdir(parents=True, exist_ok=True)
        program_path = cfg.layout.program
        for predictor in compiled.predictors():
            predictor.lm = None  # an optimiser may attach LMs; saved state must not carry them
        compiled.save(str(program_path))  # JSON state, never pickle
        result.program_path = program_path
        lm_path = cfg.layout.compiled_lm
        lm_path.unlink(missing_ok=True)
        if compiled_lm is not None:
            lm_path.write_text(json.dumps(compiled_lm.public_dict(), indent=2) + "\n", encoding="utf-8")
        for split in eval_splits:
            stage("compiled", compiled, split, compiled_rt)
            if result.stopped:
                break
        lift: dict[str, Any] = {"compile_seconds": compile_seconds}
        for split in eval_splits:
            base = result.reports.get(f"baseline:{split}")
            comp = result.reports.get(f"compiled:{split}")
            if not base or not comp:
                continue
            before = {r.id: r.composite for r in base[0].rows}
            after = {r.id: r.composite for r in comp[0].rows}
            ids = [i for i in before if i in after]
            interval, p_worse = paired_bootstrap([before[i] for i in ids], [after[i] for i in ids])
            lift[split] = {"mean": interval.mean, "ci_low": interval.low, "ci_high": interval.high,
                           "p_not_better": p_worse, "n": len(ids)}
        result.lift = lift
        if cfg.tracking.enabled:
            tracking.log_metrics({f"lift.{s}.{k}": v for s, d in lift.items() if isinstance(d, dict)
                                  for k, v in d.items()} | {"compile_seconds": compile_seconds})
            tracking.log_file(program_path, RunLayout.ARTIFACT_FOLDER)
            if compiled_lm is not None:
                tracking.log_file(lm_path, RunLayout.ARTIFACT_FOLDER)
            tracking.log_json(lift, "lift.json")
            for split in eval_splits:
                base, comp = result.reports.get(f"baseline:{split}"), result.reports.get(f"compiled:{split}")
                if base and comp:
                    tracking.log_figure(tracking.paired_plot(
                        {r.id: r.composite for r in base[0].rows}, {r.id: r.composite for r in comp[0].rows},
                        title=f"{split}: baseline vs compiled"), f"plots/baseline_vs_compiled_{split}.png")
            trajectory = optimizer_trajectory(compiled)
            if trajectory:
                tracking.log_figure(tracking.trajectory_plot(trajectory), "plots/optimisation_trajectory.png")
                for step, value in enumerate(trajectory):
                    tracking.log_metrics({"optimisation.candidate_score": value}, step=step)
    return result


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> Literal[False]:
        return False
