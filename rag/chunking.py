"""Split a document into overlapping chunks on Chinese sentence boundaries.

Length is measured in the embedder's own tokens so that no chunk is silently
truncated by the model; every chunk keeps its character offsets in the source.

Example::

    >>> chunks = split_text("第一句。第二句！", doc_id="d", length=len, chunk_size=4, overlap=0)
    >>> [(c.text, c.start, c.end) for c in chunks]
    [('第一句。', 0, 4), ('第二句！', 4, 8)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

# Paragraphs first, then lines, then sentence ends, then clause marks; the empty string
# is the last resort for a run-on line longer than a chunk.
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "!", "?", ";", "，", ",", ""]


class Chunk(NamedTuple):
    chunk_id: str  # "<doc_id>#<n>"
    doc_id: str
    text: str  # == document_text[start:end]
    start: int
    end: int


def split_text(
    text: str,
    doc_id: str,
    length: Callable[[str], int],
    chunk_size: int,
    overlap: int,
) -> list[Chunk]:
    # Imported here: langchain takes ~0.25 s to import, and only ingest splits text.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",  # a sentence keeps its own 。 rather than lending it to the next
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        length_function=length,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(text):
        # Locate each piece in the source; pieces come in order and may overlap the
        # previous one, so search from just after the previous start.
        start = text.find(piece, cursor)
        if start < 0:  # pragma: no cover - the splitter only ever returns substrings
            start = text.find(piece)
        end = start + len(piece)
        chunks.append(Chunk(f"{doc_id}#{len(chunks)}", doc_id, piece, start, end))
        cursor = start + 1
    return chunks
