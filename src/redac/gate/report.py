"""The gate's reports: JUnit XML (CI test results), Markdown (job summary), a Rich table (terminal).

All three are written from a :class:`GateResult` only, so they cannot disagree with the verdict.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from redac.gate.compare import GateResult, signed

if TYPE_CHECKING:
    from rich.table import Table


def _fmt(value: float, spec: str = ".3f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(round(value, 9) + 0.0, spec)


def write_junit(result: GateResult, path: str | Path) -> Path:
    """JUnit XML: one testcase per metric check (floor, drop), one for new failures, one per
    regressed example (a failure only when the gate fails; otherwise it passes with the delta in
    system-out, since the bootstrap judged it noise)."""
    import xml.etree.ElementTree as ET

    cases: list[tuple[str, str, str | None, str]] = []  # classname, name, failure message, text
    for c in result.checks:
        if c.floor is not None:
            ok = c.floor_ok
            cases.append(("redac.gate.floor", f"{c.metric} >= {c.floor:.3f}",
                          None if ok else f"{c.metric}: mean {c.after:.3f} is below the floor {c.floor:.3f}",
                          f"mean {_fmt(c.after)} over {c.n} examples (baseline {_fmt(c.before)})"))
        if c.max_drop is not None and not math.isnan(c.before):
            cases.append(("redac.gate.drop", f"{c.metric} drop <= {c.max_drop:.3f}",
                          None if c.drop_ok else f"{c.metric}: {c.reason}",
                          f"baseline {c.before:.3f} -> {c.after:.3f} (delta {signed(c.delta)}, interval "
                          f"[{signed(c.interval.low)}, {signed(c.interval.high)}], P(no drop) {c.p_no_drop:.3f})"
                          + (" - within noise" if c.within_noise else "")))
    cases.append(("redac.gate.errors", f"new failed examples <= {result.max_new_failures}",
                  None if result.failures_ok else f"new failed examples: {', '.join(result.new_failures)}",
                  f"{len(result.new_failures)} new failed example(s)"))
    for e in result.regressed:
        detail = f"composite {e.before:.3f} -> {e.after:.3f} ({signed(e.delta)})"
        if e.metric_deltas:
            detail += "; " + ", ".join(f"{k} {signed(v)}" for k, v in e.metric_deltas.items())
        if e.error:
            detail += f"; error: {e.error}"
        text = detail + (f"\nfeedback:\n{e.feedback}" if e.feedback else "")
        cases.append(("redac.gate.examples", e.id, None if result.passed else detail, text))

    failures = sum(1 for case in cases if case[2] is not None)
    suite = ET.Element("testsuite", name=f"redac-gate:{result.config}", tests=str(len(cases)),
                       failures=str(failures), errors="0", skipped="0", time=f"{result.seconds:.3f}",
                       timestamp=datetime.now(UTC).isoformat(timespec="seconds"))
    for classname, name, failure, text in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")
        if failure is not None:
            node = ET.SubElement(case, "failure", message=failure, type="regression")
            node.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    root = ET.Element("testsuites", name="redac-gate", tests=str(len(cases)), failures=str(failures), errors="0",
                      time=f"{result.seconds:.3f}")
    root.append(suite)
    ET.indent(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_markdown(result: GateResult) -> str:
    icon = "✅" if result.passed else "❌"
    lines = [f"## {icon} redac gate `{result.config}`: {result.verdict}", "",
             f"{result.n} examples compared with the baseline"
             + (f" from commit `{result.baseline_commit[:10]}`" if result.baseline_commit else "")
             + (f" ({result.baseline_created})" if result.baseline_created else "")
             + (f", in {result.seconds:.1f} s" if result.seconds else "") + ".", "",
             "| metric | baseline | current | delta | delta interval | P(no drop) | floor | max drop | verdict |",
             "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    for c in result.checks:
        verdict = "pass" if c.passed else "**FAIL**"
        if c.passed and c.within_noise:
            verdict = "pass (noise)"
        ci = "–" if math.isnan(c.interval.low) else f"[{signed(c.interval.low)}, {signed(c.interval.high)}]"
        lines.append(f"| {c.metric} | {_fmt(c.before)} | {_fmt(c.after)} | {_fmt(c.delta, '+.3f')} | {ci} | "
                     f"{_fmt(c.p_no_drop, '.2f')} | {_fmt(c.floor, '.2f') if c.floor is not None else '–'} | "
                     f"{_fmt(c.max_drop, '.3f') if c.max_drop is not None else '–'} | {verdict} |")
    failing = [c for c in result.checks if not c.passed]
    if failing:
        lines += ["", "**Why:**", ""] + [f"- `{c.metric}`: {c.reason}" for c in failing]
    if result.new_failures:
        lines += ["", f"**New failed examples** ({len(result.new_failures)}, allowed {result.max_new_failures}): "
                  + ", ".join(f"`{i}`" for i in result.new_failures)]
    lines += ["", f"### Regressed examples ({len(result.regressed)})", ""]
    if result.regressed:
        lines += ["| example | baseline | current | delta | metrics that moved | feedback |",
                  "|---|---:|---:|---:|---|---|"]
        for e in result.regressed:
            moved = ", ".join(f"{k} {v:+.2f}" for k, v in list(e.metric_deltas.items())[:6])
            feedback = (f"error: {e.error}. " if e.error else "") + e.feedback
            lines.append(f"| `{e.id}` | {e.before:.3f} | {e.after:.3f} | {signed(e.delta)} | {_md_cell(moved)} | "
                         f"{_md_cell(feedback)[:600]} |")
    else:
        lines.append("None.")
    if result.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def write_markdown(result: GateResult, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(result), encoding="utf-8")
    return path


def render_table(result: GateResult) -> Table:
    from rich.table import Table

    table = Table(title=f"redac gate: {result.config} ({result.n} examples vs baseline)")
    for col in ("metric", "baseline", "current", "delta", "delta interval", "P(no drop)", "floor", "max drop",
                "verdict"):
        table.add_column(col, justify="left" if col in ("metric", "verdict") else "right", no_wrap=True)
    for c in result.checks:
        verdict = "[green]pass[/]" if c.passed else "[bold red]FAIL[/]"
        if c.passed and c.within_noise:
            verdict = "[yellow]pass (noise)[/]"
        style = "red" if c.delta < -1e-9 else "green" if c.delta > 1e-9 else ""
        delta = _fmt(c.delta, "+.3f")
        ci = "–" if math.isnan(c.interval.low) else f"[{signed(c.interval.low)}, {signed(c.interval.high)}]"
        table.add_row(c.metric, _fmt(c.before), _fmt(c.after), f"[{style}]{delta}[/]" if style else delta,
                      ci, _fmt(c.p_no_drop, ".2f"), _fmt(c.floor, ".2f") if c.floor is not None else "–",
                      _fmt(c.max_drop) if c.max_drop is not None else "–", verdict)
    return table
