"""HTML pages -> the article's text, with the visible lines the extractor left out listed as removed.

Scraped pages arrive as HTML whatever their suffix; the rest of the cleaning works on text lines.
"""

from __future__ import annotations

import re

from redac.sources.dedupe import line_key
from redac.sources.model import Removed
from redac.text import count_words, normalise

_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_HTML_TAGS = {"html", "head", "body", "div", "p", "span", "a", "br", "h1", "h2", "h3", "h4", "article", "section",
              "nav", "header", "footer", "main", "aside", "ul", "ol", "li", "script", "style", "meta", "img",
              "figure", "figcaption", "strong", "em", "b", "i", "table", "tr", "td", "link", "title"}
_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "blockquote", "section",
               "article", "aside", "header", "footer", "nav", "main", "tr", "td", "th", "dt", "dd", "br",
               "button", "form", "label", "option", "pre", "figure", "ul", "ol", "title"}


def is_html(text: str) -> bool:
    """A document prologue, or enough real HTML tags that the text cannot be prose with a stray '<'."""
    if _HTML_START.match(text):
        return True
    tags = [m.group(1).lower() for m in _TAG.finditer(text[:200_000])]
    known = [t for t in tags if t in _HTML_TAGS]
    return len(known) >= 8 and len(set(known)) >= 3


def html_to_text(html: str) -> tuple[str, list[Removed], list[str]]:
    """Main article text of a page (trafilatura), plus what the page showed that was not kept.

    trafilatura is a maintained, benchmarked main-content extractor (nav, cookie banners, asides,
    comments, footers); hand-written DOM heuristics would be a worse copy of it. The dropped visible
    lines are listed (kind ``html_boilerplate``) so the removal stays auditable.
    """
    import trafilatura

    extracted = trafilatura.extract(html, include_comments=False, include_tables=True, include_images=False,
                                    include_links=False, include_formatting=False, deduplicate=False,
                                    output_format="txt") or ""
    visible = _visible_lines(html)
    warnings: list[str] = []
    if not extracted.strip():
        warnings.append("HTML main-text extraction found no article; used all visible text")
        return "\n\n".join(visible), [], warnings
    kept_lines = {line_key(part) for line in extracted.split("\n") for part in (line, *line.split("|"))}
    kept_text = line_key(extracted)
    dropped = [line for line in visible
               if line_key(line) not in kept_lines and not (count_words(line) >= 4 and line_key(line) in kept_text)]
    removed = [Removed(kind="html_boilerplate", text=line) for line in dropped[:200]]
    if len(dropped) > 200:
        removed.append(Removed(kind="html_boilerplate", text=f"... and {len(dropped) - 200} more lines"))
    return _blocks_keeping_tables(normalise(extracted).split("\n")), removed, warnings


def _blocks_keeping_tables(lines: list[str]) -> str:
    """One block per extracted line (trafilatura puts one paragraph per line), except table rows
    ("| a | b |"), which stay together so the table is found again as one."""
    out: list[str] = []
    for line in lines:
        if out and line.lstrip().startswith("|") and out[-1].lstrip().startswith("|"):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)


def _visible_lines(html: str) -> list[str]:
    """Visible text of a page, one line per block element (what a reader would see, minus scripts)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    for el in root.xpath("//script|//style|//noscript|//template|//head"):
        el.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    seen: set[str] = set()
    lines = []
    for line in root.text_content().split("\n"):
        line = " ".join(normalise(line).split())
        if line and line not in seen:
            seen.add(line)
            lines.append(line)
    return lines
