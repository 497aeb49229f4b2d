"""Does the installed program match a bundle? Checked before the state is loaded and after.

DSPy applies saved field descriptions to the installed signature *by position* and ignores extra or missing
ones, so a state read by another redac or DSPy version could silently prompt with the wrong field texts.
These checks turn every such difference into a :class:`~redac.errors.RedacError` naming the file and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from redac.bundle.manifest import MANIFEST_FILE, FieldSpec, Manifest, PredictorSpec
from redac.errors import ConfigError, RedacError

if TYPE_CHECKING:  # pragma: no cover
    from redac.program import RedacProgram


def build_program(program_config: Mapping[str, Any], *, file: str = MANIFEST_FILE) -> RedacProgram:
    """An empty program of the bundle's shape; unknown ProgramConfig keys (a newer redac) are refused by name."""
    from redac.program import ProgramConfig
    from redac.program import build_program as new_program

    known = set(ProgramConfig.model_fields)
    unknown = sorted(set(program_config) - known)
    if unknown:
        raise RedacError(f"unknown program setting {unknown[0]!r} (made by a newer redac?)", file=file,
                         field=f"program_config.{unknown[0]}")
    try:
        return new_program(program_config, file=file)
    except ConfigError as exc:
        raise RedacError(f"invalid program config: {exc.message}", file=file,
                         field=f"program_config.{exc.field}" if exc.field else "program_config") from None


def describe_predictors(program: RedacProgram) -> dict[str, PredictorSpec]:
    """What each predictor looks like once the state is loaded (the manifest's ``predictors``)."""
    out = {}
    for name, predictor in program.named_predictors():
        sig = predictor.signature

        def fields(items: dict[str, Any]) -> list[FieldSpec]:
            return [FieldSpec(name=key, prefix=str(f.json_schema_extra.get("prefix", "")),
                              description=str(f.json_schema_extra.get("desc", ""))) for key, f in items.items()]

        out[name] = PredictorSpec(signature=_signature_name(program, name), instructions=sig.instructions,
                                  inputs=fields(sig.input_fields), outputs=fields(sig.output_fields),
                                  demos=len(predictor.demos))
    return out


def _signature_name(program: RedacProgram, name: str) -> str:
    """The Signature class the predictor was built from (load_state replaces the class with a copy)."""
    from redac import program as program_module

    step = name.split(".")[0]
    classes = {"extract": program_module.ExtractFacts, "plan": program_module.PlanArticle,
               "write": program_module.WriteSection}
    cls = classes.get(step)
    return cls.__name__ if cls is not None else type(getattr(program, step, None)).__name__


def check_structure(program: RedacProgram, state: Mapping[str, Any], manifest: Manifest | None, *,
                    file: str) -> None:
    """Before loading: the installed program has exactly the bundle's predictors and fields.

    DSPy would otherwise apply saved field texts by position and drop the rest without a word.
    """
    installed = dict(program.named_predictors())
    saved = sorted(k for k in state if k != "metadata")
    if sorted(installed) != saved:
        raise RedacError(f"the program state has predictors {saved}, this redac's program has {sorted(installed)}",
                         file=file, field="predictors")
    for name, predictor in installed.items():
        sig = predictor.signature
        saved_fields = (state[name].get("signature") or {}).get("fields") or []
        n_fields = len(sig.input_fields) + len(sig.output_fields)
        if len(saved_fields) != n_fields:
            raise RedacError(f"predictor {name!r} has {len(saved_fields)} saved fields, this redac's signature "
                             f"has {n_fields}", file=file, field=f"{name}.signature.fields")
        if manifest is not None:
            spec = manifest.predictors.get(name)
            if spec is None:
                raise RedacError(f"the manifest does not describe predictor {name!r}", file=MANIFEST_FILE,
                                 field=f"predictors.{name}")
            for kind, live, specs in (("inputs", sig.input_fields, spec.inputs),
                                      ("outputs", sig.output_fields, spec.outputs)):
                want = [f.name for f in specs]
                if list(live) != want:
                    raise RedacError(f"predictor {name!r} was exported with {kind} {want}; this redac's "
                                     f"{spec.signature} has {list(live)} (bundle made by redac "
                                     f"{manifest.redac_version})", file=MANIFEST_FILE,
                                     field=f"predictors.{name}.{kind}")
        allowed = set(sig.input_fields) | set(sig.output_fields) | {"augmented", "reasoning"}
        for i, demo in enumerate(state[name].get("demos") or []):
            extra = sorted(set(demo) - allowed) if isinstance(demo, dict) else ["<not a mapping>"]
            if extra:
                raise RedacError(f"demo {i} of predictor {name!r} has fields {extra} that its signature lacks",
                                 file=file, field=f"{name}.demos[{i}]")


def check_loaded(program: RedacProgram, manifest: Manifest) -> None:
    """After loading: what DSPy made of the state is what the exporter saw (instructions, field texts, demos)."""
    loaded = describe_predictors(program)
    for name, spec in manifest.predictors.items():
        got = loaded.get(name)
        if got is None:
            raise RedacError(f"predictor {name!r} is missing after loading", file=MANIFEST_FILE,
                             field=f"predictors.{name}")
        for attr in ("instructions", "inputs", "outputs", "demos"):
            if getattr(got, attr) != getattr(spec, attr):
                raise RedacError(
                    f"after loading program.json with DSPy {installed_dspy()}, predictor {name!r} {attr} differ "
                    f"from the manifest (exported with DSPy {manifest.dspy_version}); the bundle cannot be used "
                    f"faithfully with this DSPy: install dspy=={manifest.dspy_version} or re-export",
                    file=MANIFEST_FILE, field=f"predictors.{name}.{attr}")


def installed_dspy() -> str:
    """The DSPy version this process runs (imported on demand: DSPy is heavy)."""
    import dspy

    return str(dspy.__version__)
