"""Build, persist and load the corpus index: documents, chunks, FAISS and BM25.

On disk, ``index/`` holds numbered generations and a ``CURRENT`` pointer::

    index/CURRENT            -> "gen-20261123T181500-1234"
    index/gen-…/manifest.json  model, dimension, corpus hash, chunking, versions, file checksums
    index/gen-…/docs.json      documents with metadata and full text
    index/gen-…/chunks.json    chunk offsets
    index/gen-…/llm_tokens.json  cl100k token count of each chunk (Passage.tokens)
    index/gen-…/vectors.npy    chunk embeddings (reused when a document is unchanged)
    index/gen-…/dense.faiss
    index/gen-…/bm25/
    index/originals/<sha256>   the files as uploaded (PDF, .docx …), shared by generations

A new generation is written completely, then ``CURRENT`` is replaced atomically, so a
process killed mid-write leaves the previous index loadable.

Example::

    >>> idx = build_index(documents, embedder, settings)
    >>> save_index(idx, settings.index_dir)
    >>> idx = load_index(settings)
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import bm25s
import faiss
import numpy as np

from rag.chunking import Chunk, split_text
from rag.dense import Slots, dense_index, resolve_kind, search_dense
from rag.documents import Document
from rag.embedder import Embedder
from rag.lexical import build_bm25, search_bm25
from rag.metadata import DocMeta, infer_metadata
from rag.originals import original_ref, prune_originals, write_originals
from rag.sentences import split_sentences
from rag.settings import Settings
from rag.tokenization import tokenize
from rag.tokens import count_tokens

_CJK = re.compile(r"[\u4e00-\u9fff]")
# 5: every sentence is embedded (non-figure answers quote any sentence), not only
# those stating a figure. 6: documents carry their format, PDF page starts and a
# reference to the original file.
FORMAT_VERSION = 6
MAX_SENTENCE_CHARS = 400  # within m3e's 512-token window; the figure's clause is what matters
CURRENT = "CURRENT"
LOCK = ".lock"

# Told ``(stage, done, total)`` as an index is built: "chunking", "embedding" (texts),
# "indexing" (FAISS + BM25), then "saving" (rag/ingest.py). Upload status (api/uploads.py).
ProgressFn = Callable[[str, int, int], None]

log = logging.getLogger("rag.index")


class IndexLoadError(RuntimeError):
    """The index on disk is missing, corrupt or built for other settings."""


class IndexBusy(RuntimeError):
    """Another ingest holds the lock."""


class StoreUnavailable(IndexLoadError):
    """The database behind the index cannot be reached just now (RAG_STORE=postgres).

    Temporary by nature: the connection pool reconnects by itself, and the API answers
    503 with Retry-After meanwhile.
    """


@dataclass
class DocRecord:
    doc_id: str
    source: str
    text: str
    sha256: str
    meta: DocMeta
    format: str = "text"  # text | pdf | docx | html
    page_starts: list[int] | None = None  # offset where each PDF page begins
    original: dict | None = None  # {"sha256", "bytes", "media_type"} of the file (originals.py)
    # The original's bytes, from reading the file until the index is saved.
    data: bytes | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "text": self.text,
            "sha256": self.sha256,
            "meta": asdict(self.meta),
            "format": self.format,
            "page_starts": self.page_starts,
            "original": self.original,
        }

    @classmethod
    def from_json(cls, data: dict) -> DocRecord:
        # Records of format 4 and before have none of the last three: plain text.
        return cls(
            data["doc_id"],
            data["source"],
            data["text"],
            data["sha256"],
            DocMeta(**data["meta"]),
            format=data.get("format") or "text",
            page_starts=data.get("page_starts"),
            original=data.get("original"),
        )

    @classmethod
    def of(cls, doc: Document, meta: DocMeta) -> DocRecord:
        """The record of a document just read, holding its original file's bytes."""
        return cls(
            doc.doc_id,
            doc.source,
            doc.text,
            doc.sha256,
            meta,
            format=doc.format,
            page_starts=list(doc.page_starts) if doc.page_starts is not None else None,
            original=original_ref(doc.original, doc.source) if doc.original is not None else None,
            data=doc.original,
        )


def pending_originals(docs: dict[str, DocRecord]) -> dict[str, bytes]:
    """sha256 → bytes of the original files not saved yet."""
    return {
        r.original["sha256"]: r.data for r in docs.values() if r.data is not None and r.original
    }


def originals_saved(docs: dict[str, DocRecord]) -> None:
    """Let go of the bytes once they are stored (the records then only refer to them)."""
    for rec in docs.values():
        rec.data = None


@dataclass
class CorpusIndex:
    docs: dict[str, DocRecord]
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: faiss.Index
    bm25: bm25s.BM25
    manifest: dict
    df: dict[str, int] = field(default_factory=dict, repr=False)  # chunk frequency of each token
    # Every sentence of every document and its embedding: lets the answerer compare a
    # question with the one sentence around a figure, not only with the whole chunk.
    sentences: list[tuple[str, int, int]] = field(default_factory=list, repr=False)
    sentence_vectors: np.ndarray | None = field(default=None, repr=False)
    # HNSW node → chunk position, -1 for deleted nodes, once uploads have extended the
    # graph (rag/dense.py); None while nodes are in chunk order.
    dense_slots: np.ndarray | None = field(default=None, repr=False)
    # cl100k_base token count of each chunk, counted at ingest: tiktoken's tables cost the
    # serving process ~50 MB, and a loaded index never needs them. None for indexes
    # written before the counts were kept (and for rag/pg.py), which count on demand.
    llm_tokens: list[int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._slots = Slots(self.dense_slots) if self.dense_slots is not None else None
        self._sentence_rows: dict[str, tuple[list[int], list[int], int]] = {}
        row = 0
        for doc_id, group in itertools.groupby(self.sentences, key=lambda s: s[0]):
            spans = [(start, end) for _, start, end in group]
            self._sentence_rows[doc_id] = ([a for a, _ in spans], [b for _, b in spans], row)
            row += len(spans)

    def tokens_of(self, position: int) -> int:
        """cl100k_base tokens of the chunk at ``position`` (what Passage.tokens reports)."""
        if self.llm_tokens is not None:
            return self.llm_tokens[position]
        return count_tokens(self.chunks[position].text)

    # The two searches are methods so that another storage backend (rag/pg.py) can
    # answer them from its own tables while retrieval and answering stay unchanged.
    def search_dense(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        """Chunk positions and cosine scores of the ``k`` nearest chunks."""
        return search_dense(self.dense, vector, k, self._slots)

    def search_lexical(self, tokens: list[str], k: int) -> tuple[list[int], list[float]]:
        """Chunk positions and BM25 scores of the ``k`` best keyword matches."""
        return search_bm25(self.bm25, tokens, k)

    def sentence_row(self, doc_id: str, pos: int) -> int | None:
        """Row in ``sentence_vectors`` of the sentence holding character ``pos``."""
        found = self._sentence_rows.get(doc_id)
        if found is None:
            return None
        starts, ends, base = found
        i = bisect.bisect_right(starts, pos) - 1
        return base + i if i >= 0 and pos < ends[i] else None

    def sentences_between(self, doc_id: str, start: int, end: int) -> list[tuple[int, int, int]]:
        """``(row, start, end)`` of the embedded sentences of ``doc_id`` overlapping
        ``start:end`` (a chunk): the sentences a passage or span answer can quote."""
        found = self._sentence_rows.get(doc_id)
        if found is None:
            return []
        starts, ends, base = found
        i = max(0, bisect.bisect_right(starts, start) - 1)
        out = []
        while i < len(starts) and starts[i] < end:
            if ends[i] > start:
                out.append((base + i, starts[i], ends[i]))
            i += 1
        return out

    def search_sentences(self, vector: np.ndarray, k: int) -> list[int]:
        """Rows of the ``k`` sentences nearest to ``vector``: a name or a date is often in
        a caption or a short line that no chunk-level search ranks high."""
        if self.sentence_vectors is None or not len(self.sentence_vectors) or k <= 0:
            return []
        scores = self.sentence_vectors @ vector
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-scores[top])]]

    def chunk_at(self, doc_id: str, pos: int) -> int | None:
        """Position in ``chunks`` of the first chunk of ``doc_id`` holding character ``pos``."""
        if not hasattr(self, "_chunk_starts"):
            table: dict[str, tuple[list[int], list[int]]] = {}
            for i, c in enumerate(self.chunks):
                starts, ids = table.setdefault(c.doc_id, ([], []))
                starts.append(c.start)
                ids.append(i)
            self._chunk_starts = table
        found = self._chunk_starts.get(doc_id)
        if not found:
            return None
        starts, ids = found
        j = bisect.bisect_right(starts, pos) - 1
        return ids[max(j, 0)]

    def doc_of(self, chunk_index: int) -> DocRecord:
        return self.docs[self.chunks[chunk_index].doc_id]


def embedding_text(chunk: Chunk, meta: DocMeta) -> str:
    """What the model sees for a chunk: place, period and title first, then the passage.

    Titles and places are often far from the sentence holding a figure; putting them in
    every chunk lets a question naming the place and year find it.
    """
    head = " ".join(x for x in (meta.region, meta.period, meta.title) if x)
    return f"{head}\n{chunk.text}" if head else chunk.text


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """Every sentence an answer can quote (at least two CJK characters): figures are
    quoted from the sentences that state them, names and passages from any sentence."""
    return [s for s in split_sentences(text) if len(_CJK.findall(text[s.start : s.end])) >= 2]


def corpus_hash(docs: dict[str, DocRecord]) -> str:
    h = hashlib.sha256()
    for doc_id in sorted(docs):
        h.update(f"{doc_id}:{docs[doc_id].sha256}\n".encode())
    return h.hexdigest()


def chunk_settings(settings: Settings, embedder: Embedder) -> dict:
    # Leave room for the title prefix inside the model's window.
    size = min(settings.chunk_tokens, embedder.max_tokens - 96)
    return {"chunk_tokens": size, "overlap_tokens": min(settings.chunk_overlap_tokens, size // 2)}


def build_index(
    documents: list[Document],
    embedder: Embedder,
    settings: Settings,
    previous: CorpusIndex | None = None,
    metas: dict[str, DocMeta] | None = None,
    progress: bool | ProgressFn = False,
) -> CorpusIndex:
    """Index ``documents`` on top of ``previous`` (same doc_id replaces, unchanged text
    reuses vectors). ``progress``: True for a terminal bar, or a :data:`ProgressFn`."""
    metas = metas or {}
    docs: dict[str, DocRecord] = dict(previous.docs) if previous else {}
    for doc in documents:
        meta = metas.get(doc.doc_id) or infer_metadata(doc.text, doc.source)
        docs[doc.doc_id] = DocRecord.of(doc, meta)
    return _assemble(docs, embedder, settings, previous, progress)


def remove_documents(
    index: CorpusIndex, doc_ids: list[str], embedder: Embedder, settings: Settings
) -> CorpusIndex:
    docs = {k: v for k, v in index.docs.items() if k not in set(doc_ids)}
    return _assemble(docs, embedder, settings, index, progress=False)


def _assemble(
    docs: dict[str, DocRecord],
    embedder: Embedder,
    settings: Settings,
    previous: CorpusIndex | None,
    progress: bool | ProgressFn,
) -> CorpusIndex:
    stage = progress if callable(progress) else _quiet
    stage("chunking", 0, len(docs))
    chunking = chunk_settings(settings, embedder)
    reusable = _reusable_vectors(previous, chunking, embedder)
    origin: list[int] = []  # previous position of each chunk's reused vector, or -1
    reusable_sentences = _reusable_sentences(previous, embedder)

    # Vectors of unchanged documents are reused; every other text is embedded in one
    # pass at the end, so that texts of all documents are batched by length together.
    pending: list[str] = []

    def later(texts: list[str]) -> slice:
        pending.extend(texts)
        return slice(len(pending) - len(texts), len(pending))

    chunks: list[Chunk] = []
    parts: list[np.ndarray | slice] = []
    sentences: list[tuple[str, int, int]] = []
    sentence_parts: list[np.ndarray | slice] = []
    for doc_id in sorted(docs):
        rec = docs[doc_id]
        spans = answer_sentences(rec.text)
        sentences.extend((doc_id, a, b) for a, b in spans)
        old_sent = reusable_sentences.get((doc_id, rec.sha256))
        if old_sent is not None and len(old_sent) == len(spans):
            sentence_parts.append(old_sent)
        else:
            sentence_parts.append(
                later([rec.text[a:b].strip()[:MAX_SENTENCE_CHARS] for a, b in spans])
            )
        doc_chunks = split_text(
            rec.text,
            doc_id,
            embedder.count_tokens,
            chunking["chunk_tokens"],
            chunking["overlap_tokens"],
        )
        old_rows = reusable.get((doc_id, rec.sha256, _meta_key(rec.meta)))
        if old_rows is not None and len(old_rows) == len(doc_chunks):
            parts.append(previous.vectors[old_rows])
            origin.extend(old_rows)
        else:
            origin.extend([-1] * len(doc_chunks))
            parts.append(later([embedding_text(c, rec.meta) for c in doc_chunks]))
        chunks.extend(doc_chunks)
    if callable(progress):
        embedded = lambda done, total: progress("embedding", done, total)  # noqa: E731
        embedded(0, len(set(pending)))
    else:
        embedded = progress
    fresh = _embed_distinct(embedder, pending, embedded)
    stage("indexing", 0, len(chunks))
    vectors = _stack([fresh[p] if isinstance(p, slice) else p for p in parts], embedder.dimension)
    sentence_vectors = _stack(
        [fresh[p] if isinstance(p, slice) else p for p in sentence_parts], embedder.dimension
    )

    kind = resolve_kind(settings.index_kind, len(chunks), settings.hnsw_threshold)
    dense, slots = dense_index(
        vectors,
        kind,
        settings,
        previous.dense if previous else None,
        previous.dense_slots if previous else None,
        np.array(origin, np.int64),
    )
    chunk_tokens = [tokenize(c.text) for c in chunks]
    bm25 = build_bm25(chunk_tokens)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_id": embedder.model_id,
        # int8 vectors differ from fp32 ones: an index is queried at the precision it was built
        "precision": embedder.precision,
        "dimension": embedder.dimension,
        "corpus_hash": corpus_hash(docs),
        "chunking": chunking,
        "index_kind": kind.value,
        "n_docs": len(docs),
        "n_chunks": len(chunks),
        # Original files this generation needs kept (rag/originals.py)
        "originals": sorted({r.original["sha256"] for r in docs.values() if r.original}),
        "versions": {
            p: _version(p)
            for p in ("faiss-cpu", "bm25s", "onnxruntime", "sentence-transformers", "jieba")
        },
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    df: dict[str, int] = {}
    for tokens in chunk_tokens:
        for t in set(tokens):
            df[t] = df.get(t, 0) + 1
    # A reused vector is an unchanged chunk: its count is reused too (no tiktoken needed).
    counted = getattr(previous, "llm_tokens", None)
    llm_tokens = [
        counted[o] if o >= 0 and counted is not None else count_tokens(c.text)
        for c, o in zip(chunks, origin, strict=True)
    ]
    return CorpusIndex(
        docs,
        chunks,
        vectors,
        dense,
        bm25,
        manifest,
        df,
        sentences,
        sentence_vectors,
        slots,
        llm_tokens,
    )


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _embed_distinct(embedder: Embedder, texts: list[str], progress) -> np.ndarray:
    """Vectors of ``texts``, each distinct text embedded once (headings repeat)."""
    rows: dict[str, int] = {}
    order = [rows.setdefault(t, len(rows)) for t in texts]
    if not rows:
        return np.zeros((0, embedder.dimension), np.float32)
    return embedder.encode(list(rows), progress=progress)[order]


def _stack(parts: list[np.ndarray], dimension: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, dimension), np.float32)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def same_vectors(manifest: dict, embedder: Embedder) -> bool:
    """Whether vectors recorded under ``manifest`` are those ``embedder`` would give."""
    return manifest.get("model_id") == embedder.model_id and manifest.get(
        "precision", "fp32"
    ) == getattr(embedder, "precision", "fp32")


def _meta_key(meta: DocMeta) -> str:
    # Metadata is part of the embedded text, so a changed title or region means re-embedding.
    return json.dumps(asdict(meta), sort_keys=True, ensure_ascii=False)


def _reusable_sentences(previous: CorpusIndex | None, embedder: Embedder) -> dict:
    if previous is None or previous.sentence_vectors is None:
        return {}
    if not same_vectors(previous.manifest, embedder):
        return {}
    out: dict = {}
    for doc_id, (starts, _ends, base) in previous._sentence_rows.items():
        rec = previous.docs.get(doc_id)
        if rec is not None:
            out[(doc_id, rec.sha256)] = previous.sentence_vectors[base : base + len(starts)]
    return out


def _reusable_vectors(previous: CorpusIndex | None, chunking: dict, embedder: Embedder) -> dict:
    if previous is None or previous.manifest.get("chunking") != chunking:
        return {}
    if not same_vectors(previous.manifest, embedder):
        return {}
    out: dict = {}
    positions: dict[str, list[int]] = {}
    for i, chunk in enumerate(previous.chunks):
        positions.setdefault(chunk.doc_id, []).append(i)
    for doc_id, rows in positions.items():
        rec = previous.docs[doc_id]
        out[(doc_id, rec.sha256, _meta_key(rec.meta))] = rows
    return out


# ---------------------------------------------------------------- persistence


@contextlib.contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Serialise writers; a second ingest is told plainly instead of waiting silently."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # The folder is for the operator's log; users (HTTP 409) are told what to do.
            log.warning("index lock %s is held by another writer", index_dir / LOCK)
            raise IndexBusy("另一个导入任务正在写入索引，请等它完成后再试。") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def save_index(index: CorpusIndex, index_dir: Path, keep: int = 2) -> Path:
    """Write a new generation and point CURRENT at it; older generations beyond ``keep`` go."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    with open(tmp / "docs.json", "w", encoding="utf-8") as f:
        json.dump([d.to_json() for d in index.docs.values()], f, ensure_ascii=False)
    with open(tmp / "chunks.json", "w", encoding="utf-8") as f:
        json.dump([[c.doc_id, c.start, c.end] for c in index.chunks], f)
    with open(tmp / "df.json", "w", encoding="utf-8") as f:
        json.dump(index.df, f, ensure_ascii=False)
    if index.llm_tokens is not None:
        with open(tmp / "llm_tokens.json", "w", encoding="utf-8") as f:
            json.dump(index.llm_tokens, f)
    np.save(tmp / "vectors.npy", index.vectors)
    write_originals(index_dir, pending_originals(index.docs))
    with open(tmp / "sentences.json", "w", encoding="utf-8") as f:
        json.dump(index.sentences, f)
    np.save(tmp / "sentence_vectors.npy", index.sentence_vectors)
    faiss.write_index(index.dense, str(tmp / "dense.faiss"))
    if index.dense_slots is not None:
        np.save(tmp / "dense_slots.npy", index.dense_slots)
    index.bm25.save(str(tmp / "bm25"))
    manifest = dict(index.manifest, files=_checksums(tmp))
    _write_durably(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    # Every file on disk before CURRENT can name them: after a power cut, not only
    # after a killed process, CURRENT never points at a generation with missing data.
    _fsync_tree(tmp)
    final = index_dir / name
    os.rename(tmp, final)
    _fsync_dir(index_dir)  # the generation's name is durable before CURRENT can use it
    previous = current_generation(index_dir)
    _write_durably(index_dir / f".{CURRENT}.tmp", name)
    os.replace(index_dir / f".{CURRENT}.tmp", index_dir / CURRENT)
    _fsync_dir(index_dir)
    index.manifest = manifest
    originals_saved(index.docs)
    _prune(index_dir, keep_names={name, previous.name if previous else name}, keep=keep)
    prune_originals(index_dir)
    return final


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
        else:
            _fsync_dir(path)
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _checksums(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _prune(index_dir: Path, keep_names: set[str], keep: int) -> None:
    """Keep the new generation, the one it replaced (a reader may still be loading
    it), and the newest others up to ``keep`` in all.

    Age is modification time, not the name: names from different processes within
    one second sort by pid. Generations left by writers killed before the swap of
    CURRENT are among the others, so they go too.
    """
    others = [p for p in index_dir.glob("gen-*") if p.is_dir() and p.name not in keep_names]
    others.sort(key=lambda p: p.stat().st_mtime_ns)
    spare = max(0, keep - len(keep_names))
    for old in others[: max(0, len(others) - spare)]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in index_dir.glob(".tmp-*"):
        # Leftovers of killed writers; only ours is live and it has been renamed already.
        shutil.rmtree(tmp, ignore_errors=True)


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return index_dir / name if name else None


def load_index(
    settings: Settings, embedder: Embedder | None = None, verify: bool = True
) -> CorpusIndex:
    """Load the current generation, checking it matches the model and is intact."""
    index_dir = settings.index_dir
    rerun = "请重新运行 `rag ingest` 建立索引。"
    gen = current_generation(index_dir)
    # Messages name files inside the index, never the folder on the server (they reach
    # /readyz and the CLI); the log has the folder.
    if gen is None or not gen.is_dir():
        log.warning("no index in %s (CURRENT: %s)", index_dir, gen)
        raise IndexLoadError(f"没有找到索引。{rerun}")
    try:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("unreadable manifest %s: %s", gen / "manifest.json", exc)
        raise IndexLoadError(f"索引清单 manifest.json 损坏。{rerun}") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(
            f"索引格式版本 {manifest.get('format_version')} 与程序（{FORMAT_VERSION}）不符。{rerun}"
        )
    if manifest.get("model_id") != settings.model:
        raise IndexLoadError(
            f"索引由模型 {manifest.get('model_id')!r} 建立，当前设置为 {settings.model!r}。{rerun}"
        )
    if embedder is not None and manifest.get("dimension") != embedder.dimension:
        raise IndexLoadError(
            f"索引向量维度 {manifest.get('dimension')} 与模型维度 {embedder.dimension} 不符。{rerun}"
        )
    if embedder is not None and not same_vectors(manifest, embedder):
        raise IndexLoadError(
            f"索引以 {manifest.get('precision', 'fp32')} 精度的向量建立，当前为 {embedder.precision}"
            f"（RAG_EMBED_PRECISION）。{rerun}"
        )
    if verify:
        actual = _checksums(gen)
        for name, digest in manifest.get("files", {}).items():
            if actual.get(name) != digest:
                raise IndexLoadError(f"索引文件 {name} 已损坏或被截断。{rerun}")
    try:
        docs = {
            d["doc_id"]: DocRecord.from_json(d)
            for d in json.loads((gen / "docs.json").read_text("utf-8"))
        }
        raw_chunks = json.loads((gen / "chunks.json").read_text("utf-8"))
        chunks = []
        counters: dict[str, int] = {}
        for doc_id, start, end in raw_chunks:
            n = counters.get(doc_id, 0)
            counters[doc_id] = n + 1
            chunks.append(Chunk(f"{doc_id}#{n}", doc_id, docs[doc_id].text[start:end], start, end))
        df = json.loads((gen / "df.json").read_text("utf-8"))
        vectors = np.load(gen / "vectors.npy")
        sentences = [tuple(x) for x in json.loads((gen / "sentences.json").read_text("utf-8"))]
        sentence_vectors = np.load(gen / "sentence_vectors.npy")
        dense = faiss.read_index(str(gen / "dense.faiss"))
        slots_file = gen / "dense_slots.npy"
        slots = np.load(slots_file) if slots_file.exists() else None
        bm25 = bm25s.BM25.load(str(gen / "bm25"))
        tokens_file = gen / "llm_tokens.json"
        llm_tokens = json.loads(tokens_file.read_text("utf-8")) if tokens_file.exists() else None
    except Exception as exc:  # any unreadable part means the same thing to the user
        log.warning("cannot read the index in %s: %r", gen, exc)
        raise IndexLoadError(f"索引无法读取（{type(exc).__name__}）。{rerun}") from None
    live = dense.ntotal if slots is None else int((slots >= 0).sum())
    nodes = dense.ntotal if slots is None else len(slots)
    if live != len(chunks) or nodes != dense.ntotal or len(vectors) != len(chunks):
        raise IndexLoadError(f"索引各部分条目数不一致。{rerun}")
    if dense.d != manifest.get("dimension"):
        raise IndexLoadError(f"向量索引维度 {dense.d} 与清单不符。{rerun}")
    if isinstance(dense, faiss.IndexHNSW):
        dense.hnsw.efSearch = settings.hnsw_ef_search
    if len(sentence_vectors) != len(sentences):
        raise IndexLoadError(f"索引句向量条目数不一致。{rerun}")
    if llm_tokens is not None and len(llm_tokens) != len(chunks):
        raise IndexLoadError(f"索引分块词元数条目数不一致。{rerun}")
    return CorpusIndex(
        docs,
        chunks,
        vectors,
        dense,
        bm25,
        manifest,
        df,
        sentences,
        sentence_vectors,
        slots,
        llm_tokens,
    )
