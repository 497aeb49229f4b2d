"""Phrasing helpers for metric feedback: quote a long text briefly, list a few items and count the rest.

Feedback is read by a writer (and by GEPA's reflection model): it must name what to fix without
pasting whole paragraphs.
"""

from __future__ import annotations


def short(text: str, n: int = 90) -> str:
    """``text`` on one line, cut to ``n`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def listed(items: list[str], n: int = 6) -> str:
    """The first ``n`` items joined by commas, then "and k more"."""
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")
