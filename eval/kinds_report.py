"""``rag eval`` on the non-figure kinds (eval/kinds.jsonl): run, summarise, check a floor.

Each question is asked standalone and judged by :func:`eval.kinds.judge`. The summary
keeps one row per kind, answerable and unanswerable apart, so a regression in one kind
cannot hide behind another's gain.

Example::

    >>> rows = run_kinds(pipeline, load_kinds("eval/kinds.jsonl"))
    >>> summary = summarise_kinds(rows)
    >>> summary.no_figure  # no question of these kinds was given a figure
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from eval.kinds import KindItem, judge
from eval.metrics import KINDS_METRICS, check_named_floor, rate

METRICS = KINDS_METRICS  # what a floor file (eval/floor.json) may name


class KindRow(NamedTuple):
    id: str
    question: str
    kind: str
    answerable: bool
    status: str
    answer: str | None
    expected: str | None
    exact: bool
    accepted: bool
    citation: bool
    got_figure: bool


class KindLine(NamedTuple):
    kind: str
    n: int
    accepted: float | None
    exact: float | None
    citation: float | None
    unanswerable: int
    not_found: float | None


class KindsSummary(NamedTuple):
    questions: int
    accuracy: float | None  # accepted answers and unanswerable questions not found, over all
    answerable_accuracy: float | None
    unanswerable_not_found: float | None
    citation_accuracy: float | None  # answerable questions whose first citation is the evidence
    no_figure: float | None  # share of questions NOT given a figure: must be 1.0
    by_kind: list[KindLine]

    def metric(self, name: str) -> float | None:
        return getattr(self, name.removeprefix("kinds_"))


def run_kinds(pipeline: Any, items: Sequence[KindItem]) -> list[KindRow]:
    texts = {d: r.text for d, r in pipeline.index.docs.items()}
    rows = []
    for item in items:
        answer = pipeline.ask(item.question)
        j = judge(item, answer, texts)
        rows.append(
            KindRow(
                item.id,
                item.question,
                item.kind.value,
                item.answerable,
                str(answer.status.value),
                answer.answer.text if answer.answer else None,
                item.answer_text,
                j.exact,
                j.accepted,
                j.citation,
                j.got_figure,
            )
        )
    return rows


def summarise_kinds(rows: Sequence[KindRow]) -> KindsSummary:
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    lines = []
    for kind in sorted({r.kind for r in rows}):
        mine = [r for r in rows if r.kind == kind]
        yes = [r for r in mine if r.answerable]
        no = [r for r in mine if not r.answerable]
        lines.append(
            KindLine(
                kind,
                len(yes),
                rate(sum(r.accepted for r in yes), len(yes)),
                rate(sum(r.exact for r in yes), len(yes)),
                rate(sum(r.citation for r in yes), len(yes)),
                len(no),
                rate(sum(r.status == "not_found" for r in no), len(no)),
            )
        )
    return KindsSummary(
        questions=len(rows),
        accuracy=rate(sum(r.accepted for r in rows), len(rows)),
        answerable_accuracy=rate(sum(r.accepted for r in answerable), len(answerable)),
        unanswerable_not_found=rate(
            sum(r.status == "not_found" for r in unanswerable), len(unanswerable)
        ),
        citation_accuracy=rate(sum(r.citation for r in answerable), len(answerable)),
        no_figure=rate(sum(not r.got_figure for r in rows), len(rows)),
        by_kind=lines,
    )


def check_kinds_floor(summary: KindsSummary, floor: dict[str, float]) -> list[str]:
    """Failures of the kinds metrics named in ``floor`` (others are ignored here)."""
    return check_named_floor(summary.metric, METRICS, floor)


# ------------------------------------------------------------------ output

LABELS = {
    "kinds_accuracy": "all questions right (answered right, or not_found when unanswerable)",
    "kinds_answerable_accuracy": "answerable: accepted answer",
    "kinds_unanswerable_not_found": "unanswerable → not_found",
    "kinds_citation_accuracy": "answerable: first citation holds the evidence",
    "kinds_no_figure": "no figure offered (must be 100%)",
}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def report_dict(summary: KindsSummary, rows: Sequence[KindRow]) -> dict[str, Any]:
    head = {k: v for k, v in summary._asdict().items() if k != "by_kind"}
    return {
        "summary": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in head.items()},
        "by_kind": [line._asdict() for line in summary.by_kind],
        "wrong": [r.id for r in rows if not r.accepted],
        "results": [r._asdict() for r in rows],
    }


def markdown(summary: KindsSummary, rows: Sequence[KindRow]) -> str:
    lines = [
        "## Questions of every other kind",
        "",
        f"{summary.questions} questions (people, dates, places, names, lists, yes/no, "
        "definitions, descriptions).",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_pct(summary.metric(key))} |" for key, label in LABELS.items()]
    lines += [
        "",
        "| kind | answerable | accepted | exact span | citation | unanswerable | not_found |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in summary.by_kind:
        lines.append(
            f"| {k.kind} | {k.n} | {_pct(k.accepted)} | {_pct(k.exact)} | {_pct(k.citation)} "
            f"| {k.unanswerable} | {_pct(k.not_found)} |"
        )
    wrong = [r for r in rows if not r.accepted]
    if wrong:
        lines += ["", "Wrong:", "", "| id | kind | question | expected | answer |"]
        lines.append("|---|---|---|---|---|")
        for r in wrong:
            expected = r.expected if r.answerable else "not_found"
            got = (r.answer or r.status).replace("|", "｜")[:60]
            lines.append(f"| {r.id} | {r.kind} | {r.question} | {(expected or '')[:40]} | {got} |")
    return "\n".join(lines) + "\n"


def print_summary(summary: KindsSummary, console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"Other kinds: {summary.questions} questions")
    table.add_column("kind")
    table.add_column("answerable", justify="right")
    table.add_column("accepted", justify="right")
    table.add_column("exact", justify="right")
    table.add_column("citation", justify="right")
    table.add_column("unanswerable", justify="right")
    table.add_column("not_found", justify="right")
    for k in summary.by_kind:
        table.add_row(
            k.kind,
            str(k.n),
            _pct(k.accepted),
            _pct(k.exact),
            _pct(k.citation),
            str(k.unanswerable),
            _pct(k.not_found),
        )
    console.print(table)
    for key, label in LABELS.items():
        console.print(f"  {label}: {_pct(summary.metric(key))}", highlight=False)
