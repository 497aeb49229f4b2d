"""Raw source (text or HTML) -> :class:`Source`: the cleaning steps, in order.

Pipeline (:func:`clean`): normalise typography -> HTML main text (trafilatura) -> instruction split and
targets -> paragraphs (hard wraps joined, tables found, blank-line blocks noted) -> page chrome,
comment threads, masthead and teaser cards -> duplicates -> per paragraph (tables aside): agency
credits, sentence glue, glued link headlines, trailers -> language and warnings.
"""

from __future__ import annotations

import re

from redac.errors import SourceError
from redac.sources.boilerplate import strip_boilerplate
from redac.sources.dedupe import dedupe_lines
from redac.sources.diagnostics import source_warnings
from redac.sources.html import html_to_text, is_html
from redac.sources.inline import (
    strip_credits,
    strip_glued_headlines,
    strip_trailing_trailer,
    unglue,
)
from redac.sources.instruction import (
    is_glued_instruction,
    parse_targets,
    split_instruction,
)
from redac.sources.language import detect_language
from redac.sources.model import Removed, Source, Targets
from redac.sources.paragraphs import paragraphs_and_blocks
from redac.sources.tables import is_table
from redac.text import normalise


def clean(raw: str, *, name: str = "source") -> Source:
    """Turn a raw source into a :class:`Source` (pure: no I/O, deterministic)."""
    if not raw or not raw.strip():
        raise SourceError("source is empty", file=name)
    text = normalise(raw)
    removed: list[Removed] = []
    warnings: list[str] = []

    if is_html(text):
        text, html_removed, html_warnings = html_to_text(text)
        removed += html_removed
        warnings += html_warnings

    instruction, rest = split_instruction(text)
    glued = is_glued_instruction(text, instruction)
    text = rest
    targets = Targets()
    if instruction:
        removed.append(Removed(kind="instruction", text=instruction))
        targets = parse_targets(instruction)

    items = paragraphs_and_blocks(text)
    paras, dropped = strip_boilerplate([p for p, _ in items], [b for _, b in items])
    removed += dropped
    paras, dropped = dedupe_lines(paras)
    removed += dropped

    body_paras: list[str] = []
    for para in paras:
        if is_table(para):  # kept as it is: cells are figures, not sentences to unglue
            body_paras.append(para)
            continue
        para, dropped = strip_credits(para)
        removed += dropped
        para, dropped = strip_glued_headlines(unglue(para))
        removed += dropped
        para, dropped = strip_trailing_trailer(para)
        removed += dropped
        para = " ".join(para.split())
        if para and re.search(r"\w", para):
            body_paras.append(para)

    body = "\n\n".join(body_paras)
    if not body:
        kinds = sorted({r.kind for r in removed})
        raise SourceError(f"source is empty after cleaning (removed: {', '.join(kinds) or 'nothing'})", file=name)

    language = detect_language(body)
    warnings += source_warnings(body, targets, language, instruction_glued=glued)
    return Source(name=name, raw=raw, body=body, instruction=instruction, targets=targets, removed=removed,
                  language=language, warnings=warnings)
