"""Reading source files: encoding detection, refusal of non-text, stable document ids.

Example::

    >>> from pathlib import Path
    >>> doc = read_document(Path("seeds/001_0a525996db59571e.txt"))
    >>> doc.doc_id
    '001_0a525996db59571e'

The text is kept exactly as decoded, so citation offsets index into it directly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown")

# Magic numbers of formats people commonly upload by mistake.
_BINARY_SIGNATURES = {
    b"%PDF": "PDF 文件（暂不支持）",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"PK\x03\x04": "压缩包或 Office 文档",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文档",
    b"\x7fELF": "可执行文件",
}


class DocumentError(ValueError):
    """A file that cannot become a document; the message names the file and the reason."""


@dataclass(frozen=True)
class Document:
    doc_id: str
    source: str  # file name as given
    text: str
    sha256: str  # of the decoded text, so re-encoded copies are recognised as the same content
    encoding: str


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode uploaded bytes to text, or raise DocumentError saying why not."""
    for magic, what in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise DocumentError(f"{name}: 不是文本文件（{what}），已跳过")
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
        text = data.decode("utf-8", errors="strict") if _valid_utf8(data) else None
    else:
        text, encoding = None, ""
        if _valid_utf8(data):
            text, encoding = data.decode("utf-8"), "utf-8"
    if text is None:
        if b"\x00" in data[:4096]:
            raise DocumentError(f"{name}: 不是文本文件（含二进制内容），已跳过")
        best = from_bytes(data).best()
        if best is None:
            raise DocumentError(f"{name}: 无法识别文件编码，可能不是文本文件")
        text, encoding = str(best), best.encoding
    if _looks_binary(text):
        raise DocumentError(f"{name}: 不是文本文件（含大量控制字符），已跳过")
    if not text.strip():
        raise DocumentError(f"{name}: 文件为空或只有空白")
    # Offsets are defined on the text with normalised line ends; CRLF would shift them
    # between platforms.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    return controls > max(2, len(sample) // 100)


def make_document(data: bytes, name: str, max_bytes: int | None = None) -> Document:
    """Turn raw bytes of a file called ``name`` into a Document."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{name}: 不支持的文件类型 {suffix or '(无扩展名)'}，仅支持 .txt / .md")
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(f"{name}: 文件过大（{len(data)} 字节，上限 {max_bytes} 字节）")
    text, encoding = decode_bytes(data, name)
    stem = Path(name).stem
    return Document(
        doc_id=safe_doc_id(stem),
        source=Path(name).name,
        text=text,
        sha256=content_hash(text),
        encoding=encoding,
    )


def safe_doc_id(stem: str) -> str:
    """File stem as id, with characters that would break URLs replaced."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._")
    return cleaned or "doc_" + hashlib.sha1(stem.encode()).hexdigest()[:12]


def read_document(path: Path, max_bytes: int | None = None) -> Document:
    return make_document(path.read_bytes(), path.name, max_bytes)


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest from files and folders, sorted for reproducible ids and offsets."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.exists():
            found.append(path)
        else:
            raise DocumentError(f"{path}: 文件或目录不存在")
    return found
