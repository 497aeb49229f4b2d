"""Repeated lines: scrapers repeat headlines and captions (alt text + figcaption); one copy is kept."""

from __future__ import annotations

import re

from redac.sources.model import Removed
from redac.sources.tables import is_table
from redac.text import count_words, fold


def line_key(line: str) -> str:
    """What two copies of a line share: folded case and accents, punctuation and spacing ignored."""
    return re.sub(r"[\W_]+", " ", fold(line)).strip()


def dedupe_lines(paras: list[str]) -> tuple[list[str], list[Removed]]:
    """Scrapers repeat headlines and captions (alt text + figcaption). Keep one copy of a repeated sentence;
    drop every copy of a repeated caption (a fragment with no final punctuation), which is page furniture.
    A repeated table is kept once, like a sentence."""
    counts: dict[str, int] = {}
    for p in paras:
        counts[line_key(p)] = counts.get(line_key(p), 0) + 1
    seen: set[str] = set()
    kept: list[str] = []
    removed: list[Removed] = []
    for p in paras:
        key = line_key(p)
        caption = counts[key] > 1 and not is_table(p) and not re.search(r"[.!?»\"…]$", p) and count_words(p) <= 40
        if caption:
            removed.append(Removed(kind="caption_duplicate", text=p))
        elif key in seen and key:
            removed.append(Removed(kind="duplicate", text=p))
        else:
            seen.add(key)
            kept.append(p)
    return kept, removed
