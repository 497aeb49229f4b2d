"""The one config type of the program: :class:`ProgramConfig`.

Experiment YAMLs, bundle manifests and the config saved inside a program state all validate against
it (unknown keys are errors, named), so a setting means the same wherever it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from redac.configfile import StrictModel, validation_error

CONFIG_KEY = "redac_config"  # where a saved program state keeps its ProgramConfig


class ProgramConfig(StrictModel):
    """Knobs of the program that are not prompts (prompts and demos live in the DSPy state).

    ``reasoning`` decides the predictor types when the program is built: build programs with
    :func:`redac.program.build_program` (or :func:`redac.program.load_program_state`), never by changing
    the config of a built one.
    """

    model_config = ConfigDict(validate_assignment=True)

    reasoning: bool = False  # ChainOfThought instead of Predict for every step
    # Where the facts come from: "model" asks the extract step; "sentences" takes the cleaned source's
    # sentences (no LM call, nothing invented; what the fine-tuned embedded model is trained on).
    facts: Literal["model", "sentences"] = "model"
    # Drop sentences (and plan fields) naming people or places, stating figures or quoting words that the
    # source does not have (redac.factcheck); every drop is recorded in ``repairs``.
    verify: bool = False
    # No repetition: at most one subheading per two facts, and sentences that repeat an earlier sentence
    # of the article dropped (with sections left empty).
    dedupe: bool = False
    context_tokens: int = Field(default=8192, ge=1024)  # the LM's context window; longer sources are chunked
    reserved_tokens: int = Field(default=3072, ge=0)  # room kept for instructions, demos and the answer
    min_sections: int = Field(default=3, ge=0)
    max_sections: int = Field(default=6, ge=1)
    chars_per_token: float = Field(default=3.5, gt=0)  # cheap token estimate for French when no tokenizer is at hand
    tokens_per_word: float = Field(default=2.2, gt=0)  # output budget per requested word (French, Markdown, field markers)
    plan_tokens: int = Field(default=400, ge=1)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def uses_reasoning(state: dict[str, Any]) -> bool:
    """Whether a saved program state comes from ChainOfThought predictors (they save under ``<name>.predict``)."""
    return any(key.endswith(".predict") for key in state if key != "metadata")


def program_config(data: Mapping[str, Any], *, file: str | None = None, prefix: list[str] | None = None) -> ProgramConfig:
    """``data`` validated as a :class:`ProgramConfig`; an unknown key or a bad value is a
    :class:`~redac.errors.ConfigError` naming it (under ``prefix``, in ``file``)."""
    try:
        return ProgramConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise validation_error(exc, file=file, prefix=prefix) from None
