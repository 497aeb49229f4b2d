"""Every readable article is graded: Markdown with or without front matter or headings, and plain
text. What is missing scores low with feedback that says what to add; only unreadable input (empty,
binary, not UTF-8, over the size limit) is an error."""

from __future__ import annotations

import pytest

from tests.fixtures.metrics import metrics_fixtures as fx

from redac.article import Article
from redac.errors import ArticleError
from redac.metrics import MetricsConfig, score, score_batch

CFG = MetricsConfig(embedder="none")


@pytest.fixture(scope="module")
def source():
    return fx.load_source("001")


@pytest.fixture(scope="module")
def full(source):
    return score(fx.load_article("001"), source, cfg=CFG)


def test_plain_text_is_graded(source, full):
    article = Article.from_markdown(fx.as_plain_text("001"))
    assert article.title == "Lavrov en Corée du Nord pour une visite de deux jours"  # its first line
    s = score(article, source, cfg=CFG)
    assert s.error is None and not s.gates_failed
    h = s.results["headings"]
    assert h.value == 0.0
    assert "No H1/H2 headings" in h.feedback and "H1" in h.feedback and "at least 3 H2" in h.feedback
    seo = s.results["seo"]
    assert seo.value == 0.0 and "--keyphrase" in seo.feedback
    # The facts and the prose are all there: those metrics do not suffer from the missing structure.
    for name in ("fact_recall", "fact_precision", "length", "language"):
        assert s.results[name].value == full.results[name].value, name
    assert 0.5 < s.composite < full.composite


def test_plain_text_whose_first_line_is_a_sentence_has_no_title(source):
    text = "\n\n".join(fx.as_plain_text("001").split("\n\n")[1:])  # starts with the lede
    article = Article.from_markdown(text)
    assert article.title == ""
    s = score(article, source, cfg=CFG)
    assert s.results["headings"].value == 0.0 and s.results["seo"].value == 0.0


def test_markdown_without_front_matter_is_graded(source, full):
    article = Article.from_markdown(fx.markdown_without_front_matter("001"))
    assert article.keyphrase == "" and article.slug == "" and article.title.startswith("Lavrov")
    s = score(article, source, cfg=CFG)
    assert s.results["headings"].value == 1.0
    assert s.results["seo"].value == 0.0 and "--keyphrase" in s.results["seo"].feedback
    # The fields the front matter lacked, supplied as `redac score --keyphrase ... --meta ... --slug ...` does.
    ref = fx.load_article("001")
    filled = article.with_fields(keyphrase=ref.keyphrase, meta_description=ref.meta_description, slug=ref.slug)
    again = score(filled, source, cfg=CFG)
    assert again.results["seo"].value == full.results["seo"].value
    assert again.composite == pytest.approx(full.composite)


def test_markdown_with_front_matter_without_headings(source):
    ref = fx.load_article("001")
    article = ref.model_copy(update={"markdown": fx.as_plain_text("001")})
    s = score(article, source, cfg=CFG)
    assert s.results["headings"].value == 0.0 and "No H1/H2 headings" in s.results["headings"].feedback
    seo = s.results["seo"]
    assert 0 < seo.value < 1 and seo.figures["assessments"]["subheadingsKeyword"] < 9


def test_headings_without_prose_are_graded(source):
    s = score(Article.from_markdown("# Lavrov en Corée du Nord\n\n## La visite\n\n## Le programme\n"), source,
              cfg=MetricsConfig())
    assert s.results["length"].value == 0.0 and s.results["coverage"].value == 0.0
    assert "no prose" in s.results["coverage"].feedback
    assert s.results["fact_recall"].value < 0.2


def test_with_fields_sets_only_what_is_given():
    a = Article.from_markdown("# Titre\n\nTexte.")
    b = a.with_fields(keyphrase="  visite de Lavrov ", title=None, slug="")
    assert (b.keyphrase, b.title, b.slug) == ("visite de Lavrov", "Titre", "")
    assert a.with_fields() is a
    with pytest.raises(ValueError, match="not front-matter fields"):
        a.with_fields(author="x")


@pytest.mark.parametrize("raw,fragment", [
    (b"", "empty"),
    (b"  \n\n ", "empty"),
    (b"---\ntitle: Un titre\n---\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ("# Titre\n\nTexte\x00binaire".encode(), "binary"),
    ("# Été\n\nCafé".encode("latin-1"), "not UTF-8"),
])
def test_unreadable_input_is_an_error(raw, fragment):
    with pytest.raises(ArticleError, match=fragment) as info:
        Article.from_bytes(raw, file="a.md")
    assert str(info.value).startswith("a.md") and "\n" not in str(info.value)


def test_batch_grades_plain_text_and_refuses_binary(source):
    plain, binary = fx.as_plain_text("001"), b"%PDF-1.7\n\x00\x01\x02"
    out = score_batch([(plain, source), (plain.encode(), source), (binary, source)], CFG)
    assert out[0].error is None and out[0].results["headings"].value == 0.0 and out[0].composite > 0.5
    assert out[1].composite == pytest.approx(out[0].composite)
    assert out[2].composite == 0.0 and "binary" in (out[2].error or "")
