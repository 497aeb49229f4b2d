"""Known weaknesses of the fact metrics, each pinned by a test that failed before its fix (see
docs/metrics.md, "Fixed weaknesses"): signed figures, names with an elided "d'", and on the dataset's
real golds."""

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
