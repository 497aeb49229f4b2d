"""What a run produces: one :class:`Row` per example, reports per split, and the row store.

Rows are appended to a JSONL file as they finish (:class:`RowStore`), which makes a run resumable
after Ctrl-C or a crash; export and the gate read the same rows back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


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
