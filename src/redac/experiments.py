"""Experiment configs and the two runners: ``evaluate`` and ``optimize``.

A config file in ``experiments/`` names everything a result depends on (program, LMs, dataset and
splits, metric config, optimiser, seed, budget), so a run is reproducible from the file and the
git commit. Finished examples are appended to ``<output_dir>/<name>-<hash>/...jsonl`` as they complete,
which makes a run resumable after Ctrl-C or a crash without redoing them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import Field

from redac.configfile import StrictModel
from redac.errors import BudgetExceeded, ConfigError, describe
from redac.lm import LMConfig

OptimizerName = Literal["none", "labeled", "bootstrap", "random_search", "mipro", "gepa", "finetune"]


@dataclass(frozen=True)
class RunLayout:
    """Where one experiment run keeps its files, locally and as MLflow artifacts (the one definition;
    experiments write it, export and the gate read it).

    Locally, under ``<output_dir>/<name>-<digest>/``: ``compiled_program.json`` (DSPy JSON state),
    ``compiled_lm.json`` (only when the optimiser changed the LM, e.g. ``finetune``) and one JSONL of
    finished rows per stage, split and repeat: ``<stage>/<split>-r<repeat>.jsonl`` with stage ``eval``,
    ``baseline`` or ``compiled``.
    """

    root: Path

    PROGRAM_FILE: ClassVar[str] = "compiled_program.json"
    COMPILED_LM_FILE: ClassVar[str] = "compiled_lm.json"
    # MLflow artifact paths inside the run
    ARTIFACT_FOLDER: ClassVar[str] = "program"
    PROGRAM_ARTIFACT: ClassVar[str] = "program/compiled_program.json"
    COMPILED_LM_ARTIFACT: ClassVar[str] = "program/compiled_lm.json"
    CONFIG_ARTIFACT: ClassVar[str] = "config.yaml"
    METRICS_ARTIFACT: ClassVar[str] = "config/metrics.yaml"

    @property
    def program(self) -> Path:
        return self.root / self.PROGRAM_FILE

    @property
    def compiled_lm(self) -> Path:
        return self.root / self.COMPILED_LM_FILE

    def stage_dir(self, stage: str) -> Path:
        return self.root / stage

    def rows(self, stage: str, split: str, repeat: int = 0) -> Path:
        return self.stage_dir(stage) / self.rows_name(split, repeat)

    @staticmethod
    def rows_name(split: str, repeat: int = 0) -> str:
        return f"{split}-r{repeat}.jsonl"



class ProgramRef(StrictModel):
    state: Path | None = None  # compiled program JSON to start from; None = the packaged default
    reasoning: bool = False
    context_tokens: int = Field(default=8192, ge=1024)
    max_sections: int = Field(default=6, ge=1)
    facts: Literal["model", "sentences"] | None = None  # None = what the program state says


class DatasetRef(StrictModel):
    path: Path = Path("datasets/redac-fr-news/redac-fr-news.jsonl")
    train_split: Literal["train", "dev"] = "train"
    eval_splits: list[Literal["train", "dev", "test"]] = ["dev"]
    limit: int | None = Field(default=None, ge=1)  # first N examples of each split (by id order)
    ids: list[str] | None = None


class OptimizerConfig(StrictModel):
    name: OptimizerName = "none"
    params: dict[str, Any] = Field(default_factory=dict)


class BudgetConfig(StrictModel):
    max_calls: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, gt=0)


class TrackingConfig(StrictModel):
    enabled: bool = True
    uri: str | None = None
    experiment: str = "redac"
    autolog: bool = True


class ExperimentConfig(StrictModel):
    version: Literal[1] = 1
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    program: ProgramRef = Field(default_factory=ProgramRef)
    lm: LMConfig
    prompt_lm: LMConfig | None = None  # MIPROv2's instruction proposer
    reflection_lm: LMConfig | None = None  # GEPA's reflection model
    dataset: DatasetRef = Field(default_factory=DatasetRef)
    metrics: Path = Path("evals/metrics.yaml")
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    seed: int = 0
    threads: int = Field(default=1, ge=1, le=64)
    repeat: int = Field(default=1, ge=1, le=100)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    output_dir: Path = Path(".redac/runs")

    def public_dict(self) -> dict[str, Any]:
        """The config as logged: LM blocks without secrets."""
        data = json.loads(self.model_dump_json())
        for key in ("lm", "prompt_lm", "reflection_lm"):
            lm = getattr(self, key)
            data[key] = lm.public_dict() if lm is not None else None
        return data

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.public_dict(), sort_keys=True).encode()).hexdigest()[:10]

    @property
    def run_dir(self) -> Path:
        return self.output_dir / f"{self.name}-{self.digest()}"

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.run_dir)


def load_experiment(path: str | Path, overrides: dict[str, Any] | None = None) -> ExperimentConfig:
    """Read and validate an experiment YAML; errors name the file, line and key path.

    ``overrides`` maps dotted keys to values (``{"dataset.limit": 2}``), applied before validation.
    """
    from redac.configfile import load_model

    return load_model(ExperimentConfig, path, "experiment config", overrides)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One example's outcome in one split and repeat."""

    id: str
    split: str
    repeat: int = 0
    composite: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)
    feedback: str = ""
    output: str = ""
    word_count: int = 0
    error: str | None = None
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class EvalReport:
    split: str
    rows: list[Row]
    stopped: str | None = None  # why the run stopped early (budget), if it did

    @property
    def scores(self) -> list[float]:
        return [r.composite for r in self.rows]

    def summary(self) -> dict[str, float]:
        from redac.stats import bootstrap_mean

        out: dict[str, float] = {}
        if not self.rows:
            return out
        interval = bootstrap_mean(self.scores)
        out.update(composite=interval.mean, composite_ci_low=interval.low, composite_ci_high=interval.high,
                   failed=float(sum(r.failed for r in self.rows)), n=float(len(self.rows)),
                   prompt_tokens=float(sum(r.prompt_tokens for r in self.rows)),
                   completion_tokens=float(sum(r.completion_tokens for r in self.rows)),
                   cost_usd=float(sum(r.cost_usd for r in self.rows)))
        names = sorted({k for r in self.rows for k in r.metrics})
        for name in names:
            values = [r.metrics[name] for r in self.rows if name in r.metrics]
            out[name] = sum(values) / len(values)
        return out


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


class Runtime:
    """What a run needs once: LMs, metric config, examples. Built from the config, no I/O after."""

    def __init__(self, cfg: ExperimentConfig) -> None:
        from redac.data import load_jsonl
        from redac.lm import Budget, adapter_for, build_lm, check_lm
        from redac.metrics import load_metrics_config

        self.cfg = cfg
        self.metrics_cfg = load_metrics_config(cfg.metrics)
        self.records = load_jsonl(cfg.dataset.path)
        check_lm(cfg.lm)
        self.lm = build_lm(cfg.lm, budget=Budget(**cfg.budget.model_dump()))
        self.adapter = adapter_for(cfg.lm)
        self._clean: dict[str, Any] = {}

    def with_lm(self, lm_cfg: LMConfig) -> Runtime:
        """The same run (records, metrics, cleaned sources, usage tally and budget) on another LM."""
        import copy

        from redac.lm import adapter_for, build_lm, check_lm

        check_lm(lm_cfg)
        other = copy.copy(self)
        other.lm = build_lm(lm_cfg, usage=self.lm.usage)
        other.adapter = adapter_for(lm_cfg)
        return other

    def source(self, record):
        """The cleaned source of a record, cleaned once per run (repeats and stages reuse it)."""
        from redac.sources import clean

        if record.id not in self._clean:
            self._clean[record.id] = clean(record.source, name=record.id)
        return self._clean[record.id]

    def split(self, name: str) -> list:
        records = sorted((r for r in self.records if r.split == name), key=lambda r: r.id)
        if self.cfg.dataset.ids:
            records = [r for r in records if r.id in set(self.cfg.dataset.ids)]
        if self.cfg.dataset.limit:
            records = records[: self.cfg.dataset.limit]
        return records


def make_program(cfg: ExperimentConfig):
    from redac.api import load_program

    # the config saved with the program state (facts, verify, dedupe, reasoning) stays unless the
    # experiment sets it; the program is built for the result (ChainOfThought when reasoning)
    ref = cfg.program
    overrides = {"context_tokens": ref.context_tokens, "max_sections": ref.max_sections}
    if "reasoning" in ref.model_fields_set:
        overrides["reasoning"] = ref.reasoning
    if ref.facts:
        overrides["facts"] = ref.facts
    return load_program(ref.state, lm=cfg.lm, overrides=overrides)


def score_record(program, record, rt: Runtime, *, split: str, repeat: int) -> Row:
    """Run the program on one labelled record and score it; any failure becomes a failed row."""
    import uuid

    import dspy

    from redac.article import Article
    from redac.lm import usage_scope
    from redac.metrics import score

    row = Row(id=record.id, split=split, repeat=repeat)
    start = time.perf_counter()
    try:
        source = rt.source(record)
        scope = f"{split}/{repeat}/{record.id}/{uuid.uuid4().hex[:8]}"
        with usage_scope(scope), dspy.context(lm=rt.lm, adapter=rt.adapter, rollout_id=repeat or None):
            pred = program(source=source)
        usage = rt.lm.usage.totals(scope)
        row.prompt_tokens, row.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        row.cost_usd = usage.cost_usd
        scores = score(pred.article, source, gold=Article(**record.gold.model_dump()), facts=record.facts,
                       cfg=rt.metrics_cfg)
        row.composite = float(scores.composite)
        row.metrics = {k: float(v.value) for k, v in scores.results.items()}
        row.feedback = scores.feedback_text()
        row.output = pred.article.to_markdown()
        row.word_count = pred.article.word_count
    except BudgetExceeded:
        raise
    except Exception as exc:  # an LM timeout, a malformed answer: the run goes on, the reason is kept
        row.error = describe(exc)[:500]
    row.seconds = time.perf_counter() - start
    return row


def cost_usd(lm: LMConfig, prompt_tokens: int, completion_tokens: int) -> float:
    price = lm.price()
    return price.cost(prompt_tokens, completion_tokens) if price is not None else 0.0


class RowStore:
    """Append-only JSONL of finished rows: the resume point of a run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def load(self) -> dict[str, Row]:
        done: dict[str, Row] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    data = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash mid-write is simply redone
                done[data["id"]] = Row(**data)
        return done

    def append(self, row: Row) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
            handle.flush()


ProgressFn = Callable[[Row, "EvalState"], None]


@dataclass
class EvalState:
    total: int
    done: int = 0
    failed: int = 0
    score_sum: float = 0.0
    tokens: int = 0
    cost_usd: float = 0.0

    @property
    def mean(self) -> float:
        return self.score_sum / self.done if self.done else 0.0

    def add(self, row: Row) -> None:
        self.done += 1
        self.failed += row.failed
        self.score_sum += row.composite
        self.tokens += row.prompt_tokens + row.completion_tokens
        self.cost_usd += row.cost_usd


def evaluate_split(program, rt: Runtime, split: str, *, repeat: int = 0, store_dir: Path,
                   resume: bool = True, progress: ProgressFn | None = None) -> EvalReport:
    """Evaluate ``program`` on one split, in parallel, resuming from finished rows."""
    records = rt.split(split)
    store = RowStore(store_dir / RunLayout.rows_name(split, repeat))
    done = store.load() if resume else {}
    if not resume and store.path.exists():
        store.path.unlink()
    rows = [done[r.id] for r in records if r.id in done]
    state = EvalState(total=len(records))
    for row in rows:
        state.add(row)
        if progress:
            progress(row, state)
    todo = [r for r in records if r.id not in done]
    stopped = None
    with ThreadPoolExecutor(max_workers=rt.cfg.threads) as pool:
        futures = {pool.submit(score_record, program, r, rt, split=split, repeat=repeat): r for r in todo}
        for future in as_completed(futures):
            try:
                row = future.result()
            except BudgetExceeded as exc:
                stopped = str(exc)
                for pending in futures:
                    pending.cancel()
                continue
            store.append(row)
            rows.append(row)
            state.add(row)
            if progress:
                progress(row, state)
    order = {r.id: i for i, r in enumerate(records)}
    rows.sort(key=lambda r: order[r.id])
    return EvalReport(split=split, rows=rows, stopped=stopped)


# --------------------------------------------------------------------------------------------
# Optimisers
# --------------------------------------------------------------------------------------------


def compile_finetune(cfg: ExperimentConfig) -> tuple[Any, LMConfig]:
    """The ``finetune`` optimiser (DSPy's BootstrapFinetune idea): the compiled program runs on the
    embedded model with a fine-tuned adapter, using the prompts that adapter was trained on.

    ``params.adapter``: an adapter folder written by ``redac finetune`` ("default": the one that ships);
    ``params.config``: a finetune YAML to train first (resumes from its checkpoint; its output is used).
    Training reads the train split only. The baseline LM must be the embedded model.
    """
    from redac.api import load_program
    from redac.lm.config import resolve_adapter

    if cfg.lm.provider != "embedded":
        raise ConfigError("the finetune optimiser adapts the embedded model: set lm.provider to embedded",
                          field="lm.provider")
    params = dict(cfg.optimizer.params)
    unknown = set(params) - {"adapter", "config"}
    if unknown:
        raise ConfigError(f"unknown finetune parameter {sorted(unknown)[0]!r} (adapter, config)",
                          field="optimizer.params")
    adapter = str(params.get("adapter", "default"))
    if params.get("config"):
        from redac.finetune import finetune, load_finetune_config

        adapter = str(finetune(load_finetune_config(params["config"]), progress=False,
                               config_path=Path(params["config"])).folder)
    # validated again, so the adapter's recommended decoding fills what the config leaves unset
    lm_cfg = LMConfig.from_dict({**cfg.lm.model_dump(mode="json", exclude_unset=True), "adapter": adapter},
                                prefix="lm")
    ref = resolve_adapter(lm_cfg)
    if ref is None:
        raise ConfigError("the finetune optimiser needs an adapter (the base model has none)",
                          field="optimizer.params.adapter")
    program = load_program(ref.program, lm=lm_cfg)
    return program, lm_cfg


def compile_program(program, rt: Runtime, trainset_records: list, valset_records: list):
    """Compile with the configured optimiser. The test split can never reach this function's optimiser:
    ``redac.data.for_optimizer`` refuses it."""
    import dspy

    from redac.data import for_optimizer
    from redac.metrics import make_dspy_metric, make_gepa_metric
    from redac.program import demos_from_records, with_demos

    opt = rt.cfg.optimizer
    params = dict(opt.params)
    trainset = for_optimizer(trainset_records)
    valset = for_optimizer(valset_records) if valset_records else None
    if opt.name == "none":
        return program
    if opt.name == "finetune":
        raise ConfigError("the finetune optimiser changes the LM: run it with `redac optimize`",
                          field="optimizer.name")
    if opt.name == "labeled":
        import random

        k = int(params.get("k", 2))
        pool = list(trainset_records)
        random.Random(rt.cfg.seed).shuffle(pool)
        return with_demos(program, demos_from_records(pool, k=k))
    metric = make_dspy_metric(rt.metrics_cfg)
    with dspy.context(lm=rt.lm, adapter=rt.adapter):
        if opt.name == "bootstrap":
            params.setdefault("max_labeled_demos", 0)  # labelled pairs do not fit the per-step signatures
            optimizer = dspy.BootstrapFewShot(metric=metric, **params)
            return optimizer.compile(program, trainset=trainset)
        if opt.name == "random_search":
            params.setdefault("max_labeled_demos", 0)
            params.setdefault("num_threads", rt.cfg.threads)
            optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=metric, **params)
            return optimizer.compile(program, trainset=trainset, valset=valset)
        if opt.name == "mipro":
            from redac.lm import build_lm

            params.setdefault("auto", "light")
            params.setdefault("max_labeled_demos", 0)
            params.setdefault("num_threads", rt.cfg.threads)
            prompt_model = build_lm(rt.cfg.prompt_lm) if rt.cfg.prompt_lm else rt.lm
            compile_keys = {"num_trials", "minibatch", "minibatch_size"}
            compile_kw = {k: params.pop(k) for k in list(params) if k in compile_keys}
            optimizer = dspy.MIPROv2(metric=metric, prompt_model=prompt_model, task_model=rt.lm,
                                     seed=rt.cfg.seed, **params)
            return optimizer.compile(program, trainset=trainset, valset=valset, **compile_kw)
        if opt.name == "gepa":
            from redac.lm import build_lm

            if rt.cfg.reflection_lm is None:
                raise ConfigError("GEPA needs a reflection_lm block", field="reflection_lm")
            if not any(k in params for k in ("auto", "max_full_evals", "max_metric_calls")):
                params["max_metric_calls"] = 50
            params.setdefault("num_threads", rt.cfg.threads)
            optimizer = dspy.GEPA(metric=make_gepa_metric(rt.metrics_cfg),
                                  reflection_lm=build_lm(rt.cfg.reflection_lm), seed=rt.cfg.seed, **params)
            return optimizer.compile(program, trainset=trainset, valset=valset)
    raise ConfigError(f"unknown optimizer {opt.name!r}", field="optimizer.name")


# --------------------------------------------------------------------------------------------
# Dry run: what a run would spend
# --------------------------------------------------------------------------------------------


@dataclass
class Plan:
    lines: list[tuple[str, int, int, int]]  # (stage, examples, LM calls, tokens)
    cost_usd: float

    @property
    def calls(self) -> int:
        return sum(line[2] for line in self.lines)

    @property
    def tokens(self) -> int:
        return sum(line[3] for line in self.lines)


def estimate(cfg: ExperimentConfig, *, optimize: bool) -> Plan:
    """Planned LM calls and tokens, from the dataset sizes and the program shape (no LM is called)."""
    from redac.data import load_jsonl
    from redac.program import ProgramConfig, section_count, section_words
    from redac.sources import clean

    records = load_jsonl(cfg.dataset.path)
    pc = ProgramConfig(context_tokens=cfg.program.context_tokens, max_sections=cfg.program.max_sections)

    def per_example(record) -> tuple[int, int]:
        src = clean(record.source, name=record.id)
        sections = section_count(src.targets, pc)
        chunks = max(1, len(src.body) // (pc.context_tokens * 3))
        calls = chunks + 1 + sections + 1
        source_tokens = int(len(src.body) / pc.chars_per_token)
        demo_tokens = 1500  # instructions + demos, order of magnitude
        out_tokens = int(section_words(src.targets, sections + 1) * 1.6)
        tokens = chunks * (source_tokens + demo_tokens + source_tokens // 2) \
            + (sections + 2) * (source_tokens // 2 + demo_tokens + out_tokens)
        return calls, tokens

    def stage(name: str, split: str, times: int = 1) -> tuple[str, int, int, int]:
        subset = [r for r in records if r.split == split][: cfg.dataset.limit or None]
        costs = [per_example(r) for r in subset]
        return (name, len(subset) * times, sum(c for c, _ in costs) * times, sum(t for _, t in costs) * times)

    lines = []
    # `redac optimize` evaluates the baseline on test too (the same splits as the compiled program)
    splits = list(dict.fromkeys([*cfg.dataset.eval_splits, "test"])) if optimize else cfg.dataset.eval_splits
    for split in splits:
        lines.append(stage(f"eval {split}" + (" (baseline)" if optimize else ""), split, cfg.repeat))
    if optimize:
        name = cfg.optimizer.name
        rounds = {"none": 0, "labeled": 0, "finetune": 0, "bootstrap": 1, "random_search": int(cfg.optimizer.params.get(
            "num_candidate_programs", 16)), "mipro": 10, "gepa": max(1, int(cfg.optimizer.params.get(
                "max_metric_calls", 50)) // 10)}[name]
        if rounds:
            lines.append(stage(f"compile ({name})", cfg.dataset.train_split, rounds))
        for split in sorted(set(cfg.dataset.eval_splits) | {"test"}):
            lines.append(stage(f"eval {split} (compiled)", split, cfg.repeat))
    tokens = sum(line[3] for line in lines)
    cost = cost_usd(cfg.lm, int(tokens * 0.7), int(tokens * 0.3))
    return Plan(lines=lines, cost_usd=cost)


# --------------------------------------------------------------------------------------------
# The two commands' flows (with MLflow)
# --------------------------------------------------------------------------------------------


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
def _tracked(cfg: ExperimentConfig, rt: Runtime, result: RunResult, kind: str):
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


def _log_report(report: EvalReport, prefix: str, step: int | None = None) -> None:
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
                        _log_report(report, split)
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

        def stage(label: str, program, split: str, runtime: Runtime = rt) -> EvalReport | None:
            if on_stage:
                on_stage(f"{label} {split}")
            report = evaluate_split(program, runtime, split, store_dir=cfg.layout.stage_dir(label), resume=resume,
                                    progress=progress)
            result.reports[f"{label}:{split}"] = [report]
            if cfg.tracking.enabled:
                _log_report(report, f"{label}.{split}")
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
        train = rt.split(cfg.dataset.train_split)
        val = rt.split("dev") if cfg.dataset.train_split != "dev" else []
        compiled_rt, compiled_lm = rt, None
        try:
            if cfg.optimizer.name == "finetune":
                compiled, compiled_lm = compile_finetune(cfg)
                compiled_rt = rt.with_lm(compiled_lm)
            else:
                compiled = compile_program(make_program(cfg), rt, train, val)
        except BudgetExceeded as exc:
            result.stopped = str(exc)
            return result
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


def optimizer_trajectory(compiled) -> list[float]:
    """Candidate scores in the order the optimiser tried them, where the optimiser exposes them."""
    for attr in ("candidate_programs",):
        candidates = getattr(compiled, attr, None)
        if candidates:
            return [float(c.get("score", 0)) for c in candidates if isinstance(c, dict)]
    details = getattr(compiled, "detailed_results", None)  # GEPA
    if details is not None and getattr(details, "val_aggregate_scores", None):
        return [float(s) for s in details.val_aggregate_scores]
    return []


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
