"""Located problems: ``file:line: field: message``, collected rather than raised one at a time.

Every reader of the dataset collects *all* problems and never drops a valid line silently;
strict loading raises :class:`~redac.errors.DatasetError` naming the first (:func:`raise_if`).
The helpers here turn pydantic errors and YAML nodes into those locations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from redac.dataset.schema import SPLITS
from redac.errors import DatasetError


@dataclass(frozen=True)
class Problem:
    """One problem, located: ``str()`` is ``file:line: field: message``."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return ": ".join(p for p in (where, self.field, self.message) if p)

    def error(self) -> DatasetError:
        return DatasetError(self.message, file=self.file, line=self.line, field=self.field)


class DatasetProblems(DatasetError):
    """Several problems at once: located at the first, every one listed (one per line)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        first, rest = problems[0], problems[1:]
        message = first.message + "".join(f"\n{p}" for p in rest)
        super().__init__(message, file=first.file, line=first.line, field=first.field)
        self.problems = list(problems)


def raise_if(problems: Sequence[Problem]) -> None:
    if problems:
        raise DatasetProblems(problems) if len(problems) > 1 else problems[0].error()


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pydantic_problems(exc: ValidationError, file: str, line: int | None) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        field = _loc(err["loc"])
        if err["type"] == "literal_error" and tuple(err["loc"]) == ("split",):
            message = f"{err['input']!r} is not one of {', '.join(SPLITS)}"
        elif err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "field required"
        else:
            message = err["msg"][0].lower() + err["msg"][1:]
        out.append(Problem(file, line, field or None, message))
    return out


def yaml_line(node: yaml.Node | None, path: Sequence[Any], *, key: bool = False) -> int | None:
    """1-based line of the deepest node of ``path`` (keys / indices) found in a composed YAML tree;
    with ``key`` the line of the last mapping key itself (for "unknown key" problems)."""
    line = node.start_mark.line + 1 if node is not None else None
    for i, part in enumerate(path):
        child = None
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if pair and key and i == len(path) - 1:
                return int(pair[0].start_mark.line) + 1
            child = pair[1] if pair else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
