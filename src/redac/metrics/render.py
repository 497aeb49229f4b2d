"""The table ``redac score`` prints: each metric's value (green at or over its pass threshold, red
under), what it measures (from the registry) and its feedback, the composite last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redac.metrics.config import MetricsConfig
from redac.metrics.registry import get
from redac.metrics.result import Scores

if TYPE_CHECKING:
    from rich.table import Table


def render_scores(scores: Scores, cfg: MetricsConfig | None = None) -> Table:
    """A rich Table: metric, value, one-line explanation (the feedback), composite last."""
    from rich.table import Table

    thresholds = (cfg or MetricsConfig()).thresholds
    table = Table(title="redac score", show_lines=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    table.add_column("what it measures")
    table.add_column("feedback")
    for name, r in scores.results.items():
        t = thresholds.get(name)
        style = "green" if t is None or r.value >= t else "red"
        spec = get(name)
        table.add_row(name, f"[{style}]{r.value:.2f}[/{style}]", spec.summary if spec else "", r.feedback)
    note = scores.error or ("; ".join(f"gate failed: {g}" for g in [*scores.gates_failed, *scores.capped])
                            or "weighted mean of the metrics above")
    t = thresholds.get("composite")
    style = "green" if t is None or scores.composite >= t else "red"
    table.add_row("composite", f"[{style}]{scores.composite:.2f}[/{style}]", "weighted mean; 0 or capped if a gate fails", note)
    return table
