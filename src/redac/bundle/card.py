"""``model_card.md``: the manifest's facts for a person (what the program is, what it was measured at, and
what it cannot do), written into every bundle beside the manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redac.bundle.manifest import METRICS_FILE, Manifest


def model_card(m: Manifest) -> str:
    """A human-readable card: what the program is, what it was measured at, and what it cannot do."""
    lm = m.lm or {}
    lm_name = lm.get("model_name") or lm.get("model") or lm.get("provider") or "unknown"
    provider = lm.get("provider", "unknown")
    lines = [
        f"# redac program {m.id}",
        "",
        ("Rewrites a French news source (agency dispatch, scraped page, optional editor instruction line) into a "
         "French SEO article: title, meta description, slug, focus keyphrase, H2/H3 sections, at least the "
         "requested word count, keeping the source's facts and adding none."),
        "",
        "## Intended use",
        "",
        ("A drafting aid for a newsroom: every article goes to an editor before publication. Not for other "
         "languages, not for opinion pieces, not for sources the editor has not checked."),
        "",
        "## What is inside",
        "",
        f"- exported {m.created_at} by redac {m.redac_version} (DSPy {m.dspy_version}); format {m.format_version}",
        f"- source: {_describe_origin(m.source)}",
        f"- compiled with the LM `{lm_name}` (provider `{provider}`)",
        f"- program settings: {', '.join(f'{k}={v}' for k, v in m.program_config.items())}",
        "",
        "| predictor | signature | demos | instructions (start) |",
        "|---|---|---|---|",
    ]
    for name, spec in m.predictors.items():
        head = " ".join(spec.instructions.split())[:90].replace("|", "/")
        lines.append(f"| {name} | {spec.signature} | {spec.demos} | {head}… |")
    lines += ["", "## Scores", ""]
    if m.scores:
        lines += [("Composite and per-metric means in [0, 1] (higher is better), from the run that produced "
                   "the program."), "", "| split | composite | 95% CI | n | failed |", "|---|---|---|---|---|"]
        for split, values in sorted(m.scores.items()):
            ci = (f"[{values['composite_ci_low']:.3f}, {values['composite_ci_high']:.3f}]"
                  if "composite_ci_low" in values and "composite_ci_high" in values else "")
            lines.append(f"| {split} | {values.get('composite', float('nan')):.3f} | {ci} | "
                         f"{int(values.get('n', 0))} | {int(values.get('failed', 0))} |")
    else:
        lines.append("No scores were recorded for this program: evaluate it (`redac eval`) before relying on it.")
    dataset = m.dataset or {}
    metrics = m.metrics or {}
    lines += [
        "",
        f"- dataset: `{dataset.get('path', 'unknown')}` (hash `{dataset.get('hash', 'unknown')}`)",
        f"- metric config: `{METRICS_FILE}` (sha256 `{str(metrics['sha256'])[:16]}`, {metrics.get('origin')})"
        if metrics else "- metric config: not included",
        "",
        "## Limits",
        "",
    ]
    if provider == "embedded" or "270m" in f"{lm_name} {' '.join(m.notes)}".lower():
        lines.append("- The program was compiled against the embedded LM, Gemma 3 270M, a *base* (not "
                     "instruction-tuned) model of 270M parameters: its articles are far below publishable "
                     "quality and its scores say little about a real model. Serve it with a capable LM "
                     "(`--lm openai/...`) and re-evaluate.")
    if provider == "replay":
        lines.append("- The program was compiled against recorded LM answers (replay): its scores measure "
                     "those recordings, not a live model.")
    lines += [
        ("- Scores come from automatic metrics (fact recall and precision, coverage, length, headings, SEO, "
         "language, readability); they miss subtle distortions, wrong emphasis and tone. An editor checks "
         "every article."),
        "- Few-shot demos are stored verbatim in `program.json`: they are excerpts of the labelled set.",
        ("- The test split chooses the `champion`; choosing often among many candidates on it makes its score "
         "optimistic."),
        "",
        "## Use",
        "",
        "```python",
        "import redac",
        'rewrite = redac.load("path/to/this/bundle")   # or "models:/NAME@champion"',
        "article = rewrite(open(\"source.txt\").read(), lm=\"openai/gpt-4o-mini\")",
        "print(article.to_markdown())",
        "```",
        "",
        "`redac serve BUNDLE --lm SPEC` serves it over HTTP (see docs/export.md).",
    ]
    if m.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in m.notes]
    return "\n".join(lines) + "\n"


def _describe_origin(origin: Mapping[str, Any]) -> str:
    if origin.get("kind") == "mlflow_run":
        return f"MLflow run `{origin.get('run_id')}` ({origin.get('run_name')}), commit `{origin.get('git_commit')}`"
    text = f"program file `{origin.get('path')}`"
    if origin.get("config"):
        text += f", experiment config `{origin['config']}`"
    return text
