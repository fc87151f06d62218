"""Text of a Word .docx file: paragraphs in order, headings, tables, list numbers.

python-docx reads the paragraphs and tables but not the automatic numbering Word draws
in front of them (一、 （一） 1. 1.1), which union reports use for every section; it
is resolved here from ``word/numbering.xml``: each paragraph's list and level (its own
or its style's), the level's format and text ("%1、", "（%1）", "%1.%2"), start values,
overrides and restarts. Headings (styles "Heading N"/"Title", or an outline level)
become Markdown headings; a table becomes one line per row, cells separated by " | ".
Headers, footers, comments and text boxes are left out.

Before python-docx opens anything, the zip is checked: a file that is not a zip, one
that is an old binary .doc renamed, or a "zip bomb" (members that unpack far larger
than the file) is refused with its reason.

Example::

    >>> text = read_docx(Path("report.docx").read_bytes())
    >>> text.splitlines()[0]
    '# 常州市总工会2018年工作报告'
"""

from __future__ import annotations

import io
import re
import zipfile

from rag.formats.errors import FormatError

MAX_UNZIPPED_BYTES = 200_000_000
MAX_RATIO = 200  # uncompressed : compressed, per member; Word's XML stays far below
MAX_MEMBERS = 5000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def check_zip(data: bytes) -> None:
    """FormatError unless ``data`` is a sane .docx container."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FormatError("Word 文档已加密（需要密码才能打开），请提供未加密的版本")
        raise FormatError("这是旧版 Word/WPS 文档（.doc/.wps 格式），请另存为 .docx 后再导入")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatError("文件已损坏或不完整，不是有效的 .docx 文档") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise FormatError(f"压缩包内文件过多（{len(members)} 个），不像 Word 文档")
        total = sum(m.file_size for m in members)
        worst = max(
            (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > 1_000_000),
            default=0,
        )
        if total > MAX_UNZIPPED_BYTES or worst > MAX_RATIO:
            raise FormatError(f"解压后体积异常（{total} 字节），疑似压缩炸弹，已拒绝")
        names = {m.filename for m in members}
        if "word/document.xml" not in names:
            raise FormatError("不是 Word 文档（压缩包中没有 word/document.xml）")
        bad = archive.testzip()
        if bad is not None:
            raise FormatError(f"文件已损坏（{bad} 校验失败）")


def read_docx(data: bytes) -> str:
    """The document's text; FormatError saying why it cannot be read."""
    check_zip(data)
    import docx  # python-docx; imported here so that text-only use never loads lxml
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed parts
        raise FormatError(f"Word 文档内容已损坏，无法读取（{type(exc).__name__}）") from None
    numbering = Numbering(document)
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
            continue
        text = item.text.strip()
        label = numbering.label(item)
        if not text and not label:
            continue
        level = _heading_level(item)
        line = _join_label(label, text)
        blocks.append(("#" * level + " " + line) if level else line)
    return "\n\n".join(blocks)


def _join_label(label: str, text: str) -> str:
    if not label:
        return text
    # "一、" and "（一）" carry their own separation; "1." and "1.1" want a space.
    return label + text if re.search(r"[、）)．。：:\u3000]$", label) else f"{label} {text}"


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _heading_level(paragraph) -> int:
    style = paragraph.style
    while style is not None:
        name = (style.name or "").lower()
        if name == "title":
            return 1
        m = re.fullmatch(r"(?:heading|标题)\s*(\d)", name)
        if m:
            return min(int(m.group(1)), 6)
        style = style.base_style
    outline = paragraph._p.find(f"{_W}pPr/{_W}outlineLvl")
    if outline is not None:
        level = int(outline.get(f"{_W}val", "9"))
        if level < 6:
            return level + 1
    return 0


# ------------------------------------------------------------------ numbering


class Numbering:
    """Counters for Word's automatic numbering, advanced paragraph by paragraph."""

    def __init__(self, document):
        self.abstract: dict[str, dict[int, dict]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstract, overrides)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.styles = document.styles
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in abstract.findall(f"{_W}lvl"):
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = {
                    "start": int(_val(lvl, "start") or 1),
                    "fmt": _val(lvl, "numFmt") or "decimal",
                    "text": _val(lvl, "lvlText") if _val(lvl, "lvlText") is not None else "",
                    "restart": _val(lvl, "lvlRestart"),
                    "legal": lvl.find(f"{_W}isLgl") is not None,
                }
            self.abstract[abstract.get(f"{_W}abstractNumId")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            overrides = {}
            for over in num.findall(f"{_W}lvlOverride"):
                start = _val(over, "startOverride")
                if start is not None:
                    overrides[int(over.get(f"{_W}ilvl", "0"))] = int(start)
            if ref is not None:
                self.nums[num.get(f"{_W}numId")] = (ref.get(f"{_W}val"), overrides)

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` ("" for none); advances the count."""
        found = self._num_pr(paragraph)
        if found is None:
            return ""
        num_id, ilvl = found
        if num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counts = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:  # a list that restarts its count (startOverride)
            self.started.add(num_id)
            for lvl, start in overrides.items():
                counts[lvl] = start - 1
        start = levels[ilvl]["start"]
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for deeper in [lvl for lvl in counts if lvl > ilvl]:
            restart = levels.get(deeper, {}).get("restart")
            if restart is None or int(restart) > ilvl:
                del counts[deeper]
        level = levels[ilvl]
        if level["fmt"] == "bullet":
            return "•"
        if level["fmt"] == "none":
            return level["text"] if "%" not in level["text"] else ""

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            spec = levels.get(k, {"start": 1, "fmt": "decimal"})
            value = counts.get(k, spec["start"])
            fmt = "decimal" if level["legal"] else spec["fmt"]
            return format_number(value, fmt)

        return re.sub(r"%(\d)", number, level["text"])

    def _num_pr(self, paragraph) -> tuple[str, int] | None:
        """(numId, level) from the paragraph's properties, else from its style chain."""
        num_pr = paragraph._p.find(f"{_W}pPr/{_W}numPr")
        style = paragraph.style
        while num_pr is None and style is not None:
            num_pr = style.element.find(f"{_W}pPr/{_W}numPr")
            style = style.base_style
        if num_pr is None:
            return None
        num_id = _val(num_pr, "numId")
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return None
        return num_id, int(_val(num_pr, "ilvl") or 0)


def _val(element, tag: str) -> str | None:
    child = element.find(f"{_W}{tag}")
    return None if child is None else child.get(f"{_W}val")


_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def format_number(value: int, fmt: str) -> str:
    """A counter in one of Word's number formats.

    >>> format_number(12, "chineseCounting"), format_number(3, "lowerRoman")
    ('十二', 'iii')
    """
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital",
               "japaneseCounting"):  # fmt: skip
        import cn2an

        text = cn2an.an2cn(str(value), "up" if fmt == "chineseLegalSimplified" else "low")
        return text
    if fmt in ("ideographTraditional",) and 1 <= value <= 10:
        return _HEAVENLY[value - 1]
    if fmt == "decimalEnclosedCircle" and 1 <= value <= 20:
        return _CIRCLED[value - 1]
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letters = ""
        n = value
        while n > 0:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        return letters if fmt == "upperLetter" else letters.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalFullWidth":
        return str(value).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return str(value)


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                            (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                            (4, "IV"), (1, "I")):  # fmt: skip
        while value >= number:
            out += letters
            value -= number
    return out
