"""Build: pair folders + ``splits.yaml`` -> records -> JSONL (and the card's size block)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from redac.dataset.card import update_card
from redac.dataset.jsonl import write_jsonl
from redac.dataset.pairs import is_complete, load_pair, pair_folders
from redac.dataset.problems import Problem, raise_if
from redac.dataset.schema import Record
from redac.dataset.splits import SplitsFile, assign_splits, read_splits, write_splits
from redac.errors import DatasetError

log = logging.getLogger(__name__)


def build(pairs_dir: str | Path, splits_file: str | Path | None = None, *, seed: int | None = None,
          ratios: Sequence[float] | None = None, skip_incomplete: bool = False) -> list[Record]:
    """Records of every pair folder, sorted by id, with frozen (or newly assigned) splits.

    Raises :class:`DatasetError` listing every structural problem of every folder. With
    ``skip_incomplete`` folders missing one of the three files are left out (work in progress).
    Does not write anything: see :func:`build_dataset`.
    """
    frozen = read_splits(splits_file) if splits_file else SplitsFile(assigned={})
    records: list[Record] = []
    problems: list[Problem] = []
    for folder in pair_folders(pairs_dir):
        if skip_incomplete and not is_complete(folder):
            log.info("skipped incomplete pair %s", folder)
            continue
        record, found, _ = load_pair(folder)
        problems += found
        if record is not None and not found:
            records.append(record)
    raise_if(problems)
    splits = assign_splits(records, seed if seed is not None else frozen.seed,
                           ratios if ratios is not None else frozen.ratios, frozen=frozen.assigned)
    return [Record.model_validate({**r.model_dump(), "split": splits[r.id]})
            for r in sorted(records, key=lambda r: r.id)]


def build_dataset(folder: str | Path, *, skip_incomplete: bool = False) -> Path:
    """Rebuild ``FOLDER/<name>.jsonl`` from ``FOLDER/pairs`` and update ``FOLDER/splits.yaml``
    (existing ids keep their split; retired ids stay listed so an id is never reused elsewhere)."""
    folder = Path(folder)
    if not (folder / "pairs").is_dir():
        raise DatasetError("no pairs/ folder", file=str(folder))
    splits_path = folder / "splits.yaml"
    frozen = read_splits(splits_path)
    records = build(folder / "pairs", splits_path, skip_incomplete=skip_incomplete)
    assigned = dict(frozen.assigned or {})
    assigned.update({r.id: r.split for r in records})
    write_splits(splits_path, assigned, seed=frozen.seed, ratios=frozen.ratios)
    path = write_jsonl(records, folder / f"{folder.resolve().name}.jsonl")
    update_card(folder / "README.md", records)
    return path
