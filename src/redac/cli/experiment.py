"""``redac eval``, ``redac optimize`` and ``redac runs compare``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from redac.cli.app import app
from redac.cli.app import console as _console

runs_app = typer.Typer(no_args_is_help=True, help="Inspect tracked runs (MLflow).")
app.add_typer(runs_app, name="runs")


def _experiment(config: Path, repeat: Optional[int], tracking_uri: Optional[str], limit: Optional[int]):
    from redac.experiments import load_experiment

    overrides: dict = {}
    if repeat is not None:
        overrides["repeat"] = repeat
    if tracking_uri is not None:
        overrides["tracking.uri"] = tracking_uri
    if limit is not None:
        overrides["dataset.limit"] = limit
    return load_experiment(config, overrides)


def _print_plan(cfg, optimize: bool) -> None:
    from rich.table import Table

    from redac.experiments import estimate

    plan = estimate(cfg, optimize=optimize)
    table = Table(title=f"dry run: {cfg.name} (LM {cfg.lm.model_name})")
    for col in ("stage", "examples", "LM calls", "tokens (est.)"):
        table.add_column(col, justify="right" if col != "stage" else "left")
    for stage, n, calls, tokens in plan.lines:
        table.add_row(stage, str(n), str(calls), f"{tokens:,}")
    table.add_row("total", "", str(plan.calls), f"{plan.tokens:,}", style="bold")
    console = _console()
    console.print(table)
    console.print(f"estimated cost: ${plan.cost_usd:.4f} (cache hits cost nothing; nothing was spent)")


def _run_with_progress(runner, cfg, fresh: bool):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    err = _console(stderr=True)
    with Progress(TextColumn("[bold]{task.fields[stage]}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("failed {task.fields[failed]} | score {task.fields[score]:.3f} | "
                             "tokens {task.fields[tokens]:,} | ${task.fields[cost]:.4f}"),
                  TimeElapsedColumn(), console=err) as progress:
        task = progress.add_task("", total=None, stage="start", failed=0, score=0.0, tokens=0, cost=0.0)

        def on_stage(name: str) -> None:
            progress.reset(task, total=None, stage=name, failed=0, score=0.0, tokens=0, cost=0.0)

        def on_row(row, state) -> None:
            progress.update(task, total=state.total, completed=state.done, failed=state.failed,
                            score=state.mean, tokens=state.tokens, cost=state.cost_usd)
            if row.failed:
                progress.console.print(f"[red]failed[/] {row.id}: {row.error}")

        return runner(cfg, resume=not fresh, progress=on_row, on_stage=on_stage)


def _print_reports(result, cfg) -> None:
    from rich.table import Table

    from redac.stats import bootstrap_mean

    console = _console()
    for name, reports in result.reports.items():
        report = reports[0]
        metric_names = sorted({k for r in report.rows for k in r.metrics})[:8]
        table = Table(title=f"{name}: per example")
        for col in ["id", "composite", *metric_names, "words", "error"]:
            table.add_column(col, overflow="fold")
        for row in report.rows:
            table.add_row(row.id, f"{row.composite:.3f}", *[f"{row.metrics.get(m, 0):.2f}" for m in metric_names],
                          str(row.word_count), row.error or "")
        console.print(table)
        if len(reports) > 1:
            means = bootstrap_mean([r.summary().get("composite", 0.0) for r in reports])
            console.print(f"{name}: composite over {len(reports)} repeats = {means}")
        else:
            summary = report.summary()
            console.print(f"{name}: composite {summary.get('composite', 0):.3f} "
                          f"[{summary.get('composite_ci_low', 0):.3f}, {summary.get('composite_ci_high', 0):.3f}] "
                          f"n={int(summary.get('n', 0))} failed={int(summary.get('failed', 0))}")
    if result.lift:
        for split, lift in result.lift.items():
            if isinstance(lift, dict):
                console.print(f"[bold]lift on {split}[/]: {lift['mean']:+.3f} "
                              f"[{lift['ci_low']:+.3f}, {lift['ci_high']:+.3f}] (n={lift['n']})")
    if result.program_path:
        console.print(f"compiled program: {result.program_path}")
    if result.run_id:
        console.print(f"MLflow run: {result.run_id} (mlflow ui --backend-store-uri "
                      f"{cfg.tracking.uri or 'sqlite:///mlflow.db'})")
    if result.stopped:
        console.print(f"[yellow]stopped early[/]: {result.stopped} (partial results saved and logged)")


@app.command("eval")
def eval_command(
    config: Annotated[Path, typer.Argument(help="Experiment YAML (experiments/*.yaml).")],
    repeat: Annotated[Optional[int], typer.Option(help="Run N times; report mean and interval.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="First N examples of each split.")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Print planned LM calls, tokens and cost; spend nothing.")] = False,
    fresh: Annotated[bool, typer.Option(help="Ignore finished examples of an earlier run.")] = False,
) -> None:
    """Evaluate the configured program on the configured splits, tracked in MLflow."""
    _run_experiment(_experiment(config, repeat, tracking_uri, limit), optimize=False, dry_run=dry_run, fresh=fresh)


@app.command("optimize")
def optimize_command(
    config: Annotated[Path, typer.Argument(help="Experiment YAML with an optimizer block.")],
    limit: Annotated[Optional[int], typer.Option(help="First N examples of each split.")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Print planned LM calls, tokens and cost; spend nothing.")] = False,
    fresh: Annotated[bool, typer.Option(help="Ignore finished examples of an earlier run.")] = False,
) -> None:
    """Baseline eval, compile, compiled eval on dev and test, save the program (JSON), print the lift."""
    _run_experiment(_experiment(config, None, tracking_uri, limit), optimize=True, dry_run=dry_run, fresh=fresh)


def _run_experiment(cfg, *, optimize: bool, dry_run: bool, fresh: bool) -> None:
    if dry_run:
        _print_plan(cfg, optimize=optimize)
        return
    from redac.experiments import run_eval, run_optimize

    result = _run_with_progress(run_optimize if optimize else run_eval, cfg, fresh)
    _print_reports(result, cfg)
    if result.stopped:
        raise typer.Exit(4)


@runs_app.command("compare")
def runs_compare(
    run_a: Annotated[str, typer.Argument(help="Baseline run id.")],
    run_b: Annotated[str, typer.Argument(help="Candidate run id.")],
    tracking_uri: Annotated[Optional[str], typer.Option(help="MLflow tracking URI.")] = None,
    top: Annotated[int, typer.Option(help="Examples to list.")] = 10,
) -> None:
    """Metric deltas (B - A) and the examples that changed most."""
    from rich.table import Table

    from redac.tracking import compare_runs

    data = compare_runs(run_a, run_b, tracking_uri, top)
    console = _console()
    table = Table(title=f"metrics: {run_b[:8]} - {run_a[:8]}")
    for col in ("metric", "A", "B", "delta"):
        table.add_column(col)
    for name, a, b, d in data["metrics"]:
        style = "green" if d > 0 else "red" if d < 0 else ""
        table.add_row(name, f"{a:.4f}", f"{b:.4f}", f"[{style}]{d:+.4f}[/]" if style else f"{d:+.4f}")
    console.print(table)
    table = Table(title="examples that changed most (composite)")
    for col in ("table", "id", "A", "B", "delta"):
        table.add_column(col)
    for name, ex_id, a, b, d in data["examples"]:
        table.add_row(name, ex_id, f"{a:.3f}", f"{b:.3f}", f"{d:+.3f}")
    console.print(table)
