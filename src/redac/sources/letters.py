"""Upper- and lower-case letter classes (French accents included) for the cleaning regexes.

Several steps recognise a sentence or a name by its capital; they must agree on what a capital is.
"""

from __future__ import annotations

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zà-öø-ÿœ"
