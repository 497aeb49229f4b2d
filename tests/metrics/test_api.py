"""The public API of redac.metrics: score / score_batch / render_scores, bad input, caching, the
versioned config, and the DSPy adapters (classic and GEPA)."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.metrics import metrics_fixtures as fx

from tests.conftest import ROOT
from redac.article import Article  # noqa: E402
from redac.errors import ArticleError, ConfigError  # noqa: E402
from redac.metrics import (  # noqa: E402
    METRIC_NAMES, Gate, MetricResult, MetricsConfig, Scores, load_metrics_config, make_dspy_metric, make_gepa_metric,
    profile_source, render_scores, score, score_batch,
)
from redac.metrics import profile as P  # noqa: E402

CFG = MetricsConfig(embedder="none")  # embeddings are covered by test_metrics_validity / _embed


@pytest.fixture(scope="module")
def pair():
    return fx.load_article("001"), fx.load_source("001")


# ------------------------------------------------------------------------------------------ results

def test_scores_shape_and_flat_dict(pair):
    s = score(*pair, cfg=CFG)
    assert set(s.results) <= set(METRIC_NAMES) and "coverage" not in s.results
    for name, r in s.results.items():
        assert r.name == name and 0.0 <= r.value <= 1.0 and r.feedback.endswith(".")
        json.dumps(r.figures)  # JSON-serialisable raw figures
    flat = s.as_flat_dict()
    assert flat["composite"] == s.composite and set(flat) == set(s.results) | {"composite"}
    text = s.feedback_text()
    assert text.startswith("Composite score") and all(n in text for n in s.results)


def test_metric_result_validates():
    assert MetricResult(name="x", value=1.0000000001).value == 1.0
    with pytest.raises(ValueError):
        MetricResult(name="x", value=float("nan"))
    with pytest.raises(ValueError):
        MetricResult(name="x", value=1.5)


def test_gold_and_labelled_facts(pair):
    article, source = pair
    gold = fx.load_article("001")
    s = score(article, source, gold=gold, facts={"entities": ["Sergueï Lavrov", "Tass"], "numbers": ["1 000"],
                                                  "dates": ["mercredi", "six jours"], "quotes": ["nouvelle guerre froide"]},
              cfg=CFG)
    assert s.results["gold_similarity"].value == pytest.approx(1.0)
    assert s.results["labelled_facts"].value == 1.0
    s2 = score(article, source, facts={"entities": ["Antony Blinken"], "numbers": ["2 000"]}, cfg=CFG)
    assert s2.results["labelled_facts"].value == 0.0
    assert "Antony Blinken" in s2.results["labelled_facts"].feedback


def test_composite_is_weighted_mean_and_gate(pair):
    s = score(*pair, cfg=CFG)
    w = CFG.weights
    expected = sum(w[n] * r.value for n, r in s.results.items()) / sum(w[n] for n in s.results)
    assert s.composite == pytest.approx(expected)
    strict = CFG.model_copy(update={"gates": [Gate(metric="readability", min=0.99)]})
    gated = score(*pair, cfg=strict)
    assert gated.composite == 0.0 and gated.gates_failed[0].startswith("readability")


def test_render_scores_table(pair):
    from rich.console import Console

    console = Console(record=True, width=160)
    console.print(render_scores(score(*pair, cfg=CFG)))
    out = console.export_text()
    for name in ("fact_recall", "fact_precision", "seo", "composite"):
        assert name in out


# ------------------------------------------------------------------------------------------ bad input

def test_bad_articles_raise_clear_errors(pair):
    _, source = pair
    with pytest.raises(ArticleError, match="empty"):
        score(Article(title="t", markdown="   "), source, cfg=CFG)
    huge = Article.from_markdown("# Titre\n\n" + "mot " * 50_000)
    with pytest.raises(ArticleError, match="50,00"):
        score(huge, source, cfg=CFG)


def test_non_utf8_file_is_a_clear_error(tmp_path):
    p = tmp_path / "a.md"
    p.write_bytes("# Été\n\nCafé".encode("latin-1"))
    with pytest.raises(ArticleError, match="not UTF-8"):
        Article.read(p)


def test_batch_never_crashes_on_bad_items(pair):
    article, source = pair
    items = [
        (article, source),
        ("", source),                                          # empty
        ("# T\n\n" + "mot " * 50_000, source),                 # 50,000 words
        ("# Été\n\nCafé".encode("latin-1"), source),           # not UTF-8
        ({"title": "x"}, source),                              # missing markdown
        (None, source),                                        # nothing produced
        (article,),                                            # malformed tuple
        (article.model_dump(), source),                        # a dict of Article fields is fine
    ]
    out = score_batch(items, CFG)
    assert len(out) == len(items) and all(isinstance(s, Scores) for s in out)
    assert out[0].composite > 0.9 and out[-1].composite == pytest.approx(out[0].composite)
    for s in out[1:-1]:
        assert s.composite == 0.0 and s.error
    assert "not UTF-8" in out[3].error and "markdown" in out[4].error
    assert "could not be scored" in out[2].feedback_text()


def test_source_profile_is_computed_once(pair):
    article, source = pair
    P.SOURCE_CACHE.clear()
    score_batch([(article, source)] * 5, CFG)
    assert P.SOURCE_CACHE.misses == 1 and P.SOURCE_CACHE.hits >= 4
    assert profile_source(source, CFG) is profile_source(source.model_copy(), CFG)


def test_metrics_ignore_the_instruction_line():
    src = fx.load_source("000")
    prof = profile_source(src, CFG)
    assert src.instruction and "seo" not in prof.body.lower()
    assert not any("Make" in e.text or "Let" in e.text for e in prof.entities)
    assert ("num", 700) not in prof.figure_keys


# ------------------------------------------------------------------------------------------ config

def test_yaml_config_equals_defaults():
    assert load_metrics_config(ROOT / "evals" / "metrics.yaml") == MetricsConfig()


@pytest.mark.parametrize("text,field,line", [
    ("version: 1\nweights:\n  fact_recal: 0.3\n", "weights.fact_recal", 3),
    ("version: 1\nseo:\n  density: [0.5, 3.0]\n  bogus: 1\n", "seo.bogus", 4),
    ("version: 2\n", "version", 1),
    ("weights: {}\n", "version", None),
    ("version: 1\ncoverage:\n  low: 0.9\n  high: 0.5\n", "coverage", 2),
    ("version: 1\nembedder: bert\n", "embedder", 2),
])
def test_config_errors_name_file_key_and_line(tmp_path, text, field, line):
    p = tmp_path / "metrics.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_metrics_config(p)
    assert exc.value.file == str(p) and exc.value.field == field and exc.value.line == line
    assert str(p) in str(exc.value)


def test_config_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: no such metrics config"):
        load_metrics_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nweights: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml:3: invalid YAML"):
        load_metrics_config(bad)


# ------------------------------------------------------------------------------------------ DSPy

def test_dspy_metrics():
    import dspy

    raw = (fx.HERE / "source_001.txt").read_text(encoding="utf-8")
    article = fx.load_article("001")
    ex = dspy.Example(id="seed-001", source=raw, gold=article.model_dump(include={"title", "meta_description", "slug",
                                                                                  "keyphrase", "markdown"}),
                      facts={"entities": ["Sergueï Lavrov"]}).with_inputs("source")
    metric = make_dspy_metric(CFG)
    good = metric(ex, dspy.Prediction(article=article))
    assert 0.9 < good <= 1.0
    assert metric(ex, dspy.Prediction(article=article.model_dump())) == pytest.approx(good)
    assert metric(ex, dspy.Prediction(article=article), trace=[]) is True  # bootstrapping wants a pass/fail
    assert metric(ex, dspy.Prediction(article=None)) == 0.0
    assert metric(ex, dspy.Prediction(article={"title": 3})) == 0.0
    assert metric(ex, dspy.Prediction()) == 0.0

    gepa = make_gepa_metric(CFG)
    out = gepa(ex, dspy.Prediction(article=fx.add_invented_quote(article)), None, "rewrite", None)
    assert isinstance(out, dspy.Prediction) and 0 < out.score < good
    assert "céderons" in out.feedback and "fact_precision" in out.feedback
    bad = gepa(ex, dspy.Prediction(article="texte sans titre"))  # graded, and told what to add
    assert bad.score < 0.3 and "No H1/H2 headings" in bad.feedback and "could not be scored" not in bad.feedback
