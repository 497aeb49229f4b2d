"""The gate's view of a run: one row per example (repeats averaged) and plain means.

Shared by the baseline (its summary) and the run (rows before the comparison), so both sides of a
comparison are built the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redac.gate.config import COMPOSITE

if TYPE_CHECKING:
    from redac.experiments import EvalReport, Row


def mean_or_nan(values: list[float]) -> float:
    """The mean of ``values``; NaN for none (a metric no example has stays visibly undefined)."""
    return sum(values) / len(values) if values else float("nan")


def summarise(rows: list[Row]) -> dict[str, float]:
    out: dict[str, float] = {"n": float(len(rows)), "failed": float(sum(r.error is not None for r in rows))}
    if rows:
        out[COMPOSITE] = sum(r.composite for r in rows) / len(rows)
    for name in sorted({k for r in rows for k in r.metrics}):
        values = [r.metrics[name] for r in rows if name in r.metrics]
        out[name] = sum(values) / len(values)
    return out


def aggregate_rows(reports: dict[str, list[EvalReport]]) -> list[Row]:
    """One row per example: repeats averaged (a failed repeat counts 0 in the composite)."""
    from redac.experiments import Row

    grouped: dict[str, list[Row]] = {}
    for split_reports in reports.values():
        for report in split_reports:
            for row in report.rows:
                grouped.setdefault(row.id, []).append(row)
    out = []
    for ex_id, group in grouped.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        names = sorted({k for r in group for k in r.metrics})
        metrics = {k: mean_or_nan([r.metrics[k] for r in group if k in r.metrics]) for k in names}
        errors = [r.error for r in group if r.error]
        ok = [r for r in group if not r.error]
        out.append(Row(id=ex_id, split=group[0].split, composite=mean_or_nan([r.composite for r in group]),
                       metrics=metrics, feedback=(ok[0] if ok else group[0]).feedback,
                       output=(ok[0] if ok else group[0]).output,
                       error=errors[0] if errors else None, seconds=sum(r.seconds for r in group)))
    return sorted(out, key=lambda r: r.id)
