"""The CI regression gate: run an experiment's eval and compare it with a committed baseline.

``redac gate CONFIG --baseline evals/baselines/NAME.json`` exits 0 (pass), 1 (regression) or
2 (config or input error). A metric regresses when its mean falls under an absolute floor, or when it
drops by more than its ``max_drop`` *and* a paired bootstrap over the examples says the drop is not
noise (one example moving on its own does not fail a build). Thresholds live in ``evals/gate.yaml``;
per-metric pass thresholds from ``evals/metrics.yaml`` can serve as floors. The comparison
(:func:`compare`) is a pure function of the baseline, the rows and the gate config; the reports
(JUnit XML, Markdown) are written from its :class:`GateResult`. See docs/gate.md.

In CI the eval replays recorded LM responses (``lm.provider: replay``), so it is deterministic,
offline and free; a replay miss means the program's requests changed and the recordings must be
re-recorded (``--record-with``), which the error says.

Modules: :mod:`~redac.gate.config` (``evals/gate.yaml``), :mod:`~redac.gate.baseline` (the committed
file), :mod:`~redac.gate.rows` (one row per example), :mod:`~redac.gate.compare` (the pure decision),
:mod:`~redac.gate.report` (JUnit, Markdown, Rich), :mod:`~redac.gate.run` (the eval and the flow).
"""

from redac.gate.baseline import (
    BASELINE_FORMAT,
    Baseline,
    DatasetInfo,
    ExampleScore,
    dataset_hash,
    input_hash,
    make_baseline,
    read_baseline,
    update_baseline,
)
from redac.gate.compare import (
    EXIT_INPUT,
    EXIT_PASS,
    EXIT_REGRESSION,
    ExampleDelta,
    GateResult,
    MetricCheck,
    compare,
    focus_feedback,
    signed,
)
from redac.gate.config import (
    COMPOSITE,
    DEFAULT_GATE_CONFIG,
    BootstrapConfig,
    ExamplesConfig,
    FloorsConfig,
    GateConfig,
    load_gate_config,
)
from redac.gate.report import render_markdown, render_table, write_junit, write_markdown
from redac.gate.rows import aggregate_rows, summarise
from redac.gate.run import (
    REPLAY_MISS,
    GateOutcome,
    recording_config,
    run_gate,
    stale_recording_error,
)

__all__ = [
    "BASELINE_FORMAT",
    "COMPOSITE",
    "DEFAULT_GATE_CONFIG",
    "EXIT_INPUT",
    "EXIT_PASS",
    "EXIT_REGRESSION",
    "REPLAY_MISS",
    "Baseline",
    "BootstrapConfig",
    "DatasetInfo",
    "ExampleDelta",
    "ExampleScore",
    "ExamplesConfig",
    "FloorsConfig",
    "GateConfig",
    "GateOutcome",
    "GateResult",
    "MetricCheck",
    "aggregate_rows",
    "compare",
    "dataset_hash",
    "focus_feedback",
    "input_hash",
    "load_gate_config",
    "make_baseline",
    "read_baseline",
    "recording_config",
    "render_markdown",
    "render_table",
    "run_gate",
    "signed",
    "stale_recording_error",
    "summarise",
    "update_baseline",
    "write_junit",
    "write_markdown",
]
