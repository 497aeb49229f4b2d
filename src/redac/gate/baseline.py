"""The committed baseline file (``evals/baselines/NAME.json``): schema, reading, writing.

A baseline is versioned data reviewed in pull requests, so its format, the input hashes that tell
whether the dataset changed under it, and the atomic write live in one place.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field, PrivateAttr, ValidationError

from redac.configfile import StrictModel, validation_error
from redac.errors import ConfigError
from redac.gate.rows import summarise

if TYPE_CHECKING:
    from redac.dataset import Record
    from redac.experiments import ExperimentConfig, Row

BASELINE_FORMAT: Final = "redac-gate-baseline"


class ExampleScore(StrictModel):
    composite: float
    metrics: dict[str, float] = Field(default_factory=dict)
    feedback: str = ""
    error: str | None = None
    input_hash: str | None = None  # hash of the example's source, gold and facts when the baseline was made


class DatasetInfo(StrictModel):
    path: str
    hash: str  # over the gated examples' inputs only: adding pairs to the dataset keeps a baseline valid


class Baseline(StrictModel):
    """A committed reference run: per-example scores plus where they came from."""

    format: Literal["redac-gate-baseline"] = BASELINE_FORMAT
    version: Literal[1] = 1
    config: str
    dataset: DatasetInfo
    lm: str = ""
    metrics_config_hash: str = ""
    created: str
    git_commit: str = "unknown"
    summary: dict[str, float] = Field(default_factory=dict)
    examples: dict[str, ExampleScore]
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        return self._path

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=False)
                       + "\n", encoding="utf-8")
        tmp.replace(path)  # never a half-written baseline
        self._path = path
        return path


def read_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no such baseline file; create it with --update-baseline", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:
        raise ConfigError(f"invalid JSON: {exc}", file=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise ConfigError(f"not a redac gate baseline (expected \"format\": \"{BASELINE_FORMAT}\")", file=str(path))
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, file=str(path)) from None
    baseline._path = path
    return baseline


def input_hash(record: Record) -> str:
    """What an example's score depends on in the dataset (source, gold, labelled facts), hashed."""
    material = {"source": record.source, "gold": record.gold.model_dump(), "facts": record.facts.model_dump()}
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def dataset_hash(hashes: dict[str, str]) -> str:
    blob = json.dumps(sorted(hashes.items()), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def make_baseline(cfg: ExperimentConfig, rows: list[Row], hashes: dict[str, str]) -> Baseline:
    """A baseline from a finished run's (aggregated) rows."""
    from redac import tracking

    examples = {r.id: ExampleScore(composite=r.composite, metrics=dict(sorted(r.metrics.items())),
                                   feedback=r.feedback, error=r.error, input_hash=hashes.get(r.id))
                for r in sorted(rows, key=lambda r: r.id)}
    metrics_hash = tracking.file_hash(cfg.metrics) if Path(cfg.metrics).is_file() else ""
    return Baseline(config=cfg.name, dataset=DatasetInfo(path=str(cfg.dataset.path), hash=dataset_hash(hashes)),
                    lm=cfg.lm.model_name, metrics_config_hash=metrics_hash,
                    created=datetime.now(UTC).isoformat(timespec="seconds"), git_commit=tracking.git_commit(),
                    summary=summarise(rows), examples=examples)


def update_baseline(path: str | Path, cfg: ExperimentConfig, rows: list[Row], hashes: dict[str, str]) -> Baseline:
    """Write a new baseline for ``rows`` at ``path`` (only ever called when asked: --update-baseline)."""
    baseline = make_baseline(cfg, rows, hashes)
    baseline.write(path)
    return baseline
