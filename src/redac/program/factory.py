"""The one way to make a program: from a config and, optionally, a saved state.

The predictor type of every step (Predict, or ChainOfThought with ``reasoning``) is fixed when the
program is constructed, so the config must be complete *before* construction: the config saved in the
state comes first, the caller's settings win over it, then the program is built and the state loaded.
Changing ``program.config`` afterwards, or loading a state into a program built for another config,
is how ``reasoning: true`` used to run Predict and a saved ChainOfThought program failed to load.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from redac.errors import ConfigError
from redac.program.config import (
    CONFIG_KEY,
    ProgramConfig,
    program_config,
    uses_reasoning,
)
from redac.program.modules import RedacProgram

log = logging.getLogger(__name__)


def build_program(config: ProgramConfig | Mapping[str, Any] | None = None, state: Mapping[str, Any] | None = None,
                  *, file: str | None = None) -> RedacProgram:
    """A program for ``config`` with ``state`` (a saved program state, as JSON data) loaded.

    ``config``: the settings that win over those saved in ``state`` (a mapping of
    :class:`ProgramConfig` fields, or a ProgramConfig: the fields it was given). A state saved with the
    other predictor type is carried over: instructions, field descriptions and demos of each step.
    Unknown keys are refused by name (:class:`~redac.errors.ConfigError`; ``file`` says where from).
    """
    state = dict(state or {})
    saved = state.pop(CONFIG_KEY, None)
    if saved is not None and not isinstance(saved, Mapping):
        raise ConfigError("the saved program config must be a mapping", file=file, field=CONFIG_KEY)
    if isinstance(config, ProgramConfig):
        overrides = config.model_dump(mode="json", exclude_unset=True)
    else:
        overrides = dict(config or {})
        program_config(overrides, file=file)  # unknown or bad settings are named before the saved ones
    base = program_config(saved or {}, file=file, prefix=[CONFIG_KEY]).to_dict()
    if state and "reasoning" not in (saved or {}):
        base["reasoning"] = uses_reasoning(state)  # older states: the layout tells
    cfg = program_config({**base, **overrides}, file=file)
    program = RedacProgram(cfg)
    if state:
        load_predictors(program, state)
    return program


def load_program_state(path: str | Path, overrides: ProgramConfig | Mapping[str, Any] | None = None) -> RedacProgram:
    """The program saved at ``path`` (JSON from ``dspy.Module.save``; nothing is unpickled), with
    ``overrides`` winning over the config saved with it (see :func:`build_program`)."""
    path = Path(path)
    state = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(state, dict):
        raise ConfigError("a program state must be a JSON object", file=str(path))
    _warn_on_versions(state)
    return build_program(overrides, state, file=str(path))


def load_predictors(program: RedacProgram, state: Mapping[str, Any]) -> None:
    """Load a predictor state (without its config) into ``program``, whichever predictor type saved it."""
    state = {k: v for k, v in state.items() if k != CONFIG_KEY}
    if uses_reasoning(state) == program.config.reasoning:
        program.load_state(state)
        return
    saved = RedacProgram(program.config.model_copy(update={"reasoning": not program.config.reasoning}))
    saved.load_state(state)
    carry_over(saved, program)


def carry_over(source: RedacProgram, target: RedacProgram) -> None:
    """Copy each step's instructions, field prefixes and descriptions, and demos from ``source`` to
    ``target`` (programs with different predictor types; ChainOfThought's ``reasoning`` field stays as
    ``target`` has it)."""
    by_step = {name.split(".")[0]: predictor for name, predictor in source.named_predictors()}
    for name, predictor in target.named_predictors():
        src = by_step[name.split(".")[0]]
        signature = predictor.signature.with_instructions(src.signature.instructions)
        for key, field in src.signature.fields.items():
            if key in signature.fields:
                extra = field.json_schema_extra or {}
                signature = signature.with_updated_fields(key, prefix=extra.get("prefix"), desc=extra.get("desc"))
        predictor.signature = signature
        predictor.demos = list(src.demos)


def _warn_on_versions(state: Mapping[str, Any]) -> None:
    """What ``dspy.Module.load`` logs when the state was saved with other library versions."""
    from dspy.utils.saving import get_dependency_versions

    saved = ((state.get("metadata") or {}).get("dependency_versions") or {})
    current = get_dependency_versions()
    for key, version in saved.items():
        if current.get(key) != version:
            log.warning("There is a mismatch of %s version between saved model and current environment. "
                        "You saved with `%s==%s`, but now you have `%s==%s`.", key, key, version, key, current.get(key))
