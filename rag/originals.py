"""The original files (PDF, .docx, HTML, text) kept beside the embedded index.

They live in ``index/originals/<sha256>``, named by the SHA-256 of their bytes, shared
by all generations and never rewritten: a new generation adds the files it needs
(fsynced before ``CURRENT`` can name it) and after the switch the files that no kept
generation lists in its manifest (``"originals"``) are removed. A file is checked
against its name when it is read, so a damaged one is never served.

A document's record holds only a reference, ``{"sha256", "bytes", "media_type"}``;
the bytes themselves ride on the record (``DocRecord.data``) from reading the file
until the index is saved.

Example::

    >>> ref = original_ref(data, "report.pdf")
    >>> write_originals(Path("index"), {ref["sha256"]: data})
    >>> read_original(Path("index"), ref) == data
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from rag.formats import media_type

FOLDER = "originals"


def original_ref(data: bytes, source: str) -> dict:
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "media_type": media_type(source),
    }


def write_originals(index_dir: Path, files: dict[str, bytes]) -> None:
    """Store each ``sha256 → bytes`` not stored yet, durably (write, fsync, rename)."""
    if not files:
        return
    folder = index_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for sha, data in files.items():
        path = folder / sha
        if path.is_file() and path.stat().st_size == len(data):
            continue
        tmp = folder / f".tmp-{sha}-{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_original(index_dir: Path, ref: dict | None) -> bytes | None:
    """The file's bytes, or None if it is not kept (or no longer matches its hash)."""
    if not ref or not isinstance(ref.get("sha256"), str):
        return None
    sha = ref["sha256"]
    if not sha.isalnum():
        return None
    try:
        data = (index_dir / FOLDER / sha).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha else None


def prune_originals(index_dir: Path) -> None:
    """Remove stored files that no generation left on disk refers to."""
    folder = index_dir / FOLDER
    if not folder.is_dir():
        return
    wanted: set[str] = set()
    for manifest in index_dir.glob("gen-*/manifest.json"):
        try:
            wanted.update(json.loads(manifest.read_text(encoding="utf-8")).get("originals", []))
        except (OSError, ValueError, AttributeError):
            return  # a generation we cannot read: keep everything rather than guess
    for path in folder.iterdir():
        if path.name not in wanted:
            with contextlib.suppress(OSError):
                path.unlink()
