"""Where a run's files go: the one definition of the run folder and of its MLflow artifact paths.

Experiments write it; export and the gate read it, so none of them spells a path on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class RunLayout:
    """Where one experiment run keeps its files, locally and as MLflow artifacts (the one definition;
    experiments write it, export and the gate read it).

    Locally, under ``<output_dir>/<name>-<digest>/``: ``compiled_program.json`` (DSPy JSON state),
    ``compiled_lm.json`` (only when the optimiser changed the LM, e.g. ``finetune``) and one JSONL of
    finished rows per stage, split and repeat: ``<stage>/<split>-r<repeat>.jsonl`` with stage ``eval``,
    ``baseline`` or ``compiled``.
    """

    root: Path

    PROGRAM_FILE: ClassVar[str] = "compiled_program.json"
    COMPILED_LM_FILE: ClassVar[str] = "compiled_lm.json"
    # MLflow artifact paths inside the run
    ARTIFACT_FOLDER: ClassVar[str] = "program"
    PROGRAM_ARTIFACT: ClassVar[str] = "program/compiled_program.json"
    COMPILED_LM_ARTIFACT: ClassVar[str] = "program/compiled_lm.json"
    CONFIG_ARTIFACT: ClassVar[str] = "config.yaml"
    METRICS_ARTIFACT: ClassVar[str] = "config/metrics.yaml"

    @property
    def program(self) -> Path:
        return self.root / self.PROGRAM_FILE

    @property
    def compiled_lm(self) -> Path:
        return self.root / self.COMPILED_LM_FILE

    def stage_dir(self, stage: str) -> Path:
        return self.root / stage

    def rows(self, stage: str, split: str, repeat: int = 0) -> Path:
        return self.stage_dir(stage) / self.rows_name(split, repeat)

    @staticmethod
    def rows_name(split: str, repeat: int = 0) -> str:
        return f"{split}-r{repeat}.jsonl"
