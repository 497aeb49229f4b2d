"""Pickle-free bundles of a compiled program: write, register, load.

A bundle is a directory of plain files that another service can read without redac's training stack:

* ``program.json``: the DSPy state (instructions, field descriptions, demos), as ``Module.save`` writes it;
* ``manifest.json``: what the state is and where it came from (format version, redac and DSPy versions,
  each predictor's fields and instructions, :class:`~redac.program.ProgramConfig`, LM settings without
  secrets, metric config digest, dataset hash, scores, package versions, file digests);
* ``metrics.yaml``: the metric config the scores were computed with (when known);
* ``model_card.md``: the same facts for a person.

Loading never unpickles and never trusts the state blindly: DSPy applies saved field descriptions to
the installed signature *by position* and ignores extra or missing ones, so a bundle read by another
redac or DSPy version could silently prompt with the wrong field texts. :func:`load` therefore checks
the format version and file digests, compares the installed predictors and fields with the manifest
before loading, and compares what was loaded with the manifest after; any difference is a
:class:`~redac.errors.RedacError` naming the file and the field.

The MLflow side logs the bundle as a "models from code" pyfunc (``redac/mlflow_model.py``: no
cloudpickle), registers a version, and moves the ``champion`` alias only when the new version beats
the current champion on the test split with the same dataset and metric config.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from redac.errors import ConfigError, RedacError, first_line
from redac.experiments import RunLayout

if TYPE_CHECKING:  # pragma: no cover

    from redac.article import Article
    from redac.lm import LMConfig
    from redac.program import RedacProgram

FORMAT = "redac-bundle"
FORMAT_VERSION = 1
PROGRAM_FILE = "program.json"
MANIFEST_FILE = "manifest.json"
METRICS_FILE = "metrics.yaml"
CARD_FILE = "model_card.md"
DEFAULT_MODEL_NAME = "redac"
CHAMPION = "champion"
MLFLOW_BUNDLE_ARTIFACT = "bundle"  # the pyfunc's artifact key; the bundle lands in <model>/artifacts/bundle
RUN_METRICS_ARTIFACTS = (RunLayout.METRICS_ARTIFACT, "metrics.yaml")  # the metric config, if the run logged it
TAG_PREFIX = "redac."
_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_SPLITS = ("train", "dev", "test")


# --------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------


class FieldSpec(BaseModel):
    name: str
    prefix: str = ""
    description: str = ""


class PredictorSpec(BaseModel):
    """One predictor as exported: what the installed program must match to load the state faithfully."""

    signature: str
    instructions: str
    inputs: list[FieldSpec]
    outputs: list[FieldSpec]
    demos: int


class Manifest(BaseModel):
    """``manifest.json``. Unknown keys are kept (a later redac may add some within the same format version)."""

    model_config = ConfigDict(extra="allow")

    format: str
    format_version: int
    id: str
    created_at: str
    redac_version: str
    dspy_version: str
    source: dict[str, Any]
    predictors: dict[str, PredictorSpec]
    program_config: dict[str, Any]
    lm: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    dataset: dict[str, Any] | None = None
    scores: dict[str, dict[str, float]] = {}
    lift: dict[str, Any] = {}
    packages: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    notes: list[str] = []

    def score(self, split: str = "test") -> float | None:
        value = self.scores.get(split, {}).get("composite")
        return float(value) if value is not None else None


# --------------------------------------------------------------------------------------------
# Collecting what goes into a bundle
# --------------------------------------------------------------------------------------------


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


def read_state(path: Path) -> dict[str, Any]:
    """A DSPy JSON state file as a dict; a pickle or anything else is refused by name."""
    if path.suffix == ".pkl":
        raise RedacError("pickled programs are not exported (they run code when loaded); save the program "
                         "with program.save('x.json')", file=str(path))
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RedacError("no such program file", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RedacError(f"not a JSON program state: {exc}", file=str(path)) from None
    if not isinstance(state, dict) or not any(isinstance(v, dict) and "signature" in v for v in state.values()):
        raise RedacError("not a DSPy program state (no predictor with a signature)", file=str(path))
    return state


def source_from_file(path: str | Path, config: str | Path | None = None) -> BundleSource:
    """A compiled program JSON (or a run folder holding ``compiled_program.json``), with the experiment
    config it came from for LM, metric and dataset facts. Scores come from the run folder's finished
    rows when the program is that config's own compiled program."""
    path = Path(path)
    if path.is_dir():
        path = RunLayout(path).program
    state, saved = split_state(read_state(path))
    src = BundleSource(state=state, program_config=_program_config({}, state, file=str(path), saved=saved),
                       origin={"kind": "file", "path": str(path)})
    if config is None:
        src.notes.append("exported without an experiment config: LM, metric config, dataset and scores unknown")
        return src
    from redac import tracking
    from redac.experiments import load_experiment

    cfg = load_experiment(config)
    src.origin["config"] = str(config)
    src.program_config = _program_config(cfg.program.overrides(), state, file=str(config), saved=saved)
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

    uri = _use_tracking(tracking_uri)
    client = MlflowClient()
    try:
        run = client.get_run(run_id)
    except Exception:
        raise ConfigError(f"no such MLflow run {run_id!r} in {_safe_uri(uri)}", field="run") from None
    with tempfile.TemporaryDirectory(prefix="redac-run-") as tmp:
        try:
            local = client.download_artifacts(run_id, RunLayout.PROGRAM_ARTIFACT, tmp)
        except Exception:
            raise ConfigError(f"run {run_id} has no {RunLayout.PROGRAM_ARTIFACT} artifact (only `redac optimize` runs "
                              "log a compiled program)", field="run") from None
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
            metrics_origin += " (read at export time: the run did not log its metric config)"
    params = run.data.params
    src = BundleSource(
        state=state,
        program_config=_program_config(config.get("program") or {}, state, file=RunLayout.CONFIG_ARTIFACT, saved=saved),
        origin={"kind": "mlflow_run", "run_id": run_id, "run_name": run.info.run_name,
                "experiment_id": run.info.experiment_id, "tracking_uri": _safe_uri(uri),
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


def _uses_reasoning(state: dict[str, Any]) -> bool:
    """ChainOfThought predictors save under ``<name>.predict``."""
    return any(key.endswith(".predict") for key in state if key != "metadata")


def split_state(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(predictor state, the ProgramConfig saved with it): a bundle keeps the config in its manifest."""
    from redac.program import CONFIG_KEY

    state = dict(state)
    saved = state.pop(CONFIG_KEY, None)
    return state, saved if isinstance(saved, dict) else {}


def _program_config(program: Mapping[str, Any], state: dict[str, Any], *, file: str,
                    saved: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """ProgramConfig fields: those saved with the program, then an experiment's ``program`` block (values it
    sets); the state decides ``reasoning``."""
    from redac.program import ProgramConfig

    known = set(ProgramConfig.model_fields)
    out = {k: v for k, v in (saved or {}).items() if k in known and k != "reasoning"}
    out.update({k: v for k, v in program.items() if k in known and v is not None})
    reasoning = _uses_reasoning(state)
    if "reasoning" in out and bool(out["reasoning"]) != reasoning:
        raise ConfigError(f"the config says reasoning={out['reasoning']} but the program state was saved "
                          f"{'with' if reasoning else 'without'} ChainOfThought", file=file, field="program.reasoning")
    out["reasoning"] = reasoning
    return ProgramConfig(**out).to_dict()


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


def _run_text(client, run_id: str, name: str, tmp: str) -> str | None:
    try:
        local = client.download_artifacts(run_id, name, tmp)
    except Exception:
        return None
    return Path(local).read_text(encoding="utf-8")


def _run_yaml(client, run_id: str, name: str, tmp: str) -> dict[str, Any] | None:
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


def _safe_uri(uri: str) -> str:
    """A tracking URI for the manifest: no credentials."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if parts.password or parts.username:
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=host))
    return uri


def _use_tracking(uri: str | None) -> str:
    """Point MLflow at ``uri`` (default: MLFLOW_TRACKING_URI or sqlite:///mlflow.db) without choosing an experiment."""
    import mlflow

    from redac import tracking

    resolved = tracking.resolve_uri(uri)
    tracking.check_reachable(resolved)
    if resolved.startswith("file:") or not re.match(r"^[a-z]+:", resolved):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    mlflow.set_tracking_uri(resolved)
    return resolved


# --------------------------------------------------------------------------------------------
# Writing a bundle
# --------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_program(program_config: Mapping[str, Any], *, file: str = MANIFEST_FILE) -> RedacProgram:
    """An empty program of the bundle's shape; unknown ProgramConfig keys (a newer redac) are refused by name."""
    from redac.program import ProgramConfig
    from redac.program import build_program as new_program

    known = set(ProgramConfig.model_fields)
    unknown = sorted(set(program_config) - known)
    if unknown:
        raise RedacError(f"unknown program setting {unknown[0]!r} (made by a newer redac?)", file=file,
                         field=f"program_config.{unknown[0]}")
    try:
        return new_program(program_config, file=file)
    except ConfigError as exc:
        raise RedacError(f"invalid program config: {exc.message}", file=file,
                         field=f"program_config.{exc.field}" if exc.field else "program_config") from None


def describe_predictors(program: RedacProgram) -> dict[str, PredictorSpec]:
    """What each predictor looks like once the state is loaded (the manifest's ``predictors``)."""
    out = {}
    for name, predictor in program.named_predictors():
        sig = predictor.signature

        def fields(items) -> list[FieldSpec]:
            return [FieldSpec(name=key, prefix=str(f.json_schema_extra.get("prefix", "")),
                              description=str(f.json_schema_extra.get("desc", ""))) for key, f in items.items()]

        out[name] = PredictorSpec(signature=_signature_name(program, name), instructions=sig.instructions,
                                  inputs=fields(sig.input_fields), outputs=fields(sig.output_fields),
                                  demos=len(predictor.demos))
    return out


def _signature_name(program: RedacProgram, name: str) -> str:
    """The Signature class the predictor was built from (load_state replaces the class with a copy)."""
    from redac import program as program_module

    step = name.split(".")[0]
    classes = {"extract": program_module.ExtractFacts, "plan": program_module.PlanArticle,
               "write": program_module.WriteSection}
    cls = classes.get(step)
    return cls.__name__ if cls is not None else type(getattr(program, step, None)).__name__


def _strip_lms(state: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Optimisers may leave an LM on a predictor; a bundle never carries one (the LM is chosen at load)."""
    out, dropped = {}, []
    for key, value in state.items():
        if isinstance(value, dict) and value.get("lm"):
            value = {**value, "lm": None}
            dropped.append(key)
        out[key] = value
    return out, dropped


def write_bundle(src: BundleSource, out: str | Path, *, force: bool = False) -> Path:
    """Write the bundle directory ``out`` (atomically: a sibling temp dir renamed into place)."""
    from importlib import metadata

    import dspy

    from redac import __version__, tracking

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not force:
            raise RedacError("output exists and is not empty (use --force to replace it)", file=str(out))
        if out.is_dir() and not (out / MANIFEST_FILE).is_file():
            raise RedacError("refusing to replace a directory that is not a redac bundle", file=str(out))
    state, dropped = _strip_lms(src.state)
    notes = list(src.notes)
    if dropped:
        notes.append(f"LM settings saved on predictors {', '.join(dropped)} were dropped: the LM is chosen at load")
    program = build_program(src.program_config)
    _check_structure(program, state, None, file=str(src.origin.get("path") or RunLayout.PROGRAM_ARTIFACT))
    program.load_state(state)
    predictors = describe_predictors(program)
    saved_versions = (state.get("metadata") or {}).get("dependency_versions") or {}
    dspy_version = str(saved_versions.get("dspy") or dspy.__version__)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a bundle is meant to be shared
    try:
        (tmp / PROGRAM_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        metrics = None
        if src.metrics_text is not None:
            (tmp / METRICS_FILE).write_text(src.metrics_text, encoding="utf-8")
            metrics = {"file": METRICS_FILE, "origin": src.metrics_origin,
                       "sha256": hashlib.sha256(src.metrics_text.encode("utf-8")).hexdigest()}
        bundle_id = hashlib.sha256(_canonical({k: v for k, v in state.items() if k != "metadata"})
                                   + _canonical(src.program_config)).hexdigest()[:12]
        exported_with = tracking.package_versions()
        exported_with["redac"] = __version__
        exported_with.setdefault("dspy", metadata.version("dspy"))
        manifest = Manifest(
            format=FORMAT, format_version=FORMAT_VERSION, id=bundle_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            redac_version=__version__, dspy_version=dspy_version, source=src.origin, predictors=predictors,
            program_config=src.program_config, lm=src.lm, metrics=metrics, dataset=src.dataset,
            scores=src.scores, lift=src.lift,
            packages={"trained_with": src.trained_with, "exported_with": exported_with},
            notes=notes,
        )
        (tmp / CARD_FILE).write_text(model_card(manifest), encoding="utf-8")
        manifest.files = {name: sha256_file(tmp / name) for name in (PROGRAM_FILE, METRICS_FILE, CARD_FILE)
                          if (tmp / name).is_file()}
        (tmp / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def model_card(m: Manifest) -> str:
    """A human-readable card: what the program is, what it was measured at, and what it cannot do."""
    lm = m.lm or {}
    lm_name = lm.get("model_name") or lm.get("model") or lm.get("provider") or "unknown"
    provider = lm.get("provider", "unknown")
    lines = [
        f"# redac program {m.id}",
        "",
        ("Rewrites a French news source (agency dispatch, scraped page, optional editor instruction line) into a "
         "French SEO article: title, meta description, slug, focus keyphrase, H2/H3 sections, at least the "
         "requested word count, keeping the source's facts and adding none."),
        "",
        "## Intended use",
        "",
        ("A drafting aid for a newsroom: every article goes to an editor before publication. Not for other "
         "languages, not for opinion pieces, not for sources the editor has not checked."),
        "",
        "## What is inside",
        "",
        f"- exported {m.created_at} by redac {m.redac_version} (DSPy {m.dspy_version}); format {m.format_version}",
        f"- source: {_describe_origin(m.source)}",
        f"- compiled with the LM `{lm_name}` (provider `{provider}`)",
        f"- program settings: {', '.join(f'{k}={v}' for k, v in m.program_config.items())}",
        "",
        "| predictor | signature | demos | instructions (start) |",
        "|---|---|---|---|",
    ]
    for name, spec in m.predictors.items():
        head = " ".join(spec.instructions.split())[:90].replace("|", "/")
        lines.append(f"| {name} | {spec.signature} | {spec.demos} | {head}… |")
    lines += ["", "## Scores", ""]
    if m.scores:
        lines += [("Composite and per-metric means in [0, 1] (higher is better), from the run that produced "
                   "the program."), "", "| split | composite | 95% CI | n | failed |", "|---|---|---|---|---|"]
        for split, values in sorted(m.scores.items()):
            ci = (f"[{values['composite_ci_low']:.3f}, {values['composite_ci_high']:.3f}]"
                  if "composite_ci_low" in values and "composite_ci_high" in values else "")
            lines.append(f"| {split} | {values.get('composite', float('nan')):.3f} | {ci} | "
                         f"{int(values.get('n', 0))} | {int(values.get('failed', 0))} |")
    else:
        lines.append("No scores were recorded for this program: evaluate it (`redac eval`) before relying on it.")
    dataset = m.dataset or {}
    metrics = m.metrics or {}
    lines += [
        "",
        f"- dataset: `{dataset.get('path', 'unknown')}` (hash `{dataset.get('hash', 'unknown')}`)",
        f"- metric config: `{METRICS_FILE}` (sha256 `{str(metrics['sha256'])[:16]}`, {metrics.get('origin')})"
        if metrics else "- metric config: not included",
        "",
        "## Limits",
        "",
    ]
    if provider == "embedded" or "270m" in f"{lm_name} {' '.join(m.notes)}".lower():
        lines.append("- The program was compiled against the embedded LM, Gemma 3 270M, a *base* (not "
                     "instruction-tuned) model of 270M parameters: its articles are far below publishable "
                     "quality and its scores say little about a real model. Serve it with a capable LM "
                     "(`--lm openai/...`) and re-evaluate.")
    if provider == "replay":
        lines.append("- The program was compiled against recorded LM answers (replay): its scores measure "
                     "those recordings, not a live model.")
    lines += [
        ("- Scores come from automatic metrics (fact recall and precision, coverage, length, headings, SEO, "
         "language, readability); they miss subtle distortions, wrong emphasis and tone. An editor checks "
         "every article."),
        "- Few-shot demos are stored verbatim in `program.json`: they are excerpts of the labelled set.",
        ("- The test split chooses the `champion`; choosing often among many candidates on it makes its score "
         "optimistic."),
        "",
        "## Use",
        "",
        "```python",
        "import redac",
        'rewrite = redac.load("path/to/this/bundle")   # or "models:/NAME@champion"',
        "article = rewrite(open(\"source.txt\").read(), lm=\"openai/gpt-4o-mini\")",
        "print(article.to_markdown())",
        "```",
        "",
        "`redac serve BUNDLE --lm SPEC` serves it over HTTP (see docs/export.md).",
    ]
    if m.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in m.notes]
    return "\n".join(lines) + "\n"


def _describe_origin(origin: Mapping[str, Any]) -> str:
    if origin.get("kind") == "mlflow_run":
        return f"MLflow run `{origin.get('run_id')}` ({origin.get('run_name')}), commit `{origin.get('git_commit')}`"
    text = f"program file `{origin.get('path')}`"
    if origin.get("config"):
        text += f", experiment config `{origin['config']}`"
    return text


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def read_manifest(bundle: Path) -> Manifest:
    """``manifest.json`` of a bundle, with the format checked first (a clear error for a newer format)."""
    path = bundle / MANIFEST_FILE
    if not bundle.is_dir():
        raise RedacError("no such bundle directory", file=str(bundle))
    if not path.is_file():
        raise RedacError(f"not a redac bundle: no {MANIFEST_FILE}", file=str(bundle))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RedacError(f"unreadable manifest: {exc}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RedacError(f"not a redac bundle manifest (format is not {FORMAT!r})", file=str(path), field="format")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT_VERSION:
        raise RedacError(f"unsupported bundle format version {version!r}; this redac reads version "
                         f"{FORMAT_VERSION} (upgrade redac, or re-export the program with this one)",
                         file=str(path), field="format_version")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RedacError(err["msg"], file=str(path), field=".".join(str(p) for p in err["loc"])) from None


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:2])


def _check_structure(program: RedacProgram, state: Mapping[str, Any], manifest: Manifest | None, *,
                     file: str) -> None:
    """Before loading: the installed program has exactly the bundle's predictors and fields.

    DSPy would otherwise apply saved field texts by position and drop the rest without a word.
    """
    installed = dict(program.named_predictors())
    saved = sorted(k for k in state if k != "metadata")
    if sorted(installed) != saved:
        raise RedacError(f"the program state has predictors {saved}, this redac's program has {sorted(installed)}",
                         file=file, field="predictors")
    for name, predictor in installed.items():
        sig = predictor.signature
        saved_fields = (state[name].get("signature") or {}).get("fields") or []
        n_fields = len(sig.input_fields) + len(sig.output_fields)
        if len(saved_fields) != n_fields:
            raise RedacError(f"predictor {name!r} has {len(saved_fields)} saved fields, this redac's signature "
                             f"has {n_fields}", file=file, field=f"{name}.signature.fields")
        if manifest is not None:
            spec = manifest.predictors.get(name)
            if spec is None:
                raise RedacError(f"the manifest does not describe predictor {name!r}", file=MANIFEST_FILE,
                                 field=f"predictors.{name}")
            for kind, live, specs in (("inputs", sig.input_fields, spec.inputs),
                                      ("outputs", sig.output_fields, spec.outputs)):
                want = [f.name for f in specs]
                if list(live) != want:
                    raise RedacError(f"predictor {name!r} was exported with {kind} {want}; this redac's "
                                     f"{spec.signature} has {list(live)} (bundle made by redac "
                                     f"{manifest.redac_version})", file=MANIFEST_FILE,
                                     field=f"predictors.{name}.{kind}")
        allowed = set(sig.input_fields) | set(sig.output_fields) | {"augmented", "reasoning"}
        for i, demo in enumerate(state[name].get("demos") or []):
            extra = sorted(set(demo) - allowed) if isinstance(demo, dict) else ["<not a mapping>"]
            if extra:
                raise RedacError(f"demo {i} of predictor {name!r} has fields {extra} that its signature lacks",
                                 file=file, field=f"{name}.demos[{i}]")


def _check_loaded(program: RedacProgram, manifest: Manifest) -> None:
    """After loading: what DSPy made of the state is what the exporter saw (instructions, field texts, demos)."""
    loaded = describe_predictors(program)
    for name, spec in manifest.predictors.items():
        got = loaded.get(name)
        if got is None:
            raise RedacError(f"predictor {name!r} is missing after loading", file=MANIFEST_FILE,
                             field=f"predictors.{name}")
        for attr in ("instructions", "inputs", "outputs", "demos"):
            if getattr(got, attr) != getattr(spec, attr):
                raise RedacError(
                    f"after loading program.json with DSPy {_installed_dspy()}, predictor {name!r} {attr} differ "
                    f"from the manifest (exported with DSPy {manifest.dspy_version}); the bundle cannot be used "
                    f"faithfully with this DSPy: install dspy=={manifest.dspy_version} or re-export",
                    file=MANIFEST_FILE, field=f"predictors.{name}.{attr}")


def _installed_dspy() -> str:
    import dspy

    return dspy.__version__


@dataclass
class RewriteOutput:
    """One rewrite: the article and what the program noticed on the way."""

    article: Article
    facts: list[str]
    warnings: list[str]
    repairs: list[str]
    seconds: float


class LoadedProgram:
    """A bundle loaded for use: ``loaded(raw_source) -> Article``; ``loaded.run(...)`` for the details.

    ``lm`` (per call or as the default) is an LM spec (``"openai/gpt-4o-mini"``, ``"embedded"``, ``"replay:F"``),
    an :class:`~redac.lm.LMConfig`, or any ``dspy.BaseLM``; without one, the LM the program was compiled with is
    rebuilt from the manifest (API keys come from the environment variable it names). Calls are thread-safe for
    remote LMs; the embedded model serialises its own calls.
    """

    def __init__(self, path: Path, manifest: Manifest, program: RedacProgram, warnings: list[str]) -> None:
        self.path = path
        self.manifest = manifest
        self.program = program
        self.warnings = warnings
        self._lms: dict[Any, tuple[Any, Any]] = {}
        self._programs: dict[int, RedacProgram] = {}
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self.manifest.id

    def __repr__(self) -> str:
        return f"LoadedProgram(id={self.id!r}, path={str(self.path)!r})"

    def __call__(self, raw_source: str, *, lm: Any = None, targets: Mapping[str, Any] | None = None) -> Article:
        return self.run(raw_source, lm=lm, targets=targets).article

    def run(self, raw_source: str, *, lm: Any = None, targets: Mapping[str, Any] | None = None,
            name: str = "source") -> RewriteOutput:
        """Clean the raw source, run the program, return the article with facts, warnings and repairs.

        Raises :class:`~redac.errors.SourceError` for an unusable source, :class:`~redac.errors.LMError`
        when the LM fails, :class:`~redac.errors.ConfigError` for bad targets or LM settings.
        """
        import dspy

        from redac.sources import Targets, clean

        start = time.perf_counter()
        source = clean(raw_source, name=name)
        if targets:
            unknown = sorted(set(targets) - set(Targets.model_fields))
            if unknown:
                raise ConfigError(f"unknown target {unknown[0]!r}", field=f"targets.{unknown[0]}")
            try:
                Targets.model_validate({**source.targets.model_dump(), **dict(targets)})
            except ValidationError as exc:
                err = exc.errors()[0]
                raise ConfigError(err["msg"], field="targets." + ".".join(str(p) for p in err["loc"])) from None
        language_model, adapter = self.resolve_lm(lm)
        program = self._program_for(getattr(language_model, "context_window", None))
        with dspy.context(lm=language_model, adapter=adapter):
            pred = program(source=source, targets=dict(targets) if targets else None)
        return RewriteOutput(article=pred.article, facts=list(pred.facts), warnings=list(pred.warnings),
                             repairs=list(pred.repairs), seconds=time.perf_counter() - start)

    def resolve_lm(self, lm: Any = None) -> tuple[Any, Any]:
        """``(dspy LM, adapter)`` for a call; built once per spec/config and reused."""
        import dspy

        from redac.lm import LMConfig, adapter_for, build_lm, parse_lm_spec

        if isinstance(lm, dspy.BaseLM):
            config = getattr(lm, "redac_config", None)
            if isinstance(config, LMConfig):
                return lm, adapter_for(config)
            own = getattr(lm, "adapter", None)  # DummyLM formats its answers for this adapter
            return lm, own if isinstance(own, dspy.Adapter) else dspy.ChatAdapter()
        key = lm.model_dump_json() if isinstance(lm, LMConfig) else lm
        with self._lock:
            if key not in self._lms:
                if lm is None:
                    cfg = default_lm_config(self.manifest)
                elif isinstance(lm, str):
                    cfg = parse_lm_spec(lm)
                elif isinstance(lm, LMConfig):
                    cfg = lm
                else:
                    raise ConfigError(f"lm must be a spec string, an LMConfig or a dspy.BaseLM, not "
                                      f"{type(lm).__name__}", field="lm")
                self._lms[key] = (build_lm(cfg), adapter_for(cfg))
            return self._lms[key]

    def _program_for(self, context_window: int | None) -> RedacProgram:
        """The program sized for an LM's context window (a copy per window, so concurrent LMs never race)."""
        if not context_window:
            return self.program
        with self._lock:
            if context_window not in self._programs:
                copy = self.program.deepcopy()
                copy.config.context_tokens = int(context_window)
                self._programs[context_window] = copy
            return self._programs[context_window]


def unflatten_lm(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``LMConfig.public_dict()`` (dotted keys) back to a nested mapping; price keys may hold dots (gpt-4.1)."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        if "prices" in parts and parts[-1] in ("input", "output"):
            i = parts.index("prices")
            parts = [*parts[: i + 1], ".".join(parts[i + 1:-1]), parts[-1]]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def default_lm_config(manifest: Manifest) -> LMConfig:
    """The LM the program was compiled with, from the manifest's public settings (secrets from the environment).

    A replay recording stands for its live fallback; run-local paths (record/replay files, cache folder)
    are dropped.
    """
    from redac.lm import LMConfig

    if not manifest.lm:
        raise ConfigError("the bundle names no LM: choose one (--lm SPEC, or lm= in Python)", file=MANIFEST_FILE,
                          field="lm")
    data = unflatten_lm(manifest.lm)
    data.pop("model_name", None)
    if data.get("provider") == "replay":
        if not isinstance(data.get("fallback"), dict):
            raise ConfigError("the program was compiled against a replay recording with no live fallback: "
                              "choose an LM (--lm SPEC, or lm= in Python)", file=MANIFEST_FILE, field="lm")
        data = data["fallback"]
    for key in ("record_to", "replay_from", "cache_dir", "fallback"):
        data.pop(key, None)
    expected = data.pop("adapter_sha256", None)
    cfg = LMConfig.from_dict(data, file=MANIFEST_FILE, prefix="lm")
    check_adapter(cfg, expected)
    return cfg


def check_adapter(cfg: LMConfig, expected_sha256: str | None) -> None:
    """A bundle compiled with a fine-tuned adapter runs only with those exact weights."""
    from redac.lm.config import resolve_adapter

    adapter = resolve_adapter(cfg)
    found = adapter.sha256 if adapter is not None else None
    if expected_sha256 and found != expected_sha256:
        raise ConfigError(f"the bundle was compiled with adapter {cfg.adapter!r} sha256 {expected_sha256[:12]}, "
                          f"this installation has {found[:12] if found else 'none'}: install that adapter or "
                          "choose an LM (--lm SPEC)", file=MANIFEST_FILE, field="lm.adapter")


def is_registry_ref(ref: str) -> bool:
    return str(ref).startswith(("models:/", "runs:/"))


def fetch_bundle(ref: str, *, tracking_uri: str | None = None, dest: str | Path | None = None) -> Path:
    """Download a registered model (``models:/NAME@ALIAS``, ``models:/NAME/VERSION``, ``runs:/ID/model``) and
    return the bundle directory inside it. Only files are copied; no model code runs."""
    import mlflow

    _use_tracking(tracking_uri)
    target = Path(dest) if dest is not None else Path(tempfile.mkdtemp(prefix="redac-bundle-"))
    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=ref, dst_path=str(target)))
    except Exception as exc:
        raise ConfigError(f"cannot fetch {ref}: {first_line(exc) or type(exc).__name__}", field="bundle") from None
    return _bundle_in_model(local, ref)


def _bundle_in_model(local: Path, ref: str) -> Path:
    """The bundle directory of a downloaded pyfunc model: where its MLmodel says the ``bundle`` artifact is."""
    if (local / MANIFEST_FILE).is_file():
        return local
    try:
        mlmodel = yaml.safe_load((local / "MLmodel").read_text(encoding="utf-8")) or {}
        relative = mlmodel["flavors"]["python_function"]["artifacts"][MLFLOW_BUNDLE_ARTIFACT]["path"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise RedacError(f"{ref} is not a redac model (no '{MLFLOW_BUNDLE_ARTIFACT}' artifact in its MLmodel)",
                         file=str(local / "MLmodel")) from None
    bundle = (local / relative).resolve()
    if local.resolve() not in bundle.parents or not (bundle / MANIFEST_FILE).is_file():
        raise RedacError(f"{ref}: the bundle artifact {relative!r} holds no {MANIFEST_FILE}", file=str(local))
    return bundle


def load(ref: str | Path, *, tracking_uri: str | None = None) -> LoadedProgram:
    """Load a bundle directory or a registered model (``models:/NAME@champion``) for use.

    JSON only: nothing is unpickled and no code from the bundle runs. A bundle made by another redac or
    DSPy version loads when its predictors, fields, instructions and demos come out exactly as the
    manifest records them, and raises :class:`RedacError` naming the file and field otherwise.
    """
    bundle = fetch_bundle(str(ref), tracking_uri=tracking_uri) if is_registry_ref(str(ref)) else Path(ref)
    manifest = read_manifest(bundle)
    warnings: list[str] = []
    program_path = bundle / PROGRAM_FILE
    if not program_path.is_file():
        raise RedacError(f"the bundle has no {PROGRAM_FILE}", file=str(bundle))
    # Only the state is checked: the card and metric config are documents a person may annotate.
    digest = manifest.files.get(PROGRAM_FILE)
    if digest is None:
        raise RedacError(f"the manifest has no digest for {PROGRAM_FILE}", file=str(bundle / MANIFEST_FILE),
                         field=f"files.{PROGRAM_FILE}")
    if sha256_file(program_path) != digest:
        raise RedacError(f"{PROGRAM_FILE} does not match its digest in the manifest (edited after export?); "
                         "re-export the bundle", file=str(program_path), field=f"files.{PROGRAM_FILE}")
    from redac import __version__

    installed_dspy = _installed_dspy()
    if _minor(manifest.dspy_version) != _minor(installed_dspy):
        warnings.append(f"bundle made with DSPy {manifest.dspy_version}, running {installed_dspy}: "
                        "predictors, fields, instructions and demos verified after loading")
    if manifest.redac_version != __version__:
        warnings.append(f"bundle made by redac {manifest.redac_version}, running {__version__}: structure verified")
    state = read_state(program_path)
    if any(isinstance(v, dict) and v.get("lm") for v in state.values()):
        raise RedacError("the program state carries an LM; bundles never do", file=str(program_path), field="lm")
    program = build_program(manifest.program_config, file=str(bundle / MANIFEST_FILE))
    _check_structure(program, state, manifest, file=str(program_path))
    try:
        program.load_state(state)
    except Exception as exc:  # DSPy raises KeyError/TypeError/ValueError on states it cannot read
        raise RedacError(f"DSPy {installed_dspy} cannot load this state (exported with DSPy "
                         f"{manifest.dspy_version}): {type(exc).__name__}: {exc}", file=str(program_path)) from None
    _check_loaded(program, manifest)
    return LoadedProgram(bundle, manifest, program, warnings)


# --------------------------------------------------------------------------------------------
# MLflow Model Registry
# --------------------------------------------------------------------------------------------


@dataclass
class RegistryResult:
    model_name: str
    version: str
    model_uri: str
    champion_moved: bool
    reason: str
    previous_champion: str | None = None
    run_id: str | None = None


def _mlflow_model_file() -> str:
    return str(Path(__file__).with_name("mlflow_model.py"))


def register_bundle(bundle: str | Path, *, model_name: str = DEFAULT_MODEL_NAME, tracking_uri: str | None = None,
                    experiment: str = "redac") -> RegistryResult:
    """Log the bundle as a pickle-free pyfunc model, register a version, then decide the champion.

    The model is logged into the bundle's source run when it came from one (lineage in the UI), else into a
    new ``export`` run of ``experiment``.
    """
    from importlib import metadata

    import mlflow
    from mlflow.tracking import MlflowClient

    from redac import __version__, tracking

    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    uri = _use_tracking(tracking_uri)
    run_id = manifest.source.get("run_id") if manifest.source.get("kind") == "mlflow_run" else None
    if run_id is not None:
        try:
            MlflowClient().get_run(run_id)
        except Exception:
            run_id = None  # the bundle was made against another store: log into a fresh run here
    if run_id is None:
        tracking.setup(uri, experiment)
    requirements = [f"redac=={__version__}", f"dspy=={metadata.version('dspy')}",
                    f"mlflow=={metadata.version('mlflow')}"]
    ctx = mlflow.start_run(run_id=run_id) if run_id else \
        mlflow.start_run(run_name=f"export:{manifest.id}", tags={"redac.kind": "export"})
    with ctx as active:
        info = mlflow.pyfunc.log_model(
            name="model", python_model=_mlflow_model_file(), artifacts={MLFLOW_BUNDLE_ARTIFACT: str(bundle)},
            pip_requirements=requirements, registered_model_name=model_name,
            model_config={"lm": ""},  # declared so load_model(model_config={"lm": SPEC}) may set it
            tags={f"{TAG_PREFIX}bundle_id": manifest.id},
        )
        active_id = active.info.run_id
    version = str(info.registered_model_version)
    client = MlflowClient()
    for key, value in version_tags(manifest).items():
        client.set_model_version_tag(model_name, version, key, value)
    moved, reason, previous = decide_champion(client, model_name, version, manifest)
    return RegistryResult(model_name=model_name, version=version, model_uri=f"models:/{model_name}/{version}",
                          champion_moved=moved, reason=reason, previous_champion=previous, run_id=active_id)


def version_tags(manifest: Manifest) -> dict[str, str]:
    """What the champion decision compares, stored on the model version."""
    tags = {"bundle_id": manifest.id, "redac_version": manifest.redac_version, "dspy_version": manifest.dspy_version,
            "dataset_hash": (manifest.dataset or {}).get("hash") or "",
            "metrics_sha256": (manifest.metrics or {}).get("sha256") or "",
            "source_run_id": manifest.source.get("run_id") or ""}
    for split in ("dev", "test"):
        score = manifest.score(split)
        if score is not None:
            tags[f"{split}_composite"] = repr(score)
    return {TAG_PREFIX + k: v for k, v in tags.items() if v != ""}


def decide_champion(client, model_name: str, version: str, manifest: Manifest) -> tuple[bool, str, str | None]:
    """Move ``champion`` to ``version`` only if its test composite beats the champion's, measured on the same
    dataset with the same metric config. Returns (moved, why, previous champion version)."""
    score = manifest.score("test")
    aliases = client.get_registered_model(model_name).aliases or {}  # a failing store raises: never a blind move
    previous = str(aliases[CHAMPION]) if CHAMPION in aliases else None
    current = client.get_model_version(model_name, previous) if previous is not None else None
    if score is None:
        return False, "the bundle has no test score (only programs from an optimize run compete)", previous
    if current is None:
        client.set_registered_model_alias(model_name, CHAMPION, version)
        return True, f"first champion (test composite {score:.4f})", None
    tags = current.tags or {}
    best = tags.get(f"{TAG_PREFIX}test_composite")
    if best is None:
        return False, f"champion version {previous} has no {TAG_PREFIX}test_composite tag to compare with", previous
    for key, label in (("dataset_hash", "dataset"), ("metrics_sha256", "metric config")):
        mine, theirs = version_tags(manifest).get(TAG_PREFIX + key), tags.get(TAG_PREFIX + key)
        if mine and theirs and mine != theirs:
            return False, (f"not comparable with champion version {previous}: different {label} "
                           f"({mine[:12]} vs {theirs[:12]})"), previous
    if score > float(best):
        client.set_registered_model_alias(model_name, CHAMPION, version)
        return True, f"test composite {score:.4f} beats champion version {previous} ({float(best):.4f})", previous
    return False, f"test composite {score:.4f} does not beat champion version {previous} ({float(best):.4f})", previous


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    bundle: Path
    manifest: Manifest
    registry: RegistryResult | None = None

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.bundle.iterdir() if p.is_file())


def export(ref: str | Path, out: str | Path, *, config: str | Path | None = None, tracking_uri: str | None = None,
           register: bool = True, model_name: str = DEFAULT_MODEL_NAME, force: bool = False) -> ExportResult:
    """``redac export``: a program file/run folder or an MLflow run id -> bundle (-> registry + champion)."""
    text = str(ref)
    if Path(text).exists():
        src = source_from_file(text, config)
    elif _RUN_ID.match(text):
        if config is not None:
            raise ConfigError("--config applies to a program file; a run carries its own config", field="config")
        src = source_from_run(text, tracking_uri)
    else:
        raise RedacError("neither an existing program file/run folder nor an MLflow run id (32 hex digits)",
                         file=text)
    bundle = write_bundle(src, out, force=force)
    manifest = read_manifest(bundle)
    result = ExportResult(bundle=bundle, manifest=manifest)
    if register:
        result.registry = register_bundle(bundle, model_name=model_name, tracking_uri=tracking_uri)
    return result
