"""Documents as users have them: PDF, Word (.docx) and HTML, turned into text.

``extract(data, suffix, timeout_s)`` runs the reader for the file's format in a child
process with a time limit and a memory cap, so a file built to hang or exhaust the
parser (or a parser bug) costs that child only: it is killed and the file refused.
Each reader raises :class:`FormatError` with the reason in Chinese; the caller adds
the file's name.

====== ============== ==================================================
suffix format         reader
====== ============== ==================================================
.pdf   ``pdf``        rag/formats/pdf.py (pypdfium2), with page starts
.docx  ``docx``       rag/formats/word.py (python-docx + numbering)
.html  ``html``       rag/formats/webpage.py (lxml)
====== ============== ==================================================

Example::

    >>> found = extract(Path("report.pdf").read_bytes(), ".pdf", timeout_s=60)
    >>> found.format, found.page_starts[:2]
    ('pdf', (0, 498))
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
from typing import NamedTuple

from rag.formats.errors import FormatError

__all__ = ["FORMATS", "Extracted", "FormatError", "extract", "media_type"]

# suffix → (format name, MIME type of the original file)
FORMATS = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".html": ("html", "text/html; charset=utf-8"),
    ".htm": ("html", "text/html; charset=utf-8"),
}
TEXT_TYPES = {
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
}
MEMORY_LIMIT_BYTES = 3 * 1024**3  # of the child's address space


class Extracted(NamedTuple):
    text: str
    format: str
    page_starts: tuple[int, ...] | None  # offset where each page begins; None: no pages


def media_type(name: str) -> str:
    """Content type to serve an original file under (by its suffix)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in FORMATS:
        return FORMATS[suffix][1]
    return TEXT_TYPES.get(suffix, "application/octet-stream")


def read(data: bytes, suffix: str) -> Extracted:
    """The reader itself, in this process (``extract`` wraps it in a child)."""
    fmt = FORMATS[suffix][0]
    if fmt == "pdf":
        from rag.formats.pdf import read_pdf

        text, starts = read_pdf(data)
        return Extracted(text, fmt, starts)
    if fmt == "docx":
        from rag.formats.word import read_docx

        return Extracted(read_docx(data), fmt, None)
    from rag.documents import DocumentError, decode_bytes
    from rag.formats.webpage import read_html

    try:
        markup, _ = decode_bytes(data, "")
    except DocumentError as exc:  # its message starts with the (here empty) file name
        raise FormatError(str(exc).removeprefix(": ")) from None
    return Extracted(read_html(markup), fmt, None)


def extract(data: bytes, suffix: str, timeout_s: float) -> Extracted:
    """``read`` in a child process killed after ``timeout_s`` seconds; FormatError on failure.

    The child is a fresh ``python -m rag.formats`` given the bytes on stdin (not a
    multiprocessing worker, which would re-import the caller's main script).
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rag.formats", suffix],
            input=data,
            capture_output=True,
            timeout=timeout_s,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    except subprocess.TimeoutExpired:
        raise FormatError(f"解析超时（超过 {timeout_s:g} 秒），文件可能过于复杂或已损坏") from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:  # the child died without a word: out of memory, or a crash
        raise FormatError("解析失败（文件过于复杂或已损坏）") from None
    if "error" in answer:
        raise FormatError(answer["error"])
    starts = answer["page_starts"]
    return Extracted(answer["text"], answer["format"], tuple(starts) if starts else None)


def main() -> None:
    """``python -m rag.formats .pdf < file``: the child's side of :func:`extract`."""
    with contextlib.suppress(ValueError, OSError):  # not every platform allows it
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    data = sys.stdin.buffer.read()
    try:
        found = read(data, sys.argv[1])
        answer = {"text": found.text, "format": found.format, "page_starts": found.page_starts}
    except FormatError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"error": "解析失败（文件过于复杂，超出内存上限）"}
    except Exception as exc:  # a reader's bug or a malformed file it did not expect
        answer = {"error": f"文件已损坏或格式不对，无法读取（{type(exc).__name__}）"}
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
