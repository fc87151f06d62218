"""What one server process holds: the pipeline, its readiness, and index changes.

Loading happens once, in a background thread started at start-up, so ``/healthz``
answers at once and ``/readyz`` says 503 until the model and index are in memory.

Several processes (uvicorn workers, a ``rag ingest`` run by hand) share one index
folder. Each process notices a new ``index/CURRENT`` at most once a second and
reloads in the background; questions keep using the index already in memory.
With ``RAG_STORE=postgres`` (rag/pg.py) the replicas share a database instead and
poll its ``corpus_version`` the same way.

Example::

    >>> state = ServiceState(Settings())
    >>> state.start_loading()           # returns at once
    >>> qa = state.require()            # ApiError 503 until loaded
    >>> state.add_document(data, "report.txt", {"title": "…"})
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from api.errors import ApiError
from api.uploads import UploadJobs
from rag.documents import Document, DocumentError, make_document
from rag.embedder import Embedder, ingest_threads, load_embedder, question_threads
from rag.index import CorpusIndex, IndexBusy, IndexLoadError, ProgressFn, StoreUnavailable
from rag.ingest import add_documents, delete_documents, ingest
from rag.metadata import DocMeta, infer_metadata, parse_period
from rag.pipeline import Pipeline
from rag.regions import ancestors
from rag.settings import Settings
from rag.store import generation as store_generation
from rag.store import generation_of, has_index, is_postgres, load_store

log = logging.getLogger("rag.api")

CHECK_INTERVAL_S = 1.0
BUSY_RETRY_S = 5


@dataclass
class UploadOutcome:
    status: str  # added | replaced | unchanged | duplicate
    doc_id: str
    meta: DocMeta
    documents: int


class ServiceState:
    def __init__(self, settings: Settings, pipeline: Pipeline | None = None):
        self.settings = settings
        self.pipeline = pipeline
        self.error: str | None = None
        self.generation = _generation_name(settings) if pipeline else None
        self._last_check = 0.0
        self._embedder = getattr(pipeline, "embedder", None)
        # A failed load is retried once the index it failed on has changed (a repair
        # by `rag ingest`, a database that answers again): no restart needed.
        self._failed_on: str | None = None
        self._loading = threading.Lock()
        # Held by uploads, deletions and reloads alike, so a background reload can
        # never put an older index back over one an upload has just installed.
        self._index_lock = threading.Lock()
        self.uploads = UploadJobs()  # uploads indexed in the background (api/uploads.py)

    # ------------------------------------------------------------ readiness

    @property
    def ready(self) -> bool:
        return self.pipeline is not None

    def start_loading(self) -> None:
        if not self._loading.acquire(blocking=False):
            return  # already under way
        # A daemon thread: a server stopped while the model loads exits at once.
        threading.Thread(target=self._load, name="rag-load", daemon=True).start()

    def _load(self) -> None:
        t0 = time.perf_counter()
        generation = None
        try:
            if self._embedder is None:
                serving = question_threads(self.settings, serving=True)
                self._embedder = load_embedder(self.settings, threads=serving)
            embedder = self._embedder
            # Read before loading: if CURRENT moves meanwhile, the next check reloads
            # (harmlessly) rather than never. None (we built it) also means "check".
            generation = _generation_name(self.settings)
            self.generation = generation
            index = self._load_or_build(embedder)
            pipeline = Pipeline(index, embedder, self.settings)
            pipeline.warm_up()  # before /readyz says ready
            self.pipeline = pipeline
            self.error = None
        except Exception as exc:  # anything here means "not ready", said in /readyz
            log.exception("loading the model or index failed")
            self._failed_on = generation
            self.error = str(exc)
            return
        finally:
            self._loading.release()
        log.info(
            "ready: %d documents, %d chunks in %.1fs",
            len(index.docs),
            len(index.chunks),
            time.perf_counter() - t0,
        )

    def _load_or_build(self, embedder) -> CorpusIndex:
        # A fresh deployment has no index yet: build it from the seed documents so
        # that `rag serve` works out of the box. With several workers, one builds
        # and the others wait for its CURRENT to appear.
        deadline = time.monotonic() + 1800
        waiting = False
        while not has_index(self.settings):
            try:
                report = ingest([self.settings.seeds_dir], self.settings, embedder)
            except IndexBusy:
                if not waiting:
                    log.info(
                        "another process is building the index in %s; waiting",
                        self.settings.index_dir,
                    )
                    waiting = True
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
                continue
            log.info(
                "built a new index in %s from %s", self.settings.index_dir, self.settings.seeds_dir
            )
            for name, reason in report.failed:
                log.warning("seed %s skipped: %s", name, reason)
            if report.index is not None:
                return report.index
        return load_store(self.settings, embedder)

    def require(self, explain: bool = False) -> Pipeline:
        """The loaded pipeline, or ApiError 503.

        Why loading failed (paths, model names) is told only where ``explain`` is set,
        i.e. on ``/readyz`` for operators; the log always has it.
        """
        if self.pipeline is None:
            if self.error:
                self._maybe_retry_load()
                reason = f"：{self.error}" if explain else "，请联系管理员查看服务日志"
                raise ApiError(503, "not_ready", f"索引或模型加载失败{reason}")
            raise ApiError(
                503, "not_ready", "服务正在加载模型和索引，请稍后再试", {"Retry-After": "5"}
            )
        self.maybe_reload()
        return self.pipeline

    def _maybe_retry_load(self) -> None:
        """After a failed load: load again once the index differs from the one that
        failed (checked at most once a second, like :meth:`maybe_reload`)."""
        now = time.monotonic()
        if now - self._last_check < CHECK_INTERVAL_S or self._embedder is None:
            return
        self._last_check = now
        if not self._loading.acquire(blocking=False):
            return  # a load is under way
        # In a thread: with RAG_STORE=postgres the check is a query that may wait.
        threading.Thread(target=self._retry_if_changed, name="rag-retry", daemon=True).start()

    def _retry_if_changed(self) -> None:
        current = _generation_name(self.settings)
        if current is None or current == self._failed_on:
            self._loading.release()
            return
        log.info("index changed to %s since loading failed; loading it", current)
        self._load()  # releases _loading

    # ------------------------------------------------- changes by others

    def maybe_reload(self) -> None:
        """Cheap check (one small file read, at most once a second) for a new index."""
        now = time.monotonic()
        if now - self._last_check < CHECK_INTERVAL_S:
            return
        self._last_check = now
        # PostgreSQL's corpus_version is a query, which may wait for a connection while
        # the database is away: it is read in the thread, never on the event loop.
        if not is_postgres(self.settings) and _generation_name(self.settings) in (
            None,
            self.generation,
        ):
            return
        if not self._index_lock.acquire(blocking=False):
            return  # an upload or a reload is already under way
        threading.Thread(target=self._reload_in_background, name="rag-reload", daemon=True).start()

    def _reload_in_background(self) -> None:
        try:
            self._sync_from_disk()
        except Exception:
            log.exception("reloading the index failed; still serving the previous one")
        finally:
            self._index_lock.release()

    def _sync_from_disk(self) -> None:
        """Adopt the index on disk if it differs from ours. Caller holds the lock."""
        name = _generation_name(self.settings)
        if name is None or name == self.generation:
            return
        assert self.pipeline is not None
        index = load_store(self.settings, self.pipeline.embedder)
        # Identical files (e.g. our own save seen late) mean nothing to swap.
        if _identity(index) != _identity(self.pipeline.index):
            self.pipeline.replace_index(index)
            log.info("reloaded index %s (%d documents)", name, len(index.docs))
        self.generation = name

    def _sync_before_write(self) -> None:
        # Build on the newest index on disk, never on a stale copy: writing over
        # another process's upload would silently drop it.
        try:
            self._sync_from_disk()
        except StoreUnavailable:
            raise  # 503 database_unavailable (api/errors.py)
        except IndexLoadError as exc:
            raise ApiError(
                503, "index_unavailable", f"磁盘上的索引暂时无法读取，请稍后再试（{exc}）"
            ) from None

    def _installed(self, index: CorpusIndex) -> None:
        """Swap in the index we just saved and remember which generation it is."""
        assert self.pipeline is not None
        self.pipeline.replace_index(index)
        name = _generation_name(self.settings)
        if is_postgres(self.settings):  # "pg-<corpus_version>" we wrote, or a newer one
            self.generation = name if name == generation_of(index) else None
            return
        # Another process may have saved right after us; then CURRENT is not ours and
        # leaving the name unknown makes the next check load theirs.
        self.generation = (
            name
            if _manifest_files(self.settings.index_dir, name) == index.manifest.get("files")
            else None
        )

    # ---------------------------------------------------------------- writes

    def add_document(self, data: bytes, filename: str, overrides: dict[str, str]) -> UploadOutcome:
        """Index one uploaded file; blocking, so call it from a worker thread."""
        doc, meta = self.prepare_upload(data, filename, overrides)
        return self.index_upload(doc, meta)

    def prepare_upload(
        self, data: bytes, filename: str, overrides: dict[str, str]
    ) -> tuple[Document, DocMeta]:
        """Read the file and its metadata (ApiError 422 if unusable); blocking."""
        self.require()
        try:
            doc = make_document(
                data, filename, self.settings.max_upload_bytes, self.settings.parse_timeout_s
            )
        except DocumentError as exc:
            raise ApiError(422, "invalid_document", str(exc)) from None
        try:
            meta = apply_overrides(infer_metadata(doc.text, doc.source), overrides)
        except ValueError as exc:
            raise ApiError(422, "invalid_input", f"元数据无效：{exc}") from None
        meta.doc_id = doc.doc_id
        return doc, meta

    def index_upload(
        self, doc: Document, meta: DocMeta, progress: ProgressFn | None = None
    ) -> UploadOutcome:
        """Add a read document to the index and swap it in; blocking (a worker thread)."""
        qa = self.require()
        with self._index_lock:
            self._sync_before_write()
            try:
                # The document read above: a PDF is parsed once, not twice. Embedded with
                # every core (RAG_INGEST_THREADS): questions take a core back as they come.
                report = add_documents(
                    [(doc, meta)],
                    self.settings,
                    self._upload_embedder(qa.embedder),
                    base=qa.index,
                    progress=progress or False,
                )
            except IndexBusy as exc:
                raise ApiError(
                    409, "index_busy", str(exc), {"Retry-After": str(BUSY_RETRY_S)}
                ) from None
            except DocumentError as exc:
                raise ApiError(422, "invalid_document", str(exc)) from None
            if report.changed and report.index is not None:
                self._installed(report.index)
        docs = qa.index.docs
        if report.duplicates:
            existing = report.duplicates[0][1]
            return UploadOutcome("duplicate", existing, docs[existing].meta, len(docs))
        status = "added" if report.added else "replaced" if report.replaced else "unchanged"
        return UploadOutcome(status, doc.doc_id, docs[doc.doc_id].meta, len(docs))

    def _upload_embedder(self, embedder: Embedder) -> Embedder:
        """The same model with as many threads as an ingest gets (same vectors)."""
        threads = ingest_threads(self.settings)
        if threads <= embedder.threads or embedder.backend != "onnx":
            return embedder
        return load_embedder(self.settings, threads=threads)

    def delete_document(self, doc_id: str) -> int:
        """Remove one document; returns how many remain. Blocking, like add_document."""
        qa = self.require()
        with self._index_lock:
            self._sync_before_write()
            if doc_id not in qa.index.docs:
                raise ApiError(404, "not_found", f"没有编号为 {doc_id} 的文档")
            try:
                index = delete_documents([doc_id], self.settings, qa.embedder, qa.index)
            except IndexBusy as exc:
                raise ApiError(
                    409, "index_busy", str(exc), {"Retry-After": str(BUSY_RETRY_S)}
                ) from None
            self._installed(index)
        return len(index.docs)


def _generation_name(settings: Settings) -> str | None:
    """CURRENT's generation, or ``pg-<corpus_version>`` with RAG_STORE=postgres."""
    return store_generation(settings)


def _identity(index: CorpusIndex) -> tuple:
    return index.manifest.get("files"), generation_of(index)


def _manifest_files(index_dir: Path, name: str | None) -> dict | None:
    if name is None:
        return None
    try:
        return json.loads((index_dir / name / "manifest.json").read_text(encoding="utf-8")).get(
            "files"
        )
    except (OSError, ValueError):
        return None


# Fields an uploader may set; everything else is inferred from the text.
META_FIELDS = ("title", "region", "period", "date")


def apply_overrides(meta: DocMeta, overrides: dict[str, str]) -> DocMeta:
    """Metadata given with an upload wins over the inferred one; ValueError if malformed."""
    if title := overrides.get("title"):
        meta.title = title
    if region := overrides.get("region"):
        meta.region = region
        meta.region_path = [*reversed(ancestors(region)), region]
        meta.places = [region, *(p for p in meta.places if p != region)]
    if period := overrides.get("period"):
        try:
            start, end = parse_period(period)
        except ValueError:
            raise ValueError("时期应写作 2016 或 2013-2017（起始年不晚于结束年）") from None
        meta.period = str(start) if start == end else f"{start}-{end}"
        meta.period_start, meta.period_end = start, end
    if date := overrides.get("date"):
        meta.date = _iso_date(date)
    return meta


def _iso_date(text: str) -> str:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("日期应写作 YYYY-MM-DD，例如 2019-01-15") from None
