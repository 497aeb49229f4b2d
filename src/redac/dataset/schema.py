"""The dataset schema: one :class:`Record` per JSONL line (gold article, labelled facts, tags, split).

Kept apart from every reader and writer so that all of them (JSONL, pair folders, converters, the
test-split guard) validate against the one definition. A record built with ``split="test"``
remembers its source's fingerprint, so a relabelled copy can be recognised later
(:func:`is_test_source`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from redac.article import Article
from redac.configfile import StrictModel
from redac.errors import DatasetError
from redac.sources import Targets
from redac.text import normalise

Split = Literal["train", "dev", "test"]
SPLITS: tuple[Split, ...] = ("train", "dev", "test")
OPTIMIZER_SPLITS: tuple[Split, ...] = ("train", "dev")
TOPIC_TAGS = ("politique", "economie", "sport", "science", "culture", "local", "faits-divers", "international")
KIND_TAGS = ("dispatch", "scraped", "instruction", "numbers", "quotes", "short", "long")
# The primary kind (the stratum for splits) is the rarest, most input-shaping kind tag present.
KIND_PRIORITY = ("scraped", "instruction", "long", "short", "quotes", "numbers", "dispatch")
FACT_KINDS = ("entities", "numbers", "dates", "quotes")
SEED_PREFIX = "seed-"  # the real inputs users see in the docs: kept out of test


class Gold(StrictModel):
    title: str
    meta_description: str
    slug: str
    keyphrase: str
    markdown: str  # starts with "# {title}", then lede, then ## / ### sections

    def to_article(self) -> Article:
        return Article(**self.model_dump())


class Facts(StrictModel):
    """Hand-labelled facts a faithful rewrite must keep, as they are written in the source."""

    entities: list[str] = Field(default_factory=list)  # people, places, organisations, events
    numbers: list[str] = Field(default_factory=list)   # quantities with units, %, money, counts
    dates: list[str] = Field(default_factory=list)     # dates, days, years, durations
    quotes: list[str] = Field(default_factory=list)    # quoted statements, text inside « »

    def flat(self) -> list[tuple[str, str]]:
        """``(kind, fact)`` for every fact, in label order."""
        return [(kind, fact) for kind in FACT_KINDS for fact in getattr(self, kind)]

    @property
    def count(self) -> int:
        return sum(len(getattr(self, kind)) for kind in FACT_KINDS)


class Record(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    source: str  # the raw source as received (instruction line and boilerplate included)
    instruction: str | None = None
    targets: Targets = Field(default_factory=Targets)
    gold: Gold
    facts: Facts
    tags: list[str] = Field(default_factory=list)
    split: Split

    def model_post_init(self, __context: Any) -> None:
        if self.split == "test":  # every test record ever built in this process is remembered
            _TEST_FINGERPRINTS.add(fingerprint(self.source))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> "Record":
        copy = super().model_copy(update=update, deep=deep)  # copies skip model_post_init
        copy.model_post_init(None)
        return copy

    @property
    def topic(self) -> str | None:
        return next((t for t in self.tags if t in TOPIC_TAGS), None)

    @property
    def kind(self) -> str:
        return primary_kind(self.tags)

    @property
    def is_seed(self) -> bool:
        return self.id.startswith(SEED_PREFIX)


def primary_kind(tags: Iterable[str]) -> str:
    """The stratum of a record: the first of :data:`KIND_PRIORITY` among its tags ("other" if none)."""
    present = set(tags)
    return next((k for k in KIND_PRIORITY if k in present), "other")


def fingerprint(source: str) -> str:
    """Identity of a source text, insensitive to typography and surrounding whitespace."""
    return hashlib.sha256(" ".join(normalise(source).split()).encode("utf-8")).hexdigest()


_TEST_FINGERPRINTS: set[str] = set()


def is_test_source(source: str) -> bool:
    """True if ``source`` is the text of a test record built in this process (any label)."""
    return fingerprint(source) in _TEST_FINGERPRINTS


def check_split_name(split: str, file: str | None = None) -> None:
    """Raise :class:`DatasetError` (field ``split``) unless ``split`` is one of :data:`SPLITS`."""
    if split not in SPLITS:
        raise DatasetError(f"{split!r} is not one of {', '.join(SPLITS)}", file=file, field="split")
