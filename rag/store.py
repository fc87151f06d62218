"""Where the index lives, chosen by ``RAG_STORE``: one interface, two implementations.

``embedded`` (default)
    Files under ``RAG_INDEX_DIR``: FAISS + bm25s generations (rag/index.py); one
    machine, processes share the folder.
``postgres``
    Tables in ``RAG_DATABASE_URL`` with pgvector (rag/pg.py); any number of replicas
    share one database.

Both give a :class:`rag.index.CorpusIndex` (``PgIndex`` for PostgreSQL) whose
``search_dense`` / ``search_lexical`` retrieval fuses, so nothing above this module
knows which one it talks to.

Example::

    >>> index = load_store(settings, embedder)
    >>> with store_lock(settings):
    ...     index = save_store(build_index(docs, embedder, settings, previous=index), settings)
    >>> generation(settings)          # "gen-2026…" or "pg-17"; changes on every write
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from rag.embedder import Embedder
from rag.index import CorpusIndex, current_generation, ingest_lock, load_index, save_index
from rag.settings import Settings, StoreKind

log = logging.getLogger("rag.store")


def is_postgres(settings: Settings) -> bool:
    return settings.store is StoreKind.POSTGRES


def load_store(settings: Settings, embedder: Embedder | None = None) -> CorpusIndex:
    """The current index; IndexLoadError when there is none or it does not fit."""
    if is_postgres(settings):
        from rag.pg import load_pg_index

        return load_pg_index(settings, embedder)
    return load_index(settings, embedder)


def save_store(index: CorpusIndex, settings: Settings) -> CorpusIndex:
    """Persist ``index``; returns what to serve from now on (a PgIndex for PostgreSQL)."""
    if is_postgres(settings):
        from rag.pg import save_to_pg

        return save_to_pg(index, settings)
    save_index(index, settings.index_dir)
    return index


@contextlib.contextmanager
def store_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time: a file lock, or an advisory lock shared by all replicas."""
    if is_postgres(settings):
        from rag.pg import write_lock

        with write_lock(settings):
            yield
    else:
        with ingest_lock(settings.index_dir):
            yield


def has_index(settings: Settings) -> bool:
    """Whether an index exists (errors reaching the database propagate)."""
    if is_postgres(settings):
        from rag.pg import corpus_version

        return corpus_version(settings) is not None
    return current_generation(settings.index_dir) is not None


def generation(settings: Settings) -> str | None:
    """A name that changes on every write: the CURRENT generation, or ``pg-<version>``.

    Cheap enough to call once a second. None when there is no index, or (PostgreSQL)
    when the database cannot be reached just now.
    """
    if is_postgres(settings):
        from rag.pg import corpus_version

        try:
            version = corpus_version(settings)
        except Exception as exc:  # a blip must not fail the request that checks
            log.warning("cannot read corpus_version: %s", exc)
            return None
        return None if version is None else f"pg-{version}"
    gen = current_generation(settings.index_dir)
    return gen.name if gen else None


def generation_of(index: CorpusIndex) -> str | None:
    """The generation name a PostgreSQL index was read or written at (None: embedded)."""
    version = index.manifest.get("corpus_version")
    return None if version is None else f"pg-{version}"


def original_bytes(settings: Settings, record) -> bytes | None:
    """The original file of a document (rag/originals.py, or the database's copy)."""
    if is_postgres(settings):
        from rag.pg import read_pg_original

        return read_pg_original(settings, record.original)
    from rag.originals import read_original

    return read_original(settings.index_dir, record.original)
