"""Uploads into an HNSW index extend its graph instead of rebuilding it (rag/dense.py).

The seed corpus is indexed as HNSW (vectors reused from the session's seed index, so
nothing is embedded), then documents are added, replaced and deleted through the real
ingest functions. The graph is never built again: added vectors are appended to a
copy of it, removed ones are marked and skipped, and once they are a fifth of the
graph the next write rebuilds it (compaction). Searches see exactly the live chunks,
before and after a save and load.
"""

from __future__ import annotations

import faiss
import numpy as np
import pytest

import rag.dense
from rag.dense import COMPACT_FRACTION
from rag.documents import make_document
from rag.index import build_index, load_index
from rag.ingest import add_documents, delete_documents
from rag.settings import Settings

REPORT = """镇江市总工会{year}年工作报告

{year}年，镇江市总工会团结动员全市职工，全年新建职工书屋 {n} 家，开展职工读书活动 {m} 场。
全市各级工会深入开展劳动竞赛，参赛职工 {k} 人，竞赛成果显著。
"""


@pytest.fixture()
def hnsw(qa, tmp_path):
    settings = Settings(index_dir=tmp_path / "index", index_kind="hnsw", hnsw_ef_search=256)
    index = build_index([], qa.embedder, settings, previous=qa.index)  # vectors reused
    assert isinstance(index.dense, faiss.IndexHNSW) and index.dense_slots is None
    from rag.index import save_index

    save_index(index, settings.index_dir)
    return settings, index


def no_rebuild(monkeypatch) -> list:
    calls = []
    real = rag.dense.build_dense

    def spy(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(rag.dense, "build_dense", spy)
    return calls


def upload(settings, qa, index, name: str, **fields):
    doc = make_document(REPORT.format(**fields).encode(), name, settings.max_upload_bytes)
    return add_documents([(doc, None)], settings, qa.embedder, base=index).index


def check_live(index) -> None:
    """Every chunk is found by its own vector, and nothing else is returned."""
    for pos in range(0, len(index.chunks), 7):
        found, _ = index.search_dense(index.vectors[pos], 5)
        assert found[0] == pos
        assert all(0 <= f < len(index.chunks) for f in found)


def test_an_upload_extends_the_graph_instead_of_rebuilding_it(qa, hnsw, monkeypatch):
    settings, index = hnsw
    builds = no_rebuild(monkeypatch)
    before = index.dense.ntotal
    new = upload(settings, qa, index, "zhenjiang_2018.txt", year=2018, n=61, m=20, k=300)
    added = len(new.chunks) - len(index.chunks)
    assert added >= 1 and builds == []  # no graph built from scratch
    assert new.dense.ntotal == before + added
    assert index.dense.ntotal == before  # the graph still serving was not touched
    check_live(new)
    doc_rows = [i for i, c in enumerate(new.chunks) if c.doc_id == "zhenjiang_2018"]
    found, _ = new.search_dense(new.vectors[doc_rows[0]], 1)
    assert found == [doc_rows[0]]
    # Saved and loaded, it is the same index.
    loaded = load_index(settings, qa.embedder)
    assert loaded.dense.ntotal == new.dense.ntotal
    assert np.array_equal(loaded.dense_slots, new.dense_slots)
    check_live(loaded)


def test_deletions_are_marked_then_compacted(qa, hnsw, monkeypatch):
    settings, index = hnsw
    builds = no_rebuild(monkeypatch)
    for year in range(2010, 2013):
        index = upload(settings, qa, index, f"zj_{year}.txt", year=year, n=year % 97, m=3, k=9)
    nodes = index.dense.ntotal
    index = delete_documents(["zj_2010"], settings, qa.embedder, index)
    assert builds == [] and index.dense.ntotal == nodes  # marked, not removed
    assert (index.dense_slots < 0).sum() == nodes - len(index.chunks) > 0
    assert all(
        index.chunks[p].doc_id != "zj_2010" for p in index.search_dense(index.vectors[0], 50)[0]
    )
    check_live(index)
    check_live(load_index(settings, qa.embedder))
    # Delete until the marked nodes pass the threshold: then the graph is rebuilt.
    victims = sorted(index.docs)
    while (index.dense_slots is not None) and builds == []:
        index = delete_documents([victims.pop()], settings, qa.embedder, index)
    assert builds and index.dense.ntotal == len(index.chunks) and index.dense_slots is None
    assert COMPACT_FRACTION < 1
    check_live(index)


def test_a_replaced_document_gets_new_nodes(qa, hnsw, monkeypatch):
    settings, index = hnsw
    builds = no_rebuild(monkeypatch)
    first = upload(settings, qa, index, "zj.txt", year=2019, n=11, m=2, k=5)
    second = upload(settings, qa, first, "zj.txt", year=2019, n=12, m=2, k=5)
    assert builds == []
    assert second.dense.ntotal > first.dense.ntotal  # new vectors; the old ones marked
    assert (second.dense_slots < 0).sum() >= 1
    check_live(second)
