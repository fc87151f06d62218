"""Follow-up conversations: every turn asked with the turns before it, as the widget does.

``eval/conversations.jsonl`` holds one conversation per line::

    {"id": "c01", "type": "year", "turns": [
      {"question": "苏州2016年职工书屋多少家", "answer_value": 918, "unit": "家",
       "doc": "001_0a525996db59571e.txt", "evidence": "已建全国、省、市三级职工书屋示范点 918 家"},
      {"question": "那2012年呢？", "resolved": ["苏州2012年职工书屋多少家"], "answer_value": null}]}

A follow-up turn is right when both hold:

* ``resolved_question`` is one of the accepted ``resolved`` forms (compared without
  whitespace and punctuation), or null when ``resolved`` is null (the question stands on
  its own); ``"restate": true`` expects no resolution and the message asking to restate;
* the answer is right by the gold rules (eval/metrics.answer_correct): the figure within
  0.5% with a compatible unit, or ``not_found`` when ``answer_value`` is null.

Each turn's history is the earlier turns as a client sends them: the standalone question
(``resolved_question`` when there was one) and the answer text shown — the pipeline's, or
the turn's own ``"answer"`` where the conversation states what the user was shown.

Example::

    >>> convs = load_conversations("eval/conversations.jsonl")
    >>> results = run_conversations(pipeline, convs)
    >>> summarise_conversations(results).followup_accuracy
    0.95
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

from eval.metrics import (
    FOLLOWUP_METRICS,
    UNANSWERABLE,
    GoldError,
    GoldItem,
    answer_correct,
    check_named_floor,
    parse_gold_line,
    rate,
)
from rag.followup import RESTATE, Turn

METRICS = FOLLOWUP_METRICS


@dataclass(frozen=True)
class ConvTurn:
    question: str
    item: GoldItem | None  # the answer to check; None for a turn only asked for context
    resolved: tuple[str, ...] | None  # accepted standalone forms; None: must not be rewritten
    restate: bool  # a follow-up the history cannot complete
    shown: str | None  # the answer text the user was shown, when the file states it


@dataclass(frozen=True)
class Conversation:
    id: str
    type: str
    turns: tuple[ConvTurn, ...]
    line: int


# ------------------------------------------------------------------ loading


def _turn(row: Any, where: str, cid: str, kind: str, n: int, line: int) -> ConvTurn:
    if not isinstance(row, dict) or not isinstance(row.get("question"), str):
        raise GoldError(f"{where}: turn {n} needs a “question” string")
    resolved = row.get("resolved")
    if resolved is not None and (
        not isinstance(resolved, list)
        or not resolved
        or not all(isinstance(r, str) for r in resolved)
    ):
        raise GoldError(
            f"{where}: turn {n}: “resolved” must be null or a non-empty list of strings"
        )
    restate = bool(row.get("restate", False))
    item = None
    if "answer_value" in row:
        gold = {k: v for k, v in row.items() if k not in ("resolved", "restate", "answer")}
        gold |= {
            "id": f"{cid}.{n}",
            "type": kind if row["answer_value"] is not None else UNANSWERABLE,
        }
        item = parse_gold_line(json.dumps(gold, ensure_ascii=False), f"{where} turn {n}", line)
    elif n > 1 or restate:
        raise GoldError(f"{where}: turn {n} is a follow-up and needs “answer_value” (null if none)")
    if restate and (resolved is not None or item is None or item.answerable):
        raise GoldError(
            f"{where}: turn {n}: a restate turn has no “resolved” and answer_value null"
        )
    shown = row.get("answer")
    return ConvTurn(
        row["question"].strip(), item, tuple(resolved) if resolved else None, restate, shown
    )


def load_conversations(path: str | Path) -> list[Conversation]:
    """Read and validate the conversations file; errors name the line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldError(f"conversations file not found: {path}") from None
    out, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith(("#", "//")):
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where}: not valid JSON ({exc.msg})") from None
        cid, turns = str(row.get("id", "")), row.get("turns")
        if not cid or cid in seen:
            raise GoldError(f"{where}: missing or duplicate “id”")
        if not isinstance(turns, list) or len(turns) < 2:
            raise GoldError(f"{where}: “turns” must list at least two turns")
        seen.add(cid)
        kind = str(row.get("type") or "followup")
        parsed = tuple(_turn(t, where, cid, kind, i, number) for i, t in enumerate(turns, 1))
        out.append(Conversation(cid, kind, parsed, number))
    if not out:
        raise GoldError(f"{path}: no conversations found")
    return out


# ------------------------------------------------------------------ running


def same_question(a: str | None, b: str | None) -> bool:
    """Equal after NFKC, without whitespace and punctuation: "苏州 2012年…？" = "苏州2012年…"."""

    def norm(s: str) -> str:
        return re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", s))

    return a is not None and b is not None and norm(a) == norm(b)


@dataclass
class TurnResult:
    conversation: str
    turn: int  # 1-based
    type: str
    question: str
    expected_resolved: list[str] | None
    resolved: str | None
    expected_value: float | None
    status: str
    value: float | None
    unit: str | None
    answer_text: str | None
    message: str | None
    resolution_correct: bool
    answer_correct: bool
    standalone_correct: bool | None  # the first accepted form asked with no history

    @property
    def followup(self) -> bool:
        return self.turn > 1

    @property
    def correct(self) -> bool:
        return self.resolution_correct and self.answer_correct


def _check_turn(turn: ConvTurn, answer: Any) -> tuple[bool, bool]:
    resolved = getattr(answer, "resolved_question", None)
    if turn.restate:
        ok = resolved is None and answer.message == RESTATE
        return ok, ok and str(answer.status) == "not_found"
    if turn.resolved is None:
        resolution_ok = resolved is None
    else:
        resolution_ok = any(same_question(resolved, form) for form in turn.resolved)
    return resolution_ok, turn.item is None or answer_correct(turn.item, answer)


def run_conversation(pipeline: Any, conv: Conversation, mode: Any = None) -> list[TurnResult]:
    history: list[Turn] = []
    results = []
    for n, turn in enumerate(conv.turns, 1):
        answer = pipeline.ask(turn.question, mode=mode, history=history)
        resolution_ok, answer_ok = _check_turn(turn, answer)
        standalone = None
        if turn.resolved and turn.item is not None:
            standalone = answer_correct(turn.item, pipeline.ask(turn.resolved[0], mode=mode))
        got = answer.answer
        results.append(
            TurnResult(
                conversation=conv.id,
                turn=n,
                type=conv.type,
                question=turn.question,
                expected_resolved=list(turn.resolved) if turn.resolved else None,
                resolved=answer.resolved_question,
                expected_value=turn.item.answer_value if turn.item else None,
                status=str(getattr(answer.status, "value", answer.status)),
                value=got.value if got else None,
                unit=got.unit if got else None,
                answer_text=got.text if got else None,
                message=answer.message,
                resolution_correct=resolution_ok,
                answer_correct=answer_ok,
                standalone_correct=standalone,
            )
        )
        shown = turn.shown if turn.shown is not None else (got.text if got else None)
        history.append(Turn(answer.resolved_question or turn.question, shown))
    return results


def run_conversations(
    pipeline: Any, conversations: Sequence[Conversation], mode: Any = None
) -> list[TurnResult]:
    return [r for conv in conversations for r in run_conversation(pipeline, conv, mode)]


# ------------------------------------------------------------------ metrics


class ConversationSummary(NamedTuple):
    conversations: int
    followups: int
    followup_accuracy: float | None  # resolution and answer both right
    followup_resolution_accuracy: float | None
    followup_answer_accuracy: float | None
    followup_unanswerable_not_found: float | None
    followup_standalone_accuracy: float | None  # same questions asked standalone
    conversation_accuracy: float | None  # every follow-up of the conversation right
    first_turn_accuracy: float | None


def summarise_conversations(results: Sequence[TurnResult]) -> ConversationSummary:
    follow = [r for r in results if r.followup]
    first = [r for r in results if not r.followup and r.expected_value is not None]
    unanswerable = [r for r in follow if r.expected_value is None]
    standalone = [r for r in follow if r.standalone_correct is not None]
    by_conv: dict[str, bool] = {}
    for r in follow:
        by_conv[r.conversation] = by_conv.get(r.conversation, True) and r.correct
    return ConversationSummary(
        conversations=len({r.conversation for r in results}),
        followups=len(follow),
        followup_accuracy=rate(sum(r.correct for r in follow), len(follow)),
        followup_resolution_accuracy=rate(sum(r.resolution_correct for r in follow), len(follow)),
        followup_answer_accuracy=rate(sum(r.answer_correct for r in follow), len(follow)),
        followup_unanswerable_not_found=rate(
            sum(r.status == "not_found" for r in unanswerable), len(unanswerable)
        ),
        followup_standalone_accuracy=rate(
            sum(bool(r.standalone_correct) for r in standalone), len(standalone)
        ),
        conversation_accuracy=rate(sum(by_conv.values()), len(by_conv)),
        first_turn_accuracy=rate(sum(r.answer_correct for r in first), len(first)),
    )


def check_conversation_floor(summary: ConversationSummary, floor: dict[str, float]) -> list[str]:
    """Failures of the follow-up metrics named in ``floor`` (others are ignored here)."""
    return check_named_floor(lambda metric: getattr(summary, metric), METRICS, floor)


# ------------------------------------------------------------------ output


LABELS = {
    "followup_accuracy": "follow-up accuracy (resolved question and answer right)",
    "followup_resolution_accuracy": "resolved question right",
    "followup_answer_accuracy": "answer right",
    "followup_unanswerable_not_found": "unanswerable follow-up → not_found",
    "followup_standalone_accuracy": "same questions asked standalone: answer right",
    "conversation_accuracy": "conversations with every follow-up right",
    "first_turn_accuracy": "first turns: answer right",
}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def report_dict(summary: ConversationSummary, results: Sequence[TurnResult]) -> dict[str, Any]:
    return {
        "summary": {
            k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary._asdict().items()
        },
        "wrong": [f"{r.conversation}.{r.turn}" for r in results if r.followup and not r.correct],
        "results": [asdict(r) for r in results],
    }


def markdown(summary: ConversationSummary, results: Sequence[TurnResult]) -> str:
    lines = [
        "## Follow-up conversations",
        "",
        f"{summary.conversations} conversations, {summary.followups} follow-up turns "
        "(each asked with the turns before it).",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_pct(getattr(summary, key))} |" for key, label in LABELS.items()]
    wrong = [r for r in results if r.followup and not r.correct]
    if wrong:
        lines += [
            "",
            "Wrong follow-ups:",
            "",
            "| turn | question | resolved | expected | answer |",
            "|---|---|---|---|---|",
        ]
        for r in wrong:
            expected = " / ".join(r.expected_resolved or ["(standalone)"])
            want = "not_found" if r.expected_value is None else f"{r.expected_value:g}"
            got = r.answer_text or r.status
            lines.append(
                f"| {r.conversation}.{r.turn} | {r.question} | {r.resolved or '–'}"
                f"{'' if r.resolution_correct else ' ✗'} | {expected} → {want} | {got}"
                f"{'' if r.answer_correct else ' ✗'} |"
            )
    return "\n".join(lines) + "\n"


def print_summary(summary: ConversationSummary, console: Any) -> None:
    from rich.table import Table

    table = Table(
        title=f"Follow-ups: {summary.conversations} conversations, {summary.followups} turns"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label in LABELS.items():
        table.add_row(label, _pct(getattr(summary, key)))
    console.print(table)
