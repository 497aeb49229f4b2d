"""One exception family per concern, each carrying *where* the problem is.

The CLI turns any :class:`RedacError` into a single line ``error: <where>: <message>``
and a non-zero exit code; library users catch the family they care about.
"""

from __future__ import annotations


class RedacError(Exception):
    """Base class: a user-facing problem with a location (file, line, field)."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file) + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SourceError(RedacError):
    """A raw source cannot be read or holds no usable text."""


class ConfigError(RedacError):
    """A config file or block is invalid (unknown key, bad value, missing secret)."""


class DatasetError(RedacError):
    """A dataset file or record does not follow the schema."""


class LMError(RedacError):
    """The language model backend failed (unreachable, refused, malformed output, replay miss)."""

    exit_code = 3


class ArticleError(RedacError):
    """An article file cannot be parsed."""


class BudgetExceeded(LMError):
    """The configured budget (calls, tokens or cost) was reached; partial results are kept."""

    exit_code = 4


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message ('' if it has none): what fits in one error line."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def describe(exc: BaseException) -> str:
    """``Type: first line of the message`` (or just ``Type``), for errors reported without a traceback."""
    first = first_line(exc)
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
