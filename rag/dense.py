"""FAISS vector index: exact inner product by default, HNSW for large corpora.

Example::

    >>> import numpy as np
    >>> vecs = np.eye(3, dtype="float32")
    >>> index = build_dense(vecs, IndexKind.FLAT)
    >>> search_dense(index, vecs[1], k=1)
    ([1], [1.0])
"""

from __future__ import annotations

import faiss
import numpy as np

from rag.settings import IndexKind


def resolve_kind(kind: IndexKind, n_vectors: int, hnsw_threshold: int) -> IndexKind:
    """AUTO picks flat for small corpora (exact, and fast enough) and HNSW past the threshold."""
    if kind is IndexKind.AUTO:
        return IndexKind.HNSW if n_vectors >= hnsw_threshold else IndexKind.FLAT
    return kind


def build_dense(
    vectors: np.ndarray,
    kind: IndexKind,
    hnsw_m: int = 32,
    ef_construction: int = 80,
    ef_search: int = 128,
) -> faiss.Index:
    dim = vectors.shape[1]
    if kind is IndexKind.HNSW:
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
    elif kind is IndexKind.FLAT:
        index = faiss.IndexFlatIP(dim)
    else:
        raise ValueError(f"resolve IndexKind.AUTO before building, got {kind}")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def search_dense(index: faiss.Index, query: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    if index.ntotal == 0:
        return [], []
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), min(k, index.ntotal))
    pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
    return [i for i, _ in pairs], [round(s, 6) for _, s in pairs]
