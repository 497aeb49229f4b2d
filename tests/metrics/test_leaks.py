"""leaks: another example's story (a shipped demo, another gold) fails the hard gate; the item's own
story and its own names never leak; format debris is named; a missing corpus is said, not fatal."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from tests.conftest import DATASET
from tests.fixtures.metrics import metrics_fixtures as fx

from redac.article import Article
from redac.dataset import load_jsonl
from redac.metrics import MetricsConfig, profile_source, score
from redac.metrics.config import LeaksConfig
from redac.metrics.leakcorpus import leak_index
from redac.metrics.leaks import format_leaks, leaks
from redac.sources import clean

CFG = MetricsConfig(embedder="none")


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in load_jsonl(DATASET)}


def _leaks(article, source, cfg=CFG):
    return leaks(article, profile_source(source, cfg), cfg)


@pytest.mark.parametrize("key", fx.KEYS)
def test_a_rewrite_of_its_own_source_has_no_leak(key):
    """The seed sources are in the labelled set (seed-000...): the item's own story is excluded, and
    the other seeds (the same news topic) lend nothing."""
    r = _leaks(fx.load_article(key), fx.load_source(key))
    assert r.value == 1.0, r.feedback
    assert r.figures["content_leaks"] == [] and r.figures["format_leaks"] == []
    assert r.figures["own_examples"] == [f"seed-{key}"]
    assert r.figures["corpus"]["missing"] == [] and r.figures["corpus"]["examples"] >= 60


def test_the_demo_record_scored_against_its_own_source_has_no_leak(records):
    """local-b11 is the pair the Valvergne demos were cut from: the pair, its demos, one story."""
    rec = records["local-b11"]
    r = _leaks(rec.gold.to_article(), clean(rec.source, name=rec.id))
    assert r.value == 1.0, r.feedback
    assert "local-b11" in r.figures["own_examples"]
    assert any(label.startswith("demo ") for label in r.figures["own_examples"])


@pytest.mark.parametrize("key", fx.KEYS)
def test_an_article_about_a_demo_story_fails_the_gate(key):
    source = fx.load_source(key)
    scores = score(fx.demo_story(fx.load_article(key)), source, cfg=CFG)
    r = scores.results["leaks"]
    assert r.value < 0.5 and scores.composite == 0.0
    assert any(g.startswith("leaks ") for g in scores.gates_failed)
    leak = r.figures["content_leaks"][0]
    assert leak["example"].startswith("local-b11") and "default_program.json" in leak["example"]
    assert {"Valvergne", "Aubrette"} <= set(leak["names"]) and leak["words"] >= CFG.leaks.min_words
    assert "Valvergne" in r.feedback and "local-b11" in r.feedback


def test_another_examples_gold_fails_the_gate(records):
    """An article recalled from a training gold (the festival story) instead of its own source."""
    source = fx.load_source("004")
    scores = score(records["culture-c06"].gold.to_article(), source, cfg=CFG)
    assert scores.composite == 0.0 and scores.results["leaks"].value < 0.5
    assert scores.results["leaks"].figures["content_leaks"][0]["example"].startswith("culture-c06")


def test_names_of_another_story_leak_even_without_its_wording():
    """Names and figures of the demo story (none in the source), in an otherwise faithful article:
    three make a leak, one or two (a coincidence, "Enedis") do not."""
    article, source = fx.load_article("000"), fx.load_source("000")
    line = "Le scénario rappelle Valvergne, où la rivière Aubrette avait inondé 43 maisons."
    md = article.markdown.replace("\n## ", f"\n{line}\n\n## ", 1)
    r = _leaks(article.model_copy(update={"markdown": md}), source)
    assert r.value < 0.5
    leak = r.figures["content_leaks"][0]
    assert set(leak["names"]) == {"Valvergne", "Aubrette"} and leak["figures"] == ["43"]
    md = article.markdown.replace("\n## ", "\nLe scénario rappelle les crues de Valvergne.\n\n## ", 1)
    r = _leaks(article.model_copy(update={"markdown": md}), source)
    near = {d["example"].split()[0]: d for d in r.figures["below_threshold"]}
    assert r.value == 1.0 and near["local-b11"]["names"] == ["Valvergne"]


@pytest.mark.parametrize("perturb,kind", [
    ("json_fragments", "json"), ("field_markers", "field_marker"), ("chat_preamble", "preamble"),
    ("second_front_matter", "front_matter"),
])
@pytest.mark.parametrize("key", fx.KEYS)
def test_each_format_leak_is_named(perturb, kind, key):
    article, source = fx.load_article(key), fx.load_source(key)
    scores = score(getattr(fx, perturb)(article, source), source, cfg=CFG)
    r = scores.results["leaks"]
    assert r.figures["format_kinds"] == [kind], r.figures["format_leaks"]
    assert r.figures["content_leaks"] == []
    assert r.value == pytest.approx(1 - CFG.leaks.format_cost) and kind in r.feedback
    assert scores.composite > 0  # one kind of format debris is costly, not fatal


@pytest.mark.parametrize("line,kind", [
    ("Bien sûr ! Voici une proposition d'article optimisé :", "preamble"),
    ("Here is the rewritten article:", "preamble"),
    ("En tant qu'IA, je ne peux pas vérifier ces informations.", "preamble"),
    ("J'espère que cet article vous conviendra.", "preamble"),
    ("**Voici votre article réécrit :**", "preamble"),
    ("```markdown", "code_fence"),
    ('["Les faits", "Les réactions"]', "json"),
    ("['## Le bilan', '## Les réactions']", "json"),
    ("[[ ## completed ## ]]", "field_marker"),
    ("meta_description: Le bilan des inondations.", "front_matter"),
])
def test_format_leak_patterns(line, kind):
    article = fx.load_article("004")
    md = article.markdown.replace("\n## ", f"\n{line}\n\n## ", 1)
    assert kind in {k for k, _ in format_leaks(article.model_copy(update={"markdown": md}))}


@pytest.mark.parametrize("line", [
    "Voici ce qu'il faut retenir de cette journée.",
    "Bien sûr, rien n'est encore joué pour le gouvernement.",
    "Certainement le plus grand festival de la région.",
    "D'accord sur le principe, les deux pays divergent sur le calendrier.",
    "Le ministre a cité « un accord [de principe] » sans donner de date.",
    "| Liste | Voix |\n|---|---|\n| Ensemble | 312 455 |",
])
def test_ordinary_french_prose_is_not_a_format_leak(line):
    article = fx.load_article("004")
    md = article.markdown.replace("\n## ", f"\n{line}\n\n## ", 1)
    assert format_leaks(article.model_copy(update={"markdown": md})) == []


def test_a_missing_corpus_is_said_and_the_shipped_demos_still_count(caplog, tmp_path):
    missing = str(tmp_path / "no-such-set.jsonl")  # a new name: a new index, so the warning is logged here
    cfg = CFG.model_copy(update={"leaks": LeaksConfig(corpus=[missing])})
    article, source = fx.load_article("000"), fx.load_source("000")
    with caplog.at_level("WARNING", logger="redac.metrics.leakcorpus"):
        good = leaks(article, profile_source(source, cfg), cfg)
    assert good.value == 1.0 and good.figures["corpus"]["missing"] == [missing]
    assert good.figures["corpus"]["examples"] == 8 and good.figures["own_examples"] == []  # the shipped demos
    assert f"{missing} not found" in caplog.text
    bad = leaks(fx.demo_story(article), profile_source(source, cfg), cfg)
    assert bad.value < 0.5 and bad.figures["content_leaks"][0]["example"].startswith("demo ")


def _state(path, text: str) -> None:
    demo = {"facts": ["Le pont de Saint-Ombre a été fermé mardi après la découverte de fissures."],
            "heading": "Introduction", "text": text}
    path.write_text(json.dumps({"write": {"demos": [demo]}}, ensure_ascii=False), encoding="utf-8")


def test_a_program_state_in_the_corpus_is_indexed_once_per_content(tmp_path):
    state = tmp_path / "program.json"
    _state(state, "Le pont de Saint-Ombre, construit en 1932 par l'ingénieur Paul Véronneau, restera fermé "
                  "au moins six semaines, le temps que les équipes de la préfecture évaluent les dégâts.")
    cfg = CFG.model_copy(update={"leaks": LeaksConfig(corpus=[str(state)], shipped_demos=False)})
    first = leak_index(cfg.leaks)
    assert leak_index(cfg.leaks) is first and first.n_examples == 1
    article, source = fx.load_article("001"), fx.load_source("001")
    md = article.markdown.replace("\n## ", "\nLe pont de Saint-Ombre, construit en 1932 par l'ingénieur Paul "
                                  "Véronneau, restera fermé au moins six semaines, le temps que les équipes de la "
                                  "préfecture évaluent les dégâts.\n\n## ", 1)
    r = leaks(Article(**{**article.model_dump(exclude={"headings"}), "markdown": md}), profile_source(source, cfg), cfg)
    assert r.value < 0.5 and r.figures["content_leaks"][0]["example"] == "demo 1 of write in program.json"
    _state(state, "Un autre texte, sans rapport avec le précédent, écrit pour la démonstration du cache.")
    assert leak_index(cfg.leaks) is not first


def test_the_config_refuses_a_corpus_file_it_cannot_read():
    with pytest.raises(ValidationError, match="labelled set"):
        LeaksConfig(corpus=["datasets/pairs.csv"])
