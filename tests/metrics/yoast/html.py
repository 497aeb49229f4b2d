"""Markdown → HTML for the Yoast peer: what a CMS would hand Yoast SEO for a redac article.

Only the Markdown redac writes: ATX headings, paragraphs, ``-``/``*`` and ``1.`` lists, pipe tables and
``**bold**`` / ``*italic*``. Deliberately small and dependency-free: the peer must see the same
structure the metric sees (one ``<p>`` per blank-line paragraph, one ``<li>`` per item).
"""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _block(lines: list[str]) -> str:
    if all(_BULLET.match(x) for x in lines):
        return "<ul>" + "".join(f"<li>{_inline(_BULLET.match(x).group(1))}</li>" for x in lines) + "</ul>"  # type: ignore[union-attr]
    if all(_NUMBERED.match(x) for x in lines):
        return "<ol>" + "".join(f"<li>{_inline(_NUMBERED.match(x).group(1))}</li>" for x in lines) + "</ol>"  # type: ignore[union-attr]
    if len(lines) >= 2 and lines[0].lstrip().startswith("|") and _RULE.match(lines[1]):
        head = "".join(f"<th>{_inline(c)}</th>" for c in _cells(lines[0]))
        rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(x)) + "</tr>" for x in lines[2:])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    return f"<p>{_inline(' '.join(x.strip() for x in lines))}</p>"


def to_html(markdown: str) -> str:
    """The article body as HTML: headings become ``<hN>``, blank-line blocks ``<p>``, lists, tables."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            out.append(_block(block))
            block.clear()

    for line in markdown.splitlines():
        m = _HEADING.match(line)
        if m:
            flush()
            n = len(m.group(1))
            out.append(f"<h{n}>{_inline(m.group(2).strip())}</h{n}>")
        elif not line.strip():
            flush()
        else:
            block.append(line)
    flush()
    return "\n".join(out)
