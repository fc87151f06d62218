"""Add documents to the index: read, deduplicate, build, and swap in atomically.

Example::

    >>> report = ingest([Path("seeds")], Settings())
    >>> report.added, report.failed
    (['000_0462b56534fb87e3', …], [])
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import (
    Document,
    DocumentError,
    content_hash,
    discover,
    make_document,
    read_document,
)
from rag.embedder import Embedder, ingest_threads, load_embedder
from rag.index import (
    FORMAT_VERSION,
    CorpusIndex,
    DocRecord,
    IndexLoadError,
    ProgressFn,
    build_index,
    current_generation,
    load_index,
    remove_documents,
    save_index,
)
from rag.metadata import DocMeta, load_metadata
from rag.settings import Settings
from rag.store import is_postgres, save_store, store_lock

log = logging.getLogger("rag.ingest")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (new name, existing doc_id)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    index: CorpusIndex | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def existing_index(settings: Settings, embedder: Embedder) -> CorpusIndex | None:
    """The current index, repaired if need be; None starts afresh. Caller holds the lock."""
    if is_postgres(settings):
        from rag.pg import existing_pg_index

        return existing_pg_index(settings, embedder)
    if current_generation(settings.index_dir) is None:
        return None
    try:
        return load_index(settings, embedder)
    except IndexLoadError as exc:
        return _reindex_unusable(settings, embedder, exc)


def _reindex_unusable(
    settings: Settings, embedder: Embedder, error: IndexLoadError
) -> CorpusIndex | None:
    """Rebuild from the texts an unusable index still holds, so none is lost.

    An index built with another model, or with a damaged vector file, still has every
    document's text in docs.json, each checkable against its own hash. Re-embedding
    those means that re-running ``rag ingest``, as the load error says to, keeps
    documents that were uploaded and exist nowhere else.
    """
    gen = current_generation(settings.index_dir)
    try:
        raw = json.loads((gen / "docs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        log.warning("原索引无法使用（%s），其中的文档也无法读取，将重新建立索引", error)
        return None
    docs: list[Document] = []
    metas: dict[str, DocMeta] = {}
    originals: dict[str, dict | None] = {}
    for item in raw if isinstance(raw, list) else []:
        try:
            rec = DocRecord.from_json(item)
        except (KeyError, TypeError, AttributeError, ValueError):
            continue
        if content_hash(rec.text) == rec.sha256:
            pages = tuple(rec.page_starts) if rec.page_starts is not None else None
            docs.append(
                Document(rec.doc_id, rec.source, rec.text, rec.sha256, "stored", rec.format, pages)
            )
            metas[rec.doc_id] = rec.meta
            originals[rec.doc_id] = rec.original
    if not docs:
        return None
    log.warning("原索引无法使用（%s）；已取回其中 %d 篇文档，重新编码建立索引", error, len(docs))
    index = build_index(docs, embedder, settings, metas=metas)
    for doc_id, ref in originals.items():  # the files stay where they are (originals.py)
        index.docs[doc_id].original = ref
    index.manifest["originals"] = sorted({r["sha256"] for r in originals.values() if r})
    # Saved at once (the caller holds the lock): an ingest that then finds nothing
    # new to add must still leave a usable index behind.
    save_index(index, settings.index_dir)
    return index


def add_documents(
    documents: list[tuple[Document, DocMeta | None]],
    settings: Settings,
    embedder: Embedder | None = None,
    base: CorpusIndex | None = None,
    report: IngestReport | None = None,
    progress: bool | ProgressFn = False,
) -> IngestReport:
    """Index already-read documents. ``base`` defaults to the index on disk.

    ``progress``: True for a terminal bar, or told ``(stage, done, total)`` (an upload's
    status: rag.index.ProgressFn)."""
    # Without a caller's embedder this is a batch job (``rag ingest``): every core.
    embedder = embedder or load_embedder(settings, threads=ingest_threads(settings))
    report = report or IngestReport()
    with store_lock(settings):
        if is_postgres(settings):  # another replica may have written since ``base`` was read
            from rag.pg import writable_base

            base = writable_base(settings, embedder, base)
        base = base if base is not None else existing_index(settings, embedder)
        known = base.docs if base else {}
        by_hash = {rec.sha256: rec.doc_id for rec in known.values()}
        todo: list[Document] = []
        metas: dict[str, DocMeta] = {}
        for doc, meta in documents:
            old = known.get(doc.doc_id)
            if old is not None and old.sha256 == doc.sha256 and (meta is None or meta == old.meta):
                report.unchanged.append(doc.doc_id)
                continue
            if old is None and doc.sha256 in by_hash:
                report.duplicates.append((doc.source, by_hash[doc.sha256]))
                continue
            (report.replaced if old is not None else report.added).append(doc.doc_id)
            by_hash[doc.sha256] = doc.doc_id
            todo.append(doc)
            if meta is not None:
                metas[doc.doc_id] = meta
        # A base of an older format (PostgreSQL reads it) is rewritten even with nothing new.
        stale = base is not None and base.manifest.get("format_version") != FORMAT_VERSION
        if todo or base is None or stale:
            index = build_index(
                todo, embedder, settings, previous=base, metas=metas, progress=progress
            )
            if callable(progress):
                progress("saving", 0, 0)
            if is_postgres(settings):
                index = save_store(index, settings)
            else:
                save_index(index, settings.index_dir)
            report.index = index
        else:
            report.index = base
    return report


def ingest(
    paths: list[Path],
    settings: Settings,
    embedder: Embedder | None = None,
    progress: bool | ProgressFn = False,
) -> IngestReport:
    """Ingest files and folders; a bad file is reported and skipped, the rest go in."""
    report = IngestReport()
    documents: list[tuple[Document, DocMeta | None]] = []
    files: list[Path] = []
    for given in paths:  # one missing path must not drop the others
        try:
            files.extend(discover([given]))
        except DocumentError as exc:
            report.failed.append((str(given), str(exc)))
    for path in files:
        try:
            doc = read_document(path, settings.max_file_bytes, settings.parse_timeout_s)
            meta = load_metadata(path, doc.text)
            meta.doc_id = doc.doc_id
        except (DocumentError, ValueError, OSError) as exc:
            report.failed.append((str(path), str(exc)))
            continue
        documents.append((doc, meta))
    return add_documents(documents, settings, embedder, report=report, progress=progress)


def ingest_bytes(
    data: bytes,
    name: str,
    settings: Settings,
    meta: DocMeta | None,
    embedder: Embedder,
    base: CorpusIndex,
) -> IngestReport:
    """One uploaded file; raises DocumentError for content that cannot be a document."""
    doc = make_document(data, name, settings.max_upload_bytes, settings.parse_timeout_s)
    return add_documents([(doc, meta)], settings, embedder, base=base)


def delete_documents(
    doc_ids: list[str], settings: Settings, embedder: Embedder, base: CorpusIndex
) -> CorpusIndex:
    with store_lock(settings):
        if is_postgres(settings):
            from rag.pg import writable_base

            base = writable_base(settings, embedder, base) or base
        index = remove_documents(base, doc_ids, embedder, settings)
        if is_postgres(settings):
            index = save_store(index, settings)
        else:
            save_index(index, settings.index_dir)
    return index
