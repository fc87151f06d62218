"""Turn ``rag eval`` results into report.json, report.md, wrong.md, accuracy.png and a table.

Example::

    >>> report = build_report({"hybrid": results}, gold_path=Path("eval/gold.jsonl"))
    >>> write_report(report, {"hybrid": results}, Path("eval/report"))
    [PosixPath('eval/report/report.json'), PosixPath('eval/report/report.md'), ...]
    >>> print_summary(report)   # rich tables on stdout
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from eval.metrics import QuestionResult, Summary, summarise, summarise_by_type

OVERALL = "overall"

# Metrics as shown in tables: (key, label, kind) — kind "rate" shows as %, "ms" as ms.
DISPLAY: tuple[tuple[str, str, str], ...] = (
    ("answer_accuracy", "answer accuracy", "rate"),
    ("citation_accuracy", "citation accuracy", "rate"),
    ("recall_at_1", "recall@1", "rate"),
    ("recall_at_5", "recall@5", "rate"),
    ("mrr", "MRR", "num"),
    ("unanswerable_not_found", "unanswerable → not_found", "rate"),
    ("answerable_not_found", "answerable → not_found (wrong)", "rate"),
    ("latency_p50_ms", "latency p50 (took_ms)", "ms"),
    ("latency_p95_ms", "latency p95 (took_ms)", "ms"),
    ("n", "questions", "int"),
)
TYPE_COLUMNS = ("n", "answer_accuracy", "citation_accuracy", "recall_at_1", "recall_at_5", "mrr")


# ------------------------------------------------------------------- JSON


def summary_dict(summary: Summary) -> dict[str, Any]:
    """A :class:`Summary` as JSON-ready numbers (rates to 4 places, times to 0.01 ms)."""
    out: dict[str, Any] = {}
    for key, value in summary._asdict().items():
        if isinstance(value, float):
            value = round(value, 2 if key.endswith("_ms") else 4)
        out[key] = value
    return out


def result_dict(result: QuestionResult) -> dict[str, Any]:
    return asdict(result)


def build_report(
    results: dict[str, list[QuestionResult]],
    *,
    gold_path: Path | str | None = None,
    index: Any = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    """The content of report.json: metrics overall and per type for each mode, and details."""
    first = next(iter(results.values()), [])
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gold": str(gold_path) if gold_path else None,
        "questions": len(first),
        "modes": list(results),
        "types": _types(first),
        "seconds": round(seconds, 2) if seconds is not None else None,
        "index": {"documents": len(index.docs), "chunks": len(index.chunks)}
        if index is not None
        else None,
        "metrics": {},
        "wrong": {},
        "citation_wrong": {},
        "results": {},
    }
    for mode, rows in results.items():
        report["metrics"][mode] = {
            OVERALL: summary_dict(summarise(rows)),
            "by_type": {k: summary_dict(v) for k, v in summarise_by_type(rows).items()},
        }
        report["wrong"][mode] = [r.id for r in rows if not r.correct]
        report["citation_wrong"][mode] = [r.id for r in rows if r.citation_correct is False]
        report["results"][mode] = [result_dict(r) for r in rows]
    return report


def _types(rows: Sequence[QuestionResult]) -> list[str]:
    return list(dict.fromkeys(r.type for r in rows))


# -------------------------------------------------------------- formatting


def fmt(value: Any, kind: str = "rate") -> str:
    """``fmt(0.9123)`` → "91.2%", ``fmt(None)`` → "–", ``fmt(12.3, "ms")`` → "12.3 ms"."""
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "ms":
        return f"{value:.1f} ms"
    if kind == "int":
        return str(int(value))
    return f"{value:.3f}"


def _kind(key: str) -> str:
    return next((kind for k, _, kind in DISPLAY if k == key), "num")


def _label(key: str) -> str:
    return next((label for k, label, _ in DISPLAY if k == key), key)


def _figure(value: float | None, text: str | None, unit: str | None = None) -> str:
    if text:
        return text
    if value is None:
        return "–"
    shown = f"{value:g}" if abs(value) < 1e15 else str(value)
    return f"{shown} {unit}" if unit else shown


# ---------------------------------------------------------------- markdown


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report_markdown(report: dict[str, Any]) -> str:
    """report.md: overall per mode, accuracy per type per mode, then full per-type tables."""
    modes = report["modes"]
    metrics = report["metrics"]
    parts = [
        "# rag eval report",
        "",
        f"Gold: `{report['gold']}` · {report['questions']} questions · modes: {', '.join(modes)}"
        f" · generated {report['generated_at']}"
        + (f" · {report['seconds']} s" if report.get("seconds") is not None else ""),
        "",
        "## Overall",
        "",
        md_table(
            ["metric", *modes],
            [
                [label, *(fmt(metrics[m][OVERALL][key], kind) for m in modes)]
                for key, label, kind in DISPLAY
            ],
        ),
        "",
        "## Answer accuracy by type",
        "",
        md_table(
            ["type", "n", *modes],
            [
                [
                    t,
                    str(metrics[modes[0]]["by_type"][t]["n"]),
                    *(fmt(metrics[m]["by_type"][t]["answer_accuracy"]) for m in modes),
                ]
                for t in report["types"]
            ],
        ),
    ]
    for mode in modes:
        rows = [
            [t, *(fmt(metrics[mode]["by_type"][t][key], _kind(key)) for key in TYPE_COLUMNS)]
            for t in report["types"]
        ]
        rows.append(
            [
                f"**{OVERALL}**",
                *(fmt(metrics[mode][OVERALL][key], _kind(key)) for key in TYPE_COLUMNS),
            ]
        )
        parts += [
            "",
            f"## By type — {mode}",
            "",
            md_table(["type", *(_label(k) for k in TYPE_COLUMNS)], rows),
        ]
    parts += [
        "",
        "Answer accuracy: value within 0.5% with a compatible unit (unanswerable: status not_found). "
        "Citation accuracy: among correct answerable answers, the first citation is from the gold "
        "document and quotes the figure. Recall/MRR: rank of the chunk covering the gold evidence in "
        "`search(top_k=20)`. Wrong answers are listed in `wrong.md`.",
        "",
    ]
    return "\n".join(parts)


def wrong_markdown(results: dict[str, list[QuestionResult]]) -> str:
    """wrong.md: every wrong answer (and every wrong citation) per mode."""
    parts = ["# Wrong answers", ""]
    for mode, rows in results.items():
        wrong = [r for r in rows if not r.correct]
        parts += [f"## {mode} — {len(wrong)} wrong of {len(rows)}", ""]
        parts += [_wrong_entry(r) for r in wrong] or ["(none)", ""]
        bad_cites = [r for r in rows if r.citation_correct is False]
        if bad_cites:
            parts += [f"### {mode} — right figure, wrong citation ({len(bad_cites)})", ""]
            parts += [_wrong_entry(r) for r in bad_cites]
    return "\n".join(parts)


def _wrong_entry(r: QuestionResult) -> str:
    expected = (
        _figure(r.expected_value, r.expected_text) if r.expected_value is not None else "not_found"
    )
    if r.status == "answered":
        returned = (
            f"{_figure(r.value, r.answer_text, r.unit)} (value {r.value:g}, unit {r.unit or '–'})"
        )
        source = f"from `{r.cited_doc}`"
    else:
        returned, source = "not_found", ""
    rank = (
        f"gold chunk rank {r.rank}"
        if r.rank
        else ("gold chunk not in top 20" if r.recall_applicable else "")
    )
    lines = [
        f"### {r.id} ({r.type})",
        "",
        f"- question: {r.question}",
        f"- expected: {expected}" + (f" in `{r.expected_doc}`" if r.expected_doc else ""),
        f"- returned: {returned} {source}".rstrip(),
    ]
    if r.quote:
        label = "quote" if r.status == "answered" else "message"
        lines.append(f"- {label}: “{_one_line(r.quote)}”")
    if rank:
        lines.append(f"- retrieval: {rank}")
    return "\n".join(lines) + "\n"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


# ------------------------------------------------------------------- chart


def write_chart(report: dict[str, Any], path: Path) -> Path:
    """accuracy.png: grouped bars of answer accuracy per type (and overall), one bar per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = "DejaVu Sans"  # labels are ASCII; no CJK font needed
    modes = report["modes"]
    groups = [*report["types"], OVERALL]
    width = 0.8 / max(len(modes), 1)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.1 * len(groups) + 2), 4.5), dpi=120)
    for i, mode in enumerate(modes):
        table = report["metrics"][mode]
        values = [
            (table[OVERALL] if g == OVERALL else table["by_type"][g])["answer_accuracy"] or 0.0
            for g in groups
        ]
        xs = [x + (i - (len(modes) - 1) / 2) * width for x in range(len(groups))]
        bars = ax.bar(xs, [v * 100 for v in values], width, label=mode)
        ax.bar_label(bars, labels=[f"{v * 100:.0f}" for v in values], fontsize=7, padding=1)
    ax.set_xticks(
        range(len(groups)), [g.replace("_", " ") for g in groups], rotation=20, ha="right"
    )
    ax.set_ylabel("answer accuracy (%)")
    ax.set_ylim(0, 110)
    ax.set_title(f"Answer accuracy by question type ({report['questions']} questions)")
    ax.legend(title="retrieval", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# ------------------------------------------------------------------- files


def write_report(
    report: dict[str, Any], results: dict[str, list[QuestionResult]], directory: Path
) -> list[Path]:
    """Write report.json, report.md, wrong.md and accuracy.png into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": json.dumps(report, ensure_ascii=False, indent=2) + "\n",
        "report.md": report_markdown(report),
        "wrong.md": wrong_markdown(results),
    }
    written = []
    for name, content in files.items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    written.append(write_chart(report, directory / "accuracy.png"))
    return written


# ------------------------------------------------------------------ console


def print_summary(report: dict[str, Any], console: Console | None = None) -> None:
    """Rich tables: overall metrics per mode, then answer accuracy per type per mode."""
    console = console or Console()
    modes = report["modes"]
    metrics = report["metrics"]
    overall = Table(title=f"rag eval — {report['questions']} questions ({report['gold']})")
    overall.add_column("metric")
    for mode in modes:
        overall.add_column(mode, justify="right")
    for key, label, kind in DISPLAY:
        overall.add_row(label, *(fmt(metrics[m][OVERALL][key], kind) for m in modes))
    console.print(overall)

    by_type = Table(title="answer accuracy by type")
    by_type.add_column("type")
    by_type.add_column("n", justify="right")
    for mode in modes:
        by_type.add_column(mode, justify="right")
    for t in report["types"]:
        n = metrics[modes[0]]["by_type"][t]["n"]
        by_type.add_row(
            t, str(n), *(fmt(metrics[m]["by_type"][t]["answer_accuracy"]) for m in modes)
        )
    console.print(by_type)
    for mode in modes:
        wrong = report["wrong"][mode]
        if wrong:
            console.print(
                f"[dim]{mode} wrong ({len(wrong)}): {', '.join(wrong)}[/dim]", highlight=False
            )
