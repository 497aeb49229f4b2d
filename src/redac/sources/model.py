"""What a cleaned source is: the story body, the editor's targets and the audited removals.

The one model every consumer (program, metrics, data, export) reads; the cleaning steps only build it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from redac.text import count_words


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

    # instruction | skip_link | caption_duplicate | caption_credit | read_also | comments | teaser | trailer
    # | member_banner | subscription | share | newsletter | advert | cookie_banner | photo_credit | byline
    # | navigation | masthead | footer | html_boilerplate | duplicate
    kind: str
    text: str


class Source(BaseModel):
    name: str = "source"
    raw: str
    body: str  # the story only, one paragraph per line block ("\n\n"), typography normalised; a table is one
    # paragraph in Markdown ("| a | b |" rows joined by "\n", "|---|" rule after the header row)
    instruction: str | None = None
    targets: Targets = Field(default_factory=Targets)
    removed: list[Removed] = Field(default_factory=list)
    language: str = "fr"  # detected language of the body
    warnings: list[str] = Field(default_factory=list)

    @property
    def word_count(self) -> int:
        return count_words(self.body)

    def removed_of(self, kind: str) -> list[str]:
        """Texts removed under one kind (handy in reports and tests)."""
        return [r.text for r in self.removed if r.kind == kind]
