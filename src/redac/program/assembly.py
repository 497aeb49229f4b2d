"""From the plan and the written sections to the :class:`~redac.article.Article`: Markdown body, and
the slug derived from the keyphrase rather than asked of the model."""

from __future__ import annotations

import re

from redac.article import Article
from redac.program.plan import Plan
from redac.text import slugify


def strip_headings(text: str) -> str:
    """A section body must not bring its own headings or a repeated title."""
    lines = [line for line in str(text or "").splitlines() if not re.match(r"^\s*#{1,6}\s", line)]
    return "\n".join(lines).strip()


def assemble(plan: Plan, lede: str, bodies: list[str]) -> Article:
    """The article: ``# title``, the lede, then each outline heading with its body."""
    parts = [f"# {plan.title}", strip_headings(lede)]
    for (level, heading), body in zip(plan.outline, bodies):
        parts += [f"{'#' * level} {heading}", strip_headings(body)]
    markdown = "\n\n".join(p for p in parts if p) + "\n"
    return Article(
        title=plan.title,
        meta_description=plan.meta_description,
        slug=slugify(plan.keyphrase) or slugify(plan.title),
        keyphrase=plan.keyphrase,
        markdown=markdown,
    )
