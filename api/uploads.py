"""Uploads indexed in the background, and what each one is doing now.

An upload is checked (token, size, type, readable text, metadata) before anything is
answered, then indexed in a thread of its own. The request waits up to
``RAG_UPLOAD_WAIT_S`` for it: a report indexed by then is answered 201/200 as always;
a longer one is answered ``202 Accepted`` with ``Location: /v1/uploads/{upload_id}``,
where its stage and texts embedded so far can be read until it is done (or failed).
Questions keep being answered from the previous index meanwhile.

Jobs live in the process that took the upload (the last ``KEEP_JOBS``), so with
``--workers`` above 1 the status URL is reliable only on the worker that answered;
the document list (``GET /v1/documents``) shows a finished upload on every worker.

Example::

    >>> jobs = UploadJobs()
    >>> job = jobs.start("report.txt", lambda progress: index_it(progress))
    >>> job.wait(10.0)          # False: still running, answer 202
    >>> jobs.get(job.upload_id).stage
    'embedding'
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.errors import ApiError
from rag.index import StoreUnavailable

log = logging.getLogger("rag.api")

KEEP_JOBS = 100  # finished jobs remembered (their status URL answers 404 after)
MAX_RUNNING = 8  # uploads accepted and not finished; beyond: 503 + Retry-After
STORE_RETRY_S = 5  # Retry-After when the database is away (the pool reconnects by itself)


@dataclass
class UploadJob:
    upload_id: str
    filename: str
    state: str = "queued"  # queued | running | done | failed
    stage: str = "waiting"  # waiting | chunking | embedding | indexing | saving | done | failed
    done: int = 0  # texts embedded so far (stage embedding)
    total: int = 0  # texts to embed
    created: float = field(default_factory=time.time)
    finished: float | None = None
    outcome: Any = None  # api.state.UploadOutcome once done
    error: ApiError | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, stage: str, done: int, total: int) -> None:
        """The rag.index.ProgressFn of this job."""
        self.state, self.stage = "running", stage
        if stage == "embedding":
            self.done, self.total = done, total

    def wait(self, timeout: float) -> bool:
        """True once the job has finished (done or failed) within ``timeout`` seconds."""
        return self._event.wait(timeout)

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"


class UploadJobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, UploadJob] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, filename: str, work: Callable[[Callable], Any]) -> UploadJob:
        """Run ``work(progress)`` in a thread; its return value becomes ``outcome``."""
        with self._lock:
            running = sum(1 for j in self._jobs.values() if j.finished is None)
            if running >= MAX_RUNNING:
                raise ApiError(
                    503,
                    "upload_busy",
                    f"已有 {running} 个上传正在建立索引，请稍后再试",
                    {"Retry-After": "10"},
                )
            job = UploadJob(secrets.token_hex(8), filename)
            self._jobs[job.upload_id] = job
            self._trim()
        # Not a daemon: a server asked to stop lets an upload finish its generation
        # (a kill mid-way is safe too: the previous index stays, rag/index.py).
        threading.Thread(target=self._run, args=(job, work), name="rag-upload").start()
        return job

    def get(self, upload_id: str) -> UploadJob | None:
        with self._lock:
            return self._jobs.get(upload_id)

    def _run(self, job: UploadJob, work: Callable[[Callable], Any]) -> None:
        t0 = time.perf_counter()
        try:
            job.outcome = work(job.progress)
            job.state, job.stage = "done", "done"
            job.done = job.total
        except ApiError as exc:
            job.error, job.state, job.stage = exc, "failed", "failed"
        except StoreUnavailable as exc:
            # The database is away: temporary, as for any request (api/errors.py).
            log.warning("indexing upload %s: %s", job.upload_id, exc)
            job.error = ApiError(
                503,
                "database_unavailable",
                "数据库暂时无法连接，请稍后再试",
                {"Retry-After": str(STORE_RETRY_S)},
            )
            job.state, job.stage = "failed", "failed"
        except Exception:
            log.exception("indexing upload %s (%s) failed", job.upload_id, job.filename)
            job.error = ApiError(500, "internal_error", "建立索引时出错，原索引未受影响，请重试")
            job.state, job.stage = "failed", "failed"
        finally:
            job.finished = time.time()
            job._event.set()
        log.info(
            "upload %s (%s): %s in %.1fs",
            job.upload_id,
            job.filename,
            job.state,
            time.perf_counter() - t0,
        )

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.finished is not None]
        for key in finished[: max(0, len(finished) - KEEP_JOBS)]:
            del self._jobs[key]
