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
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from redac.configfile import StrictModel, load_model, validation_error
from redac.errors import ConfigError, DatasetError

if TYPE_CHECKING:
    from rich.table import Table

    from redac.experiments import ExperimentConfig, Row
    from redac.stats import Interval

EXIT_PASS, EXIT_REGRESSION, EXIT_INPUT = 0, 1, 2
BASELINE_FORMAT = "redac-gate-baseline"
COMPOSITE = "composite"
DEFAULT_GATE_CONFIG = Path("evals/gate.yaml")
REPLAY_MISS = "replay miss"


# --------------------------------------------------------------------------------------------
# Gate config (evals/gate.yaml)
# --------------------------------------------------------------------------------------------


def _check_metric_names(names: list[str], *, allow_default: bool = False) -> None:
    from redac.metrics import METRIC_NAMES

    known = {*METRIC_NAMES, COMPOSITE} | ({"default"} if allow_default else set())
    for name in names:
        if name not in known:
            raise ValueError(f"unknown metric {name!r} (known: {', '.join(sorted(known))})")


class FloorsConfig(StrictModel):
    """Absolute lower bounds on a metric's *mean* over the gated examples."""

    from_metric_thresholds: bool = False  # also use the metrics config's `thresholds` as floors
    values: dict[str, float] = Field(default_factory=dict)  # explicit floors; win over thresholds

    @field_validator("values")
    @classmethod
    def _values(cls, v: dict[str, float]) -> dict[str, float]:
        _check_metric_names(list(v))
        for name, value in v.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"floor of {name!r} must be in [0, 1]")
        return v


class BootstrapConfig(StrictModel):
    """Paired bootstrap over examples, deciding whether a drop beyond ``max_drop`` is more than noise.

    ``rule``: ``interval`` = regression only if the whole ``confidence`` interval of the mean delta
    is below 0; ``probability`` = only if P(no drop) under resampling is below ``1 - confidence``
    (one-sided, a little stricter); ``none`` = any drop beyond ``max_drop`` fails (no bootstrap).
    """

    n: int = Field(2000, ge=100, le=200_000)
    confidence: float = Field(0.95, ge=0.5, lt=1.0)
    seed: int = 0
    rule: Literal["interval", "probability", "none"] = "interval"


class ExamplesConfig(StrictModel):
    tolerance: float = Field(0.05, ge=0.0, le=1.0)  # composite drop that lists an example as regressed
    allow_missing: bool = False  # compare on the common examples instead of refusing
    max_new_failures: int = Field(0, ge=0)  # examples that error now but did not in the baseline


class GateConfig(StrictModel):
    """Versioned gate settings; unknown keys are errors (file and key path in the message)."""

    version: Literal[1] = 1
    floors: FloorsConfig = Field(default_factory=FloorsConfig)
    max_drop: dict[str, float] = Field(default_factory=lambda: {"default": 0.05, COMPOSITE: 0.02})
    bootstrap: BootstrapConfig = Field(default_factory=BootstrapConfig)
    examples: ExamplesConfig = Field(default_factory=ExamplesConfig)

    @field_validator("max_drop")
    @classmethod
    def _max_drop(cls, v: dict[str, float]) -> dict[str, float]:
        _check_metric_names(list(v), allow_default=True)
        for name, value in v.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"max_drop of {name!r} must be in [0, 1]")
        return v

    def drop_limit(self, metric: str) -> float | None:
        """The tolerated mean drop for ``metric`` (``default`` when not listed; None = unchecked)."""
        return self.max_drop.get(metric, self.max_drop.get("default"))

    def resolved_floors(self, thresholds: dict[str, float] | None = None) -> dict[str, float]:
        floors = dict(thresholds or {}) if self.floors.from_metric_thresholds else {}
        floors.update(self.floors.values)
        return floors


def load_gate_config(path: str | Path = DEFAULT_GATE_CONFIG) -> GateConfig:
    """Read and validate ``evals/gate.yaml``; every problem is a ConfigError naming file and key path."""
    return load_model(GateConfig, path, "gate config")


# --------------------------------------------------------------------------------------------
# Baseline file
# --------------------------------------------------------------------------------------------


class ExampleScore(StrictModel):
    composite: float
    metrics: dict[str, float] = Field(default_factory=dict)
    feedback: str = ""
    error: str | None = None
    input_hash: str | None = None  # hash of the example's source, gold and facts when the baseline was made


class DatasetInfo(StrictModel):
    path: str
    hash: str  # over the gated examples' inputs only: adding pairs to the dataset keeps a baseline valid


class Baseline(StrictModel):
    """A committed reference run: per-example scores plus where they came from."""

    format: Literal["redac-gate-baseline"] = BASELINE_FORMAT
    version: Literal[1] = 1
    config: str
    dataset: DatasetInfo
    lm: str = ""
    metrics_config_hash: str = ""
    created: str
    git_commit: str = "unknown"
    summary: dict[str, float] = Field(default_factory=dict)
    examples: dict[str, ExampleScore]
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=False)
                       + "\n", encoding="utf-8")
        tmp.replace(path)  # never a half-written baseline
        self._path = path
        return path


def read_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such baseline file; create it with --update-baseline", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:
        raise ConfigError(f"invalid JSON: {exc}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise ConfigError(f"not a redac gate baseline (expected \"format\": \"{BASELINE_FORMAT}\")", file=str(path))
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, file=str(path)) from None
    baseline._path = path
    return baseline


def input_hash(record) -> str:
    """What an example's score depends on in the dataset (source, gold, labelled facts), hashed."""
    material = {"source": record.source, "gold": record.gold.model_dump(), "facts": record.facts.model_dump()}
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def dataset_hash(hashes: dict[str, str]) -> str:
    blob = json.dumps(sorted(hashes.items()), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def make_baseline(cfg: ExperimentConfig, rows: list[Row], hashes: dict[str, str]) -> Baseline:
    """A baseline from a finished run's (aggregated) rows."""
    from redac import tracking

    examples = {r.id: ExampleScore(composite=r.composite, metrics=dict(sorted(r.metrics.items())),
                                   feedback=r.feedback, error=r.error, input_hash=hashes.get(r.id))
                for r in sorted(rows, key=lambda r: r.id)}
    metrics_hash = tracking.file_hash(cfg.metrics) if Path(cfg.metrics).is_file() else ""
    return Baseline(config=cfg.name, dataset=DatasetInfo(path=str(cfg.dataset.path), hash=dataset_hash(hashes)),
                    lm=cfg.lm.model_name, metrics_config_hash=metrics_hash,
                    created=datetime.now(UTC).isoformat(timespec="seconds"), git_commit=tracking.git_commit(),
                    summary=summarise(rows), examples=examples)


def update_baseline(path: str | Path, cfg: ExperimentConfig, rows: list[Row], hashes: dict[str, str]) -> Baseline:
    """Write a new baseline for ``rows`` at ``path`` (only ever called when asked: --update-baseline)."""
    baseline = make_baseline(cfg, rows, hashes)
    baseline.write(path)
    return baseline


def summarise(rows: list[Row]) -> dict[str, float]:
    out: dict[str, float] = {"n": float(len(rows)), "failed": float(sum(r.error is not None for r in rows))}
    if rows:
        out[COMPOSITE] = sum(r.composite for r in rows) / len(rows)
    for name in sorted({k for r in rows for k in r.metrics}):
        values = [r.metrics[name] for r in rows if name in r.metrics]
        out[name] = sum(values) / len(values)
    return out


# --------------------------------------------------------------------------------------------
# Comparison (pure)
# --------------------------------------------------------------------------------------------


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


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


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
                mean = _mean(after_only)
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
        mean_before, mean_after = _mean(before), _mean(after)
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


# --------------------------------------------------------------------------------------------
# Reports: JUnit XML, Markdown, Rich
# --------------------------------------------------------------------------------------------


def signed(value: float) -> str:
    """``+0.012`` / ``-0.012``; rounding noise and -0.0 print as ``+0.000``."""
    return format(round(value, 9) + 0.0, "+.3f")


def _fmt(value: float, spec: str = ".3f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(round(value, 9) + 0.0, spec)


def write_junit(result: GateResult, path: str | Path) -> Path:
    """JUnit XML: one testcase per metric check (floor, drop), one for new failures, one per
    regressed example (a failure only when the gate fails; otherwise it passes with the delta in
    system-out, since the bootstrap judged it noise)."""
    import xml.etree.ElementTree as ET

    cases: list[tuple[str, str, str | None, str]] = []  # classname, name, failure message, text
    for c in result.checks:
        if c.floor is not None:
            ok = c.floor_ok
            cases.append(("redac.gate.floor", f"{c.metric} >= {c.floor:.3f}",
                          None if ok else f"{c.metric}: mean {c.after:.3f} is below the floor {c.floor:.3f}",
                          f"mean {_fmt(c.after)} over {c.n} examples (baseline {_fmt(c.before)})"))
        if c.max_drop is not None and not math.isnan(c.before):
            cases.append(("redac.gate.drop", f"{c.metric} drop <= {c.max_drop:.3f}",
                          None if c.drop_ok else f"{c.metric}: {c.reason}",
                          f"baseline {c.before:.3f} -> {c.after:.3f} (delta {signed(c.delta)}, interval "
                          f"[{signed(c.interval.low)}, {signed(c.interval.high)}], P(no drop) {c.p_no_drop:.3f})"
                          + (" - within noise" if c.within_noise else "")))
    cases.append(("redac.gate.errors", f"new failed examples <= {result.max_new_failures}",
                  None if result.failures_ok else f"new failed examples: {', '.join(result.new_failures)}",
                  f"{len(result.new_failures)} new failed example(s)"))
    for e in result.regressed:
        detail = f"composite {e.before:.3f} -> {e.after:.3f} ({signed(e.delta)})"
        if e.metric_deltas:
            detail += "; " + ", ".join(f"{k} {signed(v)}" for k, v in e.metric_deltas.items())
        if e.error:
            detail += f"; error: {e.error}"
        text = detail + (f"\nfeedback:\n{e.feedback}" if e.feedback else "")
        cases.append(("redac.gate.examples", e.id, None if result.passed else detail, text))

    failures = sum(1 for case in cases if case[2] is not None)
    suite = ET.Element("testsuite", name=f"redac-gate:{result.config}", tests=str(len(cases)),
                       failures=str(failures), errors="0", skipped="0", time=f"{result.seconds:.3f}",
                       timestamp=datetime.now(UTC).isoformat(timespec="seconds"))
    for classname, name, failure, text in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")
        if failure is not None:
            node = ET.SubElement(case, "failure", message=failure, type="regression")
            node.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    root = ET.Element("testsuites", name="redac-gate", tests=str(len(cases)), failures=str(failures), errors="0",
                      time=f"{result.seconds:.3f}")
    root.append(suite)
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_markdown(result: GateResult) -> str:
    icon = "✅" if result.passed else "❌"
    lines = [f"## {icon} redac gate `{result.config}`: {result.verdict}", "",
             f"{result.n} examples compared with the baseline"
             + (f" from commit `{result.baseline_commit[:10]}`" if result.baseline_commit else "")
             + (f" ({result.baseline_created})" if result.baseline_created else "")
             + (f", in {result.seconds:.1f} s" if result.seconds else "") + ".", "",
             "| metric | baseline | current | delta | delta interval | P(no drop) | floor | max drop | verdict |",
             "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for c in result.checks:
        verdict = "pass" if c.passed else "**FAIL**"
        if c.passed and c.within_noise:
            verdict = "pass (noise)"
        ci = "–" if math.isnan(c.interval.low) else f"[{signed(c.interval.low)}, {signed(c.interval.high)}]"
        lines.append(f"| {c.metric} | {_fmt(c.before)} | {_fmt(c.after)} | {_fmt(c.delta, '+.3f')} | {ci} | "
                     f"{_fmt(c.p_no_drop, '.2f')} | {_fmt(c.floor, '.2f') if c.floor is not None else '–'} | "
                     f"{_fmt(c.max_drop, '.3f') if c.max_drop is not None else '–'} | {verdict} |")
    failing = [c for c in result.checks if not c.passed]
    if failing:
        lines += ["", "**Why:**", ""] + [f"- `{c.metric}`: {c.reason}" for c in failing]
    if result.new_failures:
        lines += ["", f"**New failed examples** ({len(result.new_failures)}, allowed {result.max_new_failures}): "
                  + ", ".join(f"`{i}`" for i in result.new_failures)]
    lines += ["", f"### Regressed examples ({len(result.regressed)})", ""]
    if result.regressed:
        lines += ["| example | baseline | current | delta | metrics that moved | feedback |",
                  "|---|---:|---:|---:|---|---|"]
        for e in result.regressed:
            moved = ", ".join(f"{k} {v:+.2f}" for k, v in list(e.metric_deltas.items())[:6])
            feedback = (f"error: {e.error}. " if e.error else "") + e.feedback
            lines.append(f"| `{e.id}` | {e.before:.3f} | {e.after:.3f} | {signed(e.delta)} | {_md_cell(moved)} | "
                         f"{_md_cell(feedback)[:600]} |")
    else:
        lines.append("None.")
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def write_markdown(result: GateResult, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(result), encoding="utf-8")
    return path


def render_table(result: GateResult) -> Table:
    from rich.table import Table

    table = Table(title=f"redac gate: {result.config} ({result.n} examples vs baseline)")
    for col in ("metric", "baseline", "current", "delta", "delta interval", "P(no drop)", "floor", "max drop",
                "verdict"):
        table.add_column(col, justify="left" if col in ("metric", "verdict") else "right", no_wrap=True)
    for c in result.checks:
        verdict = "[green]pass[/]" if c.passed else "[bold red]FAIL[/]"
        if c.passed and c.within_noise:
            verdict = "[yellow]pass (noise)[/]"
        style = "red" if c.delta < -1e-9 else "green" if c.delta > 1e-9 else ""
        delta = _fmt(c.delta, "+.3f")
        ci = "–" if math.isnan(c.interval.low) else f"[{signed(c.interval.low)}, {signed(c.interval.high)}]"
        table.add_row(c.metric, _fmt(c.before), _fmt(c.after), f"[{style}]{delta}[/]" if style else delta,
                      ci, _fmt(c.p_no_drop, ".2f"), _fmt(c.floor, ".2f") if c.floor is not None else "–",
                      _fmt(c.max_drop) if c.max_drop is not None else "–", verdict)
    return table


# --------------------------------------------------------------------------------------------
# Running the gate
# --------------------------------------------------------------------------------------------


def aggregate_rows(reports: dict[str, list]) -> list[Row]:
    """One row per example: repeats averaged (a failed repeat counts 0 in the composite)."""
    from redac.experiments import Row

    grouped: dict[str, list[Row]] = {}
    for split_reports in reports.values():
        for report in split_reports:
            for row in report.rows:
                grouped.setdefault(row.id, []).append(row)
    out = []
    for ex_id, group in grouped.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        names = sorted({k for r in group for k in r.metrics})
        metrics = {k: _mean([r.metrics[k] for r in group if k in r.metrics]) for k in names}
        errors = [r.error for r in group if r.error]
        ok = [r for r in group if not r.error]
        out.append(Row(id=ex_id, split=group[0].split, composite=_mean([r.composite for r in group]), metrics=metrics,
                       feedback=(ok[0] if ok else group[0]).feedback, output=(ok[0] if ok else group[0]).output,
                       error=errors[0] if errors else None, seconds=sum(r.seconds for r in group)))
    return sorted(out, key=lambda r: r.id)


def recording_config(cfg: ExperimentConfig, spec: str) -> ExperimentConfig:
    """The experiment with its replay LM swapped for a live one (``spec``, e.g. ``embedded``) that
    records every response into the replay file, with the request parameters the replay expects."""
    from redac.lm import parse_lm_spec

    if cfg.lm.provider != "replay" or cfg.lm.replay_from is None:
        raise ConfigError("--record-with needs an experiment whose lm block replays (provider: replay, "
                          "replay_from: FILE)", field="lm.provider")
    live = parse_lm_spec(spec)
    if live.provider == "replay":
        raise ConfigError("--record-with needs a live LM (embedded, openai/MODEL, ...), not a replay file",
                          field="lm")
    target = Path(cfg.lm.replay_from)
    live = live.model_copy(update={"max_tokens": cfg.lm.max_tokens, "temperature": cfg.lm.temperature,
                                   "record_to": target.with_name(f".{target.name}.recording")})
    return cfg.model_copy(update={"lm": live})


def stale_recording_error(cfg: ExperimentConfig, rows: list[Row], config_path: str | Path,
                          baseline_path: str | Path) -> ConfigError | None:
    """A replay miss means the program's requests changed since the recording: say how to re-record."""
    missed = [r.id for r in rows if r.error and REPLAY_MISS in r.error]
    if not missed:
        return None
    return ConfigError(
        f"replay miss on {len(missed)} of {len(rows)} examples ({', '.join(missed)}): the recorded LM responses "
        "no longer match the program's requests (prompts, demos, program state, max_tokens or an example's source "
        "changed). Re-record them with the embedded LM and refresh the baseline in one step: "
        f"`redac gate {config_path} --baseline {baseline_path} --record-with embedded` (make record-gate), "
        "then review and commit both files",
        file=str(cfg.lm.replay_from), field="lm.replay_from")


@dataclass
class GateOutcome:
    rows: list[Row]
    result: GateResult | None = None  # None when a baseline was written instead
    baseline_written: Path | None = None
    recorded_to: Path | None = None  # the replay file, when it was re-recorded
    seconds: float = 0.0


def run_gate(config: str | Path, baseline_path: str | Path, *, gate_config: str | Path = DEFAULT_GATE_CONFIG,
             update: bool = False, record_with: str | None = None, progress=None, on_stage=None) -> GateOutcome:
    """Run the eval of ``config`` (fresh: finished rows of an earlier run are never reused) and compare
    it with the baseline, or write the baseline when ``update`` (or ``record_with``) is set."""
    import time

    from redac.dataset import load_jsonl
    from redac.experiments import load_experiment, run_eval
    from redac.metrics import load_metrics_config

    start = time.perf_counter()
    cfg = load_experiment(config)
    gate_cfg = load_gate_config(gate_config)
    thresholds = load_metrics_config(cfg.metrics).thresholds
    update = update or record_with is not None
    baseline = None if update else read_baseline(baseline_path)  # fail before any LM work
    replay_from = cfg.lm.replay_from
    if record_with is not None:
        cfg = recording_config(cfg, record_with)
        Path(cfg.lm.record_to).unlink(missing_ok=True)  # a fresh recording: no stale responses left behind
    result = run_eval(cfg, resume=False, progress=progress, on_stage=on_stage)
    if result.stopped:
        from redac.errors import BudgetExceeded

        raise BudgetExceeded(f"the eval stopped early: {result.stopped}", field="budget")
    rows = aggregate_rows(result.reports)
    if not rows:
        raise DatasetError("the eval selected no example (check dataset.ids / eval_splits)", file=str(config),
                           field="dataset")
    stale = stale_recording_error(cfg, rows, config, baseline_path)
    if stale is not None:
        raise stale
    records = {r.id: r for r in load_jsonl(cfg.dataset.path)}
    hashes = {r.id: input_hash(records[r.id]) for r in rows if r.id in records}
    if record_with is not None:  # the committed recording is replaced only by a finished one
        Path(cfg.lm.record_to).replace(replay_from)
    if update:
        # Failed examples are kept in the baseline (replay fails them the same way); the CLI warns.
        written = update_baseline(baseline_path, cfg, rows, hashes).path
        return GateOutcome(rows=rows, baseline_written=written, seconds=time.perf_counter() - start,
                           recorded_to=Path(replay_from) if record_with is not None else None)
    gate = compare(baseline, rows, gate_cfg, thresholds=thresholds, input_hashes=hashes)  # type: ignore[arg-type]
    gate.seconds = time.perf_counter() - start
    return GateOutcome(rows=rows, result=gate, seconds=gate.seconds)
