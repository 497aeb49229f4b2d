"""The SEO title's width in pixels, as a search result would show it.

Yoast measures the title in the browser, in the snippet preview's font (Arial, 20 px), against 600 px
(``PageTitleWidthAssessment.js``). Without a browser, this sums Arial's advance widths (the same as
Helvetica's AFM metrics, in 1/1000 em) for each character; accented letters take their base letter's
width. Good to a few pixels on French titles, which is what the 600 px limit needs.
"""

from __future__ import annotations

import unicodedata

FONT_PX = 20
_WIDTHS = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333,
    "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584,
    ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "`": 333, "{": 334,
    "|": 260, "}": 334, "~": 584, "«": 556, "»": 556, "–": 556, "—": 1000, "’": 222, "‘": 222, "“": 333,
    "”": 333, "…": 1000, "€": 556, "°": 400, "\u00a0": 278, "\u202f": 278, "œ": 944, "Œ": 1000, "æ": 889,
    "Æ": 1000, "ß": 611,
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
                278, 556, 500, 722, 500, 500, 500))),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
                611, 722, 667, 944, 667, 667, 611))),
    **dict.fromkeys("0123456789", 556),
}


def _char_width(ch: str) -> int:
    if ch in _WIDTHS:
        return _WIDTHS[ch]
    base = unicodedata.normalize("NFD", ch)[:1]
    return _WIDTHS.get(base, 556)


def title_width(title: str) -> float:
    """Estimated width of ``title`` in pixels at Arial 20 px (0 for an empty title)."""
    return sum(_char_width(ch) for ch in title.strip()) * FONT_PX / 1000
