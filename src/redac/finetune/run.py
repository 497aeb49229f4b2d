"""``redac finetune CONFIG``: step examples -> LoRA on the embedded model -> GGUF adapter + program.

The result is an *adapter folder* that the embedded LM loads with ``lm: {provider: embedded, adapter:
FOLDER}``::

    adapter.gguf    llama.cpp LoRA adapter (served with the base GGUF)
    program.json    the program it was trained for (its prompts, no demos, its config)
    manifest.json   base model and adapter digests, training data digest, settings, loss, time, memory

Tracked in MLflow (params, loss per update, loss curve, data digest, the folder as artifacts).
"""

from __future__ import annotations

import json
import statistics
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.errors import ConfigError
from redac.finetune.config import FinetuneConfig
from redac.finetune.examples import StepExample, build_examples, examples_digest

if TYPE_CHECKING:
    from rich.progress import Progress

ADAPTER_FILE = "adapter.gguf"
PROGRAM_FILE = "program.json"
MANIFEST_FILE = "manifest.json"


@dataclass
class FinetuneResult:
    folder: Path
    manifest: dict[str, Any]
    run_id: str | None = None


def training_records(cfg: FinetuneConfig) -> list:
    from redac.dataset import load_jsonl

    records = sorted((r for r in load_jsonl(cfg.dataset.path) if r.split == cfg.dataset.split), key=lambda r: r.id)
    if cfg.dataset.ids:
        wanted = set(cfg.dataset.ids)
        missing = wanted - {r.id for r in records}
        if missing:
            raise ConfigError(f"not in the {cfg.dataset.split} split: {', '.join(sorted(missing))}",
                              field="dataset.ids")
        records = [r for r in records if r.id in wanted]
    records = [r for r in records if r.id not in set(cfg.dataset.exclude_ids)]
    if cfg.dataset.limit:
        records = records[: cfg.dataset.limit]
    if not records:
        raise ConfigError("no training records", field="dataset")
    return records


def student_program(cfg: FinetuneConfig):
    """The program whose prompts are learnt: its instructions, no demos (the adapter replaces them)."""
    from redac.api import load_program

    program = load_program(cfg.program)
    for _, predictor in program.named_predictors():
        predictor.demos = []
    program.config.facts = cfg.facts
    program.config.verify = cfg.verify
    program.config.dedupe = cfg.dedupe
    return program


def teacher_examples(cfg: FinetuneConfig, program, records) -> tuple[list[StepExample], dict[str, Any]]:
    """Step examples from a teacher program's traces: the program runs on the capable LM, each
    article is scored, and only articles that pass every metric threshold give examples."""
    import dspy

    from redac.finetune.examples import render
    from redac.lm import adapter_for, build_lm, check_lm
    from redac.metrics import load_metrics_config, score
    from redac.sources import clean

    assert cfg.teacher is not None
    check_lm(cfg.teacher)
    lm = build_lm(cfg.teacher)
    metrics_cfg = load_metrics_config(cfg.metrics)
    out: list[StepExample] = []
    kept, dropped = [], []
    names = {id(p): n.split(".")[0] for n, p in program.named_predictors()}
    for record in records:
        src = clean(record.source, name=record.id)
        with dspy.context(lm=lm, adapter=adapter_for(cfg.teacher), trace=[]):
            pred = program(source=src)
            trace = list(dspy.settings.trace)
        result = score(pred.article, src, gold=record.gold.to_article(), facts=record.facts, cfg=metrics_cfg)
        if result.failing(metrics_cfg.thresholds):
            dropped.append(record.id)
            continue
        kept.append(record.id)
        for i, (predictor, inputs, prediction) in enumerate(trace):
            step = names.get(id(predictor))
            if step not in cfg.steps:
                continue
            signature = getattr(predictor, "predict", predictor).signature
            outputs = {k: prediction[k] for k in signature.output_fields}
            prompt, target = render(signature, dict(inputs), outputs)
            out.append(StepExample(id=f"{record.id}/{step}/{i}", record=record.id, step=step, prompt=prompt,
                                   target=target))
    return out, {"teacher_kept": kept, "teacher_dropped": dropped}


@dataclass
class Prepared:
    """Everything training needs that is cheap to build: records, the student program, the examples."""

    records: list
    program: Any
    examples: list[StepExample]
    extra: dict[str, Any]


def prepare(cfg: FinetuneConfig) -> Prepared:
    """Records, the student program and its step examples (from golds, or from a teacher's traces)."""
    records = training_records(cfg)
    program = student_program(cfg)
    if cfg.teacher is not None:
        examples, extra = teacher_examples(cfg, program, records)
    else:
        examples, extra = build_examples(program, records, steps=cfg.steps), {}
    if not examples:
        raise ConfigError("no training examples (every teacher article failed the thresholds?)", field="teacher")
    return Prepared(records=records, program=program, examples=examples, extra=extra)


# Measured on the 2-core machine (LoRA r=16, no gradient checkpointing): seconds per example ~ a + b x chars.
_SECONDS_PER_EXAMPLE = 0.8
_SECONDS_PER_KCHAR = 2.2


def describe_plan(cfg: FinetuneConfig, plan: Prepared) -> str:
    """What a run would train on, and roughly how long it would take on 2 cores."""
    by_step = {s: sum(1 for e in plan.examples if e.step == s) for s in cfg.steps}
    chars = sum(len(e.prompt) + len(e.target) for e in plan.examples)
    seconds = cfg.lora.epochs * (_SECONDS_PER_EXAMPLE * len(plan.examples) + _SECONDS_PER_KCHAR * chars / 1000)
    steps = ", ".join(f"{n} {s}" for s, n in by_step.items())
    return (f"{cfg.name}: {len(plan.records)} train records -> {len(plan.examples)} examples ({steps}), "
            f"data digest {examples_digest(plan.examples)}; {cfg.lora.epochs} epoch(s), about "
            f"{seconds / 60:.0f} min on 2 cores (budget {cfg.budget_minutes:g} min); nothing was trained")


def _require_training_stack() -> None:
    import importlib.util

    missing = [m for m in ("torch", "transformers", "peft", "gguf") if importlib.util.find_spec(m) is None]
    if missing:
        raise ConfigError(f"redac finetune needs {', '.join(missing)}: pip install 'redac[train]'", field="lora")


def finetune(cfg: FinetuneConfig, *, resume: bool = True, progress: bool = True,
             out: Path | None = None, config_path: Path | None = None) -> FinetuneResult:
    """Train, convert and write the adapter folder (``out`` or ``<output_dir>/<name>/``).
    ``config_path`` (the YAML the config came from) is recorded in the manifest's command."""
    from redac.lm.config import LMConfig, embedded_model_path

    _require_training_stack()
    plan = prepare(cfg)
    base = embedded_model_path(LMConfig(provider="embedded", model_path=cfg.base_model))
    run_dir = cfg.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_jsonl(run_dir / "examples.jsonl", [e.to_dict() for e in plan.examples])
    folder = Path(out) if out is not None else run_dir
    with _tracking(cfg) as tracker:
        manifest = _train_and_write(cfg, plan.program, plan.examples, base, run_dir, folder, resume=resume,
                                    progress=progress, tracker=tracker, extra=plan.extra, config_path=config_path)
        return FinetuneResult(folder=folder, manifest=manifest, run_id=tracker.run_id if tracker else None)


def _train_and_write(cfg, program, examples, base: Path, run_dir: Path, folder: Path, *, resume, progress,
                     tracker, extra, config_path: Path | None = None) -> dict[str, Any]:
    from redac.digest import file_sha256
    from redac.finetune.convert import convert
    from redac.finetune.train import attach_lora, encode, load_base, train

    start = time.monotonic()
    model, tokenizer = load_base(base, threads=cfg.lora.threads)
    load_s = time.monotonic() - start
    data, skipped = encode(tokenizer, examples, cfg.lora.max_tokens)
    if not data:
        raise ConfigError(f"every example is longer than lora.max_tokens={cfg.lora.max_tokens}",
                          field="lora.max_tokens")
    model = attach_lora(model, cfg.lora)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    digest = examples_digest(examples)
    if tracker:
        tracker.per_epoch = len(data)
        tracker.params({"config": cfg.public_dict(), "data_digest": digest, "examples": len(data),
                        "skipped": len(skipped), "trainable_parameters": trainable, "base_model": base.name,
                        **{f"examples_{s}": sum(1 for d in data if d.step == s) for s in cfg.steps}})
    with _progress(progress, len(data) * cfg.lora.epochs) as bar:
        result = train(model, data, cfg.lora, run_dir, resume=resume, budget_s=cfg.budget_minutes * 60,
                       on_example=bar, on_update=tracker.update if tracker else None)
    folder.mkdir(parents=True, exist_ok=True)
    adapter = convert(result.adapter_dir, folder / ADAPTER_FILE, arch_name=model.config.model_type.replace(
        "_text", ""), n_layers=model.config.num_hidden_layers)
    _save_program(program, folder / PROGRAM_FILE)
    losses = result.state.losses
    per_epoch = len(data)
    manifest = {
        "name": cfg.name,
        "format": "redac-adapter/1",
        "base_model": {"file": base.name, "sha256": file_sha256(base)},
        "adapter": {"file": ADAPTER_FILE, "sha256": file_sha256(adapter), "bytes": adapter.stat().st_size,
                    "rank": cfg.lora.rank, "alpha": cfg.lora.alpha, "target_modules": cfg.lora.target_modules},
        "program": {"file": PROGRAM_FILE, "facts": cfg.facts, "verify": cfg.verify, "steps": cfg.steps},
        "data": {"path": str(cfg.dataset.path), "split": cfg.dataset.split, "digest": digest,
                 "records": len({e.record for e in examples}), "examples": len(data), "skipped": skipped,
                 "by_step": {s: sum(1 for d in data if d.step == s) for s in cfg.steps}, **extra},
        "training": {"settings": cfg.lora.model_dump(), "epochs_done": result.state.epoch,
                     "examples_seen": result.state.seen, "updates": result.state.step,
                     "stopped": result.stopped, "seconds": round(result.state.seconds, 1),
                     "load_seconds": round(load_s, 1), "peak_rss_gb": round(result.peak_rss_gb, 2),
                     "trainable_parameters": trainable,
                     "loss_first_epoch": _mean(losses[:per_epoch]), "loss_last_epoch": _mean(losses[-per_epoch:])},
        "decoding": cfg.decoding.model_dump(),
        "config": cfg.public_dict(),
        "command": f"redac finetune {config_path or '<config>'} --out {folder}",
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if tracker:
        tracker.finish(manifest, losses, folder)
    return manifest


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _save_program(program, path: Path) -> None:
    program.save(str(path))


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


# ---- progress and tracking -------------------------------------------------------------------------
class _Bar:
    def __init__(self, progress, task) -> None:
        self.progress, self.task = progress, task
        self.recent: list[float] = []

    def __call__(self, state, example, loss: float) -> None:
        self.recent = (self.recent + [loss])[-16:]
        self.progress.update(self.task, completed=state.seen,
                             description=f"epoch {state.epoch + 1} loss {statistics.fmean(self.recent):.3f}")


class _progress:
    """A Rich bar with the running loss and time left; a no-op callback when disabled."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._progress: Progress | None = None

    def __enter__(self):
        if not self.enabled:
            return lambda *a: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TimeRemainingColumn())
        self._progress.__enter__()
        return _Bar(self._progress, self._progress.add_task("training", total=self.total))

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


class _Tracker:
    def __init__(self, run) -> None:
        self.run_id = run.info.run_id
        self.per_epoch = 1  # examples per epoch, known once the data is encoded

    def params(self, values: dict[str, Any]) -> None:
        from redac import tracking

        tracking.log_params({**values, "git_commit": tracking.git_commit(), **tracking.package_versions()})

    def update(self, state, lr: float) -> None:
        from redac import tracking

        tracking.log_metrics({"train_loss": statistics.fmean(state.losses[-4:]), "learning_rate": lr,
                              "epoch": state.epoch + state.index / self.per_epoch}, step=state.step)

    def finish(self, manifest: dict, losses: list[float], folder: Path) -> None:
        per_epoch = manifest["data"]["examples"]
        from redac import tracking

        training = manifest["training"]
        tracking.log_metrics({k: float(training[k]) for k in ("seconds", "peak_rss_gb", "load_seconds")
                              if training.get(k) is not None})
        if losses:
            tracking.log_figure(tracking.loss_plot(losses, _smooth(losses), per_epoch), "loss_curve.png")
        for name in (ADAPTER_FILE, PROGRAM_FILE, MANIFEST_FILE):
            tracking.log_file(folder / name, "adapter")


def _smooth(values: list[float], window: int = 16) -> list[float]:
    return [statistics.fmean(values[max(0, i - window + 1): i + 1]) for i in range(len(values))]


class _tracking:
    def __init__(self, cfg: FinetuneConfig) -> None:
        self.cfg = cfg
        self._ctx: AbstractContextManager[Any] | None = None

    def __enter__(self) -> _Tracker | None:
        if not self.cfg.tracking.enabled:
            return None
        from redac import tracking

        tracking.setup(self.cfg.tracking.uri, self.cfg.tracking.experiment)
        self._ctx = tracking.run(f"finetune-{self.cfg.name}", tags={"redac.kind": "finetune"})
        return _Tracker(self._ctx.__enter__())

    def __exit__(self, *exc) -> None:
        if self._ctx is not None:
            self._ctx.__exit__(*exc)
