"""Raw source (text or HTML) -> :class:`Source`: story body, instruction line, targets, removed boilerplate.

Everything downstream (facts to preserve, coverage metrics, the prompt) reads ``Source.body``, so the
rule here is asymmetric: dropping a line of the story is a silent fact loss, keeping a line of page
chrome is a visible nuisance. Every rule therefore matches *whole lines* (or a glued instruction
prefix, or a trailing credit) and every drop is recorded in ``Source.removed`` with its kind, so a
human can audit what went away.

Tables are content: a price grid or a results table carries figures found nowhere else, so a run of
table rows (Markdown, bare "a | b" or aligned columns) is kept as one Markdown table paragraph.

The steps, in the order :func:`clean` runs them (see :mod:`redac.sources.pipeline`): :mod:`~.html`,
:mod:`~.instruction`, :mod:`~.paragraphs` (with :mod:`~.tables`), :mod:`~.chrome` and
:mod:`~.boilerplate`, :mod:`~.dedupe`, :mod:`~.inline`, :mod:`~.language`, :mod:`~.diagnostics`.
"""

from __future__ import annotations

from redac.sources.boilerplate import strip_boilerplate
from redac.sources.html import is_html
from redac.sources.inline import unglue
from redac.sources.instruction import parse_targets, split_instruction
from redac.sources.language import detect_language
from redac.sources.model import Removed, Source, Targets
from redac.sources.pipeline import clean
from redac.sources.read import SUFFIXES, decode_source, read_source

__all__ = [
    "SUFFIXES", "Removed", "Source", "Targets", "clean", "decode_source", "detect_language", "is_html",
    "parse_targets", "read_source", "split_instruction", "strip_boilerplate", "unglue",
]
