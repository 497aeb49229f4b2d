"""The labelled set: schema of one record (JSONL line), build from pair folders, validation,
frozen splits, near-duplicate check, statistics and loaders (``dspy.Example``, Hugging Face).

Why it is shaped like this:

* The human-editable truth is one folder per pair (``source.txt``, ``gold.md``, ``labels.yaml``);
  the JSONL is generated from it, deterministically, so reviews happen on readable files and the
  JSONL never drifts from them.
* Splits are frozen in ``splits.yaml``: an id keeps its split forever, only new ids are assigned,
  so scores stay comparable as the set grows.
* The test split must never reach an optimiser. That is enforced here, in code:
  :class:`OptimizerSet` (and :func:`for_optimizer` / :func:`assert_no_test`) refuse any example
  whose split is ``test``, has no split, or whose source text is that of a test record seen in
  this process (a relabelled copy).
* Every reader collects *all* problems as ``file:line: field: message`` and never drops a valid
  line silently; strict loading raises :class:`~redac.errors.DatasetError` naming the first.

One concept per module: :mod:`~redac.dataset.schema` (the record), :mod:`~redac.dataset.problems`
(located problems), :mod:`~redac.dataset.jsonl` (read/write), :mod:`~redac.dataset.quality`
(house rules, set-level checks), :mod:`~redac.dataset.dedup` (near-duplicates),
:mod:`~redac.dataset.pairs` (pair folders), :mod:`~redac.dataset.splits` (frozen splits),
:mod:`~redac.dataset.builder` (pairs -> JSONL), :mod:`~redac.dataset.describe` (stats),
:mod:`~redac.dataset.card` (the card's size block), :mod:`~redac.dataset.convert` (dspy / HF),
:mod:`~redac.dataset.guard` (the test-split guard). The command line is ``redac data``.
"""

from redac.dataset.builder import build, build_dataset
from redac.dataset.card import CARD_BEGIN, CARD_END, card_stats, update_card
from redac.dataset.convert import (
    from_example,
    from_hf,
    hf_features,
    load_examples,
    to_example,
    to_examples,
    to_hf,
)
from redac.dataset.dedup import (
    NEAR_DUP_THRESHOLD,
    SHINGLE,
    NearDuplicate,
    jaccard,
    near_duplicates,
    shingles,
)
from redac.dataset.describe import render_stats, stats
from redac.dataset.guard import OptimizerSet, assert_no_test, for_optimizer
from redac.dataset.jsonl import (
    Parsed,
    dumps_record,
    load_jsonl,
    load_split,
    parse_jsonl,
    write_jsonl,
)
from redac.dataset.pairs import (
    LABEL_KEYS,
    PAIR_FILES,
    check_pair,
    is_complete,
    pair_folders,
    read_pair,
)
from redac.dataset.problems import DatasetProblems, Problem
from redac.dataset.quality import (
    KEYPHRASE_WORDS,
    MAX_TITLE_CHARS,
    META_CHARS,
    MIN_SOURCE_WORDS,
    Finding,
    dataset_problems,
    quality_findings,
    validate,
)
from redac.dataset.schema import (
    FACT_KINDS,
    KIND_PRIORITY,
    KIND_TAGS,
    OPTIMIZER_SPLITS,
    SEED_PREFIX,
    SPLITS,
    TOPIC_TAGS,
    Facts,
    Gold,
    Record,
    Split,
    fingerprint,
    is_test_source,
    primary_kind,
)
from redac.dataset.splits import (
    DEFAULT_RATIOS,
    DEFAULT_SEED,
    SplitsFile,
    assign_splits,
    read_splits,
    write_splits,
)

__all__ = [
    "CARD_BEGIN",
    "CARD_END",
    "DEFAULT_RATIOS",
    "DEFAULT_SEED",
    "FACT_KINDS",
    "KEYPHRASE_WORDS",
    "KIND_PRIORITY",
    "KIND_TAGS",
    "LABEL_KEYS",
    "MAX_TITLE_CHARS",
    "META_CHARS",
    "MIN_SOURCE_WORDS",
    "NEAR_DUP_THRESHOLD",
    "OPTIMIZER_SPLITS",
    "PAIR_FILES",
    "SEED_PREFIX",
    "SHINGLE",
    "SPLITS",
    "TOPIC_TAGS",
    "DatasetProblems",
    "Facts",
    "Finding",
    "Gold",
    "NearDuplicate",
    "OptimizerSet",
    "Parsed",
    "Problem",
    "Record",
    "Split",
    "SplitsFile",
    "assert_no_test",
    "assign_splits",
    "build",
    "build_dataset",
    "card_stats",
    "check_pair",
    "dataset_problems",
    "dumps_record",
    "fingerprint",
    "for_optimizer",
    "from_example",
    "from_hf",
    "hf_features",
    "is_complete",
    "is_test_source",
    "jaccard",
    "load_examples",
    "load_jsonl",
    "load_split",
    "near_duplicates",
    "pair_folders",
    "parse_jsonl",
    "primary_kind",
    "quality_findings",
    "read_pair",
    "read_splits",
    "render_stats",
    "shingles",
    "stats",
    "to_example",
    "to_examples",
    "to_hf",
    "update_card",
    "validate",
    "write_jsonl",
    "write_splits",
]
