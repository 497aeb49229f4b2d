"""Known weaknesses of the metric suite, each pinned by a test that failed before its fix (see
docs/metrics.md, "Fixed weaknesses"): signed figures, names with an elided "d'", a source sentence split
in two, gold similarity saturating, one invented fact passing the composite threshold. On the dataset's
real golds and the test articles."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from redac.article import Article
from redac.dataset import load_jsonl
from redac.factcheck import Support, unsupported
from redac.metrics import MetricsConfig, score
from redac.metrics.entities import entity_key, phrase_alternatives
from redac.sources import clean

CFG = MetricsConfig(embedder="none")


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in load_jsonl(ROOT / "datasets" / "redac-fr-news" / "redac-fr-news.jsonl")}


def _gold_and_source(records, rid):
    r = records[rid]
    return Article(**r.gold.model_dump()), clean(r.source, name=rid)


def _edit(article: Article, old: str, new: str) -> Article:
    assert old in article.markdown, old
    return article.model_copy(update={"markdown": article.markdown.replace(old, new, 1)})


# ------------------------------------------------------------------------------------- signed figures

@pytest.mark.parametrize("old,new", [
    ("soit -14 % ;", "soit +14 % ;"),           # the sign flipped
    ("soit -14 % ;", "soit une hausse de 14 % ;"),
])
def test_a_flipped_sign_is_an_unsupported_figure(records, old, new):
    gold, source = _gold_and_source(records, "economie-b04")  # "Blé tendre ... -14 %" in the source's table
    base = score(gold, source, cfg=CFG).results["fact_precision"]
    bad = score(_edit(gold, old, new), source, cfg=CFG).results["fact_precision"]
    assert bad.value < base.value
    assert any("14 %" in f for f in bad.figures["unsupported_figures"]), bad.figures
    assert "14 %" in bad.feedback


def test_a_sign_restated_in_words_is_supported(records):
    gold, source = _gold_and_source(records, "economie-b04")
    base = score(gold, source, cfg=CFG).results["fact_precision"].figures["unsupported_figures"]
    for new in ("soit une baisse de 14 % ;", "soit un recul de 14 % ;", "soit −14 % ;", "soit 14 % de moins ;"):
        again = score(_edit(gold, "soit -14 % ;", new), source, cfg=CFG).results["fact_precision"]
        assert again.figures["unsupported_figures"] == base, new


def test_the_program_check_drops_a_flipped_sign(records):
    """The program's verification step shares the figure keys."""
    _, source = _gold_and_source(records, "economie-b04")
    support = Support.of(source.body)
    assert not unsupported("Le prix du blé tendre recule de 14 % sur un an.", support)
    assert [f.kind for f in unsupported("Le prix du blé tendre progresse de +14 % sur un an.", support)] == ["figure"]


# ------------------------------------------------------------------------------------- names with d'

def test_hyphenated_names_with_an_elided_article_are_found(records):
    """ "Les Essarts-d'Orvanne" and "Castelnau-d'Olt" were reported missing from golds that name them."""
    for rid, name in (("local-d13", "Les Essarts-d'Orvanne"), ("faits-divers-d14", "Castelnau-d'Olt")):
        gold, source = _gold_and_source(records, rid)
        assert name in gold.markdown
        recall = score(gold, source, cfg=CFG).results["fact_recall"]
        assert name not in recall.figures["missing_entities"], recall.figures["missing_entities"]


def test_typographic_apostrophes_and_hyphen_variants_meet(records):
    gold, source = _gold_and_source(records, "local-d13")
    curly = gold.model_copy(update={"markdown": gold.markdown.replace("'", "\u2019")})
    s = score(curly, source, cfg=CFG)
    assert s.results["fact_recall"].figures["missing_entities"] == []
    assert s.results["fact_precision"].figures["unsupported_entities"] == []
    # "Côte-d'Ivoire" and "Côte d’Ivoire" are one name, as are "Villeneuve-d'Ascq" and "Villeneuve d'Ascq".
    assert entity_key("Côte-d'Ivoire") == entity_key("Côte d\u2019Ivoire") == {"cote", "ivoire"}
    assert entity_key("Valéry Giscard d\u2019Estaing") == {"valery", "giscard", "estaing"}
    assert phrase_alternatives("Villeneuve-d'Ascq")[0] == phrase_alternatives("Villeneuve d\u2019Ascq")[0]


def test_a_source_name_with_d_is_not_invented_in_its_other_spelling():
    text = ("Le président ivoirien a reçu mardi à Abidjan le ministre Michel d'Ornano. La Côte d'Ivoire "
            "a signé un accord avec la mairie de Villeneuve-d'Ascq, a indiqué Valéry Giscard d'Estaing.")
    from redac.sources import Source

    source = Source(raw=text, body=text)
    article = Article.from_markdown(
        "# Un accord entre la Côte-d\u2019Ivoire et Villeneuve d\u2019Ascq\n\n"
        "Michel d\u2019Ornano a été reçu mardi à Abidjan par le président ivoirien. La Côte-d\u2019Ivoire a signé "
        "un accord avec la mairie de Villeneuve-d\u2019Ascq, selon Valéry Giscard d\u2019Estaing. D\u2019Ornano "
        "a salué cet accord.")
    s = score(article, source, cfg=CFG)
    assert s.results["fact_recall"].figures["missing_entities"] == []
    assert s.results["fact_precision"].figures["unsupported_entities"] == []


# ------------------------------------------------------------------------------------- coverage, split sentences

def _split_at_middle_comma(sentence: str) -> str:
    """ "A, B." -> "A. B." at the comma nearest the middle of a sentence of 12 words or more."""
    import re

    commas = [m.start() for m in re.finditer(r", ", sentence)]
    if not commas or len(sentence.split()) < 12:
        return sentence
    cut = min(commas, key=lambda i: abs(i - len(sentence) / 2))
    rest = sentence[cut + 2:]
    return sentence[:cut] + ". " + rest[:1].upper() + rest[1:]


def _split(article: Article) -> Article:
    from redac.text import sentences

    lines = [ln if ln.startswith("#") or not ln.strip() else " ".join(map(_split_at_middle_comma, sentences(ln)))
             for ln in article.markdown.splitlines()]
    return article.model_copy(update={"markdown": "\n".join(lines)})


@pytest.mark.parametrize("key", ["001", "004"])
def test_the_source_split_in_two_is_still_covered(key):
    """The source itself as the article, every long sentence cut in two: each source sentence is matched
    by a pair of consecutive article sentences (matching single sentences only: 1.00 -> 0.95 and 0.97)."""
    from tests.fixtures.metrics import metrics_fixtures as fx

    source = fx.load_source(key)
    verbatim = Article.from_markdown("# Titre\n\n" + source.body)
    split = _split(verbatim)
    cfg = MetricsConfig()
    whole, cut = (score(a, source, cfg=cfg).results["coverage"] for a in (verbatim, split))
    assert whole.value == 1.0 and cut.value >= 0.99, cut.figures["weakest"]
    assert cut.figures["matched_by_pair"] >= 5


@pytest.mark.parametrize("key", ["000", "001"])
def test_a_faithful_article_with_split_sentences_keeps_its_coverage(key):
    """The test articles with every long sentence cut in two (matching single sentences only: 0.91 -> 0.79
    and 0.89 -> 0.71; now 0.91 -> 0.91 and 0.94 -> 0.93). What is left comes from source sentences the
    writer had already split in two, now in three."""
    from tests.fixtures.metrics import metrics_fixtures as fx
    from redac.text import sentences

    article, source = fx.load_article(key), fx.load_source(key)
    split = _split(article)
    assert len(sentences(split.markdown)) > len(sentences(article.markdown)) + 5
    cfg = MetricsConfig()
    whole, cut = (score(a, source, cfg=cfg).results["coverage"] for a in (article, split))
    assert cut.value >= whole.value - 0.03, (whole.value, cut.value)
    assert cut.figures["matched_by_pair"] > whole.figures["matched_by_pair"]


# ------------------------------------------------------------------------------------- gold similarity

def _first_half(article: Article) -> Article:
    lines = article.markdown.splitlines()
    return article.model_copy(update={"markdown": "\n".join(lines[: len(lines) // 2])})


@pytest.mark.parametrize("rid", ["seed-000", "economie-b04", "sport-c01"])
def test_half_of_the_gold_is_not_the_gold(records, rid):
    """The F1 of mean best cosines put the first half of every gold at 1.00 (60 of 60 golds >= 0.99)."""
    gold, source = _gold_and_source(records, rid)
    cfg = MetricsConfig()
    whole = score(gold, source, gold=gold, cfg=cfg).results["gold_similarity"]
    half = score(_first_half(gold), source, gold=gold, cfg=cfg).results["gold_similarity"]
    assert whole.value == 1.0
    assert half.value < 0.85, half.figures
    assert half.figures["embedding_precision"] == 1.0 and half.figures["embedding_recall"] < 0.75


def test_gold_similarity_ranks_a_faithful_rewrite_over_another_story(records):
    """Test article 000 (an independent faithful rewrite of seed source 000) against the gold of seed-000,
    of seed-001 (same topic, other story) and of sport-c01 (other topic)."""
    from tests.fixtures.metrics import metrics_fixtures as fx

    article, source = fx.load_article("000"), fx.load_source("000")
    cfg = MetricsConfig()
    sim = {rid: score(article, source, gold=_gold_and_source(records, rid)[0], cfg=cfg).results["gold_similarity"].value
           for rid in ("seed-000", "seed-001", "sport-c01")}
    assert sim["seed-000"] > sim["seed-001"] + 0.2 > 0.2
    assert sim["sport-c01"] < 0.05


# ------------------------------------------------------------------------------------- one invented fact

INVENTED = [  # (gold, a sentence added to its first paragraph): one figure, one name, one quote
    ("seed-001", "Le convoi comptait 4 812 camions, selon Tass."),
    ("sport-c01", "Le président du club, Jean-Baptiste Olivieri, a salué la victoire."),
    ("local-b09", "« Nous ne céderons jamais sur ce dossier », a lancé un élu."),
]


def _append_to_first_paragraph(article: Article, sentence: str) -> Article:
    lines = article.markdown.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(("#", "-", "|", ">")))
    lines[i] = f"{lines[i]} {sentence}"
    return article.model_copy(update={"markdown": "\n".join(lines)})


@pytest.mark.parametrize("rid,sentence", INVENTED, ids=["figure", "name", "quote"])
def test_one_invented_fact_fails_an_otherwise_perfect_gold(records, rid, sentence):
    """Before: gold + one invented figure / name / quote still passed thresholds.composite (0.70) with
    0.92-0.96; now the invented_facts gate caps the composite at 0.69."""
    cfg = MetricsConfig()
    gold, source = _gold_and_source(records, rid)
    facts = records[rid].facts
    good = score(gold, source, facts=facts, cfg=cfg)
    bad = score(_append_to_first_paragraph(gold, sentence), source, facts=facts, cfg=cfg)
    bar = cfg.thresholds["composite"]
    assert good.composite >= bar and not good.capped and good.results["invented_facts"].value == 1.0
    assert bad.composite < bar <= bad.composite + 0.02, bad.feedback_text()
    assert bad.results["invented_facts"].value == 0.0 and bad.capped and not bad.gates_failed
    assert "one invented name, quote or figure" in bad.capped[0]
    assert bad.failing(cfg.thresholds).keys() >= {"composite", "invented_facts"}
    assert "fails its pass threshold" in bad.feedback_text()


def test_a_spelled_out_count_lowers_precision_without_failing_the_item(records):
    """Spelled-out counts and ordinals are what writers derive ("Quatre priorités", "La seconde est..."):
    5 of the 60 golds have one the source does not spell. They cost fact_precision, not the item."""
    cfg = MetricsConfig()
    gold, source = _gold_and_source(records, "international-a07")
    s = score(gold, source, cfg=cfg)
    assert s.results["fact_precision"].figures["unsupported_figures"] == ["Quatre"]
    assert s.results["invented_facts"].value == 1.0 and s.results["invented_facts"].figures["soft_figures"] == ["Quatre"]
    assert s.composite >= cfg.thresholds["composite"] and not s.capped


def test_a_cap_must_sit_under_the_composite_threshold():
    from redac.metrics import Gate

    with pytest.raises(ValueError, match="not under thresholds.composite"):
        MetricsConfig(thresholds={"composite": 0.6}, gates=[Gate(metric="invented_facts", min=1.0, cap=0.69)])
    lenient = MetricsConfig(thresholds={"composite": 0.6}, gates=[Gate(metric="invented_facts", min=1.0, cap=0.59)])
    assert lenient.gates[0].cap == 0.59
