"""The result of rewriting one source: one type for every way a rewrite leaves redac.

``redac.rewrite`` (which also writes ``NAME.md``/``NAME.json``), ``LoadedProgram.run`` (a loaded bundle), the
MLflow pyfunc model and ``redac serve`` all produce a :class:`RewriteResult` and serialise it from here, so the
fields mean the same everywhere. In particular ``markdown`` is always the article body
(:attr:`Article.markdown`, starting with ``# title``); the file form with YAML front matter is
``markdown_document`` (:meth:`Article.to_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redac.article import Article


@dataclass
class RewriteResult:
    """One source rewritten (``article`` set) or the error that stopped it (``error``, ``error_type``), with
    what the program noticed on the way and the files written for it (``redac rewrite --out``)."""

    name: str = "source"
    article: Article | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.article is not None

    @property
    def markdown_document(self) -> str:
        """Front matter + Markdown, as ``NAME.md`` is written; empty without an article."""
        return self.article.to_markdown() if self.article is not None else ""

    def record(self, *, seconds_digits: int = 3) -> dict[str, Any]:
        """The JSON form of a rewritten source: ``article`` (its fields, with ``markdown`` the body and the
        headings), ``word_count``, ``facts``, ``warnings``, ``repairs``, ``seconds``."""
        if self.article is None:
            raise ValueError(f"{self.name}: no article to record ({self.error})")
        return {
            "article": self.article.model_dump(),
            "word_count": self.article.word_count,
            "facts": self.facts,
            "warnings": self.warnings,
            "repairs": self.repairs,
            "seconds": round(self.seconds, seconds_digits),
        }
