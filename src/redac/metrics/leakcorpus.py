"""The leak corpus: every example an article could copy instead of its own source, indexed once.

An article "leaks" when it carries text, names or figures of *another* example: a few-shot demo of the
program (what a small base model does: it retells the demo's story) or another pair of the labelled
set (what a model fine-tuned on it may do). The corpus is the labelled sets and program states named in
``leaks.corpus`` (``evals/metrics.yaml``; paths relative to the working directory, as in every redac
config) plus, with ``leaks.shipped_demos``, the demos of the program states shipped in the package.

Examples are grouped into **stories**: a demo cut from a labelled pair (same source sentences) joins
that pair's story, so a story is one piece of news however many times the corpus holds it. Only what
belongs to exactly one story is indexed (word n-grams, mid-sentence capitalised name words, checkable
figures): what two stories share ("a annoncé le ministère", "Paris", "2024") is common language,
evidence of nothing. The index is memoised by the files' paths and digests.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redac import figures as nums
from redac.digest import file_sha256, text_key
from redac.memo import LRU
from redac.metrics.config import LeaksConfig
from redac.metrics.entities import sentence_capitals
from redac.text import normalise, sentences, tokens

log = logging.getLogger(__name__)

#: Program states shipped in the package (default demos, adapters' programs).
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
#: Demo fields that hold the demo's *input* (its source): they decide which story a demo belongs to.
SOURCE_FIELDS = ("source", "facts")


@dataclass
class Example:
    """One example of the corpus: where it comes from, its source side and what was written from it."""

    label: str                # a labelled pair's id, or "demo 2 of plan in default_program.json"
    file: str                 # the corpus file's name
    source: str
    written: list[str] = field(default_factory=list)


@dataclass
class Story:
    """One piece of news: the examples that hold it and the n-grams of their sources."""

    examples: list[Example]
    source_grams: set[int]

    @property
    def labels(self) -> list[str]:
        return [ex.label for ex in self.examples]

    @property
    def label(self) -> str:
        """The first example's label, and the other files that hold the story ("also demos of ...")."""
        first = self.examples[0]
        others = list(dict.fromkeys(ex.file for ex in self.examples[1:] if ex.file != first.file))
        return first.label + (f" (also in {', '.join(others)})" if others else "")


@dataclass
class LeakIndex:
    """What belongs to exactly one story, mapped to that story's position in ``stories``."""

    key: str
    stories: list[Story]
    grams: dict[int, int]
    names: dict[str, int]
    figures: dict[tuple[Any, ...], int]
    files: list[str]
    missing: list[str]
    n_examples: int


def ngrams(toks: list[str], n: int) -> Iterator[int]:
    """Hashed word n-grams (in-process keys: the index never leaves the process)."""
    for i in range(len(toks) - n + 1):
        yield hash(tuple(toks[i:i + n]))


def containment(a: set[int], b: set[int]) -> float:
    """|a ∩ b| / min(|a|, |b|): how much of the smaller set the larger one holds (0 when one is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(g in large for g in small) / len(small)


def corpus_files(cfg: LeaksConfig) -> tuple[list[Path], list[str]]:
    """The corpus files that exist, and the configured ones that do not (named as configured)."""
    found: list[Path] = []
    missing: list[str] = []
    for name in cfg.corpus:
        if Path(name).is_file():
            found.append(Path(name))
        else:
            missing.append(name)
    if cfg.shipped_demos:
        found += shipped_programs()
    return found, missing


@functools.lru_cache(maxsize=1)
def shipped_programs() -> tuple[Path, ...]:
    """The program states in the package's resources (the default demos, each adapter's program)."""
    return tuple(sorted(RESOURCES.rglob("*program*.json")))


def leak_index(cfg: LeaksConfig) -> LeakIndex:
    """The index of the configured corpus, built once per set of file digests and settings."""
    files, missing = corpus_files(cfg)
    key = text_key(*(f"{os.path.abspath(p)}:{file_sha256(p)}" for p in files), *missing, str(cfg.ngram),
                   str(cfg.own_overlap))
    return _INDEX.get_or_make(key, lambda: _build(key, files, missing, cfg))


_INDEX: LRU[LeakIndex] = LRU(4)


def _build(key: str, files: list[Path], missing: list[str], cfg: LeaksConfig) -> LeakIndex:
    if missing:  # e.g. an installed package run outside a checkout: said once per index, and in the figures
        log.warning("leak corpus: %s not found (relative to %s); checking the other %d file(s) only",
                    ", ".join(missing), os.getcwd(), len(files))
    examples = [ex for path in files for ex in read_examples(path)]
    stories: list[Story] = []
    owner: list[int] = []  # story of each example
    for ex in examples:
        grams = set(ngrams(tokens(ex.source), cfg.ngram))
        overlap = [containment(grams, s.source_grams) for s in stories]
        best = max(range(len(stories)), key=overlap.__getitem__, default=None)
        if best is not None and overlap[best] >= cfg.own_overlap:
            stories[best].examples.append(ex)
            stories[best].source_grams |= grams
            owner.append(best)
        else:
            stories.append(Story(examples=[ex], source_grams=grams))
            owner.append(len(stories) - 1)
    grams_of: dict[int, int] = {}
    names_of: dict[str, int] = {}
    figures_of: dict[tuple[Any, ...], int] = {}
    shared_grams: set[int] = set()
    shared_names: set[str] = set()
    shared_figures: set[tuple[Any, ...]] = set()
    for ex, story in zip(examples, owner):
        for text in (ex.source, *ex.written):
            text = normalise(text)
            sents = sentences(text)
            # Within sentences: an n-gram across a sentence or heading break is layout, not wording.
            _claim((g for s in sents for g in ngrams(tokens(s), cfg.ngram)), story, grams_of, shared_grams)
            _claim((w for s in sents for w in sentence_capitals(s)[1]), story, names_of, shared_names)
            _claim((f.key for f in nums.extract(text) if nums.checkable(f)), story, figures_of, shared_figures)
    return LeakIndex(key=key, stories=stories, grams=grams_of, names=names_of, figures=figures_of,
                     files=[str(p) for p in files], missing=missing, n_examples=len(examples))


def _claim(items: Iterable[Any], story: int, owners: dict[Any, int], shared: set[Any]) -> None:
    """Record ``story`` as the owner of each item; an item two stories hold is nobody's."""
    for item in items:
        if item in shared:
            continue
        prev = owners.setdefault(item, story)
        if prev != story:
            del owners[item]
            shared.add(item)


def read_examples(path: Path) -> list[Example]:
    """The examples of one corpus file: a labelled set (``.jsonl``) or a program state (``.json``)."""
    if path.suffix == ".jsonl":
        return _dataset_examples(path)
    return _demo_examples(path)


def _dataset_examples(path: Path) -> list[Example]:
    from redac.dataset import load_jsonl
    from redac.sources import clean

    out = []
    for r in load_jsonl(path):
        gold = r.gold
        out.append(Example(label=r.id, file=path.name, source=clean(r.source, name=r.id).body,
                           written=[gold.title, gold.meta_description, gold.keyphrase, gold.markdown]))
    return out


def _demo_examples(path: Path) -> list[Example]:
    """Demos of every predictor of a DSPy program state (``{"step": {"demos": [...]}}``)."""
    state = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for step, entry in state.items() if isinstance(state, dict) else ():
        demos = entry.get("demos") if isinstance(entry, dict) else None
        for i, demo in enumerate(demos if isinstance(demos, list) else ()):
            if not isinstance(demo, dict):
                continue
            fields = {k: _text(v) for k, v in demo.items() if k != "augmented"}
            out.append(Example(label=f"demo {i + 1} of {step} in {path.name}", file=path.name,
                               source="\n\n".join(fields[k] for k in SOURCE_FIELDS if fields.get(k)),
                               written=[t for k, t in fields.items() if k not in SOURCE_FIELDS and t]))
    return out


def _text(value: Any) -> str:
    """A demo field as text: lists (also a list saved as its JSON or Python repr) become paragraphs."""
    if isinstance(value, str) and value[:1] == "[":
        for parse in (json.loads, ast.literal_eval):
            try:
                value = parse(value)
                break
            except (ValueError, SyntaxError):
                continue
    if isinstance(value, list):
        return "\n\n".join(_text(v) for v in value)
    return value if isinstance(value, str) else ""
