"""jieba's dictionary read word by word from SQLite instead of loaded whole.

jieba builds a Python dict of ~500,000 words and prefixes at first use (0.7–0.9 s from
its marshal cache) and jieba.posseg parses its 350,000-line dictionary again for part
of speech tags (0.35 s): most of a ``rag ask`` from a shell. A question needs a few
hundred of those entries. This module keeps jieba's own dictionary (same words, counts
and tags, so segmentation is identical) in an indexed SQLite file built once, and hands
jieba mappings that look words up on demand and remember them.

Example::

    >>> install()                 # before the first jieba.cut; rag.tokenization calls it
    True
    >>> list(jieba.cut("职工书屋示范点"))
    ['职工书屋', '示范点']
"""

from __future__ import annotations

import hashlib
import importlib
import io
import logging
import os
import sqlite3
import sys
import threading
from pathlib import Path

import jieba

log = logging.getLogger("rag.jieba")

_MISSING = object()


class Lookup:
    """The part of ``dict``'s interface jieba uses, over one column of the table."""

    def __init__(self, connection: sqlite3.Connection, column: str, lock: threading.Lock):
        self._db, self._lock = connection, lock
        self._sql = f"SELECT {column} FROM words WHERE w = ?"  # noqa: S608 - fixed column names
        self._memo: dict[str, object] = {}

    def get(self, key: str, default=None):
        value = self._memo.get(key, _MISSING)
        if value is _MISSING:
            with self._lock:
                row = self._db.execute(self._sql, (key,)).fetchone()
            value = self._memo[key] = None if row is None else row[0]
        return default if value is None else value

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: str):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value) -> None:  # jieba.add_word
        self._memo[key] = value

    def update(self, other: dict) -> None:  # posseg merging a user dictionary's tags
        self._memo.update(other)


def _database_path(folder: Path) -> Path:
    with jieba.dt.get_dict_file() as f:
        stat = os.stat(f.name)
    key = hashlib.sha256(f"{jieba.__version__}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return folder / f"jieba-{key.hexdigest()[:16]}.sqlite"


def build(path: Path) -> None:
    """Every word and prefix jieba's dictionary gives, with its count and tag."""
    freq, total = jieba.dt.gen_pfdict(jieba.dt.get_dict_file())
    tags = {}
    with jieba.dt.get_dict_file() as f:
        for line in f:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as db:
        db.execute(
            "CREATE TABLE words (w TEXT PRIMARY KEY, n INTEGER NOT NULL, tag TEXT) WITHOUT ROWID"
        )
        db.executemany(
            "INSERT INTO words VALUES (?, ?, ?)", ((w, n, tags.get(w)) for w, n in freq.items())
        )
        db.execute("CREATE TABLE meta (total INTEGER NOT NULL)")
        db.execute("INSERT INTO meta VALUES (?)", (total,))
    os.replace(tmp, path)


def install(folder: Path | None = None) -> bool:
    """Point jieba (and jieba.posseg) at the SQLite dictionary; False if jieba was
    already initialised its own way or the file cannot be made (jieba then loads as usual)."""
    if jieba.dt.initialized or "jieba.posseg" in sys.modules:
        return False
    if folder is None:
        from rag.settings import get_settings

        folder = get_settings().onnx_dir
    try:
        path = _database_path(folder)
        if not path.is_file():
            log.info("building jieba's dictionary table %s (once)", path)
            build(path)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        (total,) = db.execute("SELECT total FROM meta").fetchone()
    except (OSError, sqlite3.Error) as exc:
        log.warning("jieba dictionary table unavailable (%s); loading jieba's own", exc)
        return False
    lock = threading.Lock()
    jieba.dt.FREQ, jieba.dt.total = Lookup(db, "n", lock), total
    jieba.dt.initialized = True
    # jieba.posseg reads the whole dictionary for its tags when imported: give it none
    # to read, then the table's tag column.
    jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
    try:
        posseg = importlib.import_module("jieba.posseg")
    finally:
        del jieba.dt.get_dict_file
    posseg.dt.word_tag_tab = Lookup(db, "tag", lock)
    return True
