"""Gold questions and the metric functions of ``rag eval``.

Everything here is pure: it works on gold items and on the answer / search objects the
pipeline returns (or any object with the same attributes), so it can be unit-tested on
synthetic data.

Example::

    >>> items = load_gold("eval/gold.jsonl")
    >>> value_matches(11200.0, 11200)
    True
    >>> units_compatible("名", "人"), units_compatible("人次", "人")
    (True, False)
    >>> rank_of_gold([("a", 0, 200), ("a", 180, 400)], "a", Span(190, 210))
    2

Per-question results (:class:`QuestionResult`) are aggregated by :func:`summarise` into a
:class:`Summary`: ``summarise(results).answer_accuracy`` → 0.77.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

# Relative tolerance when comparing an answer's value with the gold value.
VALUE_TOLERANCE = 0.005

# Units that the gold file and the answerer may write differently for the same thing.
UNIT_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"人", "名", "位"}),
    frozenset({"家", "个"}),
)
_UNIT_PREFIXES = ("千万", "百万", "十万", "万", "亿", "千", "百")

UNANSWERABLE = "unanswerable"
CROSS_DOC = "cross_doc"

# How deep ``pipeline.search`` is asked to look for the gold chunk.
SEARCH_DEPTH = 20


class GoldError(ValueError):
    """A gold file that cannot be evaluated; the message names the file and line."""


# ---------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldItem:
    """One gold question. ``extra`` keeps keys this runner does not use."""

    id: str
    question: str
    answer_value: float | None
    answer_text: str | None
    unit: str | None
    doc: str | None
    evidence: str | None
    type: str
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def answerable(self) -> bool:
        return self.answer_value is not None


_KNOWN = {"id", "question", "answer_value", "answer_text", "unit", "doc", "evidence", "type"}


def _optional_str(row: dict, key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise GoldError(f"{where}: “{key}” must be a string or null, got {type(value).__name__}")
    return value or None


def parse_gold_line(line: str, where: str, number: int = 0) -> GoldItem:
    """Validate one JSON line; ``where`` ("gold.jsonl:12") prefixes every error message."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise GoldError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [k for k in ("id", "question", "answer_value") if k not in row]
    if missing:
        raise GoldError(f"{where}: missing required key(s): {', '.join(missing)}")
    qid = row["id"]
    if isinstance(qid, bool) or not isinstance(qid, str | int) or str(qid).strip() == "":
        raise GoldError(f"{where}: “id” must be a non-empty string or integer")
    question = row["question"]
    if not isinstance(question, str) or not question.strip():
        raise GoldError(f"{where}: “question” must be a non-empty string")
    value = row["answer_value"]
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise GoldError(f"{where}: “answer_value” must be a number or null, got {value!r}")
    if value is not None and not math.isfinite(value):
        raise GoldError(f"{where}: “answer_value” must be finite")
    kind = _optional_str(row, "type", where) or (UNANSWERABLE if value is None else "untyped")
    if kind == UNANSWERABLE and value is not None:
        raise GoldError(f"{where}: type “unanswerable” but answer_value is {value!r}")
    doc = _optional_str(row, "doc", where)
    evidence = _optional_str(row, "evidence", where)
    if evidence is not None and doc is None:
        raise GoldError(f"{where}: “evidence” given without “doc”")
    return GoldItem(
        id=str(qid),
        question=question.strip(),
        answer_value=None if value is None else float(value),
        answer_text=_optional_str(row, "answer_text", where),
        unit=_optional_str(row, "unit", where),
        doc=doc,
        evidence=evidence,
        type=kind,
        line=number,
        extra={k: v for k, v in row.items() if k not in _KNOWN},
    )


def parse_gold(lines: Iterable[str], name: str = "gold") -> list[GoldItem]:
    """Parse JSON lines; blank lines and lines starting with ``//`` or ``#`` are skipped."""
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("//", "#")):
            continue
        where = f"{name}:{number}"
        item = parse_gold_line(stripped, where, number)
        if item.id in seen:
            raise GoldError(f"{where}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise GoldError(f"{name}: no questions found")
    return items


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read and validate a gold JSONL file; raises :class:`GoldError` with the line number."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldError(f"gold file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return parse_gold(text.splitlines(), str(path))


# --------------------------------------------------------------------- comparisons


def compact(text: str | None) -> str:
    """Text with all whitespace removed: "9.2 万次" → "9.2万次"."""
    return re.sub(r"\s+", "", text or "")


def value_matches(
    value: float | None, gold: float | None, tolerance: float = VALUE_TOLERANCE
) -> bool:
    """``value`` within ``tolerance`` (relative, default 0.5%) of ``gold``.

    >>> value_matches(4000.0, 4000), value_matches(4019, 4000), value_matches(4021, 4000)
    (True, True, False)
    """
    if value is None or gold is None:
        return False
    if gold == 0:
        return abs(value) < 1e-9
    return abs(value - gold) <= tolerance * abs(gold)


def normalise_unit(unit: str | None) -> str | None:
    """Base measure word: "万元" → "元", "％" → "%", " 人次 " → "人次"."""
    if unit is None:
        return None
    unit = compact(unit).replace("％", "%")
    for prefix in _UNIT_PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            unit = unit[len(prefix) :]
            break
    return unit or None


def units_compatible(answer_unit: str | None, gold_unit: str | None) -> bool:
    """Same base unit, or both in one of :data:`UNIT_GROUPS`.

    A missing unit on either side means no check: without a gold unit there is nothing to
    check against, and an answer has no unit only when the source text has no measure word
    after the number ("19万职工"), so the value alone decides.

    >>> units_compatible("位", "名"), units_compatible("个", "家"), units_compatible(None, "人")
    (True, True, True)
    >>> units_compatible("人次", "人"), units_compatible("场", "场次")
    (False, False)
    """
    gold = normalise_unit(gold_unit)
    answer = normalise_unit(answer_unit)
    if gold is None or answer is None:
        return True
    if answer == gold:
        return True
    return any(answer in group and gold in group for group in UNIT_GROUPS)


def answer_correct(item: GoldItem, answer: Any) -> bool:
    """Whether a pipeline answer (``AnswerObject``-like) is right for ``item``.

    Unanswerable gold: right iff the status is ``not_found``. Otherwise the status must be
    ``answered`` and the value within 0.5% of the gold value with a compatible unit
    (cross-document comparisons check the value only: the winner's figure).
    """
    status = _status(answer)
    if not item.answerable:
        return status == "not_found"
    got = getattr(answer, "answer", None)
    if status != "answered" or got is None:
        return False
    # A question of by how much (增加了多少) is answered by the difference, where the
    # answer gives one; its value is then where the change ended.
    # 没有…的有多少 is answered by the rest of the whole, likewise.
    change = getattr(got, "change", None)
    if getattr(got, "rest", None) is not None:
        change = got.rest
    value = abs(change) if change is not None else got.value
    if not value_matches(
        value, abs(item.answer_value) if change is not None else item.answer_value
    ):
        return False
    return item.type == CROSS_DOC or units_compatible(got.unit, item.unit)


def _status(answer: Any) -> str:
    status = getattr(answer, "status", None)
    return str(getattr(status, "value", status))


# ------------------------------------------------------------------------- spans


class Span(NamedTuple):
    start: int
    end: int

    def within(self, start: int, end: int) -> bool:
        return start <= self.start and self.end <= end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def find_span(text: str, needle: str | None) -> Span | None:
    """Offsets of ``needle`` in ``text``: exact ``str.find`` first, then ignoring whitespace."""
    if not needle:
        return None
    at = text.find(needle)
    if at >= 0:
        return Span(at, at + len(needle))
    chars = compact(needle)
    if not chars:
        return None
    m = re.search(r"\s*".join(re.escape(c) for c in chars), text)
    return Span(m.start(), m.end()) if m else None


class GoldSpans(NamedTuple):
    """Where the gold evidence, and the figure inside it, sit in the gold document."""

    evidence: Span
    figure: Span


def gold_spans(item: GoldItem, doc_text: str) -> GoldSpans | None:
    """Evidence span and figure span (the answer text inside the evidence, else the evidence)."""
    evidence = find_span(doc_text, item.evidence)
    if evidence is None:
        return None
    inside = find_span(doc_text[evidence.start : evidence.end], item.answer_text)
    figure = (
        Span(evidence.start + inside.start, evidence.start + inside.end) if inside else evidence
    )
    return GoldSpans(evidence, figure)


def target_span(spans: GoldSpans, doc_chunks: Sequence[tuple[int, int]]) -> Span:
    """The span a retrieved chunk must cover to count as the gold chunk.

    The whole evidence if some chunk of the document holds it; failing that (the evidence
    straddles a chunk boundary), the answer figure's position within the evidence.
    """
    if any(spans.evidence.within(s, e) for s, e in doc_chunks):
        return spans.evidence
    return spans.figure


def rank_of_gold(passages: Sequence[tuple[str, int, int]], doc_id: str, target: Span) -> int | None:
    """1-based rank of the first ``(doc_id, start, end)`` passage covering ``target``; None if absent.

    >>> rank_of_gold([("a", 0, 50), ("b", 0, 99), ("b", 40, 90)], "b", Span(100, 110)) is None
    True
    """
    for rank, (pid, start, end) in enumerate(passages, 1):
        if pid == doc_id and target.within(start, end):
            return rank
    return None


def citation_correct(item: GoldItem, answer: Any, doc_id: str, spans: GoldSpans | None) -> bool:
    """First citation is from the gold document and its quote holds the gold figure.

    "Holds" means the gold ``answer_text`` appears in the quote (whitespace ignored), or
    the answer's own text appears in the quote and the gold evidence overlaps the quote span.
    """
    citations = getattr(answer, "citations", None) or []
    if not citations or citations[0].doc_id != doc_id:
        return False
    first = citations[0]
    quote = compact(first.quote)
    if item.answer_text and compact(item.answer_text) in quote:
        return True
    got = getattr(answer, "answer", None)
    if got is None or not compact(got.text) or compact(got.text) not in quote:
        return False
    return spans is not None and spans.evidence.overlaps(first.start, first.end)


# ------------------------------------------------------------------------ results


@dataclass
class QuestionResult:
    """What happened to one gold question in one retrieval mode."""

    id: str
    type: str
    mode: str
    question: str
    expected_value: float | None
    expected_text: str | None
    expected_doc: str | None
    status: str
    value: float | None
    unit: str | None
    answer_text: str | None
    cited_doc: str | None
    quote: str | None
    correct: bool
    citation_correct: bool | None  # None: not applicable (wrong or unanswerable)
    rank: int | None  # gold chunk's rank in search top-20; None if missing
    recall_applicable: bool
    took_ms: float
    wall_ms: float

    @property
    def answerable(self) -> bool:
        return self.expected_value is not None


class Summary(NamedTuple):
    """Metrics over a set of question results; a rate is None when nothing was eligible."""

    n: int
    answerable: int
    unanswerable: int
    answer_accuracy: float | None
    citation_accuracy: float | None
    recall_at_1: float | None
    recall_at_5: float | None
    mrr: float | None
    unanswerable_not_found: float | None
    answerable_not_found: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    wall_p50_ms: float | None
    wall_p95_ms: float | None


# Follow-up conversation metrics (eval/conversations.py) a floor may also name.
FOLLOWUP_METRICS = (
    "followup_accuracy",
    "followup_resolution_accuracy",
    "followup_unanswerable_not_found",
)
# Non-figure kinds metrics (eval/kinds_report.py) a floor may also name.
KINDS_METRICS = (
    "kinds_accuracy",
    "kinds_answerable_accuracy",
    "kinds_unanswerable_not_found",
    "kinds_citation_accuracy",
    "kinds_no_figure",
)

# Metrics where a smaller number is better (floors act as ceilings for these).
LOWER_IS_BETTER = frozenset(
    {"answerable_not_found", "latency_p50_ms", "latency_p95_ms", "wall_p50_ms", "wall_p95_ms"}
)
RATE_METRICS = (
    "answer_accuracy",
    "citation_accuracy",
    "recall_at_1",
    "recall_at_5",
    "mrr",
    "unanswerable_not_found",
    "answerable_not_found",
)


def rate(hits: int, total: int) -> float | None:
    return None if total == 0 else hits / total


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as numpy's default.

    >>> percentile([10, 20, 30, 40], 50)
    25.0
    """
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """MRR over ranks (None = not retrieved, counts 0).

    >>> mean_reciprocal_rank([1, 2, None, 4])
    0.4375
    """
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r) / len(ranks)


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of ranks that are ≤ k. ``recall_at([1, 3, None], 1)`` → 0.333…"""
    return rate(sum(1 for r in ranks if r is not None and r <= k), len(ranks))


def summarise(results: Sequence[QuestionResult]) -> Summary:
    """Aggregate per-question results into a :class:`Summary`."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    correct_answerable = [r for r in answerable if r.correct]
    ranks = [r.rank for r in answerable if r.recall_applicable]
    took = [r.took_ms for r in results]
    wall = [r.wall_ms for r in results]
    return Summary(
        n=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        answer_accuracy=rate(sum(r.correct for r in results), len(results)),
        citation_accuracy=rate(
            sum(bool(r.citation_correct) for r in correct_answerable),
            sum(r.citation_correct is not None for r in correct_answerable),
        ),
        recall_at_1=recall_at(ranks, 1),
        recall_at_5=recall_at(ranks, 5),
        mrr=mean_reciprocal_rank(ranks),
        unanswerable_not_found=rate(
            sum(r.status == "not_found" for r in unanswerable), len(unanswerable)
        ),
        answerable_not_found=rate(
            sum(r.status == "not_found" for r in answerable), len(answerable)
        ),
        latency_p50_ms=percentile(took, 50),
        latency_p95_ms=percentile(took, 95),
        wall_p50_ms=percentile(wall, 50),
        wall_p95_ms=percentile(wall, 95),
    )


def summarise_by_type(results: Sequence[QuestionResult]) -> dict[str, Summary]:
    """One :class:`Summary` per gold type, in first-seen order."""
    groups: dict[str, list[QuestionResult]] = {}
    for r in results:
        groups.setdefault(r.type, []).append(r)
    return {kind: summarise(group) for kind, group in groups.items()}


# -------------------------------------------------------------------------- floor


class FloorFailure(NamedTuple):
    metric: str
    value: float | None
    bound: float
    lower_is_better: bool

    def describe(self) -> str:
        got = "n/a" if self.value is None else f"{self.value:.4f}"
        if self.lower_is_better:
            return f"{self.metric} = {got} is above its ceiling {self.bound:.4f}"
        return f"{self.metric} = {got} is below its floor {self.bound:.4f}"


def parse_floor(data: Any, where: str = "floor") -> dict[str, float]:
    """Validate a floor mapping ``{metric: bound}``; keys starting with "_" are comments."""
    if not isinstance(data, dict):
        raise GoldError(f"{where}: expected a JSON object of metric → number")
    known = (
        set(Summary._fields) - {"n", "answerable", "unanswerable"}
        | set(FOLLOWUP_METRICS)
        | set(KINDS_METRICS)
    )
    floor: dict[str, float] = {}
    for key, bound in data.items():
        if key.startswith("_"):
            continue
        if key not in known:
            raise GoldError(f"{where}: unknown metric {key!r}; known: {', '.join(sorted(known))}")
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            raise GoldError(f"{where}: bound for {key!r} must be a number, got {bound!r}")
        floor[key] = float(bound)
    return floor


def check_named_floor(
    value_of: Callable[[str], float | None], metrics: Sequence[str], floor: dict[str, float]
) -> list[str]:
    """Failures of the ``metrics`` named in ``floor`` (others are ignored), for the
    sections beside the gold set (follow-ups, kinds); a missing value fails."""
    failures = []
    for metric in metrics:
        if metric in floor:
            value = value_of(metric)
            if value is None or value < floor[metric] - 1e-12:
                got = "n/a" if value is None else f"{value:.4f}"
                failures.append(f"{metric} = {got} is below its floor {floor[metric]:.4f}")
    return failures


def check_floor(summary: Summary, floor: dict[str, float]) -> list[FloorFailure]:
    """Every metric of ``summary`` on the wrong side of its bound (a missing value fails)."""
    failures = []
    for metric, bound in floor.items():
        value = getattr(summary, metric)
        lower = metric in LOWER_IS_BETTER
        bad = value is None or (value > bound + 1e-12 if lower else value < bound - 1e-12)
        if bad:
            failures.append(FloorFailure(metric, value, bound, lower))
    return failures
