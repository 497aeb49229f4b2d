"""Warnings on a cleaned source: what an editor should know before trusting a rewrite of it."""

from __future__ import annotations

import re

from redac.sources.boilerplate import is_truncated
from redac.sources.letters import LOWER
from redac.sources.model import Targets
from redac.text import count_words


def source_warnings(body: str, targets: Targets, language: str, *, instruction_glued: bool = False) -> list[str]:
    """What an editor should know before trusting a rewrite of this source."""
    out: list[str] = []
    n = count_words(body)
    if n < targets.min_words / 2:
        out.append(f"source is only {n} words; target is {targets.min_words}: the rewrite must expand it "
                   f"{targets.min_words / max(n, 1):.1f}x without inventing facts")
    for i, para in enumerate(body.split("\n\n")):
        if is_truncated(para):
            where = "lede" if i <= 1 else f"paragraph {i + 1}"
            out.append(f"{where} looks truncated ('...{para[-45:]}'): the source was cut by its publisher")
    if re.match(rf"[{LOWER}]", body):
        out.append(f"story starts mid-sentence ('{body[:40]}...')")
    if instruction_glued:
        out.append(f"instruction was glued to the story; split before '{body[:30]}'")
    if language != "fr" or language != targets.language:
        out.append(f"source language is '{language}'; target language is '{targets.language}'")
    return out
