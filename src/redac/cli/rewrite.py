"""``redac rewrite`` and ``redac score``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from redac.cli.app import DEFAULT_METRICS, LM_HELP, app
from redac.cli.app import console as _console


@app.command()
def rewrite(
    sources: Annotated[list[Path], typer.Argument(help="Source files (.txt, .md, .html).")],
    lm: Annotated[str, typer.Option(help=LM_HELP)] = "embedded",
    out: Annotated[Path, typer.Option(help="Output folder for NAME.md and NAME.json.")] = Path("out"),
    program: Annotated[Optional[Path], typer.Option(help="Compiled program state (JSON).")] = None,
) -> None:
    """Rewrite each SOURCE into a French SEO article (NAME.md + NAME.json in --out)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

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
    config: Annotated[Path, typer.Option(help="Metric config.")] = DEFAULT_METRICS,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    keyphrase: Annotated[Optional[str], typer.Option(help="Focus keyphrase (sets the front-matter field).")] = None,
    title: Annotated[Optional[str], typer.Option(help="Title (sets the front-matter field).")] = None,
    meta: Annotated[Optional[str], typer.Option(help="Meta description (sets the front-matter field).")] = None,
    slug: Annotated[Optional[str], typer.Option(help="Slug (sets the front-matter field).")] = None,
) -> None:
    """Score ARTICLE against its SOURCE: every metric with a one-line explanation.

    ARTICLE may be Markdown with or without front matter or headings, or plain text: what it lacks
    scores low, with feedback saying what to add. --keyphrase, --title, --meta and --slug supply the
    front-matter fields of a text that has none (and override those it has)."""
    import json

    from redac.article import Article
    from redac.errors import ArticleError
    from redac.metrics import load_metrics_config, render_scores
    from redac.metrics import score as score_article
    from redac.sources import read_source

    # The default file is optional (built-in defaults equal it); a path the user names must exist.
    cfg = None if config == DEFAULT_METRICS and not config.exists() else load_metrics_config(config)
    candidate = Article.read(article).with_fields(keyphrase=keyphrase, title=title, meta_description=meta, slug=slug)
    src = read_source(source)
    try:
        scores = score_article(candidate, src, gold=Article.read(gold) if gold else None, cfg=cfg)
    except ArticleError as exc:
        raise ArticleError(exc.message, file=exc.file or str(article), line=exc.line, field=exc.field) from None
    if as_json:
        typer.echo(json.dumps(scores.model_dump() if hasattr(scores, "model_dump") else scores.__dict__,
                              ensure_ascii=False, indent=2, default=str))
    else:
        _console().print(render_scores(scores))
