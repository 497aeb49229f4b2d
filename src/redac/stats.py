"""Small statistics shared by evals, optimisation reports and the CI gate (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_mean(values: list[float], *, n: int = 2000, level: float = 0.95, seed: int = 0) -> Interval:
    """Mean with a percentile bootstrap interval over examples (degenerate for < 2 values)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    if arr.size == 1:
        return Interval(float(arr[0]), float(arr[0]), float(arr[0]))
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(n, arr.size))].mean(axis=1)
    alpha = (1 - level) / 2
    return Interval(float(arr.mean()), float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha)))


def paired_bootstrap(before: list[float], after: list[float], *, n: int = 2000, level: float = 0.95,
                     seed: int = 0) -> tuple[Interval, float]:
    """Interval of mean(after - before) over paired examples, and P(delta <= 0) under resampling.

    Pairing removes the between-example variance, so a real change is detected with fewer examples
    and noise alone rarely looks like a regression.
    """
    if len(before) != len(after):
        raise ValueError("paired bootstrap needs the same examples on both sides")
    deltas = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    interval = bootstrap_mean(list(deltas), n=n, level=level, seed=seed)
    if deltas.size < 2:
        return interval, float(deltas.mean() <= 0) if deltas.size else 1.0
    rng = np.random.default_rng(seed)
    means = deltas[rng.integers(0, deltas.size, size=(n, deltas.size))].mean(axis=1)
    return interval, float((means <= 0).mean())
