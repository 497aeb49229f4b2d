"""``redac.load``: a bundle directory or a registered model, read as JSON only and verified against its
manifest before and after the state is loaded, ready to rewrite sources."""

from __future__ import annotations

import re
from pathlib import Path

from redac.bundle.loaded import LoadedProgram
from redac.bundle.manifest import (
    MANIFEST_FILE,
    PROGRAM_FILE,
    read_manifest,
    sha256_file,
)
from redac.bundle.registry import fetch_bundle, is_registry_ref
from redac.bundle.state import read_state
from redac.bundle.verify import (
    build_program,
    check_loaded,
    check_structure,
    installed_dspy,
)
from redac.errors import RedacError


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:2])


def load(ref: str | Path, *, tracking_uri: str | None = None) -> LoadedProgram:
    """Load a bundle directory or a registered model (``models:/NAME@champion``) for use.

    JSON only: nothing is unpickled and no code from the bundle runs. A bundle made by another redac or
    DSPy version loads when its predictors, fields, instructions and demos come out exactly as the
    manifest records them, and raises :class:`RedacError` naming the file and field otherwise.
    """
    bundle = fetch_bundle(str(ref), tracking_uri=tracking_uri) if is_registry_ref(str(ref)) else Path(ref)
    manifest = read_manifest(bundle)
    warnings: list[str] = []
    program_path = bundle / PROGRAM_FILE
    if not program_path.is_file():
        raise RedacError(f"the bundle has no {PROGRAM_FILE}", file=str(bundle))
    # Only the state is checked: the card and metric config are documents a person may annotate.
    digest = manifest.files.get(PROGRAM_FILE)
    if digest is None:
        raise RedacError(f"the manifest has no digest for {PROGRAM_FILE}", file=str(bundle / MANIFEST_FILE),
                         field=f"files.{PROGRAM_FILE}")
    if sha256_file(program_path) != digest:
        raise RedacError(f"{PROGRAM_FILE} does not match its digest in the manifest (edited after export?); "
                         "re-export the bundle", file=str(program_path), field=f"files.{PROGRAM_FILE}")
    from redac import __version__

    dspy_version = installed_dspy()
    if _minor(manifest.dspy_version) != _minor(dspy_version):
        warnings.append(f"bundle made with DSPy {manifest.dspy_version}, running {dspy_version}: "
                        "predictors, fields, instructions and demos verified after loading")
    if manifest.redac_version != __version__:
        warnings.append(f"bundle made by redac {manifest.redac_version}, running {__version__}: structure verified")
    state = read_state(program_path)
    if any(isinstance(v, dict) and v.get("lm") for v in state.values()):
        raise RedacError("the program state carries an LM; bundles never do", file=str(program_path), field="lm")
    program = build_program(manifest.program_config, file=str(bundle / MANIFEST_FILE))
    check_structure(program, state, manifest, file=str(program_path))
    try:
        program.load_state(state)
    except Exception as exc:  # DSPy raises KeyError/TypeError/ValueError on states it cannot read
        raise RedacError(f"DSPy {dspy_version} cannot load this state (exported with DSPy "
                         f"{manifest.dspy_version}): {type(exc).__name__}: {exc}", file=str(program_path)) from None
    check_loaded(program, manifest)
    return LoadedProgram(bundle, manifest, program, warnings)
