"""What a set holds: counts per split, kind and tag, word and fact counts (``redac data stats``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from statistics import mean
from typing import TYPE_CHECKING, Any

from redac.dataset.schema import FACT_KINDS, KIND_PRIORITY, SPLITS, Record
from redac.text import count_words

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType


def _summary(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "min": 0, "max": 0}
    return {"mean": round(mean(values), 1), "min": min(values), "max": max(values)}


def stats(records: Sequence[Record]) -> dict[str, Any]:
    """Counts per split, kind and tag; source/gold word counts; facts per pair (plain dict, JSON-able)."""
    per_split = Counter(r.split for r in records)
    tags: dict[str, dict[str, int]] = {}
    for r in records:
        for t in r.tags:
            tags.setdefault(t, dict.fromkeys((*SPLITS, "all"), 0))
            tags[t][r.split] += 1
            tags[t]["all"] += 1
    kinds: dict[str, dict[str, int]] = {}
    for r in records:
        kinds.setdefault(r.kind, dict.fromkeys((*SPLITS, "all"), 0))
        kinds[r.kind][r.split] += 1
        kinds[r.kind]["all"] += 1
    gold_words = [r.gold.to_article().word_count for r in records]
    return {
        "records": len(records),
        "splits": {s: per_split.get(s, 0) for s in SPLITS},
        "kinds": dict(sorted(kinds.items(), key=lambda kv: (KIND_PRIORITY + ("other",)).index(kv[0])
                             if kv[0] in KIND_PRIORITY + ("other",) else 99)),
        "tags": dict(sorted(tags.items(), key=lambda kv: (-kv[1]["all"], kv[0]))),
        "source_words": _summary([count_words(r.source) for r in records]),
        "gold_words": _summary(gold_words),
        "gold_words_by_split": {s: _summary([w for w, r in zip(gold_words, records) if r.split == s])
                                for s in SPLITS},
        "facts_per_pair": _summary([r.facts.count for r in records]),
        "facts_by_kind": {k: sum(len(getattr(r.facts, k)) for r in records) for k in FACT_KINDS},
        "with_instruction": sum(r.instruction is not None for r in records),
    }


def render_stats(data: Mapping[str, Any]) -> "RenderableType":
    """Rich tables for ``redac data stats``."""
    from rich.console import Group
    from rich.table import Table

    splits = Table(title=f"{data['records']} records", show_edge=False)
    for col in ("", *SPLITS, "all"):
        splits.add_column(col, justify="right" if col else "left")
    splits.add_row("records", *(str(data["splits"][s]) for s in SPLITS), str(data["records"]))
    splits.add_section()
    for name, counts in data["kinds"].items():
        splits.add_row(f"kind: {name}", *(str(counts[s]) for s in SPLITS), str(counts["all"]))
    splits.add_section()
    for name, counts in data["tags"].items():
        splits.add_row(f"tag: {name}", *(str(counts[s]) for s in SPLITS), str(counts["all"]))

    sizes = Table(title="sizes", show_edge=False)
    for col in ("", "mean", "min", "max"):
        sizes.add_column(col, justify="right" if col else "left")
    for label, key in (("source words", "source_words"), ("gold words", "gold_words"),
                       ("facts per pair", "facts_per_pair")):
        s = data[key]
        sizes.add_row(label, f"{s['mean']:.1f}", str(s["min"]), str(s["max"]))
    facts = ", ".join(f"{k} {v}" for k, v in data["facts_by_kind"].items())
    return Group(splits, "", sizes, f"facts: {facts}; with an instruction line: {data['with_instruction']}")
