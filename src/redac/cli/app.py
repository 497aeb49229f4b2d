"""The ``redac`` Typer app, its root options and :func:`main` (errors become one line and an exit code).

Exit codes: 0 ok, 1 some items failed (or a gate regression), 2 bad input or config,
3 LM backend failure, 4 budget exhausted, 70 internal error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="French news source -> SEO article, with the evaluation loop around it.")

DEFAULT_METRICS = Path("evals/metrics.yaml")
LM_HELP = "LM spec: embedded | embedded:base | openai/MODEL | openai_compatible:URL@MODEL | replay:FILE | PATH.yaml"


def console(stderr: bool = False):
    """A Rich console that does not fold long lines (they are often paths)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False) -> None:
    if version:
        from redac import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> int:
    """Entry point: any :class:`redac.errors.RedacError` becomes one line on stderr and an exit code."""
    from redac.errors import RedacError

    # A process-wide setting, so it belongs to the process entry point (library calls never write os.environ):
    # if anything imports LiteLLM, it reads its bundled price map instead of fetching one over the network.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        rc = app(args=argv, standalone_mode=False)
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
        from redac.errors import describe

        print(f"error: internal: {describe(exc)} (set REDAC_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70
    return rc if isinstance(rc, int) else 0
