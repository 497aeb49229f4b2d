"""Writing a bundle directory: the JSON state without LMs, the metric config, the model card and the manifest
with every file's digest, put in place atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redac.bundle.card import model_card
from redac.bundle.collect import BundleSource
from redac.bundle.manifest import (
    CARD_FILE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_FILE,
    METRICS_FILE,
    PROGRAM_FILE,
    Manifest,
    sha256_file,
)
from redac.bundle.state import strip_lms
from redac.bundle.verify import build_program, check_structure, describe_predictors
from redac.errors import RedacError
from redac.experiments import RunLayout


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_bundle(src: BundleSource, out: str | Path, *, force: bool = False) -> Path:
    """Write the bundle directory ``out`` (atomically: a sibling temp dir renamed into place)."""
    from importlib import metadata

    import dspy

    from redac import __version__, tracking

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not force:
            raise RedacError("output exists and is not empty (use --force to replace it)", file=str(out))
        if out.is_dir() and not (out / MANIFEST_FILE).is_file():
            raise RedacError("refusing to replace a directory that is not a redac bundle", file=str(out))
    state, dropped = strip_lms(src.state)
    notes = list(src.notes)
    if dropped:
        notes.append(f"LM settings saved on predictors {', '.join(dropped)} were dropped: the LM is chosen at load")
    program = build_program(src.program_config)
    check_structure(program, state, None, file=str(src.origin.get("path") or RunLayout.PROGRAM_ARTIFACT))
    program.load_state(state)
    predictors = describe_predictors(program)
    saved_versions = (state.get("metadata") or {}).get("dependency_versions") or {}
    dspy_version = str(saved_versions.get("dspy") or dspy.__version__)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a bundle is meant to be shared
    try:
        (tmp / PROGRAM_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        metrics = None
        if src.metrics_text is not None:
            (tmp / METRICS_FILE).write_text(src.metrics_text, encoding="utf-8")
            metrics = {"file": METRICS_FILE, "origin": src.metrics_origin,
                       "sha256": hashlib.sha256(src.metrics_text.encode("utf-8")).hexdigest()}
        bundle_id = hashlib.sha256(_canonical({k: v for k, v in state.items() if k != "metadata"})
                                   + _canonical(src.program_config)).hexdigest()[:12]
        exported_with = tracking.package_versions()
        exported_with["redac"] = __version__
        exported_with.setdefault("dspy", metadata.version("dspy"))
        manifest = Manifest(
            format=FORMAT, format_version=FORMAT_VERSION, id=bundle_id,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            redac_version=__version__, dspy_version=dspy_version, source=src.origin, predictors=predictors,
            program_config=src.program_config, lm=src.lm, metrics=metrics, dataset=src.dataset,
            scores=src.scores, lift=src.lift,
            packages={"trained_with": src.trained_with, "exported_with": exported_with},
            notes=notes,
        )
        (tmp / CARD_FILE).write_text(model_card(manifest), encoding="utf-8")
        manifest.files = {name: sha256_file(tmp / name) for name in (PROGRAM_FILE, METRICS_FILE, CARD_FILE)
                          if (tmp / name).is_file()}
        (tmp / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
