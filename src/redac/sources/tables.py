"""Tables in a text source (Markdown, bare "a | b" rows, aligned columns) -> one Markdown table paragraph.

Tables are content: a price grid or a results table carries figures found nowhere else, so a run of
table rows is kept whole and never cut into sentences.
"""

from __future__ import annotations

import re

_SEP_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")


def _pipe_cells(line: str) -> list[str] | None:
    s = line.strip()
    if "|" not in s:
        return None
    s = s.removeprefix("|").removesuffix("|")
    cells = [" ".join(c.split()) for c in s.split("|")]
    return cells if len(cells) >= 2 else None


def space_cells(line: str) -> list[str] | None:
    """Cells of a line whose columns are aligned with tabs or runs of two or more spaces."""
    s = line.strip()
    if "|" in s:
        return None
    cells = re.split(r"\s*\t\s*|\s{2,}", s)
    return cells if len(cells) >= 2 else None


def _has_digit(cells: list[str]) -> bool:
    return any(re.search(r"\d", c) for c in cells)


def table_at(lines: list[str], i: int) -> tuple[str | None, int]:
    """The table that starts at ``lines[i]`` as Markdown, and how many lines it used; ``(None, 0)`` if none.

    A table is a run of consecutive lines of cells: pipe rows ("| a | b |" or a bare "a | b | c") or
    columns aligned with tabs or 2+ spaces; bare and aligned rows must agree on their number of cells.
    Its figures are content (a price grid, a results table), not navigation. What tells it from a
    one-line menu ("Accueil | Sport | Loisirs") is the run itself: two or more rows, and either
    Markdown syntax (outer pipes, a "|---|" rule) or figures in at least half of the data rows. Aligned
    columns must also be short, figure-bearing cells, so prose with double spaces after its full stops is
    never cut into cells.
    """
    if _pipe_cells(lines[i]) is not None or _SEP_ROW.match(lines[i]):
        rows: list[list[str]] = []
        ruled = markdown = True
        j = i
        while j < len(lines) and lines[j].strip():
            if _SEP_ROW.match(lines[j]):
                ruled = ruled and bool(rows)
                j += 1
                continue
            cells = _pipe_cells(lines[j])
            if cells is None:
                break
            markdown = markdown and lines[j].strip().startswith("|") and lines[j].strip().endswith("|")
            rows.append(cells)
            j += 1
        ruled = ruled and j - i > len(rows)
        if len(rows) >= 2 and (ruled or markdown):  # written as a Markdown table: kept even if a row is ragged
            return render_table(rows), j - i
        data = rows[1:]
        if len(rows) >= 2 and len({len(r) for r in rows}) == 1 and sum(_has_digit(r) for r in data) * 2 >= len(data):
            return render_table(rows), j - i
        return None, 0
    rows = []
    j = i
    while j < len(lines) and (cells := space_cells(lines[j])) is not None:
        rows.append([" ".join(c.split()) for c in cells])
        j += 1
    if len(rows) < 2:
        return None, 0
    width = len(rows[-1])
    data = rows[1:]
    if len({len(r) for r in data}) != 1 or len(rows[0]) not in (width, width - 1):
        return None, 0
    if any(len(c) > 40 or re.search(r"[.!?]$", c) for r in rows for c in r):
        return None, 0
    if sum(_has_digit(r) for r in data) * 2 < len(data):
        return None, 0
    if len(rows[0]) == width - 1:  # a header over the data columns only, no label for the first column
        rows[0] = ["", *rows[0]]
    return render_table(rows), j - i


def render_table(rows: list[list[str]]) -> str:
    """Markdown table: first row as header, a "|---|" rule, one line per row."""
    width = max(len(r) for r in rows)
    lines = [re.sub(r" {2,}", " ", "| " + " | ".join(r + [""] * (width - len(r))) + " |") for r in rows]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


def is_table(para: str) -> bool:
    """A paragraph made by :func:`render_table` (the only paragraphs spanning several lines)."""
    return para.startswith("|") and "\n" in para
