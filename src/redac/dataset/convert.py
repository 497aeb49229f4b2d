"""Converters: records <-> ``dspy.Example`` and Hugging Face ``datasets`` (both imported lazily)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.dataset.jsonl import load_jsonl
from redac.dataset.schema import FACT_KINDS, SPLITS, Gold, Record, check_split_name
from redac.sources import Targets

if TYPE_CHECKING:  # pragma: no cover
    import dspy

    import datasets


def to_example(record: Record) -> "dspy.Example":
    import dspy

    return dspy.Example(
        id=record.id, source=record.source, instruction=record.instruction,
        gold=record.gold.model_dump(), facts=record.facts.model_dump(), targets=record.targets.model_dump(),
        tags=list(record.tags), split=record.split,
    ).with_inputs("source")


def to_examples(records: Iterable[Record]) -> list["dspy.Example"]:
    """One ``dspy.Example`` per record; ``source`` is the only input, the rest are labels."""
    return [to_example(r) for r in records]


def from_example(example: Any) -> Record:
    data = dict(example.toDict() if hasattr(example, "toDict") else example)
    return Record.model_validate(data)


def load_examples(path: str | Path, splits: Iterable[str] = ("train",)) -> list["dspy.Example"]:
    """Examples of the given splits of a JSONL file (any file in this schema)."""
    wanted = list(splits)
    for s in wanted:
        check_split_name(s, str(path))
    return to_examples(r for r in load_jsonl(path) if r.split in wanted)


def hf_features() -> "datasets.Features":
    from datasets import Features, List, Value

    text = Value("string")
    by_type = {str: text, int: Value("int32"), bool: Value("bool"), float: Value("float64")}

    def scalar(annotation: Any) -> Any:  # Targets fields are scalars or "scalar | None"
        args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        return by_type.get(args[0], text) if args else text

    return Features({
        "id": text, "source": text, "instruction": text,
        "targets": {k: scalar(f.annotation) for k, f in Targets.model_fields.items()},
        "gold": {k: text for k in Gold.model_fields},
        "facts": {k: List(text) for k in FACT_KINDS},
        "tags": List(text),
        "split": text,
    })


def to_hf(records: Iterable[Record]) -> "datasets.DatasetDict":
    """A ``DatasetDict`` with ``train``, ``dev`` and ``test`` (always all three, typed even when empty)."""
    from datasets import Dataset, DatasetDict

    features = hf_features()
    rows: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for r in records:
        rows[r.split].append(r.model_dump(mode="json"))
    return DatasetDict({
        s: Dataset.from_list(rows[s], features=features, split=s) if rows[s]
        else Dataset.from_dict({k: [] for k in features}, features=features, split=s)
        for s in SPLITS
    })


def from_hf(data: Any) -> list[Record]:
    """Records back from a ``Dataset`` or ``DatasetDict`` made by :func:`to_hf` (or in its schema)."""
    from datasets import DatasetDict

    parts = data.values() if isinstance(data, DatasetDict) else [data]
    return [Record.model_validate(row) for part in parts for row in part]
