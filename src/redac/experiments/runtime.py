"""What a run builds once from its config: LMs, metric config, records, and the program to evaluate.

Kept apart from the flows so that evaluation, optimisers and benchmarks share one way of turning a
config into live objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redac.lm import LMConfig

if TYPE_CHECKING:
    from redac.dataset import Record
    from redac.experiments.config import ExperimentConfig
    from redac.program import RedacProgram
    from redac.sources import Source


class Runtime:
    """What a run needs once: LMs, metric config, examples. Built from the config, no I/O after."""

    def __init__(self, cfg: ExperimentConfig) -> None:
        from redac.dataset import load_jsonl
        from redac.lm import Budget, adapter_for, build_lm, check_lm
        from redac.metrics import load_metrics_config

        self.cfg = cfg
        self.metrics_cfg = load_metrics_config(cfg.metrics)
        self.records = load_jsonl(cfg.dataset.path)
        check_lm(cfg.lm)
        self.lm = build_lm(cfg.lm, budget=Budget(**cfg.budget.model_dump()))
        self.adapter = adapter_for(cfg.lm)
        self._clean: dict[str, Source] = {}

    def with_lm(self, lm_cfg: LMConfig) -> Runtime:
        """The same run (records, metrics, cleaned sources, usage tally and budget) on another LM."""
        import copy

        from redac.lm import adapter_for, build_lm, check_lm

        check_lm(lm_cfg)
        other = copy.copy(self)
        other.lm = build_lm(lm_cfg, usage=self.lm.usage)
        other.adapter = adapter_for(lm_cfg)
        return other

    def source(self, record: Record) -> Source:
        """The cleaned source of a record, cleaned once per run (repeats and stages reuse it)."""
        from redac.sources import clean

        if record.id not in self._clean:
            self._clean[record.id] = clean(record.source, name=record.id)
        return self._clean[record.id]

    def split(self, name: str) -> list[Record]:
        records = sorted((r for r in self.records if r.split == name), key=lambda r: r.id)
        if self.cfg.dataset.ids:
            records = [r for r in records if r.id in set(self.cfg.dataset.ids)]
        if self.cfg.dataset.limit:
            records = records[: self.cfg.dataset.limit]
        return records


def make_program(cfg: ExperimentConfig) -> RedacProgram:
    """The experiment's program: its state (or the packaged default for the LM) with the experiment's
    settings on top; the config saved with the state (facts, verify, dedupe, reasoning) stays unless the
    experiment sets it, and the program is built for the result (ChainOfThought when reasoning)."""
    from redac.api import load_program

    return load_program(cfg.program.state, lm=cfg.lm, overrides=cfg.program.overrides())
