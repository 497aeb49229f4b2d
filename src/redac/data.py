"""The labelled set: schema of one record (JSONL line), build from pair folders, validation,
frozen splits, near-duplicate check, statistics and loaders (``dspy.Example``, Hugging Face).

Why it is shaped like this:

* The human-editable truth is one folder per pair (``source.txt``, ``gold.md``, ``labels.yaml``);
  the JSONL is generated from it, deterministically, so reviews happen on readable files and the
  JSONL never drifts from them.
* Splits are frozen in ``splits.yaml``: an id keeps its split forever, only new ids are assigned,
  so scores stay comparable as the set grows.
* The test split must never reach an optimiser. That is enforced here, in code:
  :class:`OptimizerSet` (and :func:`for_optimizer` / :func:`assert_no_test`) refuse any example
  whose split is ``test``, has no split, or whose source text is that of a test record seen in
  this process (a relabelled copy).
* Every reader collects *all* problems as ``file:line: field: message`` and never drops a valid
  line silently; strict loading raises :class:`~redac.errors.DatasetError` naming the first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import yaml
from pydantic import Field, ValidationError

from redac.article import FRONT_KEYS, Article, paragraphs
from redac.configfile import StrictModel
from redac.errors import ArticleError, DatasetError
from redac.sources import Targets
from redac.text import count_words, fold, normalise, slugify

if TYPE_CHECKING:  # pragma: no cover
    import dspy
    from rich.console import RenderableType

    import datasets

log = logging.getLogger(__name__)

Split = Literal["train", "dev", "test"]
SPLITS: tuple[Split, ...] = ("train", "dev", "test")
OPTIMIZER_SPLITS: tuple[Split, ...] = ("train", "dev")
TOPIC_TAGS = ("politique", "economie", "sport", "science", "culture", "local", "faits-divers", "international")
KIND_TAGS = ("dispatch", "scraped", "instruction", "numbers", "quotes", "short", "long")
# The primary kind (the stratum for splits) is the rarest, most input-shaping kind tag present.
KIND_PRIORITY = ("scraped", "instruction", "long", "short", "quotes", "numbers", "dispatch")
FACT_KINDS = ("entities", "numbers", "dates", "quotes")
SEED_PREFIX = "seed-"  # the real inputs users see in the docs: kept out of test
DEFAULT_SEED = 13
DEFAULT_RATIOS = (0.6, 0.2, 0.2)
NEAR_DUP_THRESHOLD = 0.5  # char 5-gram Jaccard; unrelated sources ~0.07, same story retold ~0.2-0.3
SHINGLE = 5
TOPIC_WEIGHT = 1.0  # topics count as much as kinds when dealing out splits
MIN_SOURCE_WORDS = 80
MAX_TITLE_CHARS = 60
META_CHARS = (120, 156)
KEYPHRASE_WORDS = (1, 4)
PAIR_FILES = ("source.txt", "gold.md", "labels.yaml")
LABEL_KEYS = ("instruction", "targets", "facts", "tags")


# --------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------

class Gold(StrictModel):
    title: str
    meta_description: str
    slug: str
    keyphrase: str
    markdown: str  # starts with "# {title}", then lede, then ## / ### sections

    def to_article(self) -> Article:
        return Article(**self.model_dump())


class Facts(StrictModel):
    """Hand-labelled facts a faithful rewrite must keep, as they are written in the source."""

    entities: list[str] = Field(default_factory=list)  # people, places, organisations, events
    numbers: list[str] = Field(default_factory=list)   # quantities with units, %, money, counts
    dates: list[str] = Field(default_factory=list)     # dates, days, years, durations
    quotes: list[str] = Field(default_factory=list)    # quoted statements, text inside « »

    def flat(self) -> list[tuple[str, str]]:
        """``(kind, fact)`` for every fact, in label order."""
        return [(kind, fact) for kind in FACT_KINDS for fact in getattr(self, kind)]

    @property
    def count(self) -> int:
        return sum(len(getattr(self, kind)) for kind in FACT_KINDS)


class Record(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    source: str  # the raw source as received (instruction line and boilerplate included)
    instruction: str | None = None
    targets: Targets = Field(default_factory=Targets)
    gold: Gold
    facts: Facts
    tags: list[str] = Field(default_factory=list)
    split: Split

    def model_post_init(self, __context: Any) -> None:
        if self.split == "test":  # every test record ever built in this process is remembered
            _TEST_FINGERPRINTS.add(fingerprint(self.source))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> "Record":
        copy = super().model_copy(update=update, deep=deep)  # copies skip model_post_init
        copy.model_post_init(None)
        return copy

    @property
    def topic(self) -> str | None:
        return next((t for t in self.tags if t in TOPIC_TAGS), None)

    @property
    def kind(self) -> str:
        return primary_kind(self.tags)

    @property
    def is_seed(self) -> bool:
        return self.id.startswith(SEED_PREFIX)


def primary_kind(tags: Iterable[str]) -> str:
    """The stratum of a record: the first of :data:`KIND_PRIORITY` among its tags ("other" if none)."""
    present = set(tags)
    return next((k for k in KIND_PRIORITY if k in present), "other")


def fingerprint(source: str) -> str:
    """Identity of a source text, insensitive to typography and surrounding whitespace."""
    return hashlib.sha256(" ".join(normalise(source).split()).encode("utf-8")).hexdigest()


_TEST_FINGERPRINTS: set[str] = set()


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


def _raise_if(problems: Sequence[Problem]) -> None:
    if problems:
        raise DatasetProblems(problems) if len(problems) > 1 else problems[0].error()


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(exc: ValidationError, file: str, line: int | None) -> list[Problem]:
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


# --------------------------------------------------------------------------------------------
# JSONL: read (collecting every problem), write
# --------------------------------------------------------------------------------------------

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
            problems.extend(_pydantic_problems(exc, file, number))
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
        _raise_if(parsed.problems)
    for problem in parsed.problems:
        log.warning("skipped: %s", problem)
    return parsed.records


def load_split(path: str | Path, split: str) -> list[Record]:
    """The records of one split (``train``, ``dev`` or ``test``) of a JSONL file."""
    _check_split_name(split)
    return [r for r in load_jsonl(path) if r.split == split]


def _check_split_name(split: str, file: str | None = None) -> None:
    if split not in SPLITS:
        raise DatasetError(f"{split!r} is not one of {', '.join(SPLITS)}", file=file, field="split")


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


# --------------------------------------------------------------------------------------------
# Quality checks of one record (gold meets the house rules, labelled facts are really there)
# --------------------------------------------------------------------------------------------

class Finding(NamedTuple):
    field: str
    message: str


def quality_findings(record: Record) -> list[Finding]:
    """Everything wrong with one record's gold article, labels and tags (empty list = good)."""
    out: list[Finding] = []
    add = lambda field, message: out.append(Finding(field, message))  # noqa: E731
    gold, targets = record.gold, record.targets
    article = gold.to_article()

    # source
    source_words = count_words(record.source)
    if source_words < MIN_SOURCE_WORDS:
        add("source", f"{source_words} words < {MIN_SOURCE_WORDS} (too short to be a source)")
    if record.instruction is not None and fold(record.instruction.strip()) not in fold(record.source):
        add("instruction", "not found verbatim in the source (it must be the source's own instruction line)")

    # length, headings
    words = article.word_count
    if words < targets.min_words:
        add("gold.markdown", f"{words} words < targets.min_words {targets.min_words}")
    if targets.max_words is not None and words > targets.max_words:
        add("gold.markdown", f"{words} words > targets.max_words {targets.max_words}")
    heads = article.headings
    h1 = [h for h in heads if h.level == 1]
    h2 = [h for h in heads if h.level == 2]
    h23 = [h for h in heads if h.level in (2, 3)]
    if not gold.markdown.lstrip().startswith("# "):
        add("gold.markdown", "must start with the H1 '# title'")
    if len(h1) != 1:
        add("gold.markdown", f"{len(h1)} H1 headings, expected exactly 1")
    elif h1[0].text != gold.title:
        add("gold.markdown", f"H1 {h1[0].text!r} differs from gold.title {gold.title!r}")
    if targets.subheadings and len(h2) < targets.min_subheadings:
        add("gold.markdown", f"{len(h2)} H2 subheadings < targets.min_subheadings {targets.min_subheadings}")
    if targets.max_subheadings is not None and len(h23) > targets.max_subheadings:
        add("gold.markdown", f"{len(h23)} H2/H3 subheadings > targets.max_subheadings {targets.max_subheadings}")

    # SEO fields
    if not gold.title.strip():
        add("gold.title", "empty")
    elif len(gold.title) > MAX_TITLE_CHARS:
        add("gold.title", f"{len(gold.title)} characters > {MAX_TITLE_CHARS}")
    lo, hi = META_CHARS
    if not lo <= len(gold.meta_description) <= hi:
        add("gold.meta_description", f"{len(gold.meta_description)} characters, need {lo}-{hi}")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", gold.slug):
        add("gold.slug", f"{gold.slug!r} is not a slug (lower-case ASCII words joined by '-')")
    kp = fold(gold.keyphrase.strip())
    n_kp = len(gold.keyphrase.split())
    if not KEYPHRASE_WORDS[0] <= n_kp <= KEYPHRASE_WORDS[1]:
        add("gold.keyphrase", f"{n_kp} words, need {KEYPHRASE_WORDS[0]}-{KEYPHRASE_WORDS[1]}")
    if kp:
        if kp not in fold(gold.title):
            add("gold.title", f"keyphrase {gold.keyphrase!r} not in the title")
        if kp not in fold(gold.meta_description):
            add("gold.meta_description", f"keyphrase {gold.keyphrase!r} not in the meta description")
        slug_words = set(gold.slug.split("-"))
        missing = [w for w in slugify(gold.keyphrase).split("-") if len(w) > 2 and w not in slug_words]
        if missing:
            add("gold.slug", f"keyphrase word(s) {', '.join(missing)} not in the slug")
        paras = paragraphs(gold.markdown)
        if not paras or kp not in fold(paras[0]):
            add("gold.markdown", f"keyphrase {gold.keyphrase!r} not in the first paragraph")
        if not any(kp in fold(h.text) for h in h23):
            add("gold.markdown", f"keyphrase {gold.keyphrase!r} in no H2/H3 subheading")

    # facts: verbatim (accent/case-folded) in the source and in the gold article
    folded_source, folded_gold = fold(record.source), fold(gold.markdown)
    for kind in FACT_KINDS:
        first_seen: dict[str, int] = {}
        for i, fact in enumerate(getattr(record.facts, kind)):
            field = f"facts.{kind}[{i}]"
            key = fold(fact.strip())
            if not key:
                add(field, "empty fact")
                continue
            if key in first_seen:
                add(field, f"duplicate of facts.{kind}[{first_seen[key]}]")
                continue
            first_seen[key] = i
            if key not in folded_source:
                add(field, f"{fact!r} not found verbatim in the source")
            if key not in folded_gold:
                add(field, f"{fact!r} not found verbatim in the gold article")

    # tags
    unknown = [t for t in record.tags if t not in TOPIC_TAGS and t not in KIND_TAGS]
    if unknown:
        add("tags", f"unknown tag(s) {', '.join(map(repr, unknown))}; topics: {', '.join(TOPIC_TAGS)}; "
                    f"kinds: {', '.join(KIND_TAGS)}")
    topics = [t for t in record.tags if t in TOPIC_TAGS]
    if len(topics) != 1:
        add("tags", f"{len(topics)} topic tags, expected exactly 1 of {', '.join(TOPIC_TAGS)}")
    if not any(t in KIND_TAGS for t in record.tags):
        add("tags", f"no kind tag (one or more of {', '.join(KIND_TAGS)})")
    if len(set(record.tags)) != len(record.tags):
        add("tags", "duplicate tag")
    if record.instruction is not None and "instruction" not in record.tags:
        add("tags", "has an instruction but no 'instruction' tag")
    if record.instruction is None and "instruction" in record.tags:
        add("tags", "tagged 'instruction' but instruction is null")
    return out


def dataset_problems(records: Sequence[Record], file: str, lines: Mapping[str, int] | None = None,
                     threshold: float = NEAR_DUP_THRESHOLD) -> list[Problem]:
    """Problems of the set as a whole: seeds in test, test sources near-duplicating train/dev ones."""
    lines = lines or {}
    out = [Problem(file, lines.get(r.id), "split", f"seed pair {r.id!r} must not be in test (seeds are shown to users)")
           for r in records if r.is_seed and r.split == "test"]
    for dup in near_duplicates(records, threshold, splits=("test", "train")) + \
            near_duplicates(records, threshold, splits=("test", "dev")):
        out.append(Problem(file, lines.get(dup.a), "source",
                           f"test source is a near-duplicate of {dup.b!r} (char {SHINGLE}-gram Jaccard "
                           f"{dup.score:.2f} >= {threshold})"))
    return out


def validate(path: str | Path, *, quality: bool = True) -> list[Problem]:
    """Every problem of a JSONL file: syntax, schema, duplicates, split names, and (``quality``)
    the gold/label checks of each record and the set-level checks (seeds, near-duplicates)."""
    parsed = parse_jsonl(path)
    problems = list(parsed.problems)
    if quality:
        for record in parsed.records:
            line = parsed.lines[record.id]
            problems += [Problem(str(path), line, f.field, f.message) for f in quality_findings(record)]
        problems += dataset_problems(parsed.records, str(path), parsed.lines)
    return sorted(problems, key=lambda p: (p.line or 0,))


# --------------------------------------------------------------------------------------------
# Pair folders -> records
# --------------------------------------------------------------------------------------------

def _yaml_line(node: yaml.Node | None, path: Sequence[Any], *, key: bool = False) -> int | None:
    """1-based line of the deepest node of ``path`` (keys / indices) found in a composed YAML tree;
    with ``key`` the line of the last mapping key itself (for "unknown key" problems)."""
    line = node.start_mark.line + 1 if node is not None else None
    for i, part in enumerate(path):
        child = None
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if pair and key and i == len(path) - 1:
                return pair[0].start_mark.line + 1
            child = pair[1] if pair else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _field_path(field: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]


def _front_line(text: str, key: str) -> int | None:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@dataclass
class _PairFiles:
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
            return str(self.folder / "labels.yaml"), _yaml_line(self.labels_node, _field_path(field or ""))
        return str(self.folder), None


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, "missing"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), None, None, f"not UTF-8 (byte {exc.start})"))
    return None


def _load_pair(folder: Path, split: Split = "train") -> tuple[Record | None, list[Problem], _PairFiles]:
    folder = Path(folder)
    problems: list[Problem] = []
    files = _PairFiles(folder)
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
                    line = _yaml_line(files.labels_node, [key], key=True)
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
        for p in _pydantic_problems(exc, str(folder), None):
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
    record, problems, _ = _load_pair(Path(folder), split)
    _raise_if(problems)
    assert record is not None
    return record


def check_pair(folder: str | Path, *, others: Iterable[Record] = (),
               threshold: float = NEAR_DUP_THRESHOLD) -> list[Problem]:
    """Every problem of one pair folder, located in its own files: structure, schema, the gold and
    label quality checks, and near-duplication of its source with any of ``others``."""
    record, problems, files = _load_pair(Path(folder))
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


# --------------------------------------------------------------------------------------------
# Splits: stratified, deterministic, frozen in splits.yaml
# --------------------------------------------------------------------------------------------

@dataclass
class SplitsFile:
    seed: int = DEFAULT_SEED
    ratios: tuple[float, float, float] = DEFAULT_RATIOS
    assigned: dict[str, Split] | None = None


def read_splits(path: str | Path) -> SplitsFile:
    """The frozen assignment (``splits: {train: [ids], dev: [...], test: [...]}``); empty if absent."""
    path = Path(path)
    if not path.exists():
        return SplitsFile(assigned={})
    file = str(path)
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DatasetError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
                           line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise DatasetError("expected a mapping", file=file, line=1)
    for key in data:
        if key not in ("seed", "ratios", "splits"):
            raise DatasetError("unknown key (expected seed, ratios, splits)", file=file,
                               line=_yaml_line(node, [key], key=True), field=str(key))
    assigned: dict[str, Split] = {}
    splits = data.get("splits") or {}
    if not isinstance(splits, dict):
        raise DatasetError("expected a mapping of split -> ids", file=file, line=_yaml_line(node, ["splits"]),
                           field="splits")
    for split, ids in splits.items():
        line = _yaml_line(node, ["splits", split], key=True)
        if split not in SPLITS:
            raise DatasetError(f"{split!r} is not one of {', '.join(SPLITS)}", file=file, line=line,
                               field="splits")
        for i, rid in enumerate(ids or []):
            if rid in assigned:
                raise DatasetError(f"{rid!r} is already in {assigned[rid]}", file=file,
                                   line=_yaml_line(node, ["splits", split, i]), field=f"splits.{split}[{i}]")
            assigned[str(rid)] = split
    ratios_data = data.get("ratios") or dict(zip(SPLITS, DEFAULT_RATIOS))
    try:
        ratios = tuple(float(ratios_data[s]) for s in SPLITS)
    except (KeyError, TypeError, ValueError):
        raise DatasetError("expected {train: r, dev: r, test: r}", file=file, line=_yaml_line(node, ["ratios"]),
                           field="ratios") from None
    seed = int(data.get("seed", DEFAULT_SEED))
    return SplitsFile(seed=seed, ratios=ratios, assigned=assigned)  # type: ignore[arg-type]


def write_splits(path: str | Path, assigned: Mapping[str, Split], *, seed: int = DEFAULT_SEED,
                 ratios: Sequence[float] = DEFAULT_RATIOS) -> Path:
    path = Path(path)
    lines = [
        "# Frozen split assignment, generated by `python -m redac.data build` (do not reorder by hand).",
        "# An id listed here keeps its split forever; only new pair folders get assigned, stratified by",
        "# primary kind tag. Seeds (seed-*) never go to test. The test split never reaches an optimiser.",
        f"seed: {seed}",
        "ratios: {" + ", ".join(f"{s}: {r:g}" for s, r in zip(SPLITS, ratios)) + "}",
        "splits:",
    ]
    for split in SPLITS:
        ids = sorted(i for i, s in assigned.items() if s == split)
        lines.append(f"  {split}:" + ("" if ids else " []"))
        lines += [f"    - {i}" for i in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _check_ratios(ratios: Sequence[float]) -> tuple[float, float, float]:
    if len(ratios) != 3 or any(r < 0 for r in ratios) or abs(sum(ratios) - 1) > 1e-6:
        raise DatasetError(f"ratios {tuple(ratios)} must be three non-negative numbers summing to 1",
                           field="ratios")
    return tuple(float(r) for r in ratios)  # type: ignore[return-value]


def assign_splits(records: Sequence[Record], seed: int = DEFAULT_SEED,
                  ratios: Sequence[float] = DEFAULT_RATIOS, *, frozen: Mapping[str, Split] | None = None,
                  threshold: float = NEAR_DUP_THRESHOLD) -> dict[str, Split]:
    """Split of every record id: frozen ids keep theirs; new ones are dealt out per stratum.

    Strata are primary kinds (:func:`primary_kind`); inside a stratum, records are taken in a
    seeded hash order and each goes to the split furthest below its ratio, summed over its
    stratum, its topic and the whole set (ties: overall, then train > dev > test), so every kind
    and every topic is spread 60/20/20 as closely as counts allow.
    Near-duplicate sources are grouped and moved as one unit (never split apart), seeds never go
    to test. Pure and deterministic: same records, seed, ratios and frozen map -> same answer.
    """
    ratio = dict(zip(SPLITS, _check_ratios(ratios)))
    frozen = dict(frozen or {})
    by_id = {r.id: r for r in records}

    # near-duplicate groups (union-find)
    parent = {rid: rid for rid in by_id}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for dup in near_duplicates(records, threshold):
        a, b = sorted((root(dup.a), root(dup.b)))
        parent[b] = a
    groups: dict[str, list[str]] = defaultdict(list)
    for rid in sorted(by_id):
        groups[root(rid)].append(rid)

    out: dict[str, Split] = {}
    stratum_count: dict[str, Counter] = defaultdict(Counter)
    topic_count: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    pending: dict[str, list[list[str]]] = defaultdict(list)
    for members in groups.values():
        kind = by_id[members[0]].kind
        fixed = [frozen[m] for m in members if m in frozen]
        if fixed:
            for m in members:
                out[m] = frozen.get(m, fixed[0])
                stratum_count[kind][out[m]] += 1
                topic_count[by_id[m].topic or ""][out[m]] += 1
                total[out[m]] += 1
        else:
            pending[kind].append(members)

    def order(members: list[str]) -> str:
        return hashlib.sha256(f"{seed}:{members[0]}".encode()).hexdigest()

    strata = [k for k in KIND_PRIORITY if k in pending] + sorted(k for k in pending if k not in KIND_PRIORITY)
    for kind in strata:
        for members in sorted(pending[kind], key=order):
            size = len(members)
            allowed = [s for s in SPLITS if ratio[s] > 0 or all(ratio[x] == 0 for x in SPLITS)]
            if any(by_id[m].is_seed for m in members):
                allowed = [s for s in allowed if s != "test"] or ["train"]
            topic = by_id[members[0]].topic or ""
            n_kind = sum(stratum_count[kind].values()) + size
            n_topic = sum(topic_count[topic].values()) + size
            n_all = sum(total.values()) + size

            def need(s: Split) -> tuple[float, float, int]:
                in_kind = ratio[s] * n_kind - stratum_count[kind][s]
                in_topic = ratio[s] * n_topic - topic_count[topic][s]
                overall = ratio[s] * n_all - total[s]
                return (round(in_kind + TOPIC_WEIGHT * in_topic + overall, 9), round(overall, 9), -SPLITS.index(s))

            split = max(allowed, key=need)
            for m in members:
                out[m] = split
                topic_count[by_id[m].topic or ""][split] += 1
            stratum_count[kind][split] += size
            total[split] += size
    return out


# --------------------------------------------------------------------------------------------
# Build: pair folders + splits.yaml -> records -> JSONL
# --------------------------------------------------------------------------------------------

def build(pairs_dir: str | Path, splits_file: str | Path | None = None, *, seed: int | None = None,
          ratios: Sequence[float] | None = None, skip_incomplete: bool = False) -> list[Record]:
    """Records of every pair folder, sorted by id, with frozen (or newly assigned) splits.

    Raises :class:`DatasetError` listing every structural problem of every folder. With
    ``skip_incomplete`` folders missing one of the three files are left out (work in progress).
    Does not write anything: see :func:`build_dataset`.
    """
    frozen = read_splits(splits_file) if splits_file else SplitsFile(assigned={})
    records: list[Record] = []
    problems: list[Problem] = []
    for folder in pair_folders(pairs_dir):
        if skip_incomplete and not is_complete(folder):
            log.info("skipped incomplete pair %s", folder)
            continue
        record, found, _ = _load_pair(folder)
        problems += found
        if record is not None and not found:
            records.append(record)
    _raise_if(problems)
    splits = assign_splits(records, seed if seed is not None else frozen.seed,
                           ratios if ratios is not None else frozen.ratios, frozen=frozen.assigned)
    return [Record.model_validate({**r.model_dump(), "split": splits[r.id]})
            for r in sorted(records, key=lambda r: r.id)]


def build_dataset(folder: str | Path, *, skip_incomplete: bool = False) -> Path:
    """Rebuild ``FOLDER/<name>.jsonl`` from ``FOLDER/pairs`` and update ``FOLDER/splits.yaml``
    (existing ids keep their split; retired ids stay listed so an id is never reused elsewhere)."""
    folder = Path(folder)
    if not (folder / "pairs").is_dir():
        raise DatasetError("no pairs/ folder", file=str(folder))
    splits_path = folder / "splits.yaml"
    frozen = read_splits(splits_path)
    records = build(folder / "pairs", splits_path, skip_incomplete=skip_incomplete)
    assigned = dict(frozen.assigned or {})
    assigned.update({r.id: r.split for r in records})
    write_splits(splits_path, assigned, seed=frozen.seed, ratios=frozen.ratios)
    path = write_jsonl(records, folder / f"{folder.resolve().name}.jsonl")
    update_card(folder / "README.md", records)
    return path


CARD_BEGIN = "<!-- stats:begin (generated by `python -m redac.data build`, do not edit) -->"
CARD_END = "<!-- stats:end -->"


def card_stats(records: Sequence[Record]) -> str:
    """The Markdown block of the dataset card that states sizes (so the card never goes stale)."""
    data = stats(records)
    rows = ["| | " + " | ".join(SPLITS) + " | all |", "|---|" + "---:|" * (len(SPLITS) + 1)]
    rows.append("| **records** | " + " | ".join(str(data["splits"][s]) for s in SPLITS) + f" | {data['records']} |")
    for name, counts in data["kinds"].items():
        rows.append(f"| kind: {name} | " + " | ".join(str(counts[s]) for s in SPLITS) + f" | {counts['all']} |")
    for name in TOPIC_TAGS:
        counts = data["tags"].get(name, dict.fromkeys((*SPLITS, "all"), 0))
        rows.append(f"| topic: {name} | " + " | ".join(str(counts[s]) for s in SPLITS) + f" | {counts['all']} |")
    sw, gw, fp = data["source_words"], data["gold_words"], data["facts_per_pair"]
    facts = ", ".join(f"{v} {k}" for k, v in data["facts_by_kind"].items())
    return "\n".join([
        "Split table (kind = primary kind, the stratum; topic = topic tag):", "", *rows, "",
        f"- Source length: mean {sw['mean']:.0f} words (min {sw['min']}, max {sw['max']}), raw text as received.",
        f"- Gold length: mean {gw['mean']:.0f} words (min {gw['min']}, max {gw['max']}), headings excluded.",
        f"- Labelled facts: mean {fp['mean']:.1f} per pair (min {fp['min']}, max {fp['max']}); in all {facts}.",
        f"- Sources with an instruction line: {data['with_instruction']}.",
    ])


def update_card(path: str | Path, records: Sequence[Record]) -> bool:
    """Replace the generated block of a dataset card, if it has the markers. True if it changed."""
    path = Path(path)
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    start, end = text.find(CARD_BEGIN), text.find(CARD_END)
    if start < 0 or end < start:
        return False
    new = text[:start] + CARD_BEGIN + "\n" + card_stats(records) + "\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


# --------------------------------------------------------------------------------------------
# Near-duplicates
# --------------------------------------------------------------------------------------------

class NearDuplicate(NamedTuple):
    a: str
    b: str
    score: float


def shingles(text: str, n: int = SHINGLE) -> frozenset[str]:
    """Character n-grams of the folded text, punctuation and spacing collapsed."""
    flat = re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
    return frozenset(flat[i:i + n] for i in range(max(len(flat) - n + 1, 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(records: Sequence[Record], threshold: float = NEAR_DUP_THRESHOLD, *,
                    splits: tuple[str, str] | None = None) -> list[NearDuplicate]:
    """Pairs of records whose sources share at least ``threshold`` of their character 5-grams
    (exact Jaccard: at this size it is cheap, so no MinHash approximation is needed).

    ``splits=("test", "train")`` compares only test sources with train ones (``a`` is the test id);
    ``None`` compares every pair. Highest score first.
    """
    if splits is not None:
        for s in splits:
            _check_split_name(s)
        left = [r for r in records if r.split == splits[0]]
        right = [r for r in records if r.split == splits[1]]
        candidates = [(x, y) for x in left for y in right if x.id != y.id]
    else:
        ordered = sorted(records, key=lambda r: r.id)
        candidates = [(x, y) for i, x in enumerate(ordered) for y in ordered[i + 1:]]
    cache: dict[str, frozenset[str]] = {}

    def sh(r: Record) -> frozenset[str]:
        if r.id not in cache:
            cache[r.id] = shingles(r.source)
        return cache[r.id]

    found = [NearDuplicate(x.id, y.id, round(jaccard(sh(x), sh(y)), 4)) for x, y in candidates]
    return sorted((d for d in found if d.score >= threshold), key=lambda d: (-d.score, d.a, d.b))


# --------------------------------------------------------------------------------------------
# Stats
# --------------------------------------------------------------------------------------------

def _summary(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "min": 0, "max": 0}
    return {"mean": round(mean(values), 1), "min": min(values), "max": max(values)}


def stats(records: Sequence[Record]) -> dict[str, Any]:
    """Counts per split, kind and tag; source/gold word counts; facts per pair (plain dict, JSON-able)."""
    per_split = Counter(r.split for r in records)
    tags: dict[str, dict[str, int]] = {}
    for r in records:
        for t in r.tags:
            tags.setdefault(t, dict.fromkeys((*SPLITS, "all"), 0))
            tags[t][r.split] += 1
            tags[t]["all"] += 1
    kinds: dict[str, dict[str, int]] = {}
    for r in records:
        kinds.setdefault(r.kind, dict.fromkeys((*SPLITS, "all"), 0))
        kinds[r.kind][r.split] += 1
        kinds[r.kind]["all"] += 1
    gold_words = [r.gold.to_article().word_count for r in records]
    return {
        "records": len(records),
        "splits": {s: per_split.get(s, 0) for s in SPLITS},
        "kinds": dict(sorted(kinds.items(), key=lambda kv: (KIND_PRIORITY + ("other",)).index(kv[0])
                             if kv[0] in KIND_PRIORITY + ("other",) else 99)),
        "tags": dict(sorted(tags.items(), key=lambda kv: (-kv[1]["all"], kv[0]))),
        "source_words": _summary([count_words(r.source) for r in records]),
        "gold_words": _summary(gold_words),
        "gold_words_by_split": {s: _summary([w for w, r in zip(gold_words, records) if r.split == s])
                                for s in SPLITS},
        "facts_per_pair": _summary([r.facts.count for r in records]),
        "facts_by_kind": {k: sum(len(getattr(r.facts, k)) for r in records) for k in FACT_KINDS},
        "with_instruction": sum(r.instruction is not None for r in records),
    }


def render_stats(data: Mapping[str, Any]) -> "RenderableType":
    """Rich tables for ``redac data stats``."""
    from rich.console import Group
    from rich.table import Table

    splits = Table(title=f"{data['records']} records", show_edge=False)
    for col in ("", *SPLITS, "all"):
        splits.add_column(col, justify="right" if col else "left")
    splits.add_row("records", *(str(data["splits"][s]) for s in SPLITS), str(data["records"]))
    splits.add_section()
    for name, counts in data["kinds"].items():
        splits.add_row(f"kind: {name}", *(str(counts[s]) for s in SPLITS), str(counts["all"]))
    splits.add_section()
    for name, counts in data["tags"].items():
        splits.add_row(f"tag: {name}", *(str(counts[s]) for s in SPLITS), str(counts["all"]))

    sizes = Table(title="sizes", show_edge=False)
    for col in ("", "mean", "min", "max"):
        sizes.add_column(col, justify="right" if col else "left")
    for label, key in (("source words", "source_words"), ("gold words", "gold_words"),
                       ("facts per pair", "facts_per_pair")):
        s = data[key]
        sizes.add_row(label, f"{s['mean']:.1f}", str(s["min"]), str(s["max"]))
    facts = ", ".join(f"{k} {v}" for k, v in data["facts_by_kind"].items())
    return Group(splits, "", sizes, f"facts: {facts}; with an instruction line: {data['with_instruction']}")


# --------------------------------------------------------------------------------------------
# Loaders: dspy.Example, Hugging Face datasets
# --------------------------------------------------------------------------------------------

def to_example(record: Record) -> "dspy.Example":
    import dspy

    return dspy.Example(
        id=record.id, source=record.source, instruction=record.instruction,
        gold=record.gold.model_dump(), facts=record.facts.model_dump(), targets=record.targets.model_dump(),
        tags=list(record.tags), split=record.split,
    ).with_inputs("source")


def to_examples(records: Iterable[Record]) -> list["dspy.Example"]:
    """One ``dspy.Example`` per record; ``source`` is the only input, the rest are labels."""
    return [to_example(r) for r in records]


def from_example(example: Any) -> Record:
    data = dict(example.toDict() if hasattr(example, "toDict") else example)
    return Record.model_validate(data)


def load_examples(path: str | Path, splits: Iterable[str] = ("train",)) -> list["dspy.Example"]:
    """Examples of the given splits of a JSONL file (any file in this schema)."""
    wanted = list(splits)
    for s in wanted:
        _check_split_name(s, str(path))
    return to_examples(r for r in load_jsonl(path) if r.split in wanted)


def hf_features() -> "datasets.Features":
    from datasets import Features, List, Value

    text = Value("string")
    by_type = {str: text, int: Value("int32"), bool: Value("bool"), float: Value("float64")}

    def scalar(annotation: Any) -> Any:  # Targets fields are scalars or "scalar | None"
        args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        return by_type.get(args[0], text) if args else text

    return Features({
        "id": text, "source": text, "instruction": text,
        "targets": {k: scalar(f.annotation) for k, f in Targets.model_fields.items()},
        "gold": {k: text for k in Gold.model_fields},
        "facts": {k: List(text) for k in FACT_KINDS},
        "tags": List(text),
        "split": text,
    })


def to_hf(records: Iterable[Record]) -> "datasets.DatasetDict":
    """A ``DatasetDict`` with ``train``, ``dev`` and ``test`` (always all three, typed even when empty)."""
    from datasets import Dataset, DatasetDict

    features = hf_features()
    rows: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for r in records:
        rows[r.split].append(r.model_dump(mode="json"))
    return DatasetDict({
        s: Dataset.from_list(rows[s], features=features, split=s) if rows[s]
        else Dataset.from_dict({k: [] for k in features}, features=features, split=s)
        for s in SPLITS
    })


def from_hf(data: Any) -> list[Record]:
    """Records back from a ``Dataset`` or ``DatasetDict`` made by :func:`to_hf` (or in its schema)."""
    from datasets import DatasetDict

    parts = data.values() if isinstance(data, DatasetDict) else [data]
    return [Record.model_validate(row) for part in parts for row in part]


# --------------------------------------------------------------------------------------------
# The test-split guard
# --------------------------------------------------------------------------------------------

def _split_of(item: Any) -> Any:
    return item.split if isinstance(item, Record) else (item.get("split") if hasattr(item, "get") else None)


def _field(item: Any, name: str) -> Any:
    return getattr(item, name, None) if isinstance(item, Record) else (item.get(name) if hasattr(item, "get") else None)


def assert_no_test(items: Iterable[Any]) -> None:
    """Raise :class:`DatasetError` unless every item is provably a train/dev item.

    Refused: an item whose split is ``test``; an item with no split (provenance unknown); an item
    whose source text is that of a test record built in this process, whatever its label says.
    Optimiser runners must call this (or build an :class:`OptimizerSet`, which does).
    """
    for i, item in enumerate(items):
        rid = _field(item, "id")
        name = repr(rid) if rid is not None else f"#{i}"
        split = _split_of(item)
        if split == "test":
            raise DatasetError(f"example {name} is from the test split; the test split is never given "
                               "to an optimiser", field="split")
        if split not in OPTIMIZER_SPLITS:
            raise DatasetError(f"example {name} has split {split!r}; optimisers only take examples "
                               f"labelled {' or '.join(OPTIMIZER_SPLITS)} (build them with "
                               "redac.data.to_examples)", field="split")
        source = _field(item, "source")
        if isinstance(source, str) and fingerprint(source) in _TEST_FINGERPRINTS:
            raise DatasetError(f"example {name} has the source text of a test record (relabelled as "
                               f"{split!r}); the test split is never given to an optimiser", field="source")


def for_optimizer(items: Iterable[Any]) -> list["dspy.Example"]:
    """Examples for an optimiser from records or examples; refuses anything from the test split."""
    items = list(items)
    assert_no_test(items)
    return [to_example(x) if isinstance(x, Record) else x for x in items]


class OptimizerSet:
    """The only data an optimiser gets: ``trainset`` and ``valset``, test-free by construction.

    Every way of building one goes through :func:`assert_no_test`; the sets are stored as
    tuples and the object is read-only.
    """

    __slots__ = ("_train", "_val")

    def __init__(self, trainset: Iterable[Any], valset: Iterable[Any] = ()) -> None:
        object.__setattr__(self, "_train", tuple(for_optimizer(trainset)))
        object.__setattr__(self, "_val", tuple(for_optimizer(valset)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("OptimizerSet is read-only")

    @classmethod
    def from_records(cls, records: Iterable[Record], *, train: Sequence[str] = ("train",),
                     val: Sequence[str] = ("dev",)) -> "OptimizerSet":
        """Train/val sets from records; asking for ``test`` in either is refused."""
        for s in (*train, *val):
            _check_split_name(s)
            if s not in OPTIMIZER_SPLITS:
                raise DatasetError("the test split is never given to an optimiser", field="split")
        records = list(records)
        return cls([r for r in records if r.split in train], [r for r in records if r.split in val])

    @classmethod
    def from_jsonl(cls, path: str | Path, **kwargs: Any) -> "OptimizerSet":
        return cls.from_records(load_jsonl(path), **kwargs)

    @property
    def trainset(self) -> list["dspy.Example"]:
        return list(self._train)

    @property
    def valset(self) -> list["dspy.Example"]:
        return list(self._val)

    def __repr__(self) -> str:
        return f"OptimizerSet(train={len(self._train)}, val={len(self._val)})"


# --------------------------------------------------------------------------------------------
# python -m redac.data build|validate|stats
# --------------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m redac.data", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="rebuild FOLDER/<name>.jsonl and FOLDER/splits.yaml from FOLDER/pairs")
    p_build.add_argument("folder", type=Path)
    p_build.add_argument("--skip-incomplete", action="store_true", help="leave out folders missing a file")
    p_validate = sub.add_parser("validate", help="report every problem as file:line: field: message")
    p_validate.add_argument("path", type=Path)
    p_validate.add_argument("--schema-only", action="store_true", help="skip the gold/label quality checks")
    p_stats = sub.add_parser("stats", help="counts per split, kind and tag; word and fact counts")
    p_stats.add_argument("path", type=Path)
    p_stats.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            path = build_dataset(args.folder, skip_incomplete=args.skip_incomplete)
            records = load_jsonl(path)
            counts = Counter(r.split for r in records)
            print(f"wrote {path}: {len(records)} records ({', '.join(f'{s} {counts[s]}' for s in SPLITS)})")
            problems = validate(path)
        elif args.command == "validate":
            problems = validate(args.path, quality=not args.schema_only)
        else:
            data = stats(load_jsonl(args.path))
            if args.json:
                print(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                from rich.console import Console

                Console(highlight=False).print(render_stats(data))
            return 0
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 2
    if args.command == "validate":
        print(f"{args.path}: valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
