"""The output of redac: a typed SEO article and its Markdown + front-matter file form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, computed_field

from redac.errors import ArticleError
from redac.text import count_words

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FRONT_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)
FRONT_KEYS = ("title", "meta_description", "slug", "keyphrase")


class Heading(BaseModel):
    level: int = Field(ge=1, le=6)
    text: str


class Section(BaseModel):
    """A heading and the prose under it (up to the next heading of any level)."""

    heading: Heading | None
    body: str


class Article(BaseModel):
    """A publishable article. ``markdown`` is the body, starting with ``# title``."""

    title: str
    meta_description: str = ""
    slug: str = ""
    keyphrase: str = ""
    markdown: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headings(self) -> list[Heading]:
        return headings(self.markdown)

    @property
    def body_text(self) -> str:
        """The prose without heading lines (what readers read and what we count)."""
        return "\n\n".join(s.body for s in sections(self.markdown) if s.body)

    @property
    def word_count(self) -> int:
        return count_words(self.body_text)

    def to_markdown(self) -> str:
        front = {k: getattr(self, k) for k in FRONT_KEYS}
        dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)
        return f"---\n{dumped}---\n\n{self.markdown.strip()}\n"

    @classmethod
    def from_markdown(cls, text: str, *, file: str | None = None) -> "Article":
        """Parse ``---`` YAML front matter + Markdown (both optional: plain text parses too). Without a
        front-matter title the H1 is the title, else a title-like first line, else none (``""``)."""
        front: dict[str, Any] = {}
        match = _FRONT_RE.match(text)
        if match:
            try:
                front = yaml.safe_load(match.group(1)) or {}
            except yaml.YAMLError as exc:
                raise ArticleError(f"front matter is not valid YAML ({exc.__class__.__name__})",
                                   file=file, line=1) from None
            if not isinstance(front, dict):
                raise ArticleError("front matter must be a mapping", file=file, line=1)
            text = text[match.end():]
        body = text.strip()
        if not body:
            raise ArticleError("article is empty", file=file)
        h1 = next((h.text for h in headings(body) if h.level == 1), None)
        title = str(front.get("title") or h1 or _title_line(body)).strip()
        return cls(title=title, markdown=body,
                   **{k: str(front.get(k) or "") for k in FRONT_KEYS if k != "title"})

    @classmethod
    def from_bytes(cls, raw: bytes, *, file: str | None = None) -> "Article":
        """Decode and parse an article file's bytes; only what cannot be read as text is an error
        (not UTF-8, binary): Markdown with or without front matter or headings, and plain text, parse."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ArticleError(f"not UTF-8 (byte {exc.start})", file=file) from None
        if "\x00" in text:
            raise ArticleError("binary file, expected Markdown or plain text", file=file)
        return cls.from_markdown(text, file=file)

    @classmethod
    def read(cls, path: str | Path) -> "Article":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ArticleError("no such file", file=str(path)) from None
        except IsADirectoryError:
            raise ArticleError("is a directory, expected a Markdown file", file=str(path)) from None
        return cls.from_bytes(raw, file=str(path))

    def with_fields(self, **values: str | None) -> "Article":
        """A copy with these front-matter fields set (``None`` or ``""`` leaves a field as it is): how
        ``redac score --keyphrase ...`` completes an article written without front matter."""
        unknown = sorted(set(values) - set(FRONT_KEYS))
        if unknown:
            raise ValueError(f"not front-matter fields: {', '.join(unknown)} (known: {', '.join(FRONT_KEYS)})")
        update = {k: v.strip() for k, v in values.items() if v and v.strip()}
        return self.model_copy(update=update) if update else self


#: A plain-text first line longer than this is a paragraph, not a title.
TITLE_LINE_MAX_CHARS = 150


def _title_line(body: str) -> str:
    """The title of a text without front matter or H1: its first line if it reads as one (short, not
    a sentence ending in a full stop), else nothing, so the SEO and headings metrics report it missing
    instead of grading a paragraph cut at some length as the title."""
    first = body.splitlines()[0].strip()
    if (len(first) > TITLE_LINE_MAX_CHARS or first.endswith((".", "…", ":", ";", ","))
            or _HEADING_RE.match(first) or first.startswith(("-", "*", ">", "|", "!", "[", "<", "`"))):
        return ""
    return first


def headings(markdown: str) -> list[Heading]:
    out = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        m = None if in_code else _HEADING_RE.match(line)
        if m:
            out.append(Heading(level=len(m.group(1)), text=m.group(2).strip()))
    return out


def sections(markdown: str) -> list[Section]:
    """Split Markdown at every heading; the first section may have no heading (the lede)."""
    out: list[Section] = []
    current: Heading | None = None
    buf: list[str] = []
    for line in markdown.splitlines():
        m = _HEADING_RE.match(line)
        if m:
            if current is not None or "".join(buf).strip():
                out.append(Section(heading=current, body="\n".join(buf).strip()))
            current, buf = Heading(level=len(m.group(1)), text=m.group(2).strip()), []
        else:
            buf.append(line)
    if current is not None or "".join(buf).strip():
        out.append(Section(heading=current, body="\n".join(buf).strip()))
    return out


def paragraphs(markdown: str) -> list[str]:
    """Prose paragraphs (headings excluded), in order."""
    return [p.strip() for s in sections(markdown) for p in re.split(r"\n\s*\n", s.body) if p.strip()]
