"""An article as Yoast SEO's tree sees it: blocks, their sentences and tokens, and its word counts.

Yoast parses the post's HTML into a tree whose text nodes are headings, paragraphs and *implicit*
paragraphs (a list item, a table cell); each is split into sentences and tokens on its own
(``parse/build``). :func:`yoast_document` rebuilds the same structure from redac's Markdown (ATX
headings, blank-line paragraphs, ``-``/``1.`` lists, pipe tables, ``**bold**``), so counts match
what Yoast reports for the HTML of the same Markdown (``tests/metrics/yoast/html.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from redac.article import Article
from redac.memo import LRU
from redac.metrics.yoast.sentences import (
    get_words,
    normalise_quotes,
    split_sentences,
    split_tokens,
    words_of_tokens,
)

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = re.compile(r"\*\*(.+?)\*\*|(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]

    @cached_property
    def words(self) -> list[str]:
        """Words, hyphenated ones kept whole (Yoast's sentence and paragraph lengths)."""
        return words_of_tokens(self.tokens, split_on_hyphens=False)

    @cached_property
    def split_words(self) -> int:
        """How many words, hyphens splitting (getAllWordsFromTree: densities, transition-word text length)."""
        return len(words_of_tokens(self.tokens))

    @cached_property
    def match_tokens(self) -> tuple[str, ...]:
        """Lower-cased, quote-normalised tokens without whitespace (keyphrase matching)."""
        return tuple(normalise_quotes(t.lower()) for t in self.tokens if not t.isspace())

    @cached_property
    def match_text(self) -> str:
        """:attr:`match_tokens` joined: a quick test of whether a word can occur at all."""
        return " ".join(self.match_tokens)

    @cached_property
    def lower_tokens(self) -> tuple[str, ...]:
        """Lower-cased tokens without the spaces (transition words match on these)."""
        return tuple(t.lower() for t in self.tokens if t != " ")


@dataclass(frozen=True)
class Block:
    """One text node: ``h1``–``h6``, ``p`` or an implicit paragraph (``li``, ``cell``)."""

    kind: str
    text: str
    sentences: tuple[Sentence, ...]
    group: int = 0   # the Markdown block it came from: the items of one list or table share it

    @property
    def word_count(self) -> int:
        """Whitespace words (getWords.js)."""
        return count_words(self.text)

    @property
    def heading_level(self) -> int:
        return int(self.kind[1]) if self.kind[0] == "h" else 0

    @property
    def is_paragraph(self) -> bool:
        return self.kind in ("p", "li", "cell")


def _plain(text: str) -> str:
    return _INLINE.sub(lambda m: m.group(1) or m.group(2), text)


@lru_cache(maxsize=20_000)
def count_words(text: str) -> int:
    """getWords.js's count for one block of text (memoised: blocks repeat across an optimiser's candidates)."""
    return len(get_words(text))


#: The sentences of each distinct block text, shared by every article that contains it (an optimiser's
#: candidates for one source repeat most of their paragraphs): parsed, tokenised and counted once.
BLOCK_CACHE: LRU[tuple[Sentence, ...]] = LRU(20_000)


def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(Sentence(s, split_tokens(s)) for s in split_sentences(text))


def _block(kind: str, text: str, group: int) -> Block:
    text = _plain(text).strip()
    return Block(kind, text, BLOCK_CACHE.get_or_make(text, lambda: _sentences(text)), group)


def _blocks_of(lines: list[str], group: int) -> list[Block]:
    if all(_BULLET.match(x) for x in lines):
        return [_block("li", _BULLET.match(x).group(1), group) for x in lines]  # type: ignore[union-attr]
    if len(lines) >= 2 and lines[0].lstrip().startswith("|") and _RULE.match(lines[1]):
        rows = [lines[0], *lines[2:]]
        return [_block("cell", c.strip(), group) for row in rows for c in row.strip().strip("|").split("|")]
    return [_block("p", " ".join(x.strip() for x in lines), group)]


@dataclass(frozen=True)
class YoastDocument:
    """The article body's blocks in order, with what the assessments count."""

    blocks: tuple[Block, ...]

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Every sentence of every block, headings included (getSentencesFromTree)."""
        return [s for b in self.blocks for s in b.sentences]

    @cached_property
    def paragraphs(self) -> list[Block]:
        """Paragraph nodes with at least one sentence (getParagraphs)."""
        return [b for b in self.blocks if b.is_paragraph and b.sentences]

    @cached_property
    def tree_word_count(self) -> int:
        """Words of all sentence tokens, hyphens splitting (getAllWordsFromTree: the density's length)."""
        return sum(s.split_words for s in self.sentences)

    @cached_property
    def word_count(self) -> int:
        """Whitespace words of the whole text (wordCountInText: the text length)."""
        return sum(b.word_count for b in self.blocks)

    @cached_property
    def html_sentences(self) -> list[str]:
        """Sentences as Yoast's older HTML splitter sees them (getSentences.js: passive voice, Flesch): a
        table is one block, where a cell runs into the next unless it ends with a full stop."""
        out: list[str] = []
        previous: Block | None = None
        for b in self.blocks:
            texts = [s.text for s in b.sentences]
            if (texts and out and previous is not None and b.kind == "cell" and previous.group == b.group
                    and not previous.text.endswith(".")):
                out[-1] = f"{out[-1]} {texts.pop(0)}"
            out += texts
            previous = b if b.sentences else previous
        return out

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def subheadings(self, levels: tuple[int, ...] = (2, 3)) -> list[str]:
        return [b.text for b in self.blocks if b.heading_level in levels]

    def section_lengths(self) -> list[tuple[str, int]]:
        """``(heading, words)`` for the text after each heading (any level) up to the next; the text before
        the first heading, if any, first with heading ``""`` (getSubheadingTextLengths)."""
        out: list[tuple[str, int]] = []
        heading: str | None = None
        n = 0
        for b in self.blocks:
            if b.heading_level:
                if heading is not None or n:
                    out.append((heading or "", n))
                heading, n = b.text, 0
            else:
                n += b.word_count
        if heading is not None or n:
            out.append((heading or "", n))
        return out


DOCUMENT_CACHE: LRU[YoastDocument] = LRU(64)


def yoast_document(article: Article) -> YoastDocument:
    """The :class:`YoastDocument` of the article's Markdown (memoised per text)."""
    return DOCUMENT_CACHE.get_or_make(article.markdown, lambda: parse_markdown(article.markdown))


def parse_markdown(markdown: str) -> YoastDocument:
    blocks: list[Block] = []
    pending: list[str] = []
    in_code = False
    for line in [*markdown.splitlines(), ""]:
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        m = _HEADING.match(line)
        if m or not line.strip():
            if pending:
                blocks += _blocks_of(pending, len(blocks))
                pending = []
            if m:
                blocks.append(_block(f"h{len(m.group(1))}", m.group(2).strip(), len(blocks)))
        else:
            pending.append(line)
    return YoastDocument(tuple(blocks))
