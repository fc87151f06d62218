"""``rag eval``: run every gold question through the pipeline and score the answers.

Each question goes through ``Pipeline.ask`` (the same code path as the CLI and the API)
and ``Pipeline.search(top_k=20)`` for retrieval recall, once per retrieval mode.

Example::

    $ rag ingest seeds/
    $ rag eval                                   # hybrid, eval/gold.jsonl, table on stdout
    $ rag eval --mode all --report eval/report   # + report.md/json, accuracy.png, wrong.md
    $ rag eval --json --floor eval/floor.json    # JSON on stdout; exit 1 below the floor

Exit status: 0 ok, 1 a metric is below ``--floor``, 2 bad gold/floor file or no index.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rich.console import Console
from tqdm import tqdm

from eval import conversations as conv
from eval import kinds_report
from eval.kinds import load_kinds
from eval.metrics import (
    SEARCH_DEPTH,
    GoldError,
    GoldItem,
    GoldSpans,
    QuestionResult,
    Span,
    answer_correct,
    check_floor,
    citation_correct,
    gold_spans,
    load_gold,
    parse_floor,
    rank_of_gold,
    summarise,
    target_span,
)
from eval.report import build_report, print_summary, write_report
from rag.settings import PROJECT_ROOT, RetrievalMode, get_settings

DEFAULT_GOLD = PROJECT_ROOT / "eval" / "gold.jsonl"
DEFAULT_CONVERSATIONS = PROJECT_ROOT / "eval" / "conversations.jsonl"
DEFAULT_KINDS = PROJECT_ROOT / "eval" / "kinds.jsonl"
FLOOR_MODE = RetrievalMode.HYBRID
WARM_UP = "预热：2016年全市职工书屋有多少家？"

err = Console(stderr=True)


@dataclass(frozen=True)
class GoldTarget:
    """A gold item resolved against the index: its document id and where the evidence is."""

    item: GoldItem
    doc_id: str | None
    spans: GoldSpans | None
    target: Span | None  # what a retrieved chunk must cover; None: no recall for this item


# ------------------------------------------------------------------ arguments


def parse_modes(text: str | None) -> list[RetrievalMode]:
    """``"all"`` → every mode; otherwise one mode. ``parse_modes("bm25")`` → [BM25]."""
    if text is None or isinstance(text, RetrievalMode):
        return [text or RetrievalMode.HYBRID]
    if text.strip().lower() == "all":
        return list(RetrievalMode)
    return [RetrievalMode.parse(text.strip())]


def load_floor(path: str | Path) -> dict[str, float]:
    """Read ``eval/floor.json``: ``{"answer_accuracy": 0.9, ...}``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldError(f"floor file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    return parse_floor(data, str(path))


# -------------------------------------------------------------- gold vs index


def doc_id_for(index: Any, doc: str) -> str | None:
    """Index document id for a gold ``doc`` (a source file name, or the id itself)."""
    for record in index.docs.values():
        if record.source == doc or Path(record.source).name == doc:
            return record.doc_id
    stem = Path(doc).stem
    for candidate in (doc, stem):
        if candidate in index.docs:
            return candidate
    return None


def resolve(items: Sequence[GoldItem], index: Any, name: str) -> list[GoldTarget]:
    """Find each gold document and evidence in the index; every problem is reported at once."""
    chunks_by_doc: dict[str, list[tuple[int, int]]] = {}
    for chunk in index.chunks:
        chunks_by_doc.setdefault(chunk.doc_id, []).append((chunk.start, chunk.end))
    targets, problems = [], []
    for item in items:
        if item.doc is None:
            targets.append(GoldTarget(item, None, None, None))
            continue
        doc_id = doc_id_for(index, item.doc)
        if doc_id is None:
            problems.append(
                f"{name}:{item.line} ({item.id}): document {item.doc!r} is not in the index"
            )
            continue
        spans = None
        if item.evidence is not None:
            spans = gold_spans(item, index.docs[doc_id].text)
            if spans is None:
                problems.append(f"{name}:{item.line} ({item.id}): evidence not found in {item.doc}")
                continue
        target = target_span(spans, chunks_by_doc.get(doc_id, [])) if spans else None
        targets.append(GoldTarget(item, doc_id, spans, target))
    if problems:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise GoldError(
            "gold file does not match the index (run `rag ingest` first?):\n  " + "\n  ".join(shown)
        )
    return targets


# ---------------------------------------------------------------- evaluation


def evaluate(pipeline: Any, gold: GoldTarget, mode: RetrievalMode) -> QuestionResult:
    """Ask and search one gold question in one mode and score it."""
    item = gold.item
    t0 = time.perf_counter()
    answer = pipeline.ask(item.question, mode=mode)
    wall_ms = (time.perf_counter() - t0) * 1000
    correct = answer_correct(item, answer)
    rank = None
    if gold.target is not None:
        search = pipeline.search(item.question, top_k=SEARCH_DEPTH, mode=mode)
        passages = [(p.doc_id, p.start, p.end) for p in search.passages]
        rank = rank_of_gold(passages, gold.doc_id, gold.target)
    cited_ok = None
    if correct and item.answerable and gold.doc_id is not None:
        cited_ok = citation_correct(item, answer, gold.doc_id, gold.spans)
    got = answer.answer
    first = answer.citations[0] if answer.citations else None
    status = str(getattr(answer.status, "value", answer.status))
    return QuestionResult(
        id=item.id,
        type=item.type,
        mode=mode.value,
        question=item.question,
        expected_value=item.answer_value,
        expected_text=item.answer_text,
        expected_doc=item.doc,
        status=status,
        value=got.value if got else None,
        unit=got.unit if got else None,
        answer_text=got.text if got else None,
        cited_doc=first.doc_id if first else None,
        quote=first.quote if got and first else answer.message,
        correct=correct,
        citation_correct=cited_ok,
        rank=rank,
        recall_applicable=gold.target is not None,
        took_ms=float(answer.took_ms),
        wall_ms=round(wall_ms, 2),
    )


def run_mode(
    pipeline: Any, targets: Sequence[GoldTarget], mode: RetrievalMode
) -> list[QuestionResult]:
    """All questions in one mode, with a progress bar on stderr (terminals only)."""
    forget_query_embeddings(pipeline)  # a mode run after another must embed afresh
    pipeline.ask(WARM_UP, mode=mode)  # load lazy resources outside the timings
    bar = tqdm(
        targets, desc=f"eval {mode.value}", unit="q", file=sys.stderr, disable=None, leave=False
    )
    return [evaluate(pipeline, gold, mode) for gold in bar]


def forget_query_embeddings(pipeline: Any) -> None:
    """Empty the embedder's query cache so each mode's latency includes embedding."""
    cache = getattr(getattr(pipeline, "embedder", None), "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def load_pipeline():
    from rag.pipeline import Pipeline

    return Pipeline.load(get_settings())


# ---------------------------------------------------------------------- main


def main(args: Any) -> int:
    """Entry point of ``rag eval``; ``args`` is the argparse namespace from ``rag.cli``."""
    gold_path = Path(getattr(args, "gold", None) or DEFAULT_GOLD)
    try:
        modes = parse_modes(getattr(args, "mode", None))
        items = load_gold(gold_path)
        floor_path = getattr(args, "floor", None)
        floor = load_floor(floor_path) if floor_path else {}
        conversations = load_conversation_file(getattr(args, "conversations", None))
        kinds = load_kinds_file(getattr(args, "kinds", None))
    except (GoldError, ValueError) as exc:
        err.print(f"[red]rag eval: {exc}[/red]", highlight=False)
        return 2

    try:
        from rag.index import IndexLoadError

        with err.status("loading model and index…"):
            pipeline = load_pipeline()
        targets = resolve(items, pipeline.index, str(gold_path))
        if conversations:
            turn_items = [t.item for c in conversations for t in c.turns if t.item is not None]
            resolve(turn_items, pipeline.index, "conversations")
    except (IndexLoadError, GoldError) as exc:
        err.print(f"[red]rag eval: {exc}[/red]", highlight=False)
        return 2

    t0 = time.perf_counter()
    results = {mode.value: run_mode(pipeline, targets, mode) for mode in modes}
    report = build_report(
        results, gold_path=gold_path, index=pipeline.index, seconds=time.perf_counter() - t0
    )
    sections = extra_sections(pipeline, conversations, kinds, modes)
    for section in sections:
        report[section.name] = section.module.report_dict(section.summary, section.rows)

    if getattr(args, "report", None):
        written = write_report(report, results, Path(args.report))
        err.print(
            f"report written to {Path(args.report)}: {', '.join(p.name for p in written)}",
            highlight=False,
        )
        with open(Path(args.report) / "report.md", "a", encoding="utf-8") as md:
            for section in sections:
                md.write("\n" + section.module.markdown(section.summary, section.rows))
    if getattr(args, "json", False):
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_summary(report)
        for section in sections:
            section.module.print_summary(section.summary, Console())
    extra = set(conv.METRICS) | set(kinds_report.METRICS)
    status = floor_status(results, {k: v for k, v in floor.items() if k not in extra}, modes)
    for section in sections:
        if not any(k in floor for k in section.module.METRICS):
            continue
        failures = section.check(section.summary, floor)
        for failure in failures:
            err.print(f"[red]  - {failure}[/red]", highlight=False)
        if failures:
            status = 1
        else:
            err.print(f"[green]{section.name} floor ok[/green]")
    return status


class Section(NamedTuple):
    """A part of the evaluation beside the figure gold set, with its own floor metrics."""

    name: str
    module: Any  # eval.conversations or eval.kinds_report: report_dict, markdown, print_summary
    summary: Any
    rows: Any
    check: Any


def extra_sections(pipeline, conversations, kinds, modes) -> list[Section]:
    sections = []
    if conversations:
        mode = FLOOR_MODE if FLOOR_MODE in modes else modes[0]
        turns = conv.run_conversations(pipeline, conversations, mode)
        summary = conv.summarise_conversations(turns)
        sections.append(
            Section("conversations", conv, summary, turns, conv.check_conversation_floor)
        )
    if kinds:
        rows = kinds_report.run_kinds(pipeline, kinds)
        summary = kinds_report.summarise_kinds(rows)
        sections.append(
            Section("kinds", kinds_report, summary, rows, kinds_report.check_kinds_floor)
        )
    return sections


def load_kinds_file(path: str | None) -> list:
    """``--kinds``: a file, "none" to skip, or (unset) eval/kinds.jsonl if present."""
    if path is not None and str(path).strip().lower() == "none":
        return []
    if path is None:
        return load_kinds(DEFAULT_KINDS) if DEFAULT_KINDS.exists() else []
    return load_kinds(path)


def load_conversation_file(path: str | None) -> list[conv.Conversation]:
    """``--conversations``: a file, "none" to skip, or (unset) eval/conversations.jsonl if present."""
    if path is not None and str(path).strip().lower() == "none":
        return []
    if path is None:
        return (
            conv.load_conversations(DEFAULT_CONVERSATIONS) if DEFAULT_CONVERSATIONS.exists() else []
        )
    return conv.load_conversations(path)


def floor_status(
    results: dict[str, list[QuestionResult]], floor: dict[str, float], modes: list[RetrievalMode]
) -> int:
    """Exit status for ``--floor``: checked on hybrid if it ran, else on the only mode run."""
    if not floor:
        return 0
    mode = FLOOR_MODE if FLOOR_MODE in modes else modes[0]
    failures = check_floor(summarise(results[mode.value]), floor)
    if not failures:
        err.print(
            f"[green]floor ok ({mode.value}): {len(floor)} metric(s) at or above their floor[/green]"
        )
        return 0
    err.print(
        f"[red bold]rag eval: {len(failures)} metric(s) below the floor ({mode.value}):[/red bold]"
    )
    for failure in failures:
        err.print(f"[red]  - {failure.describe()}[/red]", highlight=False)
    return 1
