"""The whole gold set on the seed corpus printed to PDF, and again written as .docx,
scores within one point of the .txt originals (answer and citation accuracy).

Slow: five Chromium PDFs, two indexes of the corpus and three runs of 275 questions.
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from made_files import print_pdfs, report_html, write_docx

from eval.metrics import load_gold, summarise
from eval.run import resolve, run_mode
from rag.index import load_index
from rag.ingest import ingest
from rag.pipeline import Pipeline
from rag.settings import RetrievalMode, Settings

pytestmark = pytest.mark.slow
GOLD = ROOT / "eval" / "gold.jsonl"
TOLERANCE = 0.01  # one point


def _score(qa: Pipeline):
    targets = resolve(load_gold(GOLD), qa.index, str(GOLD))
    results = run_mode(qa, targets, RetrievalMode.HYBRID)
    for r in results:  # every quote is the stored text at its offsets
        assert r.quote is not None or r.status == "not_found"
    return summarise(results)


@pytest.fixture(scope="module")
def baseline(qa):
    return _score(qa)


def _converted(kind: str, tmp_path_factory, embedder) -> Pipeline:
    folder = tmp_path_factory.mktemp(f"seeds-{kind}")
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    if kind == "pdf":
        pages = {p.stem: (report_html(p.read_text(encoding="utf-8")), "工作报告") for p in seeds}
        files = list(print_pdfs(pages, folder / "files").values())
    else:
        (folder / "files").mkdir()
        files = [
            write_docx(p.read_text(encoding="utf-8"), folder / "files" / f"{p.stem}.docx")
            for p in seeds
        ]
    settings = Settings(index_dir=folder / "index")
    report = ingest(files, settings, embedder)
    assert not report.failed, report.failed
    assert len(report.added) == len(seeds)
    return Pipeline(load_index(settings, embedder), embedder, settings)


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_gold_set_on_converted_seeds_scores_like_the_text(kind, baseline, qa, tmp_path_factory):
    converted = _converted(kind, tmp_path_factory, qa.embedder)
    summary = _score(converted)
    for c in (converted.ask(q).citations for q in ("苏州2016年职工书屋多少家",)):
        for cite in c:
            assert converted.index.docs[cite.doc_id].text[cite.start : cite.end] == cite.quote
            assert (cite.page is not None) == (kind == "pdf")
    print(
        f"{kind}: answer {summary.answer_accuracy:.3f} (txt {baseline.answer_accuracy:.3f}),"
        f" citation {summary.citation_accuracy:.3f} (txt {baseline.citation_accuracy:.3f})"
    )
    assert summary.answer_accuracy >= baseline.answer_accuracy - TOLERANCE
    assert summary.citation_accuracy >= baseline.citation_accuracy - TOLERANCE
    assert summary.unanswerable_not_found >= baseline.unanswerable_not_found - TOLERANCE
