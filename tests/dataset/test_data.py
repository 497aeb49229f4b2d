"""The labelled set: the committed JSONL, its splits, the checks, the loaders and the test-split guard."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT
from redac.dataset import (
    CARD_BEGIN,
    CARD_END,
    DEFAULT_RATIOS,
    KIND_PRIORITY,
    NEAR_DUP_THRESHOLD,
    SPLITS,
    DatasetProblems,
    OptimizerSet,
    Record,
    assert_no_test,
    assign_splits,
    build,
    card_stats,
    check_pair,
    dumps_record,
    for_optimizer,
    from_example,
    from_hf,
    jaccard,
    load_jsonl,
    load_split,
    near_duplicates,
    parse_jsonl,
    quality_findings,
    read_pair,
    read_splits,
    render_stats,
    shingles,
    stats,
    to_examples,
    to_hf,
    validate,
    write_jsonl,
    write_splits,
)
from redac.errors import DatasetError

DATASET = ROOT / "datasets" / "redac-fr-news"
JSONL = DATASET / "redac-fr-news.jsonl"
SPLITS_FILE = DATASET / "splits.yaml"
PAIRS = DATASET / "pairs"
FIXTURES = ROOT / "tests" / "fixtures" / "data"
BAD = FIXTURES / "bad.jsonl"
PAIR = "seed-003"  # a real agency dispatch with its gold; copied and broken on purpose below


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return load_jsonl(JSONL)


# ---------------------------------------------------------------------------------------------
# The committed dataset
# ---------------------------------------------------------------------------------------------

def test_committed_dataset_validates_with_every_quality_check():
    problems = validate(JSONL)
    assert not problems, "\n".join(map(str, problems))


def test_committed_jsonl_is_a_fresh_build_of_the_pair_folders():
    fresh = build(PAIRS, SPLITS_FILE)
    committed = JSONL.read_text(encoding="utf-8").splitlines()
    assert [dumps_record(r) for r in fresh] == committed, \
        "redac-fr-news.jsonl is stale: run `redac data build datasets/redac-fr-news`"


def test_dataset_card_states_the_current_sizes(records):
    card = (DATASET / "README.md").read_text(encoding="utf-8")
    assert f"{CARD_BEGIN}\n{card_stats(records)}\n{CARD_END}" in card, \
        "README.md size block is stale: run `redac data build datasets/redac-fr-news`"
    for section in ("Provenance", "Licence", "Schema", "Splits", "Adding a pair", "Known biases"):
        assert section in card


def test_every_id_is_frozen_in_splits_yaml(records):
    frozen = read_splits(SPLITS_FILE).assigned
    assert {r.id: r.split for r in records}.items() <= frozen.items()


def test_ids_are_unique_and_sorted(records):
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)


def test_split_sizes_follow_the_ratios_and_every_common_kind_and_topic_is_in_each_split(records):
    n = len(records)
    counts = Counter(r.split for r in records)
    for split, ratio in zip(SPLITS, DEFAULT_RATIOS):
        assert abs(counts[split] / n - ratio) <= 0.06, (split, counts)
    for attr in ("kind", "topic"):
        for group, total in Counter(getattr(r, attr) for r in records).items():
            if total >= 5:
                present = {r.split for r in records if getattr(r, attr) == group}
                assert present == set(SPLITS), (attr, group, present)


def test_seeds_are_never_in_test(records):
    seeds = [r for r in records if r.is_seed]
    assert seeds, "the five real seeds belong to the set"
    assert all(r.split in ("train", "dev") for r in seeds)


def test_no_test_source_is_a_near_duplicate_of_a_train_or_dev_source(records):
    assert near_duplicates(records, NEAR_DUP_THRESHOLD, splits=("test", "train")) == []
    assert near_duplicates(records, NEAR_DUP_THRESHOLD, splits=("test", "dev")) == []


def test_near_duplicate_check_catches_a_lightly_edited_copy_but_not_the_same_story_retold(records):
    by_id = {r.id: r for r in records}
    original = by_id["seed-003"].source
    sentences = original.split(". ")
    edited = ". ".join(s.replace("Poutine", "le président russe") if i % 3 == 0 else s
                       for i, s in enumerate(sentences[:-2]))
    assert jaccard(shingles(original), shingles(edited)) >= NEAR_DUP_THRESHOLD
    # seed-000 and seed-003 report the same event in different words: related, not duplicated
    retold = jaccard(shingles(by_id["seed-000"].source), shingles(original))
    assert 0.1 < retold < NEAR_DUP_THRESHOLD
    copy = by_id["seed-003"].model_copy(update={"id": "copy", "source": edited, "split": "test"})
    found = near_duplicates([*records, copy], splits=("test", by_id["seed-003"].split))
    assert [(d.a, d.b) for d in found] == [("copy", "seed-003")]


def test_every_gold_keeps_its_own_labelled_facts_and_meets_the_thresholds(records):
    for r in records:
        assert quality_findings(r) == [], r.id
        text = r.gold.to_article()
        assert text.word_count >= r.targets.min_words
        assert len(r.gold.title) <= 60 and 120 <= len(r.gold.meta_description) <= 156
        assert r.facts.count > 0, f"{r.id} has no labelled facts"


# ---------------------------------------------------------------------------------------------
# Bad input: every problem named by file, line and field; valid lines kept
# ---------------------------------------------------------------------------------------------

def test_bad_jsonl_reports_every_problem_with_file_line_and_field():
    parsed = parse_jsonl(BAD)
    got = [str(p) for p in parsed.problems]
    f = str(BAD)
    assert got[0].startswith(f"{f}:2: invalid JSON: ")
    assert got[1:] == [
        f"{f}:3: gold: field required",
        f"{f}:4: id: duplicate of line 1",
        f"{f}:5: split: 'validation' is not one of train, dev, test",
        f"{f}:6: gold.meta_description: input should be a valid string",
        f"{f}:9: gold.author: unknown field",
        f"{f}:10: expected a JSON object, got list",
    ]
    assert [r.id for r in parsed.records] == ["ok-1", "ok-2"]  # valid lines are kept
    assert parsed.lines == {"ok-1": 1, "ok-2": 8}


def test_strict_load_raises_at_the_first_problem_and_lists_them_all():
    with pytest.raises(DatasetError) as info:
        load_jsonl(BAD)
    exc = info.value
    assert isinstance(exc, DatasetProblems)
    assert (exc.file, exc.line, exc.field) == (str(BAD), 2, None)
    assert len(exc.problems) == 7
    assert f"{BAD}:5: split: 'validation' is not one of train, dev, test" in str(exc)


def test_lenient_load_returns_valid_lines_and_warns_about_each_bad_one(caplog):
    with caplog.at_level(logging.WARNING, logger="redac.dataset"):
        kept = load_jsonl(BAD, strict=False)
    assert [r.id for r in kept] == ["ok-1", "ok-2"]
    assert len([m for m in caplog.messages if m.startswith("skipped: ")]) == 7


def test_validate_adds_quality_problems_of_the_valid_lines():
    problems = validate(BAD)
    schema = validate(BAD, quality=False)
    assert len(schema) == 7
    quality = [p for p in problems if p not in schema]
    assert {p.line for p in quality} == {1, 8}
    assert any(p.field == "gold.markdown" and "words < targets.min_words 700" in p.message for p in quality)
    assert any(p.field == "facts.dates[0]" and "not found verbatim in the gold" in p.message for p in quality)


def test_missing_file_and_unknown_split_name_are_located(tmp_path):
    assert [str(p) for p in validate(tmp_path / "nope.jsonl")] == [f"{tmp_path / 'nope.jsonl'}: no such file"]
    with pytest.raises(DatasetError) as info:
        load_split(JSONL, "validation")
    assert info.value.field == "split" and "'validation' is not one of train, dev, test" in str(info.value)
    with pytest.raises(DatasetError) as info:
        read_splits(FIXTURES / "bad_splits.yaml")
    assert (info.value.line, info.value.field) == (6, "splits")


def test_cli_validate_exits_non_zero_and_prints_located_problems(capsys):
    from redac.cli import main

    assert main(["data", "validate", str(BAD)]) == 2
    err = capsys.readouterr().err
    assert f"{BAD}:4: id: duplicate of line 1" in err
    assert main(["data", "validate", str(JSONL)]) == 0


def test_cli_data_has_the_options_of_the_former_module_cli(tmp_path, capsys):
    """``redac data`` is the one dataset CLI: --schema-only, --json, build --skip-incomplete."""
    from redac.cli import main

    assert main(["data", "validate", "--schema-only", str(BAD)]) == 2
    assert capsys.readouterr().err.count(f"{BAD}:") == len(validate(BAD, quality=False))
    assert main(["data", "stats", "--json", str(JSONL)]) == 0
    assert json.loads(capsys.readouterr().out)["splits"] == stats(load_jsonl(JSONL))["splits"]

    folder = tmp_path / "mini"
    shutil.copytree(PAIRS / PAIR, folder / "pairs" / PAIR)
    (folder / "pairs" / "wip-01").mkdir()
    (folder / "pairs" / "wip-01" / "source.txt").write_text("pas fini", encoding="utf-8")
    assert main(["data", "build", str(folder)]) == 2  # the incomplete folder is a problem ...
    assert main(["data", "build", "--skip-incomplete", str(folder)]) == 0  # ... unless left out
    assert "mini.jsonl: 1 records (train 1, dev 0, test 0)" in capsys.readouterr().out
    assert (folder / "splits.yaml").read_text(encoding="utf-8").startswith(
        "# Frozen split assignment, generated by `redac data build`")


# ---------------------------------------------------------------------------------------------
# Pair folders and the check_pair.py wrapper
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def pair(tmp_path) -> Path:
    folder = tmp_path / "pairs" / "copy-a01"
    shutil.copytree(PAIRS / PAIR, folder)
    assert check_pair(folder) == []
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_pair_locates_an_invented_fact_in_labels_yaml(pair):
    _edit(pair / "labels.yaml", "  entities: [", "  entities: [Zorglub Martin, ")
    problems = check_pair(pair)
    assert [str(p) for p in problems] == [
        f"{pair}/labels.yaml:4: facts.entities[0]: 'Zorglub Martin' not found verbatim in the source",
        f"{pair}/labels.yaml:4: facts.entities[0]: 'Zorglub Martin' not found verbatim in the gold article",
    ]


def test_check_pair_catches_a_gold_that_drops_a_fact_and_falls_short(pair):
    gold = (pair / "gold.md").read_text(encoding="utf-8")
    head, _, _ = gold.partition("\n## ")
    (pair / "gold.md").write_text(head + "\n", encoding="utf-8")
    messages = [f"{p.field}: {p.message}" for p in check_pair(pair)]
    assert any(m.startswith("gold.markdown: ") and "< targets.min_words 700" in m for m in messages)
    assert any(m.startswith("gold.markdown: 0 H2 subheadings") for m in messages)
    assert any(m.startswith("facts.") and "not found verbatim in the gold article" in m for m in messages)


def test_check_pair_checks_seo_fields_and_front_matter(pair):
    _edit(pair / "gold.md", "slug: ", "permalink: ")
    _edit(pair / "labels.yaml", "tags: [international,", "tags: [monde,")
    problems = {(Path(p.file).name, p.line, p.field) for p in check_pair(pair)}
    assert ("gold.md", 1, "gold.slug") in problems  # missing in the front matter
    assert any(f == "labels.yaml" and field == "tags" for f, _, field in problems)


def test_check_pair_reports_broken_yaml_and_missing_files(pair):
    (pair / "labels.yaml").write_text("facts: [unclosed\ntags: []\n", encoding="utf-8")
    (pair / "gold.md").unlink()
    got = [str(p) for p in check_pair(pair)]
    assert f"{pair}/gold.md: missing" in got
    assert any(s.startswith(f"{pair}/labels.yaml:2: invalid YAML") for s in got)
    with pytest.raises(DatasetError):
        read_pair(pair)


def test_check_pair_flags_a_source_copied_from_another_pair(pair, records):
    assert any("near-duplicate of pair 'seed-003'" in p.message for p in check_pair(pair, others=records))


def test_check_pair_script_keeps_its_command_line(pair):
    script = DATASET / "check_pair.py"
    ok = subprocess.run([sys.executable, str(script), str(PAIRS / PAIR)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip() == f"{PAIRS / PAIR}: OK"
    (pair / "source.txt").write_text("Trop court.", encoding="utf-8")
    bad = subprocess.run([sys.executable, str(script), str(pair)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"{pair}/source.txt: source: 2 words < 80" in bad.stdout


# ---------------------------------------------------------------------------------------------
# Splits: stratified, deterministic, frozen
# ---------------------------------------------------------------------------------------------

def _variant(record: Record, i: int, kind: str) -> Record:
    """A record with its own unrelated source text (pseudo-random words) and the given kind."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    digest = "".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest() for j in range(40))
    text = " ".join("".join(letters[int(digest[k:k + 2], 16) % 26] for k in range(p, p + 12, 2))
                    for p in range(0, len(digest) - 12, 12))
    return record.model_copy(update={"id": f"synth-{i:03d}", "tags": ["local", kind], "source": text,
                                     "split": "train"})


def test_assign_splits_is_stratified_deterministic_and_frozen(records):
    base = next(r for r in records if not r.is_seed)
    synth = [_variant(base, i, KIND_PRIORITY[i % len(KIND_PRIORITY)]) for i in range(70)]
    first = assign_splits(synth)
    assert first == assign_splits(list(reversed(synth)))  # order of input does not matter
    assert Counter(first.values()) == {"train": 42, "dev": 14, "test": 14}
    for kind in KIND_PRIORITY:
        per = Counter(first[r.id] for r in synth if r.kind == kind)
        assert per == {"train": 6, "dev": 2, "test": 2}, (kind, per)
    # growing the set keeps every existing split and still lands near the ratios
    more = synth + [_variant(base, i, "dispatch") for i in range(70, 100)]
    grown = assign_splits(more, frozen=first)
    assert all(grown[k] == v for k, v in first.items())
    assert Counter(grown.values()) == {"train": 60, "dev": 20, "test": 20}
    assert assign_splits(synth, seed=14) != first


def test_assign_splits_keeps_seeds_out_of_test_and_near_duplicates_together(records):
    seeds = [r for r in records if r.is_seed]
    only_test = assign_splits(seeds, ratios=(0.0, 0.0, 1.0))
    assert set(only_test.values()) <= {"train", "dev"}
    base = next(r for r in records if not r.is_seed)
    twin = base.model_copy(update={"id": "zz-twin", "source": base.source + " Mise à jour."})
    for seed in range(8):
        got = assign_splits([base, twin, *[_variant(base, i, "dispatch") for i in range(10)]], seed=seed)
        assert got[base.id] == got["zz-twin"]
    with pytest.raises(DatasetError):
        assign_splits(records, ratios=(0.5, 0.5, 0.5))


def test_build_writes_a_deterministic_jsonl_and_freezes_new_ids(tmp_path, records):
    pairs = tmp_path / "pairs"
    for rid in ("seed-000", "seed-003", PAIR, next(r.id for r in records if not r.is_seed)):
        if not (pairs / rid).exists():
            shutil.copytree(PAIRS / rid, pairs / rid)
    splits = tmp_path / "splits.yaml"
    write_splits(splits, {"seed-000": "dev"})
    built = build(pairs, splits)
    assert [r.id for r in built] == sorted(r.id for r in built)
    assert {r.id: r.split for r in built}["seed-000"] == "dev"  # frozen id kept its split
    out = write_jsonl(built, tmp_path / "a.jsonl")
    again = write_jsonl(build(pairs, splits), tmp_path / "b.jsonl")
    assert out.read_bytes() == again.read_bytes()
    assert load_jsonl(out) == built


# ---------------------------------------------------------------------------------------------
# Loaders
# ---------------------------------------------------------------------------------------------

def test_to_examples_marks_source_as_the_only_input_and_round_trips(records):
    examples = to_examples(records)
    assert [e.id for e in examples] == [r.id for r in records]
    assert all(set(e.inputs().keys()) == {"source"} for e in examples)
    assert "gold" in examples[0].labels() and "facts" in examples[0].labels()
    assert [from_example(e) for e in examples] == records


def test_to_hf_gives_one_typed_dataset_per_split_and_round_trips(records):
    data = to_hf(records)
    assert list(data) == list(SPLITS)
    assert {s: len(data[s]) for s in SPLITS} == stats(records)["splits"]
    assert data["train"].features["facts"]["entities"].feature.dtype == "string"
    back = sorted(from_hf(data), key=lambda r: r.id)
    assert back == records
    empty = to_hf([r for r in records if r.split == "train"])
    assert len(empty["test"]) == 0 and empty["test"].features == data["train"].features


def test_load_split_returns_only_that_split(records):
    dev = load_split(JSONL, "dev")
    assert dev and {r.split for r in dev} == {"dev"}
    assert len(dev) == sum(r.split == "dev" for r in records)


# ---------------------------------------------------------------------------------------------
# The test split never reaches an optimiser
# ---------------------------------------------------------------------------------------------

def test_optimizer_set_is_built_from_train_and_dev_only(records):
    opt = OptimizerSet.from_records(records)
    assert len(opt.trainset) == sum(r.split == "train" for r in records)
    assert len(opt.valset) == sum(r.split == "dev" for r in records)
    assert {e.split for e in opt.trainset + opt.valset} == {"train", "dev"}
    with pytest.raises(AttributeError):
        opt._train = ()  # type: ignore[misc]
    with pytest.raises(DatasetError):
        OptimizerSet.from_records(records, val=("test",))


def test_guard_refuses_test_items_unlabelled_items_and_relabelled_test_sources(records):
    test_examples = to_examples(r for r in records if r.split == "test")
    with pytest.raises(DatasetError, match="test split is never given to an optimiser"):
        OptimizerSet(trainset=to_examples(records))
    with pytest.raises(DatasetError, match="test split"):
        for_optimizer([r for r in records if r.split == "test"][:1])
    relabelled = test_examples[0].copy(split="train")
    with pytest.raises(DatasetError, match="source text of a test record"):
        assert_no_test([relabelled])
    unlabelled = test_examples[0].copy()
    del unlabelled["split"]
    with pytest.raises(DatasetError, match="optimisers only take"):
        assert_no_test([unlabelled])
    assert_no_test(to_examples(r for r in records if r.split != "test"))  # train/dev pass
    made_test = records[0].model_copy(update={"id": "made-test", "source": records[0].source + " Fin.",
                                              "split": "test"})
    with pytest.raises(DatasetError, match="source text of a test record"):
        OptimizerSet([made_test.model_copy(update={"split": "train"})])


# ---------------------------------------------------------------------------------------------
# Stats
# ---------------------------------------------------------------------------------------------

def test_stats_counts_add_up_and_render(records):
    from rich.console import Console

    data = stats(records)
    assert data["records"] == len(records) == sum(data["splits"].values())
    assert sum(k["all"] for k in data["kinds"].values()) == len(records)
    assert data["tags"]["dispatch"]["all"] == sum("dispatch" in r.tags for r in records)
    assert data["facts_per_pair"]["min"] > 0
    assert data["gold_words"]["min"] >= 700
    assert sum(data["facts_by_kind"].values()) == sum(r.facts.count for r in records)
    json.dumps(data)
    console = Console(record=True, width=120)
    console.print(render_stats(data))
    text = console.export_text()
    assert f"{len(records)} records" in text and "gold words" in text
