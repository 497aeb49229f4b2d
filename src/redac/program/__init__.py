"""The DSPy program that rewrites a cleaned source into an SEO article (facts -> plan -> sections).

* :mod:`~redac.program.signatures` -- the prompts (byte-identical: recordings and the adapter depend on them);
* :mod:`~redac.program.config` -- :class:`ProgramConfig`, the one config type, and the saved-state layout;
* :mod:`~redac.program.modules` -- :class:`RedacProgram`, the DSPy module;
* :mod:`~redac.program.factory` -- :func:`build_program` / :func:`load_program_state`, the way to make one;
* :mod:`~redac.program.budget` -- chunks, facts per section, section counts and word budgets;
* :mod:`~redac.program.outputs` -- cleaning list and text outputs of the model;
* :mod:`~redac.program.plan` -- the SEO plan and its repairs under :mod:`redac.rules`;
* :mod:`~redac.program.passes` -- verification and repetition passes over the written sections;
* :mod:`~redac.program.assembly` -- plan + sections -> :class:`~redac.article.Article`;
* :mod:`~redac.program.demos` -- few-shot demos from labelled records.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from redac.program.assembly import assemble, strip_headings
from redac.program.budget import (
    chunk_text,
    section_count,
    section_words,
    share_facts,
    split_evenly,
)
from redac.program.config import (
    CONFIG_KEY,
    ProgramConfig,
    program_config,
    uses_reasoning,
)
from redac.program.outputs import as_list, clip, dedupe
from redac.program.passes import drop_repeats, keep_sections, verify_parts
from redac.program.plan import (
    Plan,
    fallback_keyphrase,
    fallback_keyphrase_words,
    parse_outline,
    repair_plan,
)

if TYPE_CHECKING:
    from redac.program.demos import demos_from_records, with_demos
    from redac.program.factory import (
        build_program,
        carry_over,
        load_predictors,
        load_program_state,
    )
    from redac.program.modules import RedacProgram
    from redac.program.signatures import LEDE, ExtractFacts, PlanArticle, WriteSection

# Names whose modules import DSPy load on first use, so the config, budget and repair helpers (read by
# experiment configs and the CLI) stay cheap to import.
_LAZY = {
    "demos_from_records": "redac.program.demos",
    "with_demos": "redac.program.demos",
    "build_program": "redac.program.factory",
    "carry_over": "redac.program.factory",
    "load_predictors": "redac.program.factory",
    "load_program_state": "redac.program.factory",
    "RedacProgram": "redac.program.modules",
    "LEDE": "redac.program.signatures",
    "ExtractFacts": "redac.program.signatures",
    "PlanArticle": "redac.program.signatures",
    "WriteSection": "redac.program.signatures",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'redac.program' has no attribute {name!r}")


__all__ = [
    "CONFIG_KEY",
    "LEDE",
    "ExtractFacts",
    "Plan",
    "PlanArticle",
    "ProgramConfig",
    "RedacProgram",
    "WriteSection",
    "as_list",
    "assemble",
    "build_program",
    "carry_over",
    "chunk_text",
    "clip",
    "dedupe",
    "demos_from_records",
    "drop_repeats",
    "fallback_keyphrase",
    "fallback_keyphrase_words",
    "keep_sections",
    "load_predictors",
    "load_program_state",
    "parse_outline",
    "program_config",
    "repair_plan",
    "section_count",
    "section_words",
    "share_facts",
    "split_evenly",
    "strip_headings",
    "uses_reasoning",
    "verify_parts",
    "with_demos",
]
