"""The sentence-transformers model that turns passages and questions into vectors.

Example::

    >>> emb = load_embedder(Settings())
    >>> emb.encode_query("苏州2016年职工书屋多少家").shape
    (512,)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.settings import Settings


@dataclass
class Embedder:
    model: object  # SentenceTransformer; typed loosely so importing this module stays cheap
    model_id: str
    dimension: int
    max_tokens: int
    # Set at load when it reproduces ``encode`` exactly; None falls back to ``encode``.
    fast_query: Callable[[str], np.ndarray] | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def tokenizer(self):
        return self.model.tokenizer

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,  # inner product == cosine in FAISS
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        # Users repeat questions (the demo's example, retries after errors); a small
        # cache skips the model entirely for those.
        hit = self._cache.get(text)
        if hit is None:
            hit = self.fast_query(text) if self.fast_query else self.encode([text])[0]
            with self._lock:  # request threads share the cache
                if len(self._cache) >= 2048:
                    self._cache.pop(next(iter(self._cache)), None)
                self._cache[text] = hit
        return hit


def load_embedder(settings: Settings) -> Embedder:
    return _load(settings.model_path(), settings.model, settings.torch_threads)


@lru_cache(maxsize=2)
def _load(path: str, model_id: str, threads: int) -> Embedder:
    import torch
    from sentence_transformers import SentenceTransformer

    # One thread per request is faster on a 2-core box than torch fighting itself
    # across uvicorn's threads.
    if threads > 0:
        torch.set_num_threads(threads)
    model = SentenceTransformer(path, device="cpu")
    embedder = Embedder(
        model=model,
        model_id=model_id,
        dimension=int(
            getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)()
        ),
        max_tokens=int(model.max_seq_length),
    )
    embedder.fast_query = direct_query_encoder(embedder)
    return embedder


PROBES = ("苏州2016年职工书屋多少家", "无锡给多少困难职工的孩子发了助学金？", "工会")


def direct_query_encoder(embedder: Embedder) -> Callable[[str], np.ndarray] | None:
    """One question's vector by tokenizer + transformer + mean pooling, directly.

    ``SentenceTransformer.encode`` moves the model to its device, sets eval mode and
    runs generic batching on every call: for one short question that is ~1.2 ms of
    ~15 (BENCHMARKS.md). Used only if it reproduces ``encode`` on probe texts, so a
    model with other pooling or prompts simply keeps ``encode`` (returns None).
    """
    import torch

    model = embedder.model
    try:
        tokenizer, network = model[0].tokenizer, model[0].auto_model
    except (TypeError, AttributeError, IndexError, KeyError):
        return None
    max_len = embedder.max_tokens

    def encode(text: str) -> np.ndarray:
        with torch.inference_mode():
            batch = tokenizer([text], return_tensors="pt", truncation=True, max_length=max_len)
            hidden = network(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(pooled, dim=-1)[0]
            return np.ascontiguousarray(vector.numpy(), dtype=np.float32)

    try:
        same = all(np.allclose(encode(t), embedder.encode([t])[0], atol=1e-5) for t in PROBES)
    except Exception:  # any model this shortcut does not fit
        return None
    return encode if same else None
