"""``redac gate``: run an experiment's eval against a committed baseline (exit 0 pass, 1 regression, 2 error)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redac.cli.app import app
from redac.gate import DEFAULT_GATE_CONFIG


@app.command("gate")
def gate_command(
    config: Annotated[Path, typer.Argument(help="Experiment YAML whose eval is gated (experiments/*.yaml).")],
    baseline: Annotated[Path, typer.Option(help="Committed baseline JSON (evals/baselines/NAME.json).")],
    gate_config: Annotated[Path, typer.Option(help="Floors, max drops, bootstrap settings.")] = DEFAULT_GATE_CONFIG,
    update_baseline: Annotated[bool, typer.Option(
        "--update-baseline", help="Write the baseline from this run instead of comparing.")] = False,
    record_with: Annotated[str | None, typer.Option(
        help="Re-record the config's replay file with this live LM (e.g. 'embedded'), then write the baseline.",
    )] = None,
    junit: Annotated[Path, typer.Option(help="JUnit XML report.")] = Path("out/gate/junit.xml"),
    summary: Annotated[Path, typer.Option(help="Markdown summary (e.g. for $GITHUB_STEP_SUMMARY).")] = Path(
        "out/gate/summary.md"),
) -> None:
    """Run CONFIG's eval and compare it with BASELINE. Exit 0 pass, 1 regression, 2 config or input error."""
    from rich.console import Console
    from rich.markup import escape

    from redac.gate import (
        COMPOSITE,
        render_table,
        run_gate,
        signed,
        summarise,
        write_junit,
        write_markdown,
    )

    err = Console(stderr=True, highlight=False)
    out = Console(highlight=False)
    if not out.is_terminal:  # CI logs: Rich would assume 80 columns and fold the table
        out = Console(highlight=False, width=140)

    def on_stage(name: str) -> None:
        err.print(f"[bold]gate[/] {name}")

    def on_row(row, state) -> None:
        error = (row.error or "")[:100] + ("…" if len(row.error or "") > 100 else "")
        status = f"[red]failed[/] {escape(error)}" if row.error else f"composite {row.composite:.3f}"
        err.print(f"  {state.done}/{state.total} {row.id}: {status} ({row.seconds:.1f} s)")

    outcome = run_gate(config, baseline, gate_config=gate_config, update=update_baseline,
                       record_with=record_with, progress=on_row, on_stage=on_stage)
    if outcome.baseline_written is not None:
        out.print(f"baseline written: {outcome.baseline_written} ({len(outcome.rows)} examples, "
                  f"composite {summarise(outcome.rows).get(COMPOSITE, 0):.3f}, {outcome.seconds:.1f} s)"
                  + (f"; responses recorded to {outcome.recorded_to}" if outcome.recorded_to else ""))
        for row in outcome.rows:
            if row.error:
                out.print(f"[yellow]warning[/]: {row.id} failed and is in the baseline as failed: "
                          f"{escape(row.error)}")
        return
    result = outcome.result
    assert result is not None
    write_junit(result, junit)
    write_markdown(result, summary)
    out.print(render_table(result))
    for c in result.checks:
        if not c.passed:
            out.print(f"[red]{c.metric}[/]: {escape(c.reason)}")
    if result.new_failures:
        out.print(f"[red]new failed examples[/]: {', '.join(result.new_failures)}")
    for e in result.regressed:
        out.print(f"[bold]{e.id}[/] composite {e.before:.3f} -> {e.after:.3f} ({signed(e.delta)})"
                  + (f"; {', '.join(f'{k} {v:+.2f}' for k, v in list(e.metric_deltas.items())[:5])}"
                     if e.metric_deltas else "") + (f"; error: {escape(e.error)}" if e.error else ""))
        if e.feedback:
            out.print("  " + e.feedback.replace("\n", "\n  "), markup=False)
    for note in result.notes:
        out.print(f"note: {escape(note)}")
    colour = "green" if result.passed else "red"
    out.print(f"[bold {colour}]{result.verdict}[/] ({result.seconds:.1f} s; junit {junit}, summary {summary})")
    raise typer.Exit(result.exit_code)
