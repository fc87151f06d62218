"""Crashes and concurrent writers never cost the index already on disk.

* ``rag ingest`` killed with SIGKILL at points spread over its run (model loading,
  reading, embedding, writing) leaves the previous index loadable and answering.
* ``save_index`` interrupted after each of its individual writes (a forked child that
  ``os._exit``s at step N) leaves either the old or the new generation, never a mix.
* Two ``rag ingest`` processes at once: the lock lets one write and tells the other
  plainly; whatever was reported as ingested is in the index afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import MISSION, PYTHON, ROOT

from rag.index import build_index, current_generation, load_index, save_index
from rag.ingest import ingest
from rag.pipeline import Pipeline
from rag.settings import Settings

BUSY = "另一个导入任务正在写入索引"
KILL_FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)


def report(city: str, year: int, figure: int, lines: int = 25) -> str:
    body = "\n".join(
        f"{k + 1}、{city}市各级工会围绕职工需求开展走访慰问、技能培训和文体活动，"
        f"第{k + 1}批服务项目惠及职工 {1000 + 37 * k} 人次。"
        for k in range(lines)
    )
    return (
        f"{city}市总工会{year}年工作报告\n\n{year}年，{city}市全年新建职工书屋 {figure} 家。\n"
        f"{body}\n"
    )


def write_folder(folder: Path, cities: list[tuple[str, int, int]]) -> list[str]:
    folder.mkdir(parents=True)
    ids = []
    for city, year, figure in cities:
        doc_id = f"crash_{year}_{figure}"
        (folder / f"{doc_id}.txt").write_text(report(city, year, figure), encoding="utf-8")
        ids.append(doc_id)
    return ids


def rag_ingest(index_dir: Path, *paths: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_INDEX_DIR": str(index_dir), "HF_HUB_OFFLINE": "1", "COLUMNS": "1000"}
    if "RAG_MODEL" in os.environ:
        env["RAG_MODEL"] = os.environ["RAG_MODEL"]
    return subprocess.Popen(
        [PYTHON, "-m", "rag.cli", "ingest", *map(str, paths)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def check_answering(index_dir: Path, embedder, allowed: list[set[str]]) -> set[str]:
    """The index on disk loads, holds one of the allowed document sets, and answers."""
    settings = Settings(index_dir=index_dir)
    index = load_index(settings, embedder)
    docs = set(index.docs)
    assert docs in allowed, sorted(docs)
    result = Pipeline(index, embedder, settings).ask(MISSION)
    assert result.status == "answered" and result.answer.value == 918
    cite = result.citations[0]
    assert index.docs[cite.doc_id].text[cite.start : cite.end] == cite.quote
    return docs


@pytest.fixture(scope="module")
def embedder(qa):
    return qa.embedder


@pytest.fixture(scope="module")
def seed_ids(seed_index_dir, embedder) -> set[str]:
    return set(load_index(Settings(index_dir=seed_index_dir), embedder).docs)


@pytest.mark.slow
def test_rag_ingest_killed_at_any_moment_leaves_the_previous_index(
    tmp_path, seed_index_dir, seed_ids, embedder
):
    folder = tmp_path / "reports"
    new_ids = write_folder(folder, [("常州", 2011, 611), ("泰州", 2011, 622), ("盐城", 2011, 633)])
    before, after = seed_ids, seed_ids | set(new_ids)

    # How long a whole run takes here, so that the kills spread over all of it.
    scratch = shutil.copytree(seed_index_dir, tmp_path / "scratch")
    t0 = time.monotonic()
    proc = rag_ingest(scratch, folder)
    out, err = proc.communicate(timeout=600)
    duration = time.monotonic() - t0
    assert proc.returncode == 0, err
    assert check_answering(scratch, embedder, [after]) == after

    victim = shutil.copytree(seed_index_dir, tmp_path / "victim")
    outcomes = []
    for fraction in KILL_FRACTIONS:
        proc = rag_ingest(victim, folder)
        time.sleep(duration * fraction)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        outcomes.append((fraction, killed, check_answering(victim, embedder, [before, after])))
    # Killed early, nothing changed; at most the last kills may come after the swap.
    assert outcomes[0][2] == before, outcomes
    assert all(killed for _, killed, _ in outcomes[:-1]), outcomes

    # The killed writers left no lock behind: a last run completes and cleans up.
    proc = rag_ingest(victim, folder)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert check_answering(victim, embedder, [after]) == after
    assert not list(victim.glob(".tmp-*"))


class _Crash:
    """Patches every write ``save_index`` makes; the ``n``-th one ends the process."""

    def __init__(self, n: int):
        self.n, self.count = n, 0

    def step(self) -> None:
        self.count += 1
        if self.count == self.n:
            os._exit(9)

    def wrap(self, owner, name: str) -> None:
        original = getattr(owner, name)

        def wrapped(*args, **kwargs):
            self.step()
            result = original(*args, **kwargs)
            self.step()  # just after, too: "written but not yet the next thing"
            return result

        setattr(owner, name, wrapped)


def _save_in_child(index, index_dir: Path, crash_at: int) -> int:
    """Fork; the child saves ``index`` and dies at write step ``crash_at``. Exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            import json

            import bm25s
            import faiss
            import numpy as np

            import rag.index as rag_index

            crash = _Crash(crash_at)
            for owner, name in [
                (json, "dump"),
                (np, "save"),
                (faiss, "write_index"),
                (bm25s.BM25, "save"),
                (rag_index, "_write_durably"),
                (rag_index, "_fsync_dir"),
                (rag_index, "_fsync_tree"),
                (rag_index, "_prune"),
                (os, "rename"),
                (os, "replace"),
            ]:
                crash.wrap(owner, name)
            save_index(index, index_dir)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_save_interrupted_after_any_write_leaves_old_or_new_index(
    tmp_path, seed_index_dir, seed_ids, embedder
):
    index_dir = shutil.copytree(seed_index_dir, tmp_path / "index")
    settings = Settings(index_dir=index_dir)
    folder = tmp_path / "reports"
    new_ids = write_folder(folder, [("淮安", 2012, 644)])
    from rag.documents import read_document

    old = load_index(settings, embedder)
    new = build_index([read_document(folder / f"{new_ids[0]}.txt")], embedder, settings, old)
    before, after = seed_ids, seed_ids | set(new_ids)

    seen = []
    for crash_at in range(1, 200):
        status = _save_in_child(new, index_dir, crash_at)
        docs = check_answering(index_dir, embedder, [before, after])
        seen.append(docs == after)
        if status == 0:  # no write left to interrupt
            break
        assert status == 9, f"child failed at step {crash_at} with {status}"
    else:
        pytest.fail("save_index never completed")
    assert len(seen) > 20  # every file, rename and fsync was a crash point
    # Old index up to the swap of CURRENT, new one from then on: never back and forth.
    assert seen[0] is False and seen[-1] is True
    assert seen == sorted(seen)
    # Leftovers of the interrupted writers are cleared by the next successful save.
    save_index(new, index_dir)
    assert not list(index_dir.glob(".tmp-*"))
    assert len([p for p in index_dir.glob("gen-*") if p.is_dir()]) <= 2
    assert current_generation(index_dir) is not None


@pytest.mark.slow
def test_concurrent_rag_ingest_is_serialised_and_loses_nothing(
    tmp_path, seed_index_dir, seed_ids, embedder
):
    index_dir = shutil.copytree(seed_index_dir, tmp_path / "index")
    a_ids = write_folder(tmp_path / "a", [("宿迁", 2013, 655), ("镇江", 2013, 666)])
    b_ids = write_folder(tmp_path / "b", [("扬州", 2013, 677), ("南通", 2013, 688)])
    procs = [rag_ingest(index_dir, tmp_path / "a"), rag_ingest(index_dir, tmp_path / "b")]
    results = [(p.communicate(timeout=600), p.returncode) for p in procs]

    expected = set(seed_ids)
    for ids, ((out, err), code) in zip((a_ids, b_ids), results, strict=True):
        assert code in (0, 3), err
        if code == 3:
            assert BUSY in err  # told plainly, in Chinese
        else:
            expected |= set(ids)
            assert all(f"新增 {doc_id}" in out for doc_id in ids)
    assert any(code == 0 for _, code in results)
    # Whoever wrote second built on the first one's index: no lost update.
    assert check_answering(index_dir, embedder, [expected]) == expected

    # The refused one simply runs again afterwards.
    for ids, folder, (_, code) in zip((a_ids, b_ids), ("a", "b"), results, strict=True):
        if code == 3:
            assert ingest([tmp_path / folder], Settings(index_dir=index_dir), embedder).added
            expected |= set(ids)
    assert check_answering(index_dir, embedder, [expected]) == expected
