"""Gold questions of every non-figure kind, and how an answer is judged against them.

A line of ``eval/kinds.jsonl``::

    {"id": "k001", "question": "江都区总工会主席是谁", "kind": "person",
     "answer_text": "张永新", "accepted": ["张永新", "主席张永新"], "post": "主席",
     "doc": "003_40242daf28a04ec9.txt", "evidence": "区总党组书记、主席张永新(右)为职工大讲堂授牌",
     "type": "lookup"}

``items`` lists a list answer's items; an unanswerable question has ``answer_text`` null
and type ``unanswerable``.

Example::

    >>> item = parse_kind_line('{"id": "x", "question": "谁", "kind": "person", '
    ...     '"answer_text": "张永新", "accepted": ["张永新"], "doc": "a.txt", "evidence": "主席张永新"}', "x:1")
    >>> item.kind, item.answerable
    (<QuestionKind.PERSON: 'person'>, True)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from eval.metrics import GoldError, compact, find_span
from rag.kinds import QuestionKind

_MARKS = re.compile(r"[“”\"《》「」‘’'（）()\s，,。：:、；;]")
LIST_RECALL = 0.75  # share of the gold items a list answer must name
LIST_PRECISION = 0.5  # share of its items that must be gold items


@dataclass(frozen=True)
class KindItem:
    id: str
    question: str
    kind: QuestionKind
    answer_text: str | None
    accepted: tuple[str, ...]
    items: tuple[str, ...]
    post: str | None
    doc: str | None
    evidence: str | None
    type: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answerable(self) -> bool:
        return self.answer_text is not None


def parse_kind_line(line: str, where: str) -> KindItem:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{where}: not valid JSON ({exc.msg})") from None
    for key in ("id", "question", "kind"):
        if not row.get(key):
            raise GoldError(f"{where}: missing “{key}”")
    try:
        kind = QuestionKind.parse(row["kind"])
    except ValueError as exc:
        raise GoldError(f"{where}: {exc}") from None
    answer = row.get("answer_text")
    if answer is not None and not row.get("doc"):
        raise GoldError(f"{where}: an answer needs its “doc”")
    return KindItem(
        id=str(row["id"]),
        question=row["question"].strip(),
        kind=kind,
        answer_text=answer,
        accepted=tuple(row.get("accepted") or ([answer] if answer else [])),
        items=tuple(row.get("items") or ()),
        post=row.get("post"),
        doc=row.get("doc"),
        evidence=row.get("evidence"),
        type=row.get("type") or ("unanswerable" if answer is None else "lookup"),
        extra={k: v for k, v in row.items() if k not in KindItem.__dataclass_fields__},
    )


def load_kinds(path: str | Path) -> list[KindItem]:
    path = Path(path)
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            items.append(parse_kind_line(line, f"{path.name}:{number}"))
    if not items:
        raise GoldError(f"{path}: no questions")
    return items


def bare(text: str | None) -> str:
    """Text without whitespace, quote marks and punctuation: “苏工惠” → 苏工惠."""
    return _MARKS.sub("", compact(text))


def _item_match(got: str, gold: str) -> bool:
    a, b = bare(got), bare(gold)
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 2 and short in long)


class Judged(NamedTuple):
    exact: bool  # the answer span is the gold span
    accepted: bool  # the answer is one of the accepted spans (the headline metric)
    citation: bool  # the first citation is in the gold document and overlaps the evidence
    got_figure: bool  # a figure was offered for a question that asked none


def judge(item: KindItem, answer: Any, doc_texts: dict[str, str]) -> Judged:
    """Score one pipeline answer (an ``AnswerObject``) against ``item``."""
    status = str(getattr(answer.status, "value", answer.status))
    got = answer.answer
    got_figure = got is not None and (got.kind == QuestionKind.FIGURE or got.value is not None)
    if not item.answerable:
        ok = status == "not_found"
        return Judged(ok, ok, ok, got_figure)
    if status != "answered" or got is None:
        return Judged(False, False, False, got_figure)
    text = got.text
    if item.kind is QuestionKind.YESNO:
        exact = accepted = text.strip() == item.answer_text.strip()
    elif item.kind is QuestionKind.LIST:
        names = [i.text for i in (got.items or [])] or re.split(r"[、，,；;]", text)
        exact = bare(text) == bare(item.answer_text) or (
            bool(item.items)
            and len(names) == len(item.items)
            and all(any(_item_match(n, g) for n in names) for g in item.items)
        )
        if item.items:
            recall = sum(any(_item_match(n, g) for n in names) for g in item.items) / len(
                item.items
            )
            precision = sum(any(_item_match(n, g) for g in item.items) for n in names) / max(
                1, len(names)
            )
            accepted = exact or (recall >= LIST_RECALL and precision >= LIST_PRECISION)
        else:
            accepted = exact or any(bare(a) in bare(text) for a in item.accepted)
    elif item.kind.is_passage:
        whole = bare(text)
        exact = bare(item.answer_text) in whole
        accepted = exact or any(bare(a) and bare(a) in whole for a in item.accepted)
        if not accepted:
            accepted = _overlaps_accepted(item, answer, doc_texts)
    else:
        exact = bare(text) == bare(item.answer_text)
        accepted = exact or any(bare(text) == bare(a) for a in item.accepted)
    return Judged(exact, accepted, _citation_ok(item, answer, doc_texts), got_figure)


def _doc_id(name: str | None) -> str | None:
    return Path(name).stem if name else None


def _overlaps_accepted(item: KindItem, answer: Any, doc_texts: dict[str, str]) -> bool:
    """A passage answer quoting, in the gold document, most of one accepted sentence."""
    doc_id = _doc_id(item.doc)
    text = doc_texts.get(doc_id or "")
    if text is None:
        return False
    for accepted in item.accepted:
        span = find_span(text, accepted)
        if span is None:
            continue
        for c in answer.citations:
            if c.doc_id != doc_id:
                continue
            inter = min(span.end, c.end) - max(span.start, c.start)
            if inter >= 0.5 * (span.end - span.start):
                return True
    return False


def _citation_ok(item: KindItem, answer: Any, doc_texts: dict[str, str]) -> bool:
    if not answer.citations:
        return False
    first = answer.citations[0]
    doc_id = _doc_id(item.doc)
    if first.doc_id != doc_id:
        return False
    text = doc_texts.get(doc_id or "")
    span = find_span(text, item.evidence) if text and item.evidence else None
    if span is None:
        return True  # no evidence to place: the right document is all we can check
    return any(
        c.doc_id == doc_id and c.start < span.end and span.start < c.end for c in answer.citations
    )
