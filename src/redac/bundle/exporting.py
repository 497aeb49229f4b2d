"""``redac export``: a program file, run folder or MLflow run id in, a bundle out, then (optionally) a
registered version and the champion decision. The one entry point that strings the other modules together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from redac.bundle.collect import source_from_file, source_from_run
from redac.bundle.manifest import Manifest, read_manifest
from redac.bundle.registry import DEFAULT_MODEL_NAME, RegistryResult, register_bundle
from redac.bundle.write import write_bundle
from redac.errors import ConfigError, RedacError

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class ExportResult:
    bundle: Path
    manifest: Manifest
    registry: RegistryResult | None = None

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.bundle.iterdir() if p.is_file())


def export(ref: str | Path, out: str | Path, *, config: str | Path | None = None, tracking_uri: str | None = None,
           register: bool = True, model_name: str = DEFAULT_MODEL_NAME, force: bool = False) -> ExportResult:
    """``redac export``: a program file/run folder or an MLflow run id -> bundle (-> registry + champion)."""
    text = str(ref)
    if Path(text).exists():
        src = source_from_file(text, config)
    elif _RUN_ID.match(text):
        if config is not None:
            raise ConfigError("--config applies to a program file; a run carries its own config", field="config")
        src = source_from_run(text, tracking_uri)
    else:
        raise RedacError("neither an existing program file/run folder nor an MLflow run id (32 hex digits)",
                         file=text)
    bundle = write_bundle(src, out, force=force)
    manifest = read_manifest(bundle)
    result = ExportResult(bundle=bundle, manifest=manifest)
    if register:
        result.registry = register_bundle(bundle, model_name=model_name, tracking_uri=tracking_uri)
    return result
