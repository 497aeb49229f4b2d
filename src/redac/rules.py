"""The house rules of a redac article, in one place.

The program repairs its outputs to these bounds, the SEO metric scores against them and the dataset
checks its golds with them; before this module each kept its own copy and they disagreed (a title of
at most 60 characters for the program and the dataset, 30 to 65 for the metric). The prompts
(:mod:`redac.program.signatures`) state the same numbers in words and cannot read them from here (they
must stay byte-identical); a test checks that they agree.

No imports: every layer may read this module.
"""

from __future__ import annotations

# Title (the SEO title and the H1), in characters: the program's and the dataset's bound. The seo metric
# measures the width in pixels as Yoast does (at most 600 px, about 60-65 characters of French).
TITLE_MIN_CHARS = 30
TITLE_MAX_CHARS = 60

# Meta description (Yoast: green over 120 and up to 156 characters; the seo metric follows Yoast).
META_MIN_CHARS = 120
META_MAX_CHARS = 156

# Focus keyphrase, in words (the SEO metric counts content words).
KEYPHRASE_MIN_WORDS = 1
KEYPHRASE_MAX_WORDS = 4

# Slug: lower-case ASCII words joined by hyphens.
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_MAX_CHARS = 75

# A subheading the program makes from a fact is cut to this many characters.
SUBHEADING_MAX_CHARS = 60

# Keyphrase density as Yoast SEO computes it: occurrences per 100 words, times the keyphrase length
# factor 0.7 + content words / 3 (so a 3-word keyphrase in 1,000 words may occur 10 to 17 times); over
# the band's top Yoast scores it red, over the stuffing density "way over the maximum".
DENSITY = (0.5, 3.0)
STUFFING_DENSITY = 4.0
