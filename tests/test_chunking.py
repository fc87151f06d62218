from __future__ import annotations

from pathlib import Path

from rag.chunking import split_text

ROOT = Path(__file__).resolve().parent.parent


def test_offsets_are_exact_and_cover_the_document():
    text = (ROOT / "seeds" / "001_0a525996db59571e.txt").read_text(encoding="utf-8")
    chunks = split_text(text, "d", len, chunk_size=120, overlap=20)
    assert len(chunks) > 10
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert len(c.text) <= 120
    # Every non-blank character is inside some chunk.
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not missing


def test_chunks_end_on_sentence_boundaries_when_they_can():
    text = "第一句话在这里。第二句话也在这里！第三句话？" * 5
    chunks = split_text(text, "d", len, chunk_size=20, overlap=0)
    assert all(c.text[-1] in "。！？" for c in chunks)


def test_chunk_length_is_measured_in_model_tokens(qa):
    count = qa.embedder.count_tokens
    limit = qa.index.manifest["chunking"]["chunk_tokens"]
    assert all(count(c.text) <= limit for c in qa.index.chunks)
