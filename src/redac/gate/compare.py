"""The gate's decision: baseline vs current rows -> per-metric checks and regressed examples.

A pure function (no I/O) so that it can be tested on hand-built rows and reused by any front end;
the reports and the command only present its :class:`GateResult`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redac.errors import DatasetError
from redac.gate.config import COMPOSITE
from redac.gate.rows import mean_or_nan

if TYPE_CHECKING:
    from redac.experiments import Row
    from redac.gate.baseline import Baseline
    from redac.gate.config import GateConfig
    from redac.stats import Interval

EXIT_PASS, EXIT_REGRESSION, EXIT_INPUT = 0, 1, 2


def signed(value: float) -> str:
    """``+0.012`` / ``-0.012``; rounding noise and -0.0 print as ``+0.000``."""
    return format(round(value, 9) + 0.0, "+.3f")


@dataclass
class MetricCheck:
    """One metric, baseline vs current, on the examples both sides scored."""

    metric: str
    n: int
    before: float
    after: float
    delta: float  # after - before
    interval: Interval  # bootstrap interval of the mean paired delta
    p_no_drop: float  # P(mean delta >= 0) under resampling
    floor: float | None
    max_drop: float | None
    floor_ok: bool
    drop_ok: bool
    within_noise: bool  # dropped beyond max_drop, but the bootstrap calls it noise

    @property
    def passed(self) -> bool:
        return self.floor_ok and self.drop_ok

    @property
    def reason(self) -> str:
        reasons = []
        if not self.floor_ok:
            reasons.append(f"mean {self.after:.3f} is below the floor {self.floor:.3f}")
        if not self.drop_ok:
            reasons.append(f"mean dropped by {-self.delta:.3f} (max {self.max_drop:.3f}), "
                           f"delta interval [{signed(self.interval.low)}, {signed(self.interval.high)}], "
                           f"P(no drop) {self.p_no_drop:.3f}")
        if not reasons and self.within_noise:
            reasons.append(f"dropped by {-self.delta:.3f} (max {self.max_drop:.3f}) but within noise: "
                           f"delta interval [{signed(self.interval.low)}, {signed(self.interval.high)}]")
        return "; ".join(reasons)


@dataclass
class ExampleDelta:
    id: str
    before: float
    after: float
    metric_deltas: dict[str, float]  # metrics that moved, most negative first
    feedback: str
    error: str | None

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass
class GateResult:
    config: str
    n: int
    checks: list[MetricCheck]
    regressed: list[ExampleDelta]  # composite dropped by more than the example tolerance
    new_failures: list[str]
    max_new_failures: int
    notes: list[str] = field(default_factory=list)
    baseline_commit: str = ""
    baseline_created: str = ""
    seconds: float = 0.0

    @property
    def failures_ok(self) -> bool:
        return len(self.new_failures) <= self.max_new_failures

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks) and self.failures_ok

    @property
    def exit_code(self) -> int:
        return EXIT_PASS if self.passed else EXIT_REGRESSION

    @property
    def verdict(self) -> str:
        if self.passed:
            return "PASS"
        failed = [c.metric for c in self.checks if not c.passed]
        if not self.failures_ok:
            failed.append(f"{len(self.new_failures)} new failed example(s)")
        return "REGRESSION: " + ", ".join(failed)


_FEEDBACK_LINE = re.compile(r"^\s*-\s*(\w+)\s*=")


def focus_feedback(feedback: str, first: list[str]) -> str:
    """The metric feedback with the lines of the metrics that dropped first (most negative first), so
    a reviewer (and a truncated Markdown cell) sees why the example regressed before anything else."""
    lines = feedback.splitlines()
    order = {name: rank for rank, name in enumerate(first)}

    def rank(item: tuple[int, str]) -> tuple[int, int]:
        index, line = item
        match = _FEEDBACK_LINE.match(line)
        if match is None:
            return (0, index)  # headline and notes stay on top, in place
        return (1, order[match.group(1)]) if match.group(1) in order else (2, index)

    return "\n".join(line for _, line in sorted(enumerate(lines), key=rank))


def compare(baseline: Baseline, rows: list[Row], cfg: GateConfig, *, thresholds: dict[str, float] | None = None,
            input_hashes: dict[str, str] | None = None) -> GateResult:
    """Baseline vs current rows -> per-metric checks and the regressed examples (no I/O).

    Raises :class:`DatasetError` when the two sides do not hold the same examples (unless
    ``examples.allow_missing``) or when an example's inputs changed since the baseline.
    """
    from redac.stats import Interval, paired_bootstrap

    where = str(baseline.path) if baseline.path else None
    current = {r.id: r for r in rows}
    if len(current) != len(rows):
        raise DatasetError("the run has duplicate example ids; aggregate repeats first", field="examples")
    before_ids, after_ids = set(baseline.examples), set(current)
    missing, new = sorted(before_ids - after_ids), sorted(after_ids - before_ids)
    notes: list[str] = []
    if (missing or new) and not cfg.examples.allow_missing:
        parts = ([f"missing now: {', '.join(missing)}"] if missing else []) + \
                ([f"not in the baseline: {', '.join(new)}"] if new else [])
        raise DatasetError(f"the run and the baseline hold different examples ({'; '.join(parts)}); refresh the "
                           "baseline with --update-baseline or set examples.allow_missing in the gate config",
                           file=where, field="examples")
    if missing:
        notes.append(f"compared on common examples only; missing now: {', '.join(missing)}")
    if new:
        notes.append(f"not in the baseline (ignored): {', '.join(new)}")
    ids = sorted(before_ids & after_ids)
    if not ids:
        raise DatasetError("no example in common with the baseline", file=where, field="examples")
    if input_hashes:
        changed = [i for i in ids if baseline.examples[i].input_hash and input_hashes.get(i)
                   and baseline.examples[i].input_hash != input_hashes[i]]
        if changed:
            raise DatasetError(f"example(s) changed in the dataset since the baseline: {', '.join(changed)} "
                               "(source, gold or facts); refresh the baseline with --update-baseline",
                               file=where, field="examples")

    floors = cfg.resolved_floors(thresholds)
    bs = cfg.bootstrap
    before_names = {k for i in ids for k in baseline.examples[i].metrics}
    after_names = {k for i in ids for k in current[i].metrics}
    for name in sorted(before_names - after_names):
        notes.append(f"metric {name!r} is in the baseline but not computed now (not checked)")
    for name in sorted(after_names - before_names):
        notes.append(f"metric {name!r} is new since the baseline (floor only, no drop check)")
    names = [COMPOSITE, *sorted(before_names | after_names)]

    checks: list[MetricCheck] = []
    for name in names:
        if name == COMPOSITE:
            pairs = [(baseline.examples[i].composite, current[i].composite) for i in ids]
        else:
            pairs = [(baseline.examples[i].metrics[name], current[i].metrics[name]) for i in ids
                     if name in baseline.examples[i].metrics and name in current[i].metrics]
        if not pairs:
            after_only = [current[i].metrics[name] for i in ids if name in current[i].metrics]
            if after_only and name in floors:
                mean = mean_or_nan(after_only)
                nan = Interval(float("nan"), float("nan"), float("nan"))
                checks.append(MetricCheck(name, len(after_only), float("nan"), mean, float("nan"), nan, float("nan"),
                                          floors[name], None, mean >= floors[name] - 1e-12, True, False))
            continue
        before = [b for b, _ in pairs]
        after = [a for _, a in pairs]
        # paired_bootstrap(x, y) gives the interval of mean(y - x) and P(mean(y - x) <= 0): with the
        # sides swapped that is the interval of the drop and P(no drop).
        drop, p_no_drop = paired_bootstrap(after, before, n=bs.n, level=bs.confidence, seed=bs.seed)
        interval = Interval(-drop.mean, -drop.high, -drop.low)
        mean_before, mean_after = mean_or_nan(before), mean_or_nan(after)
        delta = mean_after - mean_before
        limit = cfg.drop_limit(name)
        floor = floors.get(name)
        floor_ok = floor is None or mean_after >= floor - 1e-12
        beyond = limit is not None and -delta > limit + 1e-12
        if not beyond:
            drop_ok = True
        elif bs.rule == "interval":
            drop_ok = interval.high >= 0.0  # the interval still reaches "no drop"
        elif bs.rule == "probability":
            drop_ok = p_no_drop >= 1.0 - bs.confidence
        else:
            drop_ok = False
        checks.append(MetricCheck(name, len(pairs), mean_before, mean_after, delta, interval, p_no_drop, floor,
                                  limit, floor_ok, drop_ok, beyond and drop_ok))

    regressed: list[ExampleDelta] = []
    for i in ids:
        b, a = baseline.examples[i], current[i]
        if a.composite - b.composite < -cfg.examples.tolerance - 1e-12:
            moved = {k: a.metrics[k] - b.metrics[k] for k in b.metrics.keys() & a.metrics.keys()
                     if abs(a.metrics[k] - b.metrics[k]) > 1e-9}
            moved = dict(sorted(moved.items(), key=lambda kv: kv[1]))
            regressed.append(ExampleDelta(i, b.composite, a.composite, moved,
                                          focus_feedback(a.feedback, [k for k, v in moved.items() if v < 0]),
                                          a.error))
    regressed.sort(key=lambda e: e.delta)
    new_failures = [i for i in ids if current[i].error is not None and baseline.examples[i].error is None]
    return GateResult(config=baseline.config, n=len(ids), checks=checks, regressed=regressed,
                      new_failures=new_failures, max_new_failures=cfg.examples.max_new_failures, notes=notes,
                      baseline_commit=baseline.git_commit, baseline_created=baseline.created)
