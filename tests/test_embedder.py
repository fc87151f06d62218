"""The query embedding: the direct path must give the vectors ``encode`` gives."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embedder import load_embedder
from rag.settings import Settings


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(Settings())


def test_default_model_uses_the_direct_query_path(embedder):
    assert embedder.fast_query is not None


@pytest.mark.parametrize(
    "text",
    [
        "扬州江都区2011年工会会员总数",
        "how many workers' libraries 职工书屋 in 2016?",
        "一" * 600,  # longer than the model's window: both paths truncate alike
        "？",
    ],
)
def test_direct_path_reproduces_encode(embedder, text):
    direct = embedder.fast_query(text)
    reference = embedder.encode([text])[0]
    assert direct.dtype == np.float32 and direct.shape == (embedder.dimension,)
    assert np.allclose(direct, reference, atol=1e-5)
    assert np.isclose(np.linalg.norm(direct), 1.0, atol=1e-5)


def test_query_cache_returns_the_same_vector(embedder):
    text = "无锡市总工会帮扶困难职工多少人次"
    first = embedder.encode_query(text)
    assert embedder.encode_query(text) is first
    assert np.allclose(first, embedder.encode([text])[0], atol=1e-5)
