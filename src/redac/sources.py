"""Raw source (text or HTML) -> :class:`Source`: story body, instruction line, targets, removed boilerplate.

CONTRACT (implementation in progress): see the models below.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Targets(BaseModel):
    """What the editor asked for. Defaults are the house rules; an instruction line overrides them."""

    language: str = "fr"
    min_words: int = Field(default=700, ge=1)
    max_words: int | None = None
    subheadings: bool = True
    min_subheadings: int = Field(default=3, ge=0)
    max_subheadings: int | None = None


class Removed(BaseModel):
    """A piece of the raw source that is not part of the story, and why it was dropped."""

    kind: str  # instruction | skip_link | caption_duplicate | read_also | comments | teaser | trailer | member_banner | html_boilerplate | duplicate
    text: str


class Source(BaseModel):
    name: str = "source"
    raw: str
    body: str  # the story only, one paragraph per line block ("\n\n"), typography normalised
    instruction: str | None = None
    targets: Targets = Field(default_factory=Targets)
    removed: list[Removed] = Field(default_factory=list)
    language: str = "fr"  # detected language of the body
    warnings: list[str] = Field(default_factory=list)
