"""The DSPy program state a bundle carries: read as JSON (never a pickle), the saved ProgramConfig split off,
LMs stripped, and the ProgramConfig settled between what was saved, what the experiment says and what the
state shows (``reasoning``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redac.errors import ConfigError, RedacError


def read_state(path: Path) -> dict[str, Any]:
    """A DSPy JSON state file as a dict; a pickle or anything else is refused by name."""
    if path.suffix == ".pkl":
        raise RedacError("pickled programs are not exported (they run code when loaded); save the program "
                         "with program.save('x.json')", file=str(path))
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RedacError("no such program file", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RedacError(f"not a JSON program state: {exc}", file=str(path)) from None
    if not isinstance(state, dict) or not any(isinstance(v, dict) and "signature" in v for v in state.values()):
        raise RedacError("not a DSPy program state (no predictor with a signature)", file=str(path))
    return state


def split_state(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(predictor state, the ProgramConfig saved with it): a bundle keeps the config in its manifest."""
    from redac.program import CONFIG_KEY

    state = dict(state)
    saved = state.pop(CONFIG_KEY, None)
    return state, saved if isinstance(saved, dict) else {}


def resolve_program_config(program: Mapping[str, Any], state: dict[str, Any], *, file: str,
                           saved: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """ProgramConfig fields: those saved with the program, then an experiment's ``program`` block (values it
    sets); the state decides ``reasoning``."""
    from redac.program import ProgramConfig, uses_reasoning

    known = set(ProgramConfig.model_fields)
    out = {k: v for k, v in (saved or {}).items() if k in known and k != "reasoning"}
    out.update({k: v for k, v in program.items() if k in known and v is not None})
    reasoning = uses_reasoning(state)
    if "reasoning" in out and bool(out["reasoning"]) != reasoning:
        raise ConfigError(f"the config says reasoning={out['reasoning']} but the program state was saved "
                          f"{'with' if reasoning else 'without'} ChainOfThought", file=file, field="program.reasoning")
    out["reasoning"] = reasoning
    return ProgramConfig(**out).to_dict()


def strip_lms(state: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Optimisers may leave an LM on a predictor; a bundle never carries one (the LM is chosen at load)."""
    out, dropped = {}, []
    for key, value in state.items():
        if isinstance(value, dict) and value.get("lm"):
            value = {**value, "lm": None}
            dropped.append(key)
        out[key] = value
    return out, dropped
