"""Experiment configs and the two runners: ``evaluate`` and ``optimize``.

A config file in ``experiments/`` names everything a result depends on (program, LMs, dataset and
splits, metric config, optimiser, seed, budget), so a run is reproducible from the file and the
git commit. Finished examples are appended to ``<output_dir>/<name>-<hash>/...jsonl`` as they complete,
which makes a run resumable after Ctrl-C or a crash without redoing them.

Modules, lowest first: :mod:`~redac.experiments.layout` (the run folder), :mod:`~redac.experiments.optimizers`
(the optimiser registry), :mod:`~redac.experiments.config` (the YAML schema), :mod:`~redac.experiments.results`
(rows, reports, the row store), :mod:`~redac.experiments.runtime` (LMs, records, the program),
:mod:`~redac.experiments.evaluate` (one split), :mod:`~redac.experiments.estimate` (the dry run) and
:mod:`~redac.experiments.flows` (``run_eval``, ``run_optimize``, with MLflow).
"""

from redac.experiments.config import (
    BudgetConfig,
    DatasetRef,
    ExperimentConfig,
    OptimizerConfig,
    ProgramRef,
    TrackingConfig,
    load_experiment,
)
from redac.experiments.estimate import Plan, cost_usd, estimate
from redac.experiments.evaluate import evaluate_split, score_record
from redac.experiments.flows import RunResult, log_report, run_eval, run_optimize
from redac.experiments.layout import RunLayout
from redac.experiments.optimizers import (
    OPTIMIZERS,
    Compiled,
    Optimizer,
    TrainingData,
    compile_program,
    get_optimizer,
    optimizer_trajectory,
    register,
)
from redac.experiments.results import EvalReport, EvalState, ProgressFn, Row, RowStore
from redac.experiments.runtime import Runtime, make_program

__all__ = [
    "OPTIMIZERS",
    "BudgetConfig",
    "Compiled",
    "DatasetRef",
    "EvalReport",
    "EvalState",
    "ExperimentConfig",
    "Optimizer",
    "OptimizerConfig",
    "Plan",
    "ProgramRef",
    "ProgressFn",
    "Row",
    "RowStore",
    "RunLayout",
    "RunResult",
    "Runtime",
    "TrackingConfig",
    "TrainingData",
    "compile_program",
    "cost_usd",
    "estimate",
    "evaluate_split",
    "get_optimizer",
    "load_experiment",
    "log_report",
    "make_program",
    "optimizer_trajectory",
    "register",
    "run_eval",
    "run_optimize",
    "score_record",
]
