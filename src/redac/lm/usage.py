"""Per-call usage and cost accounting, and a budget enforced *before* each live call.

Every response, whatever its source (live call, disk cache, replay file), leaves one
:class:`CallRecord`; only live calls count against a :class:`Budget`. The budget is
checked against the worst case of the next call (estimated prompt tokens plus the
full ``max_tokens``), and that worst case is reserved while the call runs, so
parallel threads cannot overshoot it together.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from dataclasses import asdict, dataclass, field
from typing import Literal

from redac.errors import BudgetExceeded, ConfigError

Source = Literal["live", "cache", "replay"]


@dataclass(frozen=True)
class Budget:
    """Caps for one run; None means no cap."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_calls", "max_tokens", "max_cost_usd"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"must be >= 0, got {value}", field=f"budget.{name}")


# The unit of work a call belongs to (e.g. an example id), set by runners with ``usage_scope``;
# per-example accounting stays correct when examples run in parallel threads.
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("redac_usage_scope", default=None)


@contextlib.contextmanager
def usage_scope(name: str):
    token = _SCOPE.set(name)
    try:
        yield
    finally:
        _SCOPE.reset(token)


@dataclass(frozen=True)
class CallRecord:
    key: str
    provider: str
    model: str
    source: Source
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    attempts: int = 1
    priced: bool = True
    scope: str | None = field(default_factory=_SCOPE.get)


@dataclass(frozen=True)
class UsageTotals:
    calls: int = 0             # live model calls
    cache_hits: int = 0
    replay_hits: int = 0
    prompt_tokens: int = 0     # live calls only
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0     # summed over live calls
    unpriced_calls: int = 0    # live calls whose model has no price: their cost is unknown, counted 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "total_tokens": self.total_tokens}


@dataclass(eq=False)
class _Reservation:
    tokens: int
    cost: float


@dataclass
class UsageLog:
    """Thread-safe tally shared by an LM and all its copies; read, reset, budget."""

    budget: Budget | None = None
    _records: list[CallRecord] = field(default_factory=list)
    _reserved: list[_Reservation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def totals(self, scope: str | None = None) -> UsageTotals:
        """Totals of every call, or of the calls made inside ``usage_scope(scope)``."""
        with self._lock:
            return _sum([r for r in self._records if scope is None or r.scope == scope])

    def reset(self) -> None:
        """Forget the records (the budget stays): call between runs."""
        with self._lock:
            self._records.clear()

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)

    def reserve(self, *, prompt_tokens: int, max_completion_tokens: int, price_in: float | None,
                price_out: float | None) -> _Reservation:
        """Raise BudgetExceeded if the worst case of the next live call would pass a cap; else hold it."""
        worst_tokens = prompt_tokens + max_completion_tokens
        worst_cost = ((prompt_tokens * (price_in or 0)) + (max_completion_tokens * (price_out or 0))) / 1e6
        with self._lock:
            budget = self.budget
            if budget is not None:
                done = _sum(self._records)
                held_tokens = sum(r.tokens for r in self._reserved)
                held_cost = sum(r.cost for r in self._reserved)
                if budget.max_calls is not None and done.calls + len(self._reserved) + 1 > budget.max_calls:
                    raise BudgetExceeded(f"call budget reached: {done.calls} of {budget.max_calls} calls made",
                                         field="budget.max_calls")
                if budget.max_tokens is not None and done.total_tokens + held_tokens + worst_tokens > budget.max_tokens:
                    raise BudgetExceeded(
                        f"token budget reached: {done.total_tokens} used, next call may take up to {worst_tokens} "
                        f"(~{prompt_tokens} prompt + {max_completion_tokens} max_tokens), cap {budget.max_tokens}",
                        field="budget.max_tokens")
                if budget.max_cost_usd is not None:
                    if price_in is None or price_out is None:
                        raise ConfigError("a cost budget needs a price for this model: add it to lm.prices",
                                          field="lm.prices")
                    if done.cost_usd + held_cost + worst_cost > budget.max_cost_usd:
                        raise BudgetExceeded(
                            f"cost budget reached: ${done.cost_usd:.4f} spent, next call may cost up to "
                            f"${worst_cost:.4f}, cap ${budget.max_cost_usd:.4f}", field="budget.max_cost_usd")
            held = _Reservation(worst_tokens, worst_cost)
            self._reserved.append(held)
            return held

    def release(self, held: _Reservation) -> None:
        with self._lock:
            if held in self._reserved:
                self._reserved.remove(held)


def _sum(records: list[CallRecord]) -> UsageTotals:
    live = [r for r in records if r.source == "live"]
    return UsageTotals(
        calls=len(live),
        cache_hits=sum(r.source == "cache" for r in records),
        replay_hits=sum(r.source == "replay" for r in records),
        prompt_tokens=sum(r.prompt_tokens for r in live),
        completion_tokens=sum(r.completion_tokens for r in live),
        cost_usd=sum(r.cost_usd for r in live),
        latency_s=sum(r.latency_s for r in live),
        unpriced_calls=sum(not r.priced for r in live),
    )
