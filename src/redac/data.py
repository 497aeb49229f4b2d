"""The labelled set: schema of one record (JSONL line), validation, splits and loaders.

CONTRACT (implementation in progress): the record models below are the schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from redac.sources import Targets

Split = Literal["train", "dev", "test"]


class Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    meta_description: str
    slug: str
    keyphrase: str
    markdown: str  # starts with "# {title}", then lede, then ## / ### sections


class Facts(BaseModel):
    """Hand-labelled facts a faithful rewrite must keep, as they are written in the source."""

    model_config = ConfigDict(extra="forbid")
    entities: list[str] = Field(default_factory=list)  # people, places, organisations, events
    numbers: list[str] = Field(default_factory=list)   # quantities with units, %, money, counts
    dates: list[str] = Field(default_factory=list)     # dates, days, years, durations
    quotes: list[str] = Field(default_factory=list)    # quoted statements, text inside « »


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    source: str  # the raw source as received (instruction line and boilerplate included)
    instruction: str | None = None
    targets: Targets = Field(default_factory=Targets)
    gold: Gold
    facts: Facts
    tags: list[str] = Field(default_factory=list)
    split: Split
