"""FAISS vector index: exact inner product by default, HNSW for large corpora.

An HNSW graph is not rebuilt for every upload (minutes at a million chunks): a new
graph is the previous one copied with the new vectors added (:func:`extend_hnsw`).
Its nodes then no longer follow chunk order, so a *slot* array maps node → chunk
position; a chunk that went away (deleted or replaced document) leaves its node in
place, marked -1 and skipped by searches, until the deleted nodes reach
COMPACT_FRACTION of the graph and the next write rebuilds it whole.

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

from rag.settings import IndexKind, Settings

# Deleted nodes allowed in an HNSW graph before a write rebuilds it (compaction).
COMPACT_FRACTION = 0.2


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


def extend_hnsw(
    previous: faiss.IndexHNSW,
    previous_slots: np.ndarray | None,
    origin: np.ndarray,
    vectors: np.ndarray,
    hnsw_m: int,
) -> tuple[faiss.Index, np.ndarray | None] | None:
    """The graph for a new chunk list, built on ``previous`` instead of from scratch.

    ``origin[i]`` is the previous chunk position whose vector chunk ``i`` reuses, or -1
    for a new vector (``vectors[i]``). ``previous`` is never changed (it may still be
    answering questions): new vectors go into a copy. Returns the graph and its slots
    (None when they are simply chunk order), or None when a rebuild is due: a graph of
    another shape, or too many deleted nodes.
    """
    if previous.d != vectors.shape[1] or previous.hnsw.nb_neighbors(1) != hnsw_m:
        return None
    old_slots = (
        previous_slots if previous_slots is not None else np.arange(previous.ntotal, dtype=np.int64)
    )
    slot_of = np.full(int(old_slots.max(initial=-1)) + 1, -1, np.int64)  # old position → node
    live = old_slots >= 0
    slot_of[old_slots[live]] = np.flatnonzero(live)
    reused = origin >= 0
    new = np.flatnonzero(~reused)
    slots = np.full(previous.ntotal + len(new), -1, np.int64)
    slots[slot_of[origin[reused]]] = np.flatnonzero(reused)
    slots[previous.ntotal :] = new
    if (slots < 0).sum() > COMPACT_FRACTION * len(slots):
        return None
    index = previous
    if len(new):
        index = faiss.clone_index(previous)
        index.hnsw.efSearch = previous.hnsw.efSearch
        index.add(np.ascontiguousarray(vectors[new], dtype=np.float32))
    in_order = len(slots) == len(origin) and bool((slots == np.arange(len(slots))).all())
    return index, None if in_order else slots


def dense_index(
    vectors: np.ndarray,
    kind: IndexKind,
    settings: Settings,
    previous: faiss.Index | None = None,
    previous_slots: np.ndarray | None = None,
    origin: np.ndarray | None = None,
) -> tuple[faiss.Index, np.ndarray | None]:
    """The index for ``vectors``: an HNSW graph extended from ``previous`` where
    possible (see :func:`extend_hnsw`), else a new one. Returns (index, slots)."""
    if kind is IndexKind.HNSW and isinstance(previous, faiss.IndexHNSW) and origin is not None:
        extended = extend_hnsw(previous, previous_slots, origin, vectors, settings.hnsw_m)
        if extended is not None:
            return extended
    return build_dense(vectors, kind, settings.hnsw_m, ef_search=settings.hnsw_ef_search), None


class Slots:
    """Node → chunk position of an extended HNSW graph, and the selector that skips
    deleted nodes (kept here so FAISS's pointers stay valid)."""

    def __init__(self, positions: np.ndarray):
        self.positions = np.asarray(positions, dtype=np.int64)
        deleted = np.flatnonzero(self.positions < 0).astype(np.int64)
        self.live = len(self.positions) - len(deleted)
        self._batch = faiss.IDSelectorBatch(deleted) if len(deleted) else None
        self._not = faiss.IDSelectorNot(self._batch) if self._batch is not None else None

    def params(self, index: faiss.Index) -> faiss.SearchParametersHNSW | None:
        if self._not is None:
            return None
        return faiss.SearchParametersHNSW(sel=self._not, efSearch=index.hnsw.efSearch)


def search_dense(
    index: faiss.Index, query: np.ndarray, k: int, slots: Slots | None = None
) -> tuple[list[int], list[float]]:
    live = index.ntotal if slots is None else slots.live
    if live == 0:
        return [], []
    q = query.reshape(1, -1).astype(np.float32)
    if slots is None:
        scores, ids = index.search(q, min(k, live))
    else:
        scores, ids = index.search(q, min(k, live), params=slots.params(index))
        ids = np.where(ids >= 0, slots.positions[np.maximum(ids, 0)], -1)
    pairs = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
    return [i for i, _ in pairs], [round(s, 6) for _, s in pairs]
