"""``redac`` command line: a thin shell over the Python API, one module per command group.

Every command imports its heavy dependencies inside its body so ``redac --help`` is instant. Each
module below adds its commands to :data:`redac.cli.app.app` when imported; the imports are explicit,
so a broken command module fails loudly instead of vanishing from ``--help``.
"""

from __future__ import annotations

# Registration order is the order of `redac --help`.
# isort: off
from redac.cli import rewrite, experiment, data, gate, export, serve, finetune  # noqa: F401  (registers commands)
# isort: on
from redac.cli.app import app, main

__all__ = ["app", "main"]
