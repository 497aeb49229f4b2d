"""``manifest.json``: what a bundle is and where it came from, and the names of the files beside it.

The manifest is the contract between the exporter and every reader: :func:`read_manifest` checks the format
before anything else so that a bundle from a newer redac fails with a clear message, not a validation dump.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from redac.errors import RedacError

FORMAT = "redac-bundle"
FORMAT_VERSION = 1
PROGRAM_FILE = "program.json"
MANIFEST_FILE = "manifest.json"
METRICS_FILE = "metrics.yaml"
CARD_FILE = "model_card.md"


class FieldSpec(BaseModel):
    name: str
    prefix: str = ""
    description: str = ""


class PredictorSpec(BaseModel):
    """One predictor as exported: what the installed program must match to load the state faithfully."""

    signature: str
    instructions: str
    inputs: list[FieldSpec]
    outputs: list[FieldSpec]
    demos: int


class Manifest(BaseModel):
    """``manifest.json``. Unknown keys are kept (a later redac may add some within the same format version)."""

    model_config = ConfigDict(extra="allow")

    format: str
    format_version: int
    id: str
    created_at: str
    redac_version: str
    dspy_version: str
    source: dict[str, Any]
    predictors: dict[str, PredictorSpec]
    program_config: dict[str, Any]
    lm: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    dataset: dict[str, Any] | None = None
    scores: dict[str, dict[str, float]] = {}
    lift: dict[str, Any] = {}
    packages: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    notes: list[str] = []

    def score(self, split: str = "test") -> float | None:
        value = self.scores.get(split, {}).get("composite")
        return float(value) if value is not None else None


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(bundle: Path) -> Manifest:
    """``manifest.json`` of a bundle, with the format checked first (a clear error for a newer format)."""
    path = bundle / MANIFEST_FILE
    if not bundle.is_dir():
        raise RedacError("no such bundle directory", file=str(bundle))
    if not path.is_file():
        raise RedacError(f"not a redac bundle: no {MANIFEST_FILE}", file=str(bundle))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RedacError(f"unreadable manifest: {exc}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RedacError(f"not a redac bundle manifest (format is not {FORMAT!r})", file=str(path), field="format")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version != FORMAT_VERSION:
        raise RedacError(f"unsupported bundle format version {version!r}; this redac reads version "
                         f"{FORMAT_VERSION} (upgrade redac, or re-export the program with this one)",
                         file=str(path), field="format_version")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RedacError(err["msg"], file=str(path), field=".".join(str(p) for p in err["loc"])) from None
