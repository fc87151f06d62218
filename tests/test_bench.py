"""Smoke test of ``rag bench --quick`` with tiny sizes: every section runs and is reported.

One small seed file, a few questions, 16 HTTP requests at 1 and 4 clients, a 2,000-chunk
synthetic corpus. Checks the report's structure, not its figures (those depend on the
machine).
"""

from __future__ import annotations

import time
from argparse import Namespace

from bench.run import main

SECTIONS = (
    "# Benchmarks",
    "## Machine",
    "## Targets",
    "## 1. Ingest (seeds/)",
    "## 2. Queries in process",
    "## 3. Queries over HTTP",
    "## 4. Scaling: synthetic corpora",
)


def test_quick_bench_writes_every_section(tmp_path, capsys):
    output = tmp_path / "BENCHMARKS.md"
    args = Namespace(
        quick=True,
        output=str(output),
        seed_files=1,
        max_questions=8,
        http_clients=[1, 4],
        http_requests=16,
        scale_sizes=[2_000],
    )
    t0 = time.monotonic()
    status = main(args)
    seconds = time.monotonic() - t0

    text = output.read_text(encoding="utf-8")
    assert status == 0, text
    assert "## Errors" not in text
    for heading in SECTIONS:
        assert heading in text, heading
    assert "quick mode" in text
    for expected in ("chunks/s", "p50 ms", "paced at", "efSearch", "bm25s index s", "python:"):
        assert expected in text or expected.replace("chunks/s", "texts/s") in text, expected
    assert "| 2k |" in text  # the scaling table has the requested size
    assert text in capsys.readouterr().out  # the report is also printed
    assert seconds < 60, f"quick bench took {seconds:.0f} s"
