"""The test-split guard: the test split must never reach an optimiser, enforced here, in code.

:class:`OptimizerSet` (and :func:`for_optimizer` / :func:`assert_no_test`) refuse any example
whose split is ``test``, has no split, or whose source text is that of a test record seen in
this process (a relabelled copy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redac.dataset.convert import to_example
from redac.dataset.jsonl import load_jsonl
from redac.dataset.schema import (
    OPTIMIZER_SPLITS,
    Record,
    check_split_name,
    is_test_source,
)
from redac.errors import DatasetError

if TYPE_CHECKING:  # pragma: no cover
    import dspy


def _split_of(item: Any) -> Any:
    return item.split if isinstance(item, Record) else (item.get("split") if hasattr(item, "get") else None)


def _field(item: Any, name: str) -> Any:
    return getattr(item, name, None) if isinstance(item, Record) else (item.get(name) if hasattr(item, "get") else None)


def assert_no_test(items: Iterable[Any]) -> None:
    """Raise :class:`DatasetError` unless every item is provably a train/dev item.

    Refused: an item whose split is ``test``; an item with no split (provenance unknown); an item
    whose source text is that of a test record built in this process, whatever its label says.
    Optimiser runners must call this (or build an :class:`OptimizerSet`, which does).
    """
    for i, item in enumerate(items):
        rid = _field(item, "id")
        name = repr(rid) if rid is not None else f"#{i}"
        split = _split_of(item)
        if split == "test":
            raise DatasetError(f"example {name} is from the test split; the test split is never given "
                               "to an optimiser", field="split")
        if split not in OPTIMIZER_SPLITS:
            raise DatasetError(f"example {name} has split {split!r}; optimisers only take examples "
                               f"labelled {' or '.join(OPTIMIZER_SPLITS)} (build them with "
                               "redac.dataset.to_examples)", field="split")
        source = _field(item, "source")
        if isinstance(source, str) and is_test_source(source):
            raise DatasetError(f"example {name} has the source text of a test record (relabelled as "
                               f"{split!r}); the test split is never given to an optimiser", field="source")


def for_optimizer(items: Iterable[Any]) -> list["dspy.Example"]:
    """Examples for an optimiser from records or examples; refuses anything from the test split."""
    items = list(items)
    assert_no_test(items)
    return [to_example(x) if isinstance(x, Record) else x for x in items]


class OptimizerSet:
    """The only data an optimiser gets: ``trainset`` and ``valset``, test-free by construction.

    Every way of building one goes through :func:`assert_no_test`; the sets are stored as
    tuples and the object is read-only.
    """

    __slots__ = ("_train", "_val")
    _train: tuple[Any, ...]
    _val: tuple[Any, ...]

    def __init__(self, trainset: Iterable[Any], valset: Iterable[Any] = ()) -> None:
        object.__setattr__(self, "_train", tuple(for_optimizer(trainset)))
        object.__setattr__(self, "_val", tuple(for_optimizer(valset)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("OptimizerSet is read-only")

    @classmethod
    def from_records(cls, records: Iterable[Record], *, train: Sequence[str] = ("train",),
                     val: Sequence[str] = ("dev",)) -> "OptimizerSet":
        """Train/val sets from records; asking for ``test`` in either is refused."""
        for s in (*train, *val):
            check_split_name(s)
            if s not in OPTIMIZER_SPLITS:
                raise DatasetError("the test split is never given to an optimiser", field="split")
        records = list(records)
        return cls([r for r in records if r.split in train], [r for r in records if r.split in val])

    @classmethod
    def from_jsonl(cls, path: str | Path, **kwargs: Any) -> "OptimizerSet":
        return cls.from_records(load_jsonl(path), **kwargs)

    @property
    def trainset(self) -> list["dspy.Example"]:
        return list(self._train)

    @property
    def valset(self) -> list["dspy.Example"]:
        return list(self._val)

    def __repr__(self) -> str:
        return f"OptimizerSet(train={len(self._train)}, val={len(self._val)})"
