"""The ``rag`` command as a user runs it: quiet, unwrapped when piped, grep-like exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAG = ROOT / ".venv" / "bin" / "rag"
NOISE = re.compile(r"Loading weights|Batches|Warning|warn|Token indices|longer than", re.I)

pytestmark = pytest.mark.skipif(not RAG.exists(), reason=".venv/bin/rag missing")


def rag(*args: str, index_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "40"}
    if index_dir is not None:
        env["RAG_INDEX_DIR"] = str(index_dir)
    return subprocess.run(
        [str(RAG), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_ask_answer_is_quiet_and_unwrapped(seed_index_dir):
    r = rag("ask", "苏州2016年职工书屋多少家", index_dir=seed_index_dir)
    assert r.returncode == 0, r.stderr
    assert not NOISE.search(r.stderr), r.stderr
    assert r.stderr.strip() == ""
    lines = r.stdout.splitlines()
    assert lines[0].startswith("918 家")
    # The quote is one line although COLUMNS=40: piped output is never hard-wrapped.
    quote = (
        "“继续推进职工书屋建设，已建全国、省、市三级职工书屋示范点 918 家，图书总量超过 400 万册。”"
    )
    assert quote in lines


def test_ask_comparison_names_the_winner_and_each_side(seed_index_dir):
    question = "昆山和江都，哪边获得五一劳动奖章的人数更多？"
    data = json.loads(rag("ask", "--json", question, index_dir=seed_index_dir).stdout)
    sides = data["answer"]["compared"]
    lines = rag("ask", question, index_dir=seed_index_dir).stdout.splitlines()
    assert lines[1] == sides[0]["place"] + "更多"
    assert lines[2:4] == [f"  {s['place']}：{s['text']}" for s in sides]


def test_ask_not_found_exits_1(seed_index_dir):
    r = rag("ask", "拉萨2030年职工书屋多少家", index_dir=seed_index_dir)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout.strip() and not NOISE.search(r.stderr)
    j = rag("ask", "--json", "拉萨2030年职工书屋多少家", index_dir=seed_index_dir)
    assert j.returncode == 1 and '"not_found"' in j.stdout


def test_search_in_score_order_with_tokens(seed_index_dir):
    r = rag("search", "职工书屋", "--top-k", "6", index_dir=seed_index_dir)
    assert r.returncode == 0, r.stderr
    heads = re.findall(r"^(\d+)\. .* score=([\d.]+) tokens=(\d+)$", r.stdout, re.M)
    assert len(heads) >= 3, r.stdout
    assert [int(n) for n, _, _ in heads] == list(range(1, len(heads) + 1))
    scores = [float(s) for _, s, _ in heads]
    assert scores == sorted(scores, reverse=True)
    assert all(int(t) > 0 for _, _, t in heads)


@pytest.mark.parametrize(
    "command", ["ingest", "ask", "search", "serve", "mcp", "eval", "bench", "migrate"]
)
def test_every_subcommand_help_has_a_description(command):
    r = rag(command, "--help")
    assert r.returncode == 0
    usage, _, rest = r.stdout.partition("\n\n")
    description = rest.split("\n\n")[0].strip()
    assert re.search(r"[\u4e00-\u9fff]", description), r.stdout


def test_ingest_is_quiet(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kunshan.txt").write_text(
        "昆山市总工会2015年工作报告\n\n2015年，全市新建职工书屋 120 家，会员 35 万人。\n",
        encoding="utf-8",
    )
    r = rag("ingest", str(docs), index_dir=tmp_path / "index")
    assert r.returncode == 0, r.stderr
    assert not NOISE.search(r.stderr), r.stderr
    assert "新增" in r.stdout and "完成" in r.stdout


def test_serve_prints_and_serves_the_port_it_was_given(seed_index_dir):
    """`scripts/run.sh --port 8765` passes its arguments to `rag serve`, which must both
    announce and listen on that port (it used to announce the default 8000)."""
    import httpx
    from conftest import free_port

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_INDEX_DIR": str(seed_index_dir)}
    proc = subprocess.Popen(
        [str(RAG), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first
        assert ":8000" not in first
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("server did not come up on the port it announced")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
