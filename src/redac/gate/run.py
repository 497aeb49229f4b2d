"""Running the gate: the experiment's eval (fresh), then the comparison or a new baseline.

The only part of the gate with side effects (LM calls, replay files, the baseline on disk); in CI
the eval replays recorded responses, and a replay miss becomes an error that says how to re-record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from redac.errors import ConfigError, DatasetError
from redac.gate.baseline import input_hash, read_baseline, update_baseline
from redac.gate.compare import GateResult, compare
from redac.gate.config import DEFAULT_GATE_CONFIG, load_gate_config
from redac.gate.rows import aggregate_rows

if TYPE_CHECKING:
    from redac.experiments import ExperimentConfig, ProgressFn, Row

REPLAY_MISS = "replay miss"


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
             update: bool = False, record_with: str | None = None, progress: ProgressFn | None = None,
             on_stage: Callable[[str], None] | None = None) -> GateOutcome:
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
    recording: tuple[Path, Path] | None = None  # (the file being recorded, the replay file it replaces)
    if record_with is not None:
        cfg = recording_config(cfg, record_with)
        assert cfg.lm.record_to is not None and replay_from is not None  # recording_config set and checked them
        recording = (Path(cfg.lm.record_to), Path(replay_from))
        recording[0].unlink(missing_ok=True)  # a fresh recording: no stale responses left behind
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
    if recording is not None:  # the committed recording is replaced only by a finished one
        recording[0].replace(recording[1])
    if update:
        # Failed examples are kept in the baseline (replay fails them the same way); the CLI warns.
        written = update_baseline(baseline_path, cfg, rows, hashes).path
        return GateOutcome(rows=rows, baseline_written=written, seconds=time.perf_counter() - start,
                           recorded_to=recording[1] if recording is not None else None)
    gate = compare(baseline, rows, gate_cfg, thresholds=thresholds, input_hashes=hashes)  # type: ignore[arg-type]
    gate.seconds = time.perf_counter() - start
    return GateOutcome(rows=rows, result=gate, seconds=gate.seconds)
