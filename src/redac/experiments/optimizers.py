"""The optimiser registry: every optimiser ``redac optimize`` knows, declared once.

An entry gives the optimiser's name, a one-line summary, its compile function and what a run must
know about it: whether it reads a validation set, whether it changes the LM (``finetune``), and how
many passes over the train split the dry run should count. The config validation of
``optimizer.name``, the dry-run estimate and ``run_optimize`` all read :data:`OPTIMIZERS`, so adding
an optimiser is one entry here (and its test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.errors import ConfigError
from redac.lm import LMConfig

if TYPE_CHECKING:
    from redac.experiments.runtime import Runtime


@dataclass(frozen=True)
class TrainingData:
    """What an optimiser may learn from. Built only by :meth:`from_records`, which goes through
    ``redac.dataset.for_optimizer``: the test split can never reach an optimiser."""

    records: list[Any]  # the train split's labelled records
    trainset: list[Any]  # the same records as DSPy examples
    valset: list[Any] | None  # dev examples for the optimisers that validate; None when there are none

    @classmethod
    def from_records(cls, trainset_records: list[Any], valset_records: list[Any]) -> TrainingData:
        from redac.dataset import for_optimizer

        return cls(records=list(trainset_records), trainset=for_optimizer(trainset_records),
                   valset=for_optimizer(valset_records) if valset_records else None)


@dataclass(frozen=True)
class Compiled:
    """An optimiser's result: the compiled program, and the LM it runs on when the optimiser changed it."""

    program: Any
    lm: LMConfig | None = None


CompileFn = Callable[[Any, "Runtime", TrainingData], Compiled]


def no_compile_rounds(params: dict[str, Any]) -> int:
    """For optimisers that run the program on no training example (no LM calls while compiling)."""
    return 0


@dataclass(frozen=True)
class Optimizer:
    """One registered optimiser."""

    name: str
    summary: str
    compile: CompileFn  # (starting program, runtime, training data) -> compiled program (and LM)
    uses_valset: bool = False  # reads the dev split as a validation set (when the train split is not dev)
    changes_lm: bool = False  # the compiled program runs on another LM, saved next to it (compiled_lm.json)
    compile_rounds: Callable[[dict[str, Any]], int] = no_compile_rounds  # passes over the train split (dry run)


OPTIMIZERS: dict[str, Optimizer] = {}


def register(optimizer: Optimizer) -> Optimizer:
    """Add an optimiser to the registry (its name must be new)."""
    if optimizer.name in OPTIMIZERS:
        raise ValueError(f"optimizer {optimizer.name!r} is already registered")
    OPTIMIZERS[optimizer.name] = optimizer
    return optimizer


def unknown_optimizer(name: str) -> str:
    """The error message for a name that is not registered, listing the known ones."""
    return f"unknown optimizer {name!r} (known: {', '.join(OPTIMIZERS)})"


def get_optimizer(name: str) -> Optimizer:
    """The registered optimiser called ``name``; a ConfigError on ``optimizer.name`` otherwise."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ConfigError(unknown_optimizer(name), field="optimizer.name") from None


def compile_program(program: Any, rt: Runtime, trainset_records: list[Any], valset_records: list[Any]) -> Compiled:
    """Compile with the configured optimiser. The test split can never reach this function's optimiser:
    ``redac.dataset.for_optimizer`` refuses it."""
    optimizer = get_optimizer(rt.cfg.optimizer.name)
    return optimizer.compile(program, rt, TrainingData.from_records(trainset_records, valset_records))


def optimizer_trajectory(compiled: Any) -> list[float]:
    """Candidate scores in the order the optimiser tried them, where the optimiser exposes them."""
    for attr in ("candidate_programs",):
        candidates = getattr(compiled, attr, None)
        if candidates:
            return [float(c.get("score", 0)) for c in candidates if isinstance(c, dict)]
    details = getattr(compiled, "detailed_results", None)  # GEPA
    if details is not None and getattr(details, "val_aggregate_scores", None):
        return [float(s) for s in details.val_aggregate_scores]
    return []


# --------------------------------------------------------------------------------------------
# The optimisers
# --------------------------------------------------------------------------------------------

# Dry run: BootstrapFewShot runs the program once over the train split to collect demos.
BOOTSTRAP_ROUNDS = 1
# DSPy's default number of candidate programs in BootstrapFewShotWithRandomSearch (also the dry run's count).
RANDOM_SEARCH_DEFAULT_CANDIDATES = 16
# GEPA's budget when the config sets none of auto / max_full_evals / max_metric_calls.
GEPA_DEFAULT_MAX_METRIC_CALLS = 50
# Dry run: MIPROv2 with auto="light" (6 candidates in DSPy's AUTO_RUN_SETTINGS) plus its demo bootstrapping
# and minibatch trials, counted as about ten passes over the train split (an order of magnitude).
MIPRO_LIGHT_ROUNDS = 10
# Dry run: GEPA runs the program once per metric call; counted as passes over a train split of about this many
# examples.
GEPA_METRIC_CALLS_PER_ROUND = 10


def compile_none(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    """The program as it is (the baseline, compiled by nothing)."""
    return Compiled(program)


def compile_labeled(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    """``params.k`` labelled pairs of the train split (seeded shuffle) as demos."""
    import random

    from redac.program import demos_from_records, with_demos

    k = int(rt.cfg.optimizer.params.get("k", 2))
    pool = list(data.records)
    random.Random(rt.cfg.seed).shuffle(pool)
    return Compiled(with_demos(program, demos_from_records(pool, k=k)))


def compile_bootstrap(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    import dspy

    from redac.metrics import make_dspy_metric

    params = dict(rt.cfg.optimizer.params)
    metric = make_dspy_metric(rt.metrics_cfg)
    with dspy.context(lm=rt.lm, adapter=rt.adapter):
        params.setdefault("max_labeled_demos", 0)  # labelled pairs do not fit the per-step signatures
        optimizer = dspy.BootstrapFewShot(metric=metric, **params)
        return Compiled(optimizer.compile(program, trainset=data.trainset))


def compile_random_search(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    import dspy

    from redac.metrics import make_dspy_metric

    params = dict(rt.cfg.optimizer.params)
    metric = make_dspy_metric(rt.metrics_cfg)
    with dspy.context(lm=rt.lm, adapter=rt.adapter):
        params.setdefault("max_labeled_demos", 0)
        params.setdefault("num_threads", rt.cfg.threads)
        optimizer = dspy.BootstrapFewShotWithRandomSearch(metric=metric, **params)
        return Compiled(optimizer.compile(program, trainset=data.trainset, valset=data.valset))


def compile_mipro(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    import dspy

    from redac.lm import build_lm
    from redac.metrics import make_dspy_metric

    params = dict(rt.cfg.optimizer.params)
    metric = make_dspy_metric(rt.metrics_cfg)
    with dspy.context(lm=rt.lm, adapter=rt.adapter):
        params.setdefault("auto", "light")
        params.setdefault("max_labeled_demos", 0)
        params.setdefault("num_threads", rt.cfg.threads)
        prompt_model = build_lm(rt.cfg.prompt_lm) if rt.cfg.prompt_lm else rt.lm
        compile_keys = {"num_trials", "minibatch", "minibatch_size"}
        compile_kw = {k: params.pop(k) for k in list(params) if k in compile_keys}
        optimizer = dspy.MIPROv2(metric=metric, prompt_model=prompt_model, task_model=rt.lm,
                                 seed=rt.cfg.seed, **params)
        return Compiled(optimizer.compile(program, trainset=data.trainset, valset=data.valset, **compile_kw))


def compile_gepa(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    import dspy

    from redac.lm import build_lm
    from redac.metrics import make_gepa_metric

    params = dict(rt.cfg.optimizer.params)
    with dspy.context(lm=rt.lm, adapter=rt.adapter):
        if rt.cfg.reflection_lm is None:
            raise ConfigError("GEPA needs a reflection_lm block", field="reflection_lm")
        if not any(k in params for k in ("auto", "max_full_evals", "max_metric_calls")):
            params["max_metric_calls"] = GEPA_DEFAULT_MAX_METRIC_CALLS
        params.setdefault("num_threads", rt.cfg.threads)
        optimizer = dspy.GEPA(metric=make_gepa_metric(rt.metrics_cfg),
                              reflection_lm=build_lm(rt.cfg.reflection_lm), seed=rt.cfg.seed, **params)
        return Compiled(optimizer.compile(program, trainset=data.trainset, valset=data.valset))


def compile_finetune(program: Any, rt: Runtime, data: TrainingData) -> Compiled:
    """The ``finetune`` optimiser (DSPy's BootstrapFinetune idea): the compiled program runs on the
    embedded model with a fine-tuned adapter, using the prompts that adapter was trained on (the
    starting program is not used).

    ``params.adapter``: an adapter folder written by ``redac finetune`` ("default": the one that ships);
    ``params.config``: a finetune YAML to train first (resumes from its checkpoint; its output is used).
    Training reads the train split only. The baseline LM must be the embedded model.
    """
    from redac.api import load_program
    from redac.lm.config import resolve_adapter

    cfg = rt.cfg
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
    return Compiled(load_program(ref.program, lm=lm_cfg), lm=lm_cfg)


register(Optimizer("none", "no compilation: the starting program as it is", compile_none))
register(Optimizer("labeled", "k labelled train pairs as demos (params.k, default 2)", compile_labeled))
register(Optimizer("bootstrap", "DSPy BootstrapFewShot: demos from the program's own successful runs",
                   compile_bootstrap, compile_rounds=lambda params: BOOTSTRAP_ROUNDS))
register(Optimizer("random_search", "DSPy BootstrapFewShotWithRandomSearch: the best of several demo sets on dev",
                   compile_random_search, uses_valset=True,
                   compile_rounds=lambda params: int(params.get("num_candidate_programs",
                                                                RANDOM_SEARCH_DEFAULT_CANDIDATES))))
register(Optimizer("mipro", "DSPy MIPROv2: proposed instructions and demos (prompt_lm proposes)", compile_mipro,
                   uses_valset=True, compile_rounds=lambda params: MIPRO_LIGHT_ROUNDS))
register(Optimizer("gepa", "DSPy GEPA: instructions evolved from metric feedback (needs reflection_lm)",
                   compile_gepa, uses_valset=True,
                   compile_rounds=lambda params: max(1, int(params.get(
                       "max_metric_calls", GEPA_DEFAULT_MAX_METRIC_CALLS)) // GEPA_METRIC_CALLS_PER_ROUND)))
register(Optimizer("finetune", "the embedded model with a fine-tuned LoRA adapter and its program",
                   compile_finetune, changes_lm=True))
