"""The Yoast port's rules on small French inputs, offline (no node): keyphrase words and matching,
Yoast's occurrence bounds, sentence splitting, passive voice, title width and the scores they give.
test_agreement.py checks the same code against the real package."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from redac.article import Article
from redac.metrics import MetricsConfig
from redac.metrics.config import SeoConfig
from redac.metrics.yoast import parse_keyphrase, parse_markdown, seo_assessments, title_width
from redac.metrics.yoast.document import Sentence
from redac.metrics.yoast.keyphrase import count_in_sentences, in_title
from redac.metrics.yoast.passive import is_passive
from redac.metrics.yoast.seo_rules import keyphrase_density, recommended_count
from redac.metrics.yoast.sentences import split_sentences, split_tokens

SEO = SeoConfig()


def sentences(*texts: str) -> list[Sentence]:
    return [Sentence(t, split_tokens(t)) for t in texts]


def test_keyphrase_keeps_content_words_only():
    assert parse_keyphrase("fresque du château d'eau").words == ("fresque", "château", "d'eau")
    assert parse_keyphrase("Festival de Bellerive").words == ("festival", "bellerive")
    assert parse_keyphrase("aéroport de Valmorel-Atlantique").words == ("aéroport", "valmorel", "atlantique")
    only = parse_keyphrase("de la")
    assert only.function_only and only.words == ("de", "la")
    assert not parse_keyphrase(" « » ")


def test_words_match_as_written_with_elision_case_and_accents():
    kp = parse_keyphrase("élection municipale")
    assert count_in_sentences(sentences("L'élection municipale aura lieu."), kp) == 1
    assert count_in_sentences(sentences("ELECTION MUNICIPALE : le vote."), kp) == 1   # unaccented, upper case
    assert count_in_sentences(sentences("Les élections municipales auront lieu."), kp) == 0  # no plural forms
    assert count_in_sentences(sentences("L'élection est close.", "La municipale aussi."), kp) == 0  # one sentence
    assert count_in_sentences(sentences("Élection, élection municipale, municipale."), kp) == 2  # fewest per word


def test_recommended_occurrences_scale_with_text_and_keyphrase_length():
    # 3 content words: length factor 0.7 + 3/3 = 1.7
    assert recommended_count(3, 0.5, 1000, maximum=False) == 3
    assert recommended_count(3, 3.0, 1000, maximum=True) == 17
    assert recommended_count(1, 3.0, 1000, maximum=True) == 29
    assert recommended_count(3, 0.5, 300, maximum=False) == 2    # never under 2


def _text(n_words: int, occurrences: int, keyphrase: str) -> str:
    filler = "Les habitants du quartier suivent de près le dossier depuis des mois."  # 12 words
    body = [f"{keyphrase} reste au cœur des débats." for _ in range(occurrences)]
    body += [filler] * max(0, (n_words - 6 * occurrences) // 12)
    return "# Titre\n\n" + " ".join(body) + "\n"


@pytest.mark.parametrize("occurrences,score", [(0, 4), (1, 4), (2, 4), (3, 9), (15, 9), (16, -10), (21, -10), (28, -50)])
def test_keyphrase_density_scores(occurrences, score):
    # fête, quartier, saint, roch: 4 content words, length factor 2.03: 3 to 15 occurrences in ~1,050 words
    kp = parse_keyphrase("fête du quartier Saint-Roch")
    doc = parse_markdown(_text(1000, occurrences, "Fête du quartier Saint-Roch"))
    result = keyphrase_density(doc, kp, SEO)
    assert result.score == score, result.feedback
    assert f"found {occurrences} time(s)" in result.feedback
    if score < 0:
        assert "over the recommended maximum" in result.feedback and "stuffing" in result.feedback
    if score == 4:
        assert "under the recommended minimum" in result.feedback


def test_sentences_split_where_yoast_splits():
    text = ("Le film a gagné. « Ce film est né ici », a-t-elle dit. Vraiment ? oui. Il a 3.5 ans. "
            "le reste suit.")
    # "?" ends a sentence before any space; "." only before a capital, a digit or a quote.
    assert split_sentences(text) == ["Le film a gagné.", "« Ce film est né ici », a-t-elle dit.", "Vraiment ?",
                                     "oui.", "Il a 3.5 ans. le reste suit."]
    assert split_tokens("l'écran, grands-parents") == ("l'écran", ",", " ", "grands", "-", "parents")


@pytest.mark.parametrize("sentence,passive", [
    ("Le jury était présidé par l'actrice Hélène Marchal.", True),
    ("La décision a été prise à l'unanimité.", True),
    ("Les lauréats seront récompensés samedi.", True),
    ("Il est arrivé hier soir à Paris.", False),        # arrivé: a verb that cannot be passive
    ("C'est décidé depuis longtemps.", False),           # c'est: not an auxiliary here
    ("Elle est la présidente du jury.", False),          # no participle
    ("Le maire a annoncé le projet.", False),            # avoir, not être
])
def test_passive_voice(sentence, passive):
    assert is_passive(sentence) is passive


def test_title_width_and_keyphrase_position():
    assert 450 < title_width("Festival de Bellerive : la Lanterne d'or aux Eaux basses") < 560
    assert title_width("x" * 100) > 600 and title_width("") == 0
    kp = parse_keyphrase("Festival de Bellerive")
    assert in_title("Festival de Bellerive : le palmarès", kp)[::2] == (True, 0)
    assert in_title("Le Festival de Bellerive : le palmarès", kp)[::2] == (True, 0)   # only a function word before
    assert in_title("Palmarès du Festival de Bellerive", kp)[0] and in_title("Palmarès du Festival de Bellerive", kp)[2] > 0
    assert in_title("Bellerive : le festival", kp)[:2] == (False, True)


def test_seo_assessments_of_a_small_article():
    md = ("# Festival de Bellerive : le palmarès\n\nLe Festival de Bellerive a rendu son verdict samedi.\n\n"
          "## Le Festival de Bellerive récompense un premier film\n\nLe jury a choisi « Les Eaux basses ».\n\n"
          "## Le public\n\nLe public a suivi.\n")
    a = Article(title="Festival de Bellerive : le palmarès", keyphrase="Festival de Bellerive", markdown=md,
                slug="festival-de-bellerive-palmares",
                meta_description="Le Festival de Bellerive a rendu son palmarès samedi : « Les Eaux basses » "
                                 "d'Anaïs Verdier remporte la Lanterne d'or, récompense suprême du jury.")
    scores = {r.id: r.score for r in seo_assessments(a, parse_markdown(md), parse_keyphrase(a.keyphrase), SEO)}
    # 3 occurrences in 33 words: under 50 words Yoast allows one (-50 beyond two); text far too short.
    assert scores == {"introductionKeyword": 9, "keyphraseLength": 9, "keyphraseDensity": -50,
                      "metaDescriptionKeyword": 9, "metaDescriptionLength": 9, "subheadingsKeyword": 9,
                      "textLength": -20, "keyphraseInSEOTitle": 9, "titleWidth": 9, "slugKeyword": 9, "singleH1": 8}


def test_config_rejects_unordered_bands():
    with pytest.raises(ValidationError):
        MetricsConfig.model_validate({"seo": {"density": [3.0, 0.5]}})
    with pytest.raises(ValidationError):
        MetricsConfig.model_validate({"seo": {"stuffing": 2.0}})
