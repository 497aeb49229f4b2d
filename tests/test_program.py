"""Program logic with DSPy's DummyLM: composition, repairs, chunking, targets, demos."""

from __future__ import annotations

import dspy
import pytest
from dspy.utils import DummyLM

from redac.program import (
    ProgramConfig, RedacProgram, as_list, chunk_text, clip, parse_outline, repair_plan, section_count,
    section_words,
)
from redac.sources import Source, Targets
from redac.text import count_words

BODY = (
    "Le maire de Lyon, Jean Dupont, a présenté mardi un budget de 12 millions d'euros.\n\n"
    "Il a déclaré : « Nous investissons dans les écoles »."
)
SECTION = "Jean Dupont a présenté mardi le budget de Lyon, qui atteint 12 millions d'euros. " * 12
_WORDS = ("maire budget ville école quartier conseil vote projet habitant rue parc musée piscine tramway "
          "crèche marché place jardin stade gare pont bibliothèque théâtre collège lycée hôpital port").split()


def section(i: int, n: int = 12) -> str:
    """A section of ``n`` sentences that share no word trigram with another section or sentence."""
    import random

    rng = random.Random(i)
    return " ".join(f"{' '.join(rng.sample(_WORDS, 9)).capitalize()}." for _ in range(n))


SECTIONS = [{"text": section(i)} for i in range(5)]
PLAN = {
    "keyphrase": "budget de Lyon",
    "title": "Le budget de Lyon présenté par Jean Dupont",
    "meta_description": "Le maire Jean Dupont a présenté mardi le budget de Lyon : 12 millions d'euros, avec une priorité "
                        "donnée aux écoles de la ville.",
    "outline": ["## Un budget de Lyon de 12 millions", "## Ce que dit le maire", "### Les écoles", "## La suite"],
}


def run(answers, source=BODY, **kw):
    adapter = dspy.ChatAdapter(use_json_adapter_fallback=False)  # as with completion-style backends
    with dspy.context(lm=DummyLM(answers), adapter=adapter):
        return RedacProgram(**kw)(source=Source(raw=source, body=source))


def test_program_composes_facts_plan_and_sections_into_an_article():
    facts = {"facts": ["Jean Dupont a présenté mardi un budget de 12 millions d'euros.",
                       "« Nous investissons dans les écoles »"]}
    pred = run([facts, PLAN] + SECTIONS, config=ProgramConfig(dedupe=True))
    article = pred.article
    assert article.title == PLAN["title"] and article.slug == "budget-de-lyon"
    assert article.markdown.startswith("# Le budget de Lyon présenté par Jean Dupont\n")
    assert [(h.level, h.text) for h in article.headings] == [
        (1, PLAN["title"]), (2, "Un budget de Lyon de 12 millions"), (2, "Ce que dit le maire"),
        (3, "Les écoles")]
    assert article.word_count == 4 * count_words(SECTIONS[0]["text"])
    assert pred.facts == facts["facts"]
    assert pred.repairs == ["outline cut from 4 to 3 subheadings (2 facts)"]  # a section needs facts of its own


def test_repeated_sentences_leave_the_article():
    facts = {"facts": [f"Fait numéro {i} sur le budget." for i in range(10)]}
    repeated = [SECTIONS[0], SECTIONS[1], SECTIONS[0], SECTIONS[2], SECTIONS[1]]
    pred = run([facts, PLAN] + repeated, config=ProgramConfig(dedupe=True))
    assert [h.text for h in pred.article.headings[1:]] == ["Un budget de Lyon de 12 millions", "Les écoles"]
    assert "24 repeated sentence(s) dropped" in pred.repairs
    assert any("'Ce que dit le maire' dropped" in r for r in pred.repairs)


def test_short_article_is_warned_not_hidden():
    pred = run([{"facts": ["Un fait."]}, PLAN] + [{"text": "Trop court."}] * 5)
    assert any("target is 700" in w for w in pred.warnings)


def test_plan_repairs_are_recorded():
    raw = dspy.Prediction(keyphrase="un très long groupe de mots clés", title="T" * 80,
                          meta_description="M " * 100, outline=["### Sous-partie", "Sous-partie", "## Deux"])
    plan = repair_plan(raw, ["Jean Dupont a parlé à Lyon."], Targets(), 4)
    assert len(plan.title) <= 60 and len(plan.meta_description) <= 156
    assert plan.keyphrase == "Jean Dupont"
    assert plan.outline[0] == (2, "Sous-partie") and len(plan.outline) >= 2
    text = " | ".join(plan.repairs)
    for fragment in ("keyphrase", "title cut", "meta description cut", "promoted", "duplicate"):
        assert fragment in text


def test_instruction_caps_subheadings():
    targets = Targets(min_words=900, max_subheadings=2)
    assert section_count(targets, ProgramConfig()) == 2
    raw = dspy.Prediction(**PLAN)
    assert len(repair_plan(raw, ["f"], targets, 2).outline) == 2
    assert section_count(Targets(subheadings=False), ProgramConfig()) == 0
    assert section_words(Targets(min_words=700), 5) == 160


def test_long_source_is_chunked_with_a_visible_warning():
    long_body = "\n\n".join(f"Paragraphe {i} : la mairie de Lyon a voté {i} millions d'euros." for i in range(400))
    config = ProgramConfig(context_tokens=4096, reserved_tokens=3072)
    n_chunks = len(chunk_text(long_body, RedacProgram(config)._source_budget()))
    assert n_chunks > 1
    answers = [{"facts": [f"fait {i}"]} for i in range(n_chunks)] + [PLAN] + [{"text": SECTION}] * 5
    pred = run(answers, source=long_body, config=config)
    assert any("chunks" in w for w in pred.warnings)
    assert pred.facts == [f"fait {i}" for i in range(n_chunks)]


def test_chunk_text_keeps_every_character_of_content():
    text = "\n\n".join("Phrase numéro %d. Encore une phrase." % i for i in range(200))
    chunks = chunk_text(text, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


@pytest.mark.parametrize("value,expected", [
    ('["a", "b"]', ["a", "b"]), ("- a\n- b", ["a", "b"]), (["1. a", " "], ["a"]), ("seul", ["seul"]),
])
def test_as_list_tolerates_model_formats(value, expected):
    assert as_list(value) == expected


def test_outline_and_clip_helpers():
    assert parse_outline(["## A", "### B", "C", "#"]) == [(2, "A"), (3, "B"), (2, "C")]
    assert clip("un deux trois quatre", 12) == "un deux"


def test_program_state_round_trips_as_json(tmp_path):
    program = RedacProgram()
    program.plan.demos = [dspy.Example(facts=["f"], sections=3, **PLAN).with_inputs("facts", "sections")]
    path = tmp_path / "program.json"
    program.save(str(path))
    assert path.read_text().lstrip().startswith("{")
    loaded = RedacProgram()
    loaded.load(str(path))
    assert loaded.plan.demos[0]["keyphrase"] == "budget de Lyon"


def test_facts_are_shared_between_sections_without_repeating():
    from redac.program import share_facts, split_evenly

    facts = [f"fait {i}" for i in range(10)]
    parts = share_facts(facts, 4)
    assert [len(p) for p in parts] == [3, 3, 2, 2] and sum(parts, []) == facts
    few = share_facts(facts[:3], 4)  # too few to share: overlapping windows, never the whole list each
    assert len(few) == 4 and all(len(p) == 1 for p in few) and sorted({f for p in few for f in p}) == facts[:3]
    assert split_evenly([], 3) == [[], [], []]


def test_demos_from_records_in_both_styles():
    from redac.dataset import load_jsonl
    from redac.program import demos_from_records

    records = [r for r in load_jsonl("datasets/redac-fr-news/redac-fr-news.jsonl") if r.split == "train"][:2]
    gold = demos_from_records(records, k=2, style="gold")
    assert len(gold["extract"]) == 2 and len(gold["plan"]) == 2 and len(gold["write"]) >= 2
    assert gold["plan"][0]["title"] == records[0].gold.title
    extractive = demos_from_records(records, k=1, style="extractive")
    demo = extractive["write"][0]
    assert all(f in demo["text"] for f in demo["facts"])  # outputs are made of the demo's own facts
    with pytest.raises(ValueError):
        demos_from_records(records, style="other")


def test_unparseable_fact_list_falls_back_to_source_sentences_with_a_warning():
    answers = [{"facts": "pas une liste [["}, PLAN] + [{"text": SECTION}] * 5
    pred = run(answers)
    assert pred.facts[0].startswith("Le maire de Lyon, Jean Dupont")
    assert any("source sentences are used as facts" in w for w in pred.warnings)
