"""BM25 over jieba tokens (bm25s).

Example::

    >>> index = build_bm25([["职工", "书屋"], ["劳模"]])
    >>> search_bm25(index, ["书屋"], k=1)[0]
    [0]
"""

from __future__ import annotations

import bm25s
import numpy as np


def build_bm25(corpus_tokens: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    # bm25s refuses an empty document list; an index with one empty doc scores nothing.
    vocab_docs = corpus_tokens if corpus_tokens else [[]]
    tokenized = bm25s.tokenization.Tokenized(*_to_ids(vocab_docs))
    index.index(tokenized, show_progress=False)
    return index


def _to_ids(corpus_tokens: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {"": 0}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus_tokens]
    return ids, vocab


def search_bm25(
    index: bm25s.BM25, query_tokens: list[str], k: int
) -> tuple[list[int], list[float]]:
    vocab = index.vocab_dict
    known = [t for t in query_tokens if t in vocab]
    if not known:
        return [], []
    scores = index.get_scores(known)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top])]
    pairs = [(int(i), float(scores[i])) for i in top if scores[i] > 0]
    return [i for i, _ in pairs], [round(s, 6) for _, s in pairs]
