"""Cleaning what the model writes: list outputs in any format, repeated items, over-long strings."""

from __future__ import annotations

import json
import re
from typing import Any

from redac.text import fold


def as_list(value: Any) -> list[str]:
    """Model list output -> clean list of strings (tolerates a JSON string or bullet lines)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [line for line in value.splitlines()]
    if not isinstance(value, list):
        value = [value]
    out = []
    for item in value:
        text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", str(item)).strip()
        if text:
            out.append(text)
    return out


def dedupe(items: list[str]) -> list[str]:
    """``items`` in order without repeats (ignoring case, accents and a final full stop)."""
    seen: set[str] = set()
    out = []
    for item in items:
        key = fold(item).strip(" .")
        if key and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:limit]
    return cut.rstrip(" ,;:–-")

