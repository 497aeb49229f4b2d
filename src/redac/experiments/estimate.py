"""The dry run: what an eval or optimisation would spend, from dataset sizes and the program's shape.

``redac eval|optimize --dry-run`` prints it before any money is spent; no LM is called. The figures
are orders of magnitude (the constants below say where each comes from), enough to catch a config
that would cost a hundred times what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redac.experiments.config import ExperimentConfig
from redac.experiments.optimizers import get_optimizer
from redac.lm import LMConfig

# Characters of source per extraction chunk, per token of context. The program's chunk is
# (context_tokens - reserved_tokens) * chars_per_token (RedacProgram._source_budget: (8192 - 3072) * 3.5,
# about 2.2 per context token at the default); the estimate keeps a round 3, so it counts a second chunk
# only for sources well beyond the context.
CHUNK_CHARS_PER_CONTEXT_TOKEN = 3
# Instructions and demos sent with every call, in tokens: an order of magnitude, not measured per program.
PROMPT_OVERHEAD_TOKENS = 1500
# The extracted facts are counted as about half the source: the fact list an extraction call returns, and
# what each plan and write call reads instead of the source.
FACTS_PER_SOURCE_TOKEN = 0.5
# Tokens per requested word of French output, a typical BPE ratio (the program's per-call *cap*,
# ProgramConfig.tokens_per_word = 2.2, adds headroom for Markdown and field markers).
OUTPUT_TOKENS_PER_WORD = 1.6
# Token totals are priced as mostly prompt (sources, facts and demos go in; short texts come out).
PROMPT_TOKEN_SHARE = 0.7
COMPLETION_TOKEN_SHARE = 0.3


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


def cost_usd(lm: LMConfig, prompt_tokens: int, completion_tokens: int) -> float:
    price = lm.price()
    return price.cost(prompt_tokens, completion_tokens) if price is not None else 0.0


def estimate(cfg: ExperimentConfig, *, optimize: bool) -> Plan:
    """Planned LM calls and tokens, from the dataset sizes and the program shape (no LM is called)."""
    from redac.dataset import load_jsonl
    from redac.program import ProgramConfig, section_count, section_words
    from redac.sources import clean

    records = load_jsonl(cfg.dataset.path)
    pc = ProgramConfig(**cfg.program.overrides())

    def per_example(record: Any) -> tuple[int, int]:
        src = clean(record.source, name=record.id)
        sections = section_count(src.targets, pc)
        chunks = max(1, len(src.body) // (pc.context_tokens * CHUNK_CHARS_PER_CONTEXT_TOKEN))
        calls = chunks + 1 + sections + 1  # one extraction per chunk, the plan, the lede and each section
        source_tokens = int(len(src.body) / pc.chars_per_token)
        facts_tokens = int(source_tokens * FACTS_PER_SOURCE_TOKEN)
        out_tokens = int(section_words(src.targets, sections + 1) * OUTPUT_TOKENS_PER_WORD)
        tokens = chunks * (source_tokens + PROMPT_OVERHEAD_TOKENS + facts_tokens) \
            + (sections + 2) * (facts_tokens + PROMPT_OVERHEAD_TOKENS + out_tokens)
        return calls, tokens

    def stage(name: str, split: str, times: int = 1) -> tuple[str, int, int, int]:
        subset = [r for r in records if r.split == split][: cfg.dataset.limit or None]
        costs = [per_example(r) for r in subset]
        return (name, len(subset) * times, sum(c for c, _ in costs) * times, sum(t for _, t in costs) * times)

    lines = []
    split: str
    # `redac optimize` evaluates the baseline on test too (the same splits as the compiled program)
    splits = list(dict.fromkeys([*cfg.dataset.eval_splits, "test"])) if optimize else cfg.dataset.eval_splits
    for split in splits:
        lines.append(stage(f"eval {split}" + (" (baseline)" if optimize else ""), split, cfg.repeat))
    if optimize:
        name = cfg.optimizer.name
        rounds = get_optimizer(name).compile_rounds(cfg.optimizer.params)
        if rounds:
            lines.append(stage(f"compile ({name})", cfg.dataset.train_split, rounds))
        for split in sorted(set(cfg.dataset.eval_splits) | {"test"}):
            lines.append(stage(f"eval {split} (compiled)", split, cfg.repeat))
    tokens = sum(line[3] for line in lines)
    cost = cost_usd(cfg.lm, int(tokens * PROMPT_TOKEN_SHARE), int(tokens * COMPLETION_TOKEN_SHARE))
    return Plan(lines=lines, cost_usd=cost)
