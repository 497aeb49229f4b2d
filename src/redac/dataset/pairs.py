"""Pair folders (``source.txt``, ``gold.md``, ``labels.yaml``) -> records, problems located in those files.

The human-editable truth is one folder per pair; the JSONL is generated from it, deterministically,
so reviews happen on readable files and the JSONL never drifts from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from redac.article import FRONT_KEYS, Article
from redac.dataset.dedup import NEAR_DUP_THRESHOLD, SHINGLE, jaccard, shingles
from redac.dataset.problems import Problem, pydantic_problems, raise_if, yaml_line
from redac.dataset.quality import quality_findings
from redac.dataset.schema import Gold, Record, Split
from redac.errors import ArticleError

PAIR_FILES = ("source.txt", "gold.md", "labels.yaml")
LABEL_KEYS = ("instruction", "targets", "facts", "tags")


def _field_path(field: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]


def _front_line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@dataclass
class PairFiles:
    folder: Path
    source: str | None = None
    gold_text: str | None = None
    labels_node: yaml.Node | None = None

    def locate(self, field: str | None) -> tuple[str, int | None]:
        """Which file (and line) of the pair a record field comes from."""
        head = (field or "").split(".")[0].split("[")[0]
        if head == "source":
            return str(self.folder / "source.txt"), None
        if head == "gold":
            key = field.split(".")[1] if field and "." in field else ""
            line = _front_line(self.gold_text or "", key) if key in FRONT_KEYS else None
            return str(self.folder / "gold.md"), line
        if head in LABEL_KEYS:
            return str(self.folder / "labels.yaml"), yaml_line(self.labels_node, _field_path(field or ""))
        return str(self.folder), None


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, "missing"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, None, f"not UTF-8 (byte {exc.start})"))
    return None


def load_pair(folder: Path, split: Split = "train") -> tuple[Record | None, list[Problem], PairFiles]:
    folder = Path(folder)
    problems: list[Problem] = []
    files = PairFiles(folder)
    if not folder.is_dir():
        return None, [Problem(str(folder), None, None, "not a pair folder")], files
    files.source = _read_text(folder / "source.txt", problems)
    files.gold_text = _read_text(folder / "gold.md", problems)
    labels_text = _read_text(folder / "labels.yaml", problems)

    gold: Gold | None = None
    if files.gold_text is not None:
        gold_file = str(folder / "gold.md")
        try:
            article = Article.from_markdown(files.gold_text, file=gold_file)
        except ArticleError as exc:
            problems.append(Problem(gold_file, exc.line, exc.field, exc.message))
        else:
            problems += _front_matter_problems(files.gold_text, gold_file)
            gold = Gold(**{k: getattr(article, k) for k in (*FRONT_KEYS, "markdown")})

    labels: dict[str, Any] = {}
    labels_broken = False
    if labels_text is not None:
        labels_file = str(folder / "labels.yaml")
        try:
            files.labels_node = yaml.compose(labels_text)
            labels = yaml.safe_load(labels_text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(Problem(labels_file, mark.line + 1 if mark else None, None,
                                    f"invalid YAML: {getattr(exc, 'problem', None) or exc}"))
            labels, labels_broken = {}, True
        else:
            if not isinstance(labels, dict):
                problems.append(Problem(labels_file, 1, None, "expected a mapping"))
                labels, labels_broken = {}, True
            for key in labels:
                if key not in LABEL_KEYS:
                    line = yaml_line(files.labels_node, [key], key=True)
                    problems.append(Problem(labels_file, line, str(key),
                                            f"unknown key (expected {', '.join(LABEL_KEYS)})"))
            for key in ("facts", "tags"):
                if labels and key not in labels:
                    problems.append(Problem(labels_file, None, key, "missing"))

    if gold is None or files.source is None or labels_text is None or labels_broken:
        return None, problems, files
    data = {
        "id": folder.name,
        "source": files.source,
        "instruction": labels.get("instruction"),
        "targets": labels.get("targets") or {},
        "gold": gold.model_dump(),
        "facts": labels.get("facts") or {},
        "tags": labels.get("tags") or [],
        "split": split,
    }
    try:
        return Record.model_validate(data), problems, files
    except ValidationError as exc:
        for p in pydantic_problems(exc, str(folder), None):
            file, line = files.locate(p.field)
            if p.field == "id":
                problems.append(Problem(str(folder), None, "id", f"folder name {folder.name!r} is not a valid "
                                                                 "id (lower-case letters, digits, '-', '_')"))
            else:
                problems.append(Problem(file, line, p.field, p.message))
        return None, problems, files


def _front_matter_problems(text: str, file: str) -> list[Problem]:
    """gold.md must carry exactly the four SEO keys in its YAML front matter."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n?", text, re.DOTALL)
    if not match:
        return [Problem(file, 1, "gold", f"no front matter (---, {', '.join(FRONT_KEYS)}, ---)")]
    front = yaml.safe_load(match.group(1)) or {}  # already parsed once by Article.from_markdown
    out = [Problem(file, 1, f"gold.{key}", "missing in the front matter") for key in FRONT_KEYS if key not in front]
    out += [Problem(file, _front_line(text, str(key)), f"gold.{key}", "unknown front-matter key")
            for key in front if key not in FRONT_KEYS]
    return out


def read_pair(folder: str | Path, split: Split = "train") -> Record:
    """One pair folder as a record (raises :class:`DatasetError` listing every structural problem)."""
    record, problems, _ = load_pair(Path(folder), split)
    raise_if(problems)
    assert record is not None
    return record


def check_pair(folder: str | Path, *, others: Iterable[Record] = (),
               threshold: float = NEAR_DUP_THRESHOLD) -> list[Problem]:
    """Every problem of one pair folder, located in its own files: structure, schema, the gold and
    label quality checks, and near-duplication of its source with any of ``others``."""
    record, problems, files = load_pair(Path(folder))
    if record is None:
        return problems
    problems = list(problems)
    for finding in quality_findings(record):
        file, line = files.locate(finding.field)
        problems.append(Problem(file, line, finding.field, finding.message))
    for other in others:
        if other.id == record.id:
            continue
        score = jaccard(shingles(record.source), shingles(other.source))
        if score >= threshold:
            problems.append(Problem(str(Path(folder) / "source.txt"), None, "source",
                                    f"near-duplicate of pair {other.id!r} (char {SHINGLE}-gram Jaccard "
                                    f"{score:.2f} >= {threshold}): write a different story"))
    return problems


def pair_folders(pairs_dir: str | Path) -> list[Path]:
    return sorted(p for p in Path(pairs_dir).iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in PAIR_FILES)
