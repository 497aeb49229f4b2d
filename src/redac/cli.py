"""``redac`` command line: a thin shell over the Python API.

Every command imports its heavy dependencies inside its body so ``redac --help`` is instant.
Exit codes: 0 ok, 1 some items failed (or a gate regression), 2 bad input or config,
3 LM backend failure, 4 budget exhausted, 70 internal error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="French news source -> SEO article, with the evaluation loop around it.")
data_app = typer.Typer(no_args_is_help=True, help="Validate, build and describe labelled datasets.")
app.add_typer(data_app, name="data")

LM_HELP = "LM spec: embedded | openai/MODEL | openai_compatible:URL@MODEL | replay:FILE | PATH.yaml"


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@app.command()
def rewrite(
    sources: Annotated[list[Path], typer.Argument(help="Source files (.txt, .md, .html).")],
    lm: Annotated[str, typer.Option(help=LM_HELP)] = "embedded",
    out: Annotated[Path, typer.Option(help="Output folder for NAME.md and NAME.json.")] = Path("out"),
    program: Annotated[Optional[Path], typer.Option(help="Compiled program state (JSON).")] = None,
) -> None:
    """Rewrite each SOURCE into a French SEO article (NAME.md + NAME.json in --out)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from redac.api import rewrite as run_rewrite

    err = _console(stderr=True)
    failed = 0
    with Progress(TextColumn("[bold]rewrite"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=False) as progress:
        task = progress.add_task("", total=len(sources))

        def report(result) -> None:
            nonlocal failed
            if result.ok:
                progress.console.print(f"[green]ok[/] {result.name}: {result.article.word_count} words, "
                                       f"{len(result.article.headings)} headings, {result.seconds:.1f} s "
                                       f"-> {', '.join(map(str, result.files))}")
                for warning in result.warnings:
                    progress.console.print(f"  [yellow]warning[/] {result.name}: {warning}")
            else:
                failed += 1
                progress.console.print(f"[red]error[/] {result.error}")
            progress.update(task, advance=1, description=result.name)

        run_rewrite(sources, lm=lm, out=out, program=program, on_result=report)
    raise typer.Exit(1 if failed else 0)


@app.command()
def score(
    article: Annotated[Path, typer.Argument(help="Article Markdown (front matter optional).")],
    source: Annotated[Path, typer.Option(help="The raw source the article was written from.")],
    gold: Annotated[Optional[Path], typer.Option(help="A gold article to compare with.")] = None,
    config: Annotated[Path, typer.Option(help="Metric config.")] = Path("evals/metrics.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Score ARTICLE against its SOURCE: every metric with a one-line explanation."""
    import json

    from redac.article import Article
    from redac.metrics import load_metrics_config, render_scores, score as score_article
    from redac.sources import read_source

    cfg = load_metrics_config(config) if config.exists() or config != Path("evals/metrics.yaml") else None
    scores = score_article(Article.read(article), read_source(source),
                           gold=Article.read(gold) if gold else None, cfg=cfg)
    if as_json:
        typer.echo(json.dumps(scores.model_dump() if hasattr(scores, "model_dump") else scores.__dict__,
                              ensure_ascii=False, indent=2, default=str))
    else:
        _console().print(render_scores(scores))


@data_app.command("validate")
def data_validate(path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")]) -> None:
    """Report every problem as FILE:LINE: FIELD: MESSAGE; exit 2 if there is any."""
    from redac.data import validate

    problems = validate(path)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {path}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{path}: valid")


@data_app.command("stats")
def data_stats(path: Annotated[Path, typer.Argument(help="Dataset JSONL file.")]) -> None:
    """Counts per split and tag, word counts, fact counts."""
    from redac.data import load_jsonl, render_stats, stats

    _console().print(render_stats(stats(load_jsonl(path))))


@data_app.command("build")
def data_build(folder: Annotated[Path, typer.Argument(help="Dataset folder with pairs/ and splits.yaml.")]) -> None:
    """Rebuild FOLDER/<name>.jsonl from the pair folders (splits stay frozen)."""
    from redac.data import build_dataset

    path = build_dataset(folder)
    typer.echo(f"wrote {path}")


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False) -> None:
    if version:
        from redac import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> int:
    """Entry point: any :class:`redac.errors.RedacError` becomes one line on stderr and an exit code."""
    from redac.errors import RedacError

    try:
        app(args=argv, standalone_mode=False)
    except RedacError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # usage errors from the parser
            exc.show()
            return exc.exit_code if exc.exit_code else 2
        if os.environ.get("REDAC_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"error: internal: {exc.__class__.__name__}: {first} (set REDAC_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
