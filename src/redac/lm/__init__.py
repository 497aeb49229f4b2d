"""LM config -> DSPy LM for every backend (OpenAI, OpenAI-compatible servers, the embedded
GGUF model, replay files), with one disk cache, retries, recording and usage/budget.

Config, spec parsing and usage are cheap to import; everything that needs DSPy
(``build_lm``, ``check_lm``, ``RedacLM``, ``count_tokens``, ``adapter_for``, ``CompletionAdapter``)
loads on first use.
See docs/lm.md.
"""

from __future__ import annotations

from redac.lm.config import (
    DEFAULT_PRICES,
    PROVIDERS,
    LMConfig,
    Price,
    embedded_model_path,
    load_lm_config,
    parse_lm_spec,
    redac_home,
)
from redac.lm.usage import Budget, CallRecord, UsageLog, UsageTotals, usage_scope

_LAZY = {
    "CompletionAdapter": "redac.lm.adapter",
    "adapter_for": "redac.lm.build",
    "build_lm": "redac.lm.build",
    "check_lm": "redac.lm.build",
    "completion_style": "redac.lm.build",
    "context_window": "redac.lm.build",
    "count_tokens": "redac.lm.build",
    "RedacLM": "redac.lm.build",
    "RedacEngine": "redac.lm.engines",
}

__all__ = [
    "DEFAULT_PRICES",
    "PROVIDERS",
    "Budget",
    "CallRecord",
    "CompletionAdapter",
    "LMConfig",
    "Price",
    "RedacEngine",
    "RedacLM",
    "UsageLog",
    "UsageTotals",
    "adapter_for",
    "build_lm",
    "check_lm",
    "completion_style",
    "context_window",
    "count_tokens",
    "embedded_model_path",
    "load_lm_config",
    "parse_lm_spec",
    "redac_home",
    "usage_scope",
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'redac.lm' has no attribute {name!r}")
