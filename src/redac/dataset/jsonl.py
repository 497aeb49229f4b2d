"""The JSONL file: read every line (keeping each valid record, reporting each bad one), write stably."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from redac.dataset.problems import Problem, pydantic_problems, raise_if
from redac.dataset.schema import Record, check_split_name

log = logging.getLogger(__name__)


@dataclass
class Parsed:
    """What a JSONL file holds: the valid records, the line of each, and every problem found."""

    records: list[Record]
    lines: dict[str, int]
    problems: list[Problem]


def parse_jsonl(path: str | Path) -> Parsed:
    """Read every line; keep each valid record, report each bad line (never stop at the first)."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return Parsed([], {}, [Problem(file, None, None, "no such file")])
    except IsADirectoryError:
        return Parsed([], {}, [Problem(file, None, None, "is a directory, expected a JSONL file")])
    records: list[Record] = []
    lines: dict[str, int] = {}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(file, number, None, f"not UTF-8 (byte {exc.start})"))
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(file, number, None, f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, number, None, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        rid = obj.get("id")
        if isinstance(rid, str) and rid in seen:
            problems.append(Problem(file, number, "id", f"duplicate of line {seen[rid]}"))
            continue
        if isinstance(rid, str):
            seen[rid] = number
        try:
            record = Record.model_validate(obj)
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, file, number))
            continue
        records.append(record)
        lines[record.id] = number
    return Parsed(records, lines, problems)


def load_jsonl(path: str | Path, *, strict: bool = True) -> list[Record]:
    """Records of a JSONL file in the dataset schema.

    ``strict`` (default): any problem raises :class:`DatasetError` located at the first one (all are
    listed in the message). Not strict: valid records are returned and each problem is logged as a
    warning, so no line is dropped silently.
    """
    parsed = parse_jsonl(path)
    if strict:
        raise_if(parsed.problems)
    for problem in parsed.problems:
        log.warning("skipped: %s", problem)
    return parsed.records


def load_split(path: str | Path, split: str) -> list[Record]:
    """The records of one split (``train``, ``dev`` or ``test``) of a JSONL file."""
    check_split_name(split)
    return [r for r in load_jsonl(path) if r.split == split]


def dumps_record(record: Record) -> str:
    """One stable JSON line (schema field order, UTF-8 kept readable)."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False)


def write_jsonl(records: Iterable[Record], path: str | Path) -> Path:
    """Write records, one per line, in the given order (atomic replace)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(dumps_record(r) + "\n" for r in records), encoding="utf-8")
    os.replace(tmp, path)
    return path
