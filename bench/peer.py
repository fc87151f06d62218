"""The plain pipeline a user would assemble: sentence-transformers + FAISS flat.

The same model and the same chunk vectors as the service (read from its index), one
question at a time: ``SentenceTransformer.encode`` the question, search an
``IndexFlatIP``, print the best chunk. No BM25, no answer extraction, no citations:
it does less than ``rag ask``, which is why it is the yardstick. It runs in its own
interpreter (``python -m bench.peer``) so that torch keeps its default threads and
nothing the service loaded is shared.

Example::

    $ python -m bench.peer index/ "苏州2016年职工书屋多少家"          # one question, like a script
    $ python -m bench.peer index/ --questions eval/gold.jsonl --json  # per-question latencies

    >>> peer_latencies(index_dir, Path("eval/gold.jsonl"))   # in-process p50 etc., in ms
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from rag.settings import PROJECT_ROOT


def _generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("question", nargs="?")
    parser.add_argument("--questions", type=Path, help="JSONL with a 'question' per line")
    parser.add_argument("--json", action="store_true", help="print latencies (ms) as JSON")
    args = parser.parse_args(argv)

    import faiss
    from sentence_transformers import SentenceTransformer

    from rag.settings import Settings

    gen = _generation(args.index_dir)
    model = SentenceTransformer(Settings().model_path(), device="cpu")
    index = faiss.read_index(str(gen / "dense.faiss"))
    docs = {d["doc_id"]: d["text"] for d in json.loads((gen / "docs.json").read_text("utf-8"))}
    chunks = json.loads((gen / "chunks.json").read_text("utf-8"))

    def ask(question: str) -> str:
        vector = model.encode([question], normalize_embeddings=True)
        _, ids = index.search(vector, 5)
        doc_id, start, end = chunks[int(ids[0][0])]
        return docs[doc_id][start:end]

    if args.question:
        print(ask(args.question)[:200])
    if args.questions:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
        for q in questions[:5]:
            ask(q)  # first calls allocate
        latencies = []
        for q in questions:
            t0 = time.perf_counter()
            ask(q)
            latencies.append((time.perf_counter() - t0) * 1e3)
        if args.json:
            print(json.dumps(latencies))
    return 0


def peer_latencies(index_dir: Path, questions: Path) -> list[float]:
    """Per-question milliseconds of the peer pipeline, in its own interpreter."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.peer",
            str(index_dir),
            "--questions",
            str(questions),
            "--json",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
