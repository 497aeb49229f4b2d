"""Text -> paragraphs: one per line, hard wraps joined, tables kept whole, blank-line blocks numbered.

The block numbers are the page's own grouping, which the boilerplate step reads (a "Lire aussi"
marker and its headlines, a comment count and its comments sit in one block).
"""

from __future__ import annotations

import re

from redac.sources.tables import space_cells, table_at
from redac.text import count_words


def paragraphs_of(text: str) -> list[str]:
    """One item per non-empty line; hard-wrapped lines (no final punctuation, next starts lower-case) are joined.

    News dispatches put one paragraph per line; scraped pages put captions and banners on their
    own lines. Both are "lines"; only e-mail style hard wraps need joining. Markdown heading marks
    and link syntax are dropped (the text is kept). A table (see :func:`table_at`) is one item, a
    Markdown table whose rows are joined by "\\n".
    """
    return [p for p, _ in paragraphs_and_blocks(text)]


def paragraphs_and_blocks(text: str) -> list[tuple[str, int]]:
    """:func:`paragraphs_of` with, for each item, the number of the blank-line-separated block it came from.

    The block is the page's own grouping: a "Lire aussi :" marker and its three linked headlines, or
    a comment count and its comments, sit in one block; the story resumes after a blank line.
    """
    out: list[tuple[str, int]] = []
    lines = text.split("\n")
    block = 0
    joinable = False
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            block += 1
            joinable = False
            i += 1
            continue
        table, used = table_at(lines, i)
        if table:
            out.append((table, block))
            joinable = False
            i += used
            continue
        line = _menu_row(lines[i]) or " ".join(lines[i].split())
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"\[([^\]\n]+)\]\((?:https?://|/)[^)\s]*\)", r"\1", line)
        if joinable and out and re.match(r"[a-zà-ÿ]", line):
            out[-1] = (f"{out[-1][0]} {line}", out[-1][1])
        else:
            out.append((line, block))
        joinable = not re.search(r"[.!?:;»\"”)…]$", line)
        i += 1
    return out


def _menu_row(line: str) -> str | None:
    """"ACTUALITÉ  POLITIQUE  ÉCONOMIE": three or more short items spaced by 2+ blanks, made a "|" menu."""
    cells = space_cells(line)
    if cells and len(cells) >= 3 and all(count_words(c) <= 4 for c in cells) and not re.search(r"[\d.!?]", line):
        return " | ".join(" ".join(c.split()) for c in cells)
    return None
