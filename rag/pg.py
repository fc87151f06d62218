"""PostgreSQL + pgvector storage backend (``RAG_STORE=postgres``, ``RAG_DATABASE_URL=…``).

The same corpus as the embedded backend (rag/index.py), in tables::

    rag_corpus    one row: corpus_version (bumped by every write), manifest, BM25 stats
    rag_docs      documents: text, metadata, sentence spans and sentence embeddings
    rag_chunks    chunks: offsets, jieba token count, embedding vector(dim) + HNSW index
    rag_postings  (term, chunk) → term frequency: an inverted index of jieba tokens
    rag_terms     term → number of chunks holding it
    rag_originals the original files (PDF, .docx …) by SHA-256, as GET …/original serves them

Searching is SQL: dense search is ``ORDER BY embedding <#> query`` (pgvector's negative
inner product; the embeddings are normalised, so it is cosine), over the HNSW index or
exactly, as ``RAG_INDEX_KIND`` says for FAISS; keyword search is the same BM25 (Lucene
variant, k1 = 1.5, b = 0.75) that bm25s computes in the embedded backend, over the
stored jieba tokens, the question's tokens OR-ed (exact up to 10,000 chunks and 2,000
chunks per term; approximate past that, see EXACT_MAX_CHUNKS and POSTINGS_PER_TERM).
Both return chunk positions, so
retrieval.py fuses them with RRF exactly as before and the answerer never knows which
backend it talks to.

What a replica holds in memory (:class:`PgIndex`) is what the answerer reads besides
the two searches: document text (for quotes), chunk offsets, term frequencies and the
sentence embeddings. Chunk embeddings stay in the database.

Writes (:func:`save_to_pg`) happen in one transaction under an advisory lock: the rows
of new, changed and removed documents only, term counts adjusted, and
``corpus_version`` bumped. Every replica polls that number (at most once a second,
api/state.py) and reloads when it moves.

Example::

    >>> settings = Settings(store="postgres", database_url="postgresql://…/rag")
    >>> save_to_pg(load_index(Settings()), settings)       # what `rag migrate` does
    >>> idx = load_pg_index(settings)
    >>> positions, scores = idx.search_lexical(["职工", "书屋"], k=3)   # as bm25s ranks them
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rag.chunking import Chunk
from rag.dense import resolve_kind
from rag.embedder import Embedder
from rag.index import (
    FORMAT_VERSION,
    CorpusIndex,
    DocRecord,
    IndexBusy,
    IndexLoadError,
    StoreUnavailable,
    _meta_key,
    load_index,
    originals_saved,
    pending_originals,
)
from rag.metadata import DocMeta
from rag.originals import read_original
from rag.settings import IndexKind, Settings
from rag.tokenization import tokenize

log = logging.getLogger("rag.pg")

# 2: rag_docs.format, page_starts, original and rag_originals (a version-1 database is
# upgraded in place by the first writer: see _upgrade_schema)
SCHEMA_VERSION = 2
# pg_advisory_lock key for writers: the bytes of "rag-ingest" folded into a bigint.
LOCK_KEY = int.from_bytes(b"ragingst", "big") & 0x7FFF_FFFF_FFFF_FFFF
# bm25s defaults (rag/lexical.py builds ``bm25s.BM25()``): Lucene BM25.
K1, B = 1.5, 0.75
HNSW_M, HNSW_EF_CONSTRUCTION = 16, 64
# How long a search waits for a pooled connection: while the database is down, a
# question gets its 503 after this long.
POOL_TIMEOUT_S = 2.0
# A lost connection is retried with backoff (1, 2, 4 … s) for this long, then given up;
# after that every wait for a connection tries afresh at once. Kept short so that the
# pool is back within a second or two of the database, however long it was away.
RECONNECT_TIMEOUT_S = 4.0
# Longest postings list read per query term (see _LEXICAL), and the corpus size up to
# which RAG_INDEX_KIND=auto searches vectors exactly (a scan of 10,000 rows ≈ 6 ms).
POSTINGS_PER_TERM = 2000
EXACT_MAX_CHUNKS = 10_000
RERUN = "请运行 `rag ingest` 或 `rag migrate` 把索引写入数据库。"

TABLES = ("rag_postings", "rag_terms", "rag_chunks", "rag_docs", "rag_corpus", "rag_originals")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rag_corpus (
    id             int PRIMARY KEY CHECK (id = 1),
    version        bigint NOT NULL,
    schema_version int NOT NULL,
    dimension      int NOT NULL,
    manifest       jsonb NOT NULL,
    n_chunks       bigint NOT NULL,
    total_tokens   bigint NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS rag_docs (
    doc_id           text PRIMARY KEY,
    source           text NOT NULL,
    text             text NOT NULL,
    sha256           text NOT NULL,
    meta             jsonb NOT NULL,
    meta_key         text NOT NULL,
    sentence_spans   int[] NOT NULL,   -- start0, end0, start1, end1, …
    sentence_vectors bytea NOT NULL,   -- float32 little-endian, n_sentences × dimension
    format           text NOT NULL DEFAULT 'text',
    page_starts      int[],            -- PDF: offset where each page begins
    original         jsonb             -- sha256, bytes and media_type of its rag_originals row
);
CREATE TABLE IF NOT EXISTS rag_originals (
    sha256 text PRIMARY KEY,
    data   bytea NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS rag_chunk_ids;
CREATE TABLE IF NOT EXISTS rag_chunks (
    id        bigint PRIMARY KEY DEFAULT nextval('rag_chunk_ids'),
    doc_id    text NOT NULL REFERENCES rag_docs ON DELETE CASCADE,
    seq       int NOT NULL,
    start_pos int NOT NULL,
    end_pos   int NOT NULL,
    n_tokens  int NOT NULL,
    embedding vector({dim}) NOT NULL,
    UNIQUE (doc_id, seq)
);
-- 512 float32 are just over the 2 kB at which PostgreSQL would compress them out of
-- line; kept in the row, an exact scan reads them five times faster.
ALTER TABLE rag_chunks ALTER COLUMN embedding SET STORAGE PLAIN;
{hnsw};
-- Rows are written and deleted with their chunks by this module (no foreign key:
-- checking one per posting would slow bulk loads for nothing).
CREATE TABLE IF NOT EXISTS rag_postings (
    term     text NOT NULL,
    chunk_id bigint NOT NULL,
    tf       int NOT NULL,
    dl       int NOT NULL,   -- the chunk's token count, here so ranking needs no join
    impact   real NOT NULL   -- BM25 tf part when written: the order to read a long list in
);
CREATE INDEX IF NOT EXISTS rag_postings_term ON rag_postings (term, impact DESC)
    INCLUDE (chunk_id, tf, dl);
CREATE INDEX IF NOT EXISTS rag_postings_chunk ON rag_postings (chunk_id);
CREATE TABLE IF NOT EXISTS rag_terms (
    term text PRIMARY KEY,
    df   int NOT NULL
);
"""

_UPGRADE_FROM_1 = """
ALTER TABLE rag_docs ADD COLUMN IF NOT EXISTS format text NOT NULL DEFAULT 'text';
ALTER TABLE rag_docs ADD COLUMN IF NOT EXISTS page_starts int[];
ALTER TABLE rag_docs ADD COLUMN IF NOT EXISTS original jsonb;
CREATE TABLE IF NOT EXISTS rag_originals (sha256 text PRIMARY KEY, data bytea NOT NULL);
UPDATE rag_corpus SET schema_version = 2;
"""

_HNSW = (
    "CREATE INDEX IF NOT EXISTS rag_chunks_embedding ON rag_chunks"
    f" USING hnsw (embedding vector_ip_ops) WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
)

_DENSE = """
SELECT id, -(embedding <#> %(q)s) AS score
FROM rag_chunks
ORDER BY embedding <#> %(q)s
LIMIT %(k)s
"""

# BM25 exactly as bm25s scores it: idf = ln(1 + (N - df + .5) / (df + .5)),
# tf part = tf / (tf + k1 (1 - b + b dl / avgdl)), summed over the query's tokens
# (a repeated token counts again, as in bm25s). A term found in more than
# POSTINGS_PER_TERM chunks (a word like 职工 in a large corpus: small idf, long list)
# contributes through its POSTINGS_PER_TERM highest-impact chunks only; the scores
# of what is read stay exact. Below that size, the ranking is bm25s's.
_LEXICAL = f"""
WITH q AS (
    SELECT term, count(*)::float8 AS qtf FROM unnest(%(terms)s::text[]) AS term GROUP BY term
), s AS (
    SELECT n_chunks::float8 AS n,
           greatest(total_tokens::float8 / greatest(n_chunks, 1), 1e-9) AS avgdl
    FROM rag_corpus WHERE id = 1
)
SELECT p.chunk_id,
       sum(q.qtf * ln(1 + (s.n - t.df + 0.5) / (t.df + 0.5))
           * p.tf / (p.tf + {K1} * (1 - {B} + {B} * p.dl / s.avgdl))) AS score
FROM q
JOIN rag_terms t ON t.term = q.term
CROSS JOIN s
CROSS JOIN LATERAL (
    SELECT chunk_id, tf, dl FROM rag_postings
    WHERE term = q.term
    ORDER BY impact DESC
    LIMIT {POSTINGS_PER_TERM}
) p
GROUP BY p.chunk_id
ORDER BY score DESC, p.chunk_id
LIMIT %(k)s
"""


# ------------------------------------------------------------------ connections


def database_url(settings: Settings) -> str:
    if not settings.database_url:
        raise IndexLoadError(
            "RAG_STORE=postgres 需要 RAG_DATABASE_URL（例如 postgresql://user:pass@host:5432/rag）。"
        )
    return settings.database_url


def _psycopg():
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency of the project
        raise IndexLoadError(
            "RAG_STORE=postgres 需要 psycopg：pip install 'psycopg[binary,pool]' pgvector"
        ) from None
    return psycopg


def _register_vector(conn) -> bool:
    """Teach the connection pgvector's types; False while the extension is missing."""
    if conn.adapters.types.get("vector") is not None:
        return True
    from pgvector.psycopg import register_vector

    psycopg = _psycopg()
    try:
        register_vector(conn)
    except psycopg.ProgrammingError:  # "vector type not found in the database"
        if not conn.autocommit:
            conn.rollback()
        return False
    return True


def _configure(conn) -> None:
    _register_vector(conn)
    if not conn.autocommit:
        conn.commit()  # the pool wants its connections idle


_pools: dict[str, object] = {}
_pools_lock = threading.Lock()


def pool(settings: Settings):
    """This process's connection pool for the database (created on first use)."""
    url = database_url(settings)
    key = f"{os.getpid()}:{url}"
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            _psycopg()
            from psycopg_pool import ConnectionPool

            found = ConnectionPool(
                url,
                min_size=1,
                max_size=max(1, settings.pg_pool_size),
                configure=_configure,
                # An idle connection may have died with a database restart: check it
                # (an empty query, ~0.1 ms) before handing it out, not after a failure.
                check=ConnectionPool.check_connection,
                name="rag",
                timeout=POOL_TIMEOUT_S,
                reconnect_timeout=RECONNECT_TIMEOUT_S,
                open=True,
            )
            _pools[key] = found
    return found


@contextlib.contextmanager
def connection(settings: Settings) -> Iterator:
    """A pooled connection in a transaction (committed on exit, rolled back on error).

    No connection within POOL_TIMEOUT_S, or one lost mid-query, is StoreUnavailable.
    """
    psycopg = _psycopg()
    from psycopg_pool import PoolTimeout

    try:
        with pool(settings).connection() as conn:
            _register_vector(conn)
            yield conn
    except (PoolTimeout, psycopg.OperationalError, psycopg.InterfaceError) as exc:
        log.warning("database unavailable: %s", _short(exc))
        raise StoreUnavailable(f"无法连接 PostgreSQL：{_short(exc)}") from None


def close_pools() -> None:
    with _pools_lock:
        for p in _pools.values():
            with contextlib.suppress(Exception):
                p.close()
        _pools.clear()


atexit.register(close_pools)


def _connect(settings: Settings):
    """A connection of its own, for loads and writes (rare, long, or holding a lock)."""
    psycopg = _psycopg()
    try:
        return psycopg.connect(database_url(settings), connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"无法连接 PostgreSQL：{_short(exc)}") from None


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """A connection lost in the middle of a write or a lock is StoreUnavailable too."""
    psycopg = _psycopg()
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        raise StoreUnavailable(f"与 PostgreSQL 的连接中断：{_short(exc)}") from None


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# ------------------------------------------------------------------ the index


class PgIndex(CorpusIndex):
    """A :class:`CorpusIndex` whose two searches are SQL; the rest is in memory.

    ``vectors`` (chunk embeddings) are fetched from the database only when asked for,
    which only a write does (to reuse the embeddings of unchanged documents).
    """

    def __init__(
        self,
        docs: dict[str, DocRecord],
        chunks: list[Chunk],
        manifest: dict,
        df: dict[str, int],
        sentences: list[tuple[str, int, int]],
        sentence_vectors: np.ndarray,
        *,
        settings: Settings,
        chunk_ids: list[int],
        version: int,
        vectors: np.ndarray | None = None,
    ):
        self.settings = settings
        self.version = version
        self.chunk_ids = chunk_ids
        self.position = {cid: i for i, cid in enumerate(chunk_ids)}
        threshold = min(settings.hnsw_threshold, EXACT_MAX_CHUNKS)
        kind = resolve_kind(settings.index_kind, len(chunks), threshold)
        self.exact = kind is IndexKind.FLAT
        super().__init__(
            docs, chunks, vectors, None, None, manifest, df, sentences, sentence_vectors
        )

    def __repr__(self) -> str:
        return (
            f"PgIndex(version={self.version}, docs={len(self.docs)}, chunks={len(self.chunks)},"
            f" exact={self.exact})"
        )

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def generation(self) -> str:
        return f"pg-{self.version}"

    # -------------------------------------------------------------- searches

    def search_dense(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        if not self.chunks:
            return [], []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        with connection(self.settings) as conn:
            if self.exact:
                # Same as FAISS flat: every chunk scored, no approximation.
                conn.execute("SET LOCAL enable_indexscan = off")
            else:
                ef = max(self.settings.hnsw_ef_search, k)
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(ef),))
            rows = conn.execute(_DENSE, {"q": query, "k": k}).fetchall()
        return self._positions(rows)

    def search_lexical(self, tokens: list[str], k: int) -> tuple[list[int], list[float]]:
        if not tokens or not self.chunks:
            return [], []
        with connection(self.settings) as conn:
            rows = conn.execute(_LEXICAL, {"terms": list(tokens), "k": k}).fetchall()
        return self._positions(rows)

    def _positions(self, rows) -> tuple[list[int], list[float]]:
        ids, scores = [], []
        for chunk_id, score in rows:
            # A chunk written by another replica after our snapshot is not ours to cite
            # yet; the next reload (within a second or so) brings it in.
            pos = self.position.get(chunk_id)
            if pos is not None:
                ids.append(pos)
                scores.append(round(float(score), 6))
        return ids, scores

    # ---------------------------------------------------------------- vectors

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = self._fetch_vectors()
        return self._vectors

    @vectors.setter
    def vectors(self, value: np.ndarray | None) -> None:
        self._vectors = value

    def _fetch_vectors(self) -> np.ndarray:
        dim = int(self.manifest.get("dimension", 0))
        if not self.chunk_ids:
            return np.zeros((0, dim), np.float32)
        with connection(self.settings) as conn:
            rows = conn.execute(
                "SELECT id, embedding FROM rag_chunks WHERE id = ANY(%s)", (self.chunk_ids,)
            ).fetchall()
        if len(rows) != len(self.chunk_ids):
            raise IndexLoadError("数据库中的索引已被其他进程修改，请重新加载后再试。")
        out = np.empty((len(self.chunk_ids), dim), np.float32)
        for chunk_id, emb in rows:
            out[self.position[chunk_id]] = emb.to_numpy() if hasattr(emb, "to_numpy") else emb
        return out


# ------------------------------------------------------------------ reading


def corpus_version(settings: Settings) -> int | None:
    """The current ``corpus_version``; None when the database holds no index yet."""
    psycopg = _psycopg()
    with connection(settings) as conn:  # StoreUnavailable when it cannot be reached
        try:
            row = conn.execute("SELECT version FROM rag_corpus WHERE id = 1").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return int(row[0]) if row else None


def load_pg_index(
    settings: Settings, embedder: Embedder | None = None, check_model: bool = True
) -> PgIndex:
    """Everything but the chunk embeddings, from one consistent snapshot."""
    psycopg = _psycopg()
    try:
        # A connection of its own: loads are rare, and a database that is down should
        # say so at once rather than after the pool's timeout.
        with _connect(settings) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _read(conn, settings, embedder, check_model)
    except psycopg.errors.UndefinedTable:
        raise IndexLoadError(f"数据库中还没有索引。{RERUN}") from None
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"无法连接 PostgreSQL：{_short(exc)}") from None
    except psycopg.Error as exc:
        raise IndexLoadError(f"从 PostgreSQL 读取索引失败：{_short(exc)}") from None


def _read(conn, settings: Settings, embedder: Embedder | None, check_model: bool) -> PgIndex:
    row = conn.execute(
        "SELECT version, schema_version, dimension, manifest FROM rag_corpus WHERE id = 1"
    ).fetchone()
    if row is None:
        raise IndexLoadError(f"数据库中还没有索引。{RERUN}")
    version, schema_version, dim, manifest = row
    if schema_version != SCHEMA_VERSION:
        raise IndexLoadError(
            f"数据库表结构版本 {schema_version} 与程序（{SCHEMA_VERSION}）不符。请运行 `rag migrate`。"
        )
    if check_model:
        _check_manifest(manifest, settings, embedder)
    docs: dict[str, DocRecord] = {}
    sentences: list[tuple[str, int, int]] = []
    parts: list[np.ndarray] = []
    cur = conn.execute(
        "SELECT doc_id, source, text, sha256, meta, sentence_spans, sentence_vectors,"
        ' format, page_starts, original FROM rag_docs ORDER BY doc_id COLLATE "C"'
    )
    for doc_id, source, text, sha256, meta, spans, blob, fmt, pages, original in cur:
        docs[doc_id] = DocRecord(
            doc_id, source, text, sha256, DocMeta(**meta), fmt, pages, original
        )
        sentences.extend((doc_id, spans[i], spans[i + 1]) for i in range(0, len(spans), 2))
        parts.append(np.frombuffer(blob, dtype="<f4").reshape(-1, dim))
    sentence_vectors = (
        np.concatenate(parts).astype(np.float32, copy=False)
        if parts
        else np.zeros((0, dim), np.float32)
    )
    chunks: list[Chunk] = []
    chunk_ids: list[int] = []
    cur = conn.execute(
        'SELECT id, doc_id, seq, start_pos, end_pos FROM rag_chunks ORDER BY doc_id COLLATE "C", seq'
    )
    for chunk_id, doc_id, seq, start, end in cur:
        text = docs[doc_id].text
        chunks.append(Chunk(f"{doc_id}#{seq}", doc_id, text[start:end], start, end))
        chunk_ids.append(chunk_id)
    df = dict(conn.execute("SELECT term, df FROM rag_terms").fetchall())
    if len(sentence_vectors) != len(sentences):
        raise IndexLoadError(f"数据库中句向量条目数不一致。{RERUN}")
    manifest = dict(manifest, corpus_version=version, n_docs=len(docs), n_chunks=len(chunks))
    return PgIndex(
        docs,
        chunks,
        manifest,
        df,
        sentences,
        sentence_vectors,
        settings=settings,
        chunk_ids=chunk_ids,
        version=version,
    )


def _check_manifest(manifest: dict, settings: Settings, embedder: Embedder | None) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(
            f"索引格式版本 {manifest.get('format_version')} 与程序（{FORMAT_VERSION}）不符。{RERUN}"
        )
    if manifest.get("model_id") != settings.model:
        raise IndexLoadError(
            f"数据库中的索引由模型 {manifest.get('model_id')!r} 建立，当前设置为 {settings.model!r}。{RERUN}"
        )
    if embedder is not None and manifest.get("dimension") != embedder.dimension:
        raise IndexLoadError(
            f"数据库中的向量维度 {manifest.get('dimension')} 与模型维度 {embedder.dimension} 不符。{RERUN}"
        )


def existing_pg_index(settings: Settings, embedder: Embedder | None = None) -> PgIndex | None:
    """The database's corpus as the base of a write; None when there is none yet.

    Built by another model or chunking, it still counts: its documents are kept and
    re-embedded by ``build_index`` rather than dropped.
    """
    if corpus_version(settings) is None:
        return None
    _upgrade_schema(settings)
    return load_pg_index(settings, embedder, check_model=False)


def writable_base(
    settings: Settings, embedder: Embedder, base: CorpusIndex | None
) -> CorpusIndex | None:
    """``base`` if it is the database's current corpus, else a fresh read (caller holds the lock).

    A replica's copy may be a second old; building on it would drop the documents
    another replica has just added.
    """
    current = corpus_version(settings)
    if current is None:
        return None
    if isinstance(base, PgIndex) and base.version == current:
        return base
    _upgrade_schema(settings)
    return load_pg_index(settings, embedder, check_model=False)


def _upgrade_schema(settings: Settings) -> None:
    """Bring a version-1 database to this version in place, keeping its documents.

    Called by writers (under the writers' lock) before they read the corpus; its
    documents then read as plain text without pages or originals, and the write that
    follows stamps the corpus with the current format.
    """
    with _connect(settings) as conn, conn.transaction():
        row = conn.execute("SELECT schema_version FROM rag_corpus WHERE id = 1").fetchone()
        if row is not None and row[0] == 1:
            log.warning("upgrading the rag_* tables from schema 1 to %d", SCHEMA_VERSION)
            conn.execute(_UPGRADE_FROM_1)


# ------------------------------------------------------------------ writing


@contextlib.contextmanager
def write_lock(settings: Settings) -> Iterator[None]:
    """Serialise writers across all replicas (a session advisory lock)."""
    conn = _connect(settings)
    try:
        conn.autocommit = True
        with _reachable():
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]
        if not got:
            raise IndexBusy("另一个导入任务正在写入数据库中的索引，请等它完成后再试。")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    finally:
        conn.close()


def _ensure_schema(conn, dim: int) -> None:
    psycopg = _psycopg()
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    try:
        with conn.transaction():
            row = conn.execute("SELECT dimension, schema_version FROM rag_corpus").fetchone()
    except psycopg.errors.UndefinedTable:
        row = None
    if row is not None and tuple(row) == (dim, 1):
        conn.execute(_UPGRADE_FROM_1)
        row = (dim, SCHEMA_VERSION)
    if row is not None and tuple(row) != (dim, SCHEMA_VERSION):
        log.warning(
            "dropping rag_* tables: dimension/schema %s → %s", tuple(row), (dim, SCHEMA_VERSION)
        )
        drop_schema(conn)
    conn.execute(_SCHEMA.format(dim=dim, hnsw=_HNSW))


def drop_schema(conn) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)} CASCADE")
    conn.execute("DROP SEQUENCE IF EXISTS rag_chunk_ids")


def save_to_pg(index: CorpusIndex, settings: Settings, replace_all: bool = False) -> PgIndex:
    """Make the database hold ``index``, in one transaction; returns it as a PgIndex.

    Only documents whose text or metadata differ from the database's are written
    (``replace_all`` rewrites everything). Callers that built ``index`` on the
    database's corpus hold :func:`write_lock` around the build and this call.
    """
    dim = int(index.manifest["dimension"])
    with _reachable(), _connect(settings) as conn, conn.transaction():
        _ensure_schema(conn, dim)
        if not _register_vector(conn):  # pragma: no cover - created just above
            raise IndexLoadError("pgvector 扩展不可用。")
        row = conn.execute(
            "SELECT version, manifest FROM rag_corpus WHERE id = 1 FOR UPDATE"
        ).fetchone()
        version = int(row[0]) if row else 0
        old = row[1] if row else {}
        compatible = (
            not replace_all
            and row is not None
            and old.get("model_id") == index.manifest.get("model_id")
            and old.get("chunking") == index.manifest.get("chunking")
        )
        if compatible:
            stored = dict(
                conn.execute("SELECT doc_id, sha256 || ' ' || meta_key FROM rag_docs").fetchall()
            )
        else:
            conn.execute("TRUNCATE rag_postings, rag_terms, rag_chunks, rag_docs")
            stored = {}
        wanted = {d: f"{r.sha256} {_meta_key(r.meta)}" for d, r in index.docs.items()}
        gone = [d for d in stored if d not in wanted]
        changed = [d for d in sorted(wanted) if stored.get(d) != wanted[d]]
        _delete_docs(conn, gone + [d for d in changed if d in stored])
        _insert_docs(
            conn, index, changed, dim, rebuild_hnsw=not stored and len(index.chunks) > 5000
        )
        _store_originals(conn, index)
        n_chunks, total = conn.execute(
            "SELECT count(*), coalesce(sum(n_tokens), 0) FROM rag_chunks"
        ).fetchone()
        version += 1
        manifest = {k: v for k, v in index.manifest.items() if k != "files"}
        manifest |= {"store": "postgres", "index_kind": "pgvector-hnsw"}
        conn.execute(
            """
            INSERT INTO rag_corpus
                (id, version, schema_version, dimension, manifest, n_chunks, total_tokens)
            VALUES (1, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET
                version = EXCLUDED.version, schema_version = EXCLUDED.schema_version,
                dimension = EXCLUDED.dimension, manifest = EXCLUDED.manifest,
                n_chunks = EXCLUDED.n_chunks, total_tokens = EXCLUDED.total_tokens,
                updated_at = now()
            """,
            (version, SCHEMA_VERSION, dim, _jsonb(manifest), n_chunks, total),
        )
        ids = conn.execute(
            'SELECT id, doc_id, seq FROM rag_chunks ORDER BY doc_id COLLATE "C", seq'
        ).fetchall()
    log.info(
        "postgres: wrote %d documents, removed %d; corpus_version %d",
        len(changed),
        len(gone),
        version,
    )
    expected = [(c.doc_id, _seq(c)) for c in index.chunks]
    if [(d, s) for _, d, s in ids] != expected:  # pragma: no cover - a writer without the lock
        log.warning("database chunks differ from the index just saved; reading them back")
        return load_pg_index(settings, check_model=False)
    manifest = dict(manifest, corpus_version=version)
    originals_saved(index.docs)
    out = PgIndex(
        index.docs,
        index.chunks,
        manifest,
        index.df,
        index.sentences,
        index.sentence_vectors
        if index.sentence_vectors is not None
        else np.zeros((0, dim), np.float32),
        settings=settings,
        chunk_ids=[i for i, _, _ in ids],
        version=version,
        vectors=index.vectors if not isinstance(index, PgIndex) else index._vectors,
    )
    return out


def _jsonb(value):
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def _seq(chunk: Chunk) -> int:
    return int(chunk.chunk_id.rsplit("#", 1)[1])


def _delete_docs(conn, doc_ids: list[str]) -> None:
    if not doc_ids:
        return
    conn.execute(
        """
        WITH gone AS (
            SELECT p.term, count(*) AS n
            FROM rag_postings p JOIN rag_chunks c ON c.id = p.chunk_id
            WHERE c.doc_id = ANY(%(ids)s)
            GROUP BY p.term
        )
        UPDATE rag_terms t SET df = t.df - gone.n FROM gone WHERE t.term = gone.term
        """,
        {"ids": doc_ids},
    )
    conn.execute(
        "DELETE FROM rag_postings WHERE chunk_id IN"
        " (SELECT id FROM rag_chunks WHERE doc_id = ANY(%s))",
        (doc_ids,),
    )
    conn.execute("DELETE FROM rag_docs WHERE doc_id = ANY(%s)", (doc_ids,))
    conn.execute("DELETE FROM rag_terms WHERE df <= 0")


def _insert_docs(
    conn, index: CorpusIndex, doc_ids: list[str], dim: int, rebuild_hnsw: bool = False
) -> None:
    if not doc_ids:
        return
    wanted = set(doc_ids)
    # Sentence rows and chunk positions of each document to write.
    sent_rows: dict[str, list[int]] = {}
    for row, (doc_id, _, _) in enumerate(index.sentences):
        if doc_id in wanted:
            sent_rows.setdefault(doc_id, []).append(row)
    chunk_pos = [i for i, c in enumerate(index.chunks) if c.doc_id in wanted]
    vectors = index.vectors
    svecs = index.sentence_vectors
    empty = np.zeros((0, dim), np.float32)

    with conn.cursor().copy(
        "COPY rag_docs (doc_id, source, text, sha256, meta, meta_key, sentence_spans,"
        " sentence_vectors, format, page_starts, original) FROM STDIN"
    ) as copy:
        for doc_id in doc_ids:
            rec = index.docs[doc_id]
            rows = sent_rows.get(doc_id, [])
            spans = [x for r in rows for x in index.sentences[r][1:]]
            block = svecs[rows] if rows and svecs is not None else empty
            copy.write_row(
                (
                    doc_id,
                    rec.source,
                    rec.text,
                    rec.sha256,
                    json.dumps(asdict(rec.meta), ensure_ascii=False),
                    _meta_key(rec.meta),
                    spans,
                    np.ascontiguousarray(block, dtype="<f4").tobytes(),
                    rec.format,
                    rec.page_starts,
                    json.dumps(rec.original) if rec.original else None,
                )
            )

    if not chunk_pos:
        return
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT nextval('rag_chunk_ids') FROM generate_series(1, %s)", (len(chunk_pos),)
        ).fetchall()
    ]
    if rebuild_hnsw:  # a bulk load: building the graph once at the end is much faster
        conn.execute("DROP INDEX IF EXISTS rag_chunks_embedding")
    tokens = [tokenize(index.chunks[i].text) for i in chunk_pos]
    with conn.cursor().copy(
        "COPY rag_chunks (id, doc_id, seq, start_pos, end_pos, n_tokens, embedding)"
        " FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "text", "int4", "int4", "int4", "int4", "vector"])
        for chunk_id, i, toks in zip(ids, chunk_pos, tokens, strict=True):
            c = index.chunks[i]
            copy.write_row((chunk_id, c.doc_id, _seq(c), c.start, c.end, len(toks), vectors[i]))
    # Average chunk length with these chunks in and the replaced ones gone.
    n, total = conn.execute(
        "SELECT count(*), coalesce(sum(n_tokens), 0) FROM rag_chunks"
    ).fetchone()
    avgdl = max(total / max(n, 1), 1e-9)
    df: Counter[str] = Counter()
    with conn.cursor().copy(
        "COPY rag_postings (term, chunk_id, tf, dl, impact) FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["text", "int8", "int4", "int4", "float4"])
        for chunk_id, toks in zip(ids, tokens, strict=True):
            counts = Counter(toks)
            df.update(counts.keys())
            norm = K1 * (1 - B + B * len(toks) / avgdl)
            for term, tf in counts.items():
                copy.write_row((term, chunk_id, tf, len(toks), tf / (tf + norm)))
    if df:
        terms = list(df)
        conn.execute(
            """
            INSERT INTO rag_terms (term, df)
            SELECT * FROM unnest(%s::text[], %s::int[])
            ON CONFLICT (term) DO UPDATE SET df = rag_terms.df + EXCLUDED.df
            """,
            (terms, [df[t] for t in terms]),
        )
    if rebuild_hnsw:
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        conn.execute(_HNSW)


def _store_originals(conn, index: CorpusIndex) -> None:
    """Add the original files not stored yet; drop those no document refers to any more."""
    for sha, data in pending_originals(index.docs).items():
        conn.execute(
            "INSERT INTO rag_originals (sha256, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (sha, data),
        )
    conn.execute(
        "DELETE FROM rag_originals WHERE sha256 NOT IN"
        " (SELECT original->>'sha256' FROM rag_docs WHERE original IS NOT NULL)"
    )


def read_pg_original(settings: Settings, ref: dict | None) -> bytes | None:
    """The original file's bytes from the database (None if it is not kept)."""
    if not ref or not isinstance(ref.get("sha256"), str):
        return None
    with connection(settings) as conn:
        row = conn.execute(
            "SELECT data FROM rag_originals WHERE sha256 = %s", (ref["sha256"],)
        ).fetchone()
    if row is None:
        return None
    data = bytes(row[0])
    return data if hashlib.sha256(data).hexdigest() == ref["sha256"] else None


def migrate(settings: Settings, index_dir: Path | None = None) -> PgIndex:
    """``rag migrate``: copy the embedded index in ``index_dir`` into the database.

    Replaces whatever index the database held, in one transaction under the writers'
    lock; embeddings are copied, not recomputed, so no model is loaded.
    """
    source = settings.model_copy(update={"index_dir": Path(index_dir or settings.index_dir)})
    index = load_index(source)
    for rec in index.docs.values():  # the original files go into the database too
        rec.data = read_original(source.index_dir, rec.original)
    with write_lock(settings):
        out = save_to_pg(index, settings, replace_all=True)
    vacuum(settings)
    return out


def vacuum(settings: Settings) -> None:
    """VACUUM ANALYZE the tables: fresh planner statistics, and a visibility map that
    lets keyword search read postings from the index alone. Autovacuum does the same
    in time; bulk loads call it at once."""
    with _connect(settings) as conn:
        conn.autocommit = True
        for table in ("rag_postings", "rag_chunks", "rag_terms"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
