"""The exported embedding model on ONNX Runtime: tokenizer.json, transformer, pooling.

Nothing here imports torch, transformers or sentence-transformers: this is what
``rag ask``, ``rag serve`` and ingest run once rag/onnx_export.py has written the
folder. Pooling (mean over real tokens, or the first token) and normalisation follow
the folder's meta.json, as the model's sentence-transformers config said at export.

Example::

    >>> model = OnnxModel(folder, "fp32", threads=1)
    >>> model.embed(["苏州2016年职工书屋多少家", "工会"]).shape
    (2, 512)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class OnnxModel:
    def __init__(self, folder: Path, precision: str, threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.precision = precision
        self.max_tokens = int(self.meta["max_tokens"])
        self.dimension = int(self.meta["dimension"])
        self.pooling = self.meta["pooling"]
        # Two copies of one tokenizer: ``tokenizer`` counts any text's tokens (chunking),
        # ``_batch`` pads and truncates to the window as sentence-transformers did.
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._batch = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._batch.enable_truncation(max_length=self.max_tokens)
        self._batch.enable_padding(
            pad_id=self.meta["pad_id"],
            pad_token=self.meta["pad_token"],
            pad_type_id=self.meta["pad_type_id"],
        )
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: request threads share the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(folder / self.meta["files"][precision]),
            options,
            providers=["CPUExecutionProvider"],
        )
        self._inputs = [i.name for i in self.session.get_inputs()]

    def token_ids(self, text: str) -> list[int]:
        """The ids the model is fed for ``text``, special tokens included, truncated."""
        return self._batch.encode(text).ids

    def embed(self, texts: list[str]) -> np.ndarray:
        """One model call: unit vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        encodings = self._batch.encode_batch(texts)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        columns = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": mask,
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (tokens,) = self.session.run(None, {name: columns[name] for name in self._inputs})
        if self.pooling == "cls":
            pooled = tokens[:, 0]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.ascontiguousarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)
