"""Dividing the work so that any model can do it: a long source in chunks that fit the context, the
facts shared out between the sections, how many sections and how many words each."""

from __future__ import annotations

import re

from redac.program.config import ProgramConfig
from redac.sources import Targets


def chunk_text(text: str, max_chars: int) -> list[str]:
    """Split at paragraph (then sentence) boundaries into chunks of at most ``max_chars``."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        if len(para) <= max_chars:
            pieces.append(para)
        else:
            pieces.extend(re.split(r"(?<=[.!?»])\s+", para))
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(piece) + 2 <= max_chars:
            chunks[-1] = f"{chunks[-1]}\n\n{piece}"
        else:
            chunks.append(piece[:max_chars])
    return chunks


def split_evenly(items: list[str], parts: int) -> list[list[str]]:
    """Consecutive slices of nearly equal size, in order: the lede gets the first facts (news order),
    each section its own facts, so sections do not repeat each other. Never returns an empty slice
    while there are items to share."""
    parts = max(1, min(parts, len(items))) if items else max(1, parts)
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def share_facts(facts: list[str], parts: int) -> list[list[str]]:
    """Each part's facts: consecutive slices when there are at least two facts per part, otherwise
    overlapping windows of consecutive facts, so every part has something to say and no two parts
    get the whole list (which makes every section retell the same story)."""
    if len(facts) >= 2 * parts or not facts:
        return split_evenly(facts, parts)
    size = min(len(facts), max(1, -(-len(facts) // parts)))
    out = []
    for i in range(parts):
        start = min(len(facts) - size, (i * len(facts)) // parts)
        out.append(facts[start:start + size])
    return out


def section_count(targets: Targets, config: ProgramConfig) -> int:
    """H2 count: enough for ~250 words per section, within the config and the instruction's cap."""
    wanted = max(config.min_sections, min(config.max_sections, round(targets.min_words / 250)))
    wanted = max(wanted, targets.min_subheadings)
    if targets.max_subheadings is not None:
        wanted = min(wanted, targets.max_subheadings)
    return wanted if targets.subheadings else 0


def section_words(targets: Targets, parts: int) -> int:
    """Words to ask per part, with a 15 % margin because models stop short."""
    return max(80, round(targets.min_words * 1.15 / max(parts, 1) / 10) * 10)

