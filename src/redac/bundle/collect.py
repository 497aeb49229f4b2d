"""What goes into a bundle, gathered from where a compiled program lives: a program file (with the
experiment config it came from), a run folder, or an ``redac optimize`` MLflow run."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from redac.bundle.state import read_state, resolve_program_config, split_state
from redac.bundle.store import safe_uri, tracking_store
from redac.errors import ConfigError
from redac.experiments import RunLayout

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

RUN_METRICS_ARTIFACTS = (RunLayout.METRICS_ARTIFACT, "metrics.yaml")  # the metric config, if the run logged it
_SPLITS = ("train", "dev", "test")


@dataclass
class BundleSource:
    """Everything a bundle is made of, gathered from a program file (+ experiment config) or an MLflow run."""

    state: dict[str, Any]
    program_config: dict[str, Any]
    origin: dict[str, Any]
    lm: dict[str, Any] | None = None
    metrics_text: str | None = None
    metrics_origin: str | None = None
    dataset: dict[str, Any] | None = None
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    lift: dict[str, Any] = field(default_factory=dict)
    trained_with: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def source_from_file(path: str | Path, config: str | Path | None = None) -> BundleSource:
    """A compiled program JSON (or a run folder holding ``compiled_program.json``), with the experiment
    config it came from for LM, metric and dataset facts. Scores come from the run folder's finished
    rows when the program is that config's own compiled program."""
    path = Path(path)
    if path.is_dir():
        path = RunLayout(path).program
    state, saved = split_state(read_state(path))
    src = BundleSource(state=state, program_config=resolve_program_config({}, state, file=str(path), saved=saved),
                       origin={"kind": "file", "path": str(path)})
    if config is None:
        src.notes.append("exported without an experiment config: LM, metric config, dataset and scores unknown")
        return src
    from redac import tracking
    from redac.experiments import load_experiment

    cfg = load_experiment(config)
    src.origin["config"] = str(config)
    src.program_config = resolve_program_config(cfg.program.overrides(), state, file=str(config),
                                                saved=saved)
    src.lm = cfg.lm.public_dict()
    recorded = _recorded_model(cfg.lm.replay_from) if cfg.lm.provider == "replay" else None
    if recorded:
        src.notes.append(f"the replay recording was made with {recorded}")
    src.metrics_text, src.metrics_origin = _read_optional(cfg.metrics)
    if src.metrics_text is None:
        src.notes.append(f"metric config {cfg.metrics} not found (paths in experiment configs are relative to the "
                         "working directory): not included")
    if cfg.dataset.path.is_file():
        src.dataset = {"path": str(cfg.dataset.path), "hash": tracking.file_hash(cfg.dataset.path)}
    else:
        src.notes.append(f"dataset {cfg.dataset.path} not found: its hash is unknown")
    if path.resolve() == cfg.layout.program.resolve():
        src.scores = _scores_from_rows(cfg.run_dir)
        src.origin["run_dir"] = str(cfg.run_dir)
        compiled_lm = cfg.layout.compiled_lm
        if compiled_lm.is_file():  # the optimiser changed the LM (finetune): the program runs on that one
            src.lm = json.loads(compiled_lm.read_text(encoding="utf-8"))
    return src


def source_from_run(run_id: str, tracking_uri: str | None = None) -> BundleSource:
    """An ``redac optimize`` run: its logged program, config, metrics and versions."""
    from mlflow.tracking import MlflowClient

    with tracking_store(tracking_uri) as uri:
        client = MlflowClient()
        try:
            run = client.get_run(run_id)
        except Exception:
            raise ConfigError(f"no such MLflow run {run_id!r} in {safe_uri(uri)}", field="run") from None
        with tempfile.TemporaryDirectory(prefix="redac-run-") as tmp:
            try:
                local = client.download_artifacts(run_id, RunLayout.PROGRAM_ARTIFACT, tmp)
            except Exception:
                raise ConfigError(f"run {run_id} has no {RunLayout.PROGRAM_ARTIFACT} artifact (only `redac optimize` "
                                  "runs log a compiled program)", field="run") from None
            state, saved = split_state(read_state(Path(local)))
            config = _run_yaml(client, run_id, RunLayout.CONFIG_ARTIFACT, tmp) or {}
            compiled_lm = _run_text(client, run_id, RunLayout.COMPILED_LM_ARTIFACT, tmp)
            metrics_text, metrics_origin = None, None
            for name in RUN_METRICS_ARTIFACTS:
                text = _run_text(client, run_id, name, tmp)
                if text is not None:
                    metrics_text, metrics_origin = text, f"run artifact {name}"
                    break
    if metrics_text is None and config.get("metrics"):
        metrics_text, metrics_origin = _read_optional(Path(config["metrics"]))
        if metrics_text is not None:
            metrics_origin = f"{metrics_origin} (read at export time: the run did not log its metric config)"
    params = run.data.params
    src = BundleSource(
        state=state,
        program_config=resolve_program_config(config.get("program") or {}, state, file=RunLayout.CONFIG_ARTIFACT,
                                              saved=saved),
        origin={"kind": "mlflow_run", "run_id": run_id, "run_name": run.info.run_name,
                "experiment_id": run.info.experiment_id, "tracking_uri": safe_uri(uri),
                "git_commit": params.get("git_commit")},
        lm=json.loads(compiled_lm) if compiled_lm else config.get("lm") if isinstance(config.get("lm"), dict) else None,
        metrics_text=metrics_text, metrics_origin=metrics_origin,
        scores=_scores_from_metrics(run.data.metrics),
        lift={k.removeprefix("lift."): v for k, v in run.data.metrics.items() if k.startswith("lift.")},
        trained_with={k.removeprefix("versions."): v for k, v in params.items() if k.startswith("versions.")},
    )
    if params.get("dataset_hash"):
        dataset = (config.get("dataset") or {}).get("path")
        src.dataset = {"path": dataset, "hash": params["dataset_hash"]}
    if not config:
        src.notes.append(f"run {run_id} has no {RunLayout.CONFIG_ARTIFACT}: LM and program config unknown")
    recorded = _recorded_model(Path(src.lm["replay_from"])) if src.lm and src.lm.get("replay_from") else None
    if recorded:
        src.notes.append(f"the replay recording was made with {recorded}")
    return src


def _recorded_model(path: Path | None) -> str | None:
    """``provider/model`` of a replay file's first record (which LM the recorded answers came from)."""
    try:
        with open(path, encoding="utf-8") as handle:  # type: ignore[arg-type]
            first = json.loads(next((line for line in handle if line.strip()), "{}"))
    except (OSError, TypeError, ValueError):
        return None
    return f"{first.get('provider')}/{first.get('model')}" if isinstance(first, dict) and first.get("model") else None


def _read_optional(path: Path) -> tuple[str | None, str | None]:
    try:
        return path.read_text(encoding="utf-8"), f"file {path}"
    except OSError:
        return None, None


def _run_text(client: MlflowClient, run_id: str, name: str, tmp: str) -> str | None:
    try:
        local = client.download_artifacts(run_id, name, tmp)
    except Exception:
        return None
    return Path(local).read_text(encoding="utf-8")


def _run_yaml(client: MlflowClient, run_id: str, name: str, tmp: str) -> dict[str, Any] | None:
    text = _run_text(client, run_id, name, tmp)
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML in run artifact: {exc}", file=name) from None
    return data if isinstance(data, dict) else None


def _scores_from_metrics(metrics: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """``compiled.<split>.<name>`` -> scores[split][name]; ``baseline.<split>.<name>`` -> scores[baseline.<split>].
    Eval runs (``<split>.<name>``) fill scores[split] directly."""
    out: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        parts = key.split(".", 2)
        if len(parts) == 3 and parts[0] in ("compiled", "baseline") and parts[1] in _SPLITS:
            group = parts[1] if parts[0] == "compiled" else f"baseline.{parts[1]}"
            out.setdefault(group, {})[parts[2]] = float(value)
    if not any(s in out for s in _SPLITS):
        for key, value in metrics.items():
            split, _, name = key.partition(".")
            if split in _SPLITS and name:
                out.setdefault(split, {})[name] = float(value)
    return out


def _scores_from_rows(run_dir: Path) -> dict[str, dict[str, float]]:
    """Scores of a local run folder (``compiled/<split>-r0.jsonl``, written by ``redac optimize``)."""
    from redac.experiments import EvalReport, RowStore

    out: dict[str, dict[str, float]] = {}
    for label, prefix in (("compiled", ""), ("baseline", "baseline.")):
        for split in _SPLITS:
            path = RunLayout(run_dir).rows(label, split)
            if path.is_file():
                rows = list(RowStore(path).load().values())
                if rows:
                    out[prefix + split] = EvalReport(split=split, rows=rows).summary()
    return out
