"""redac: French news source -> SEO article, with the evaluation loop around it.

Heavy modules (dspy, mlflow, torch) are imported lazily: ``import redac`` is cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Article": ("redac.article", "Article"),
    "Source": ("redac.sources", "Source"),
    "clean": ("redac.sources", "clean"),
    "read_source": ("redac.sources", "read_source"),
    "rewrite": ("redac.api", "rewrite"),
    "load": ("redac.bundle", "load"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'redac' has no attribute {name!r}")
