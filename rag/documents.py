"""Reading source files: encoding detection, PDF/Word/HTML, refusals, stable document ids.

Example::

    >>> from pathlib import Path
    >>> doc = read_document(Path("seeds/001_0a525996db59571e.txt"))
    >>> doc.doc_id
    '001_0a525996db59571e'

The text is kept exactly as decoded (or as extracted from a PDF, .docx or HTML file by
rag/formats/), so citation offsets index into it directly; the file's own bytes are
kept beside it as ``original``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from rag.formats import FORMATS, FormatError, extract

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + tuple(FORMATS)
# Formats people put in a report folder expecting them to be read. Found in a folder,
# they are reported as refused instead of being passed over in silence; anything else
# (sidecar .meta.json files, notes) is left alone.
REFUSED_SUFFIXES = (
    ".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx", ".et", ".ppt",
    ".pptx", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp",
    ".zip", ".rar", ".7z",
)  # fmt: skip
_OLD_WORD = (".doc", ".wps")
PARSE_TIMEOUT_S = 60.0

# Magic numbers of formats people commonly upload by mistake.
_BINARY_SIGNATURES = {
    b"%PDF": "PDF 文件，请使用 .pdf 扩展名",
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
    format: str = "text"  # text | pdf | docx | html
    page_starts: tuple[int, ...] | None = None  # offset where each page begins (PDF)
    original: bytes | None = field(default=None, repr=False, compare=False)  # the file itself


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode uploaded bytes to text, or raise DocumentError saying why not.

    Order: a byte-order mark, then strict UTF-8, then the Chinese legacy encodings
    (GB18030 and Big5, judged by how common the decoded characters are), and only
    then charset-normalizer, which misreads short GBK texts (as UTF-16 or CP949).
    """
    for magic, what in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            raise DocumentError(f"{name}: 不是文本文件（{what}），已跳过")
    text, encoding = None, ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                raise DocumentError(
                    f"{name}: 文件以 {codec} 标记开头，但内容无法按该编码解码"
                ) from None
            break
    if text is None and _valid_utf8(data):
        text, encoding = data.decode("utf-8"), "utf-8"
    if text is None:
        if b"\x00" in data[:4096]:
            raise DocumentError(f"{name}: 不是文本文件（含二进制内容），已跳过")
        found = _decode_chinese(data)
        if found is None:
            best = from_bytes(data).best()
            if best is None:
                raise DocumentError(f"{name}: 无法识别文件编码，可能不是文本文件")
            found = str(best), best.encoding
        text, encoding = found
    if _looks_binary(text):
        raise DocumentError(f"{name}: 不是文本文件（含大量控制字符），已跳过")
    if not text.strip():
        raise DocumentError(f"{name}: 文件为空或只有空白")
    # Offsets are defined on the text with normalised line ends; CRLF would shift them
    # between platforms.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SAMPLE_CHARS = 20_000
_MIN_COMMON_SHARE = 0.85


def _decode_chinese(data: bytes) -> tuple[str, str] | None:
    """GB18030 or Big5 text, if the bytes decode strictly and read as ordinary Chinese.

    Nearly any byte pair is valid in both encodings, so validity alone decides
    nothing. What does: in the right encoding almost every non-ASCII character is a
    common one (GB2312 for GB18030; Big5's symbols and frequently used characters,
    lead bytes A1–C6, for Big5), while the wrong one yields rare characters, kana or
    private-use code points.
    """
    best: tuple[float, str, str] | None = None
    for codec, common in (("gb18030", _common_gb), ("big5", _common_big5)):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text[:_SAMPLE_CHARS] if not c.isascii()]
        if not wide:
            continue
        share = sum(map(common, wide)) / len(wide)
        if share >= _MIN_COMMON_SHARE and (best is None or share > best[0]):
            best = (share, text, codec)
    return (best[1], best[2]) if best else None


def _common_gb(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _common_big5(char: str) -> bool:
    try:
        encoded = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA1 <= encoded[0] <= 0xC6


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


def make_document(
    data: bytes, name: str, max_bytes: int | None = None, timeout_s: float = PARSE_TIMEOUT_S
) -> Document:
    """Turn raw bytes of a file called ``name`` into a Document.

    The size limit applies before any parsing; PDF, Word and HTML files are parsed in a
    child process that is killed after ``timeout_s`` seconds (rag/formats/).
    """
    suffix = Path(name).suffix.lower()
    if suffix in _OLD_WORD:
        raise DocumentError(
            f"{name}: 旧版 Word/WPS 文档（{suffix}）无法读取，请另存为 .docx 后再导入"
        )
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{name}: 不支持的文件类型 {suffix or '(无扩展名)'}，"
            "仅支持 .txt / .md / .pdf / .docx / .html"
        )
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(f"{name}: 文件过大（{len(data)} 字节，上限 {max_bytes} 字节）")
    fmt, page_starts = "text", None
    if suffix in FORMATS:
        if not data.strip():
            raise DocumentError(f"{name}: 文件为空")
        try:
            found = extract(data, suffix, timeout_s)
        except FormatError as exc:
            raise DocumentError(f"{name}: {exc}") from None
        text, encoding, fmt, page_starts = found.text, found.format, found.format, found.page_starts
        if not text.strip():
            raise DocumentError(f"{name}: 文件中没有可读的文字")
    else:
        text, encoding = decode_bytes(data, name)
    stem = Path(name).stem
    return Document(
        doc_id=safe_doc_id(stem),
        source=Path(name).name,
        text=text,
        sha256=content_hash(text),
        encoding=encoding,
        format=fmt,
        page_starts=page_starts,
        original=data,
    )


def safe_doc_id(stem: str) -> str:
    """File stem as id, with characters that would break URLs replaced."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._")
    return cleaned or "doc_" + hashlib.sha1(stem.encode()).hexdigest()[:12]


def read_document(
    path: Path, max_bytes: int | None = None, timeout_s: float = PARSE_TIMEOUT_S
) -> Document:
    # Refuse an oversized file before reading it into memory.
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise DocumentError(f"{path.name}: 文件过大（{size} 字节，上限 {max_bytes} 字节）")
    return make_document(path.read_bytes(), path.name, max_bytes, timeout_s)


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest from files and folders, sorted for reproducible ids and offsets.

    From folders: the supported text files, plus files of REFUSED_SUFFIXES, so that
    reading them fails with a message saying why rather than nothing being said.
    """
    wanted = SUPPORTED_SUFFIXES + REFUSED_SUFFIXES
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in wanted
            )
        elif path.exists():
            found.append(path)
        else:
            raise DocumentError(f"{path}: 文件或目录不存在")
    return found
