"""The metric registry: one declaration per metric feeds the config's names and defaults, the
composite, the score table and the "unknown metric" errors; evals/metrics.yaml agrees with it."""

from __future__ import annotations


import pytest
import yaml

from tests.fixtures.metrics import metrics_fixtures as fx

from tests.conftest import ROOT
from redac.errors import ConfigError  # noqa: E402
from redac.metrics import (  # noqa: E402
    METRIC_NAMES,
    MetricResult,
    MetricsConfig,
    Need,
    load_metrics_config,
    metric_names,
    register,
    registry,
    render_scores,
    score,
)
from redac.metrics.config import COMPOSITE_THRESHOLD  # noqa: E402



@pytest.fixture(scope="module")
def pair():
    return fx.load_article("001"), fx.load_source("001")


@pytest.fixture
def toy():
    """A metric declared the way a real one is: a decorator on the function, nothing else."""

    @register("toy", summary="a toy metric declared by the test", weight=1.0, threshold=0.9)
    def toy(article, source, cfg):
        return MetricResult(name="toy", value=0.5, figures={"h1": article.title[:10]}, feedback="Toy feedback.")

    yield toy
    registry.remove("toy")
    assert "toy" not in metric_names()


def test_toy_metric_is_scored_weighted_and_rendered(toy, pair):
    from rich.console import Console

    cfg = MetricsConfig(embedder="none")
    assert cfg.weights["toy"] == 1.0 and cfg.thresholds["toy"] == 0.9
    s = score(*pair, cfg=cfg)
    assert list(s.results)[-1] == "toy" and s.results["toy"].value == 0.5  # registered last, shown last
    others = {n: r for n, r in s.results.items() if n != "toy"}
    num = sum(cfg.weights[n] * r.value for n, r in others.items())
    den = sum(cfg.weights[n] for n in others)
    assert s.composite == pytest.approx((num + 1.0 * 0.5) / (den + 1.0))
    unweighted = cfg.model_copy(update={"weights": {k: w for k, w in cfg.weights.items() if k != "toy"}})
    assert score(*pair, cfg=unweighted).composite == pytest.approx(num / den)
    assert num / den > s.composite  # the toy's 0.5 pulls a good article's composite down
    console = Console(record=True, width=200)
    console.print(render_scores(s, cfg))
    out = console.export_text()
    assert "toy" in out and "a toy metric declared by the test" in out and "Toy feedback." in out
    assert "toy" not in METRIC_NAMES  # the built-in names; metric_names() lists later ones too
    assert "toy" in metric_names()


def test_toy_metric_config_names(toy, tmp_path):
    p = tmp_path / "metrics.yaml"
    p.write_text("version: 1\nweights:\n  toy: 0.5\n  length: 0.5\nthresholds:\n  toy: 0.2\n", encoding="utf-8")
    cfg = load_metrics_config(p)
    assert cfg.weights == {"toy": 0.5, "length": 0.5} and cfg.thresholds == {"toy": 0.2}


def test_needs_decide_when_a_metric_runs(pair):
    article, source = pair

    @register("toy_gold", summary="needs a gold article", weight=0.0, needs={Need.GOLD})
    def toy_gold(article, gold, cfg):
        return MetricResult(name="toy_gold", value=1.0 if gold.title == article.title else 0.0, feedback="Gold.")

    @register("toy_embed", summary="needs an embedder", weight=0.0, needs={Need.SOURCE, Need.EMBEDDER})
    def toy_embed(article, source, cfg):
        return MetricResult(name="toy_embed", value=1.0, feedback="Embedded.")

    try:
        cfg = MetricsConfig(embedder="none")
        assert "toy_gold" not in score(article, source, cfg=cfg).results
        with_gold = score(article, source, gold=article, cfg=cfg)
        assert with_gold.results["toy_gold"].value == 1.0 and "toy_embed" not in with_gold.results
    finally:
        registry.remove("toy_gold")
        registry.remove("toy_embed")


def test_a_name_is_registered_once():
    with pytest.raises(ValueError, match="already registered"):
        register("length", summary="again", weight=0.1)(lambda a, s, c: None)
    with pytest.raises(ValueError, match="invalid metric name"):
        register("composite", summary="reserved", weight=0.1)(lambda a, s, c: None)
    assert metric_names() == METRIC_NAMES


def test_every_builtin_metric_is_declared_completely():
    assert METRIC_NAMES == (
        "fact_recall", "fact_precision", "invented_facts", "labelled_facts", "coverage", "rouge", "gold_similarity",
        "length", "headings", "seo", "language", "readability", "boilerplate", "originality", "leaks",
    )
    for spec in registry.specs():
        # weight 0 only for a metric that is there for its gate
        assert spec.summary and (spec.weight > 0 or spec.gate) and callable(spec.fn), spec.name
        assert spec.fn.__name__ == spec.name
    assert registry.get("coverage").needs == {Need.SOURCE, Need.EMBEDDER}
    assert registry.get("gold_similarity").needs == {Need.GOLD}
    assert registry.get("labelled_facts").needs == {Need.SOURCE, Need.LABELS}
    assert registry.get("leaks").gate is not None and registry.get("language").gate is not None


def test_registry_and_metrics_yaml_agree():
    """evals/metrics.yaml lists every registered metric, in display order, with the registry's defaults."""
    raw = yaml.safe_load((ROOT / "evals" / "metrics.yaml").read_text(encoding="utf-8"))
    assert list(raw["weights"]) == list(metric_names())
    assert raw["weights"] == registry.default_weights()
    assert raw["thresholds"] == registry.default_thresholds(COMPOSITE_THRESHOLD)
    assert list(raw["thresholds"]) == list(registry.default_thresholds(COMPOSITE_THRESHOLD))
    assert [(g["metric"], g["min"], g.get("reason", ""), g.get("cap")) for g in raw["gates"]] == registry.default_gates()


@pytest.mark.parametrize("text,field,line", [
    ("version: 1\nweights:\n  length: 0.5\n  fact_recal: 0.3\n", "weights.fact_recal", 4),
    ("version: 1\nthresholds:\n  composite: 0.7\n  lenght: 0.9\n", "thresholds.lenght", 4),
    ("version: 1\ngates:\n  - metric: langage\n    min: 0.8\n", "gates.0.metric", 3),
])
def test_unknown_metric_names_the_key_path_and_the_known_names(tmp_path, text, field, line):
    p = tmp_path / "metrics.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_metrics_config(p)
    assert exc.value.field == field and exc.value.line == line
    assert "unknown metric" in str(exc.value) and "known: fact_recall, fact_precision" in str(exc.value)
    assert ("composite" in str(exc.value).split("known:")[1]) == field.startswith("thresholds")


def test_unknown_metric_in_python_config():
    with pytest.raises(ValueError, match=r"unknown metric 'nope' \(known: fact_recall, "):
        MetricsConfig(weights={"nope": 1.0})
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        MetricsConfig(thresholds={"nope": 0.5})
