"""Validation of the evaluation gold set ``eval/gold.jsonl`` and the other question sets
in its schema (``eval/heldout.jsonl``, ``eval/independent.jsonl``, ``eval/traps.jsonl``).

Every answerable question must cite a verbatim evidence span from ``seeds/<doc>``
that contains the figure exactly as written, and ``answer_value`` must agree with
that figure (万/亿 multipliers and Chinese numerals resolved to base units).
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GOLD_PATH = ROOT / "eval" / "gold.jsonl"
SEEDS_DIR = ROOT / "seeds"

REQUIRED_KEYS = {
    "id",
    "question",
    "answer_value",
    "answer_text",
    "unit",
    "doc",
    "evidence",
    "type",
}
ALLOWED_TYPES = {
    "lookup",
    "disambiguation",
    "paraphrase",
    "chinese_numeral",
    "approximate",
    "change",
    "cross_doc",
    "unanswerable",
}
MIN_QUESTIONS = 120
MIN_UNANSWERABLE_FRACTION = 0.10
EVIDENCE_MIN_LEN = 15
EVIDENCE_MAX_LEN = 80


OTHER_SETS = [
    ROOT / "eval" / name for name in ("heldout.jsonl", "independent.jsonl", "traps.jsonl")
]


def _load_gold(path=GOLD_PATH):
    items = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                raise AssertionError(f"{path.name} line {lineno} is not valid JSON: {exc}") from exc
    return items


def _load_seeds():
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}


GOLD = _load_gold()
SEEDS = _load_seeds()
# Every set is held to the same item rules; counts and coverage apply to the gold set.
EVERY = GOLD + [item for path in OTHER_SETS if path.is_file() for item in _load_gold(path)]
ANSWERABLE = [d for d in EVERY if d.get("type") != "unanswerable"]
UNANSWERABLE = [d for d in EVERY if d.get("type") == "unanswerable"]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- figure parsing (sanity check that answer_value matches answer_text) -------

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)(?:多|余)?(万|亿)?")


def parse_figure(text):
    """Value of the first figure in ``text`` (e.g. "1.12 万家" -> 11200, "超过十亿元" -> 1e9)."""
    compact = text.replace(" ", "")
    match = _ARABIC.search(compact)
    if match:
        value = float(match.group(1))
        if match.group(2):
            value *= _CN_BIG[match.group(2)]
        return value
    total = section = number = 0
    seen = False
    for ch in compact:
        if ch in _CN_DIGITS:
            number, seen = _CN_DIGITS[ch], True
        elif ch in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[ch]
            number, seen = 0, True
        elif ch in _CN_BIG:
            total += ((section + number) or 1) * _CN_BIG[ch]
            section = number = 0
            seen = True
    return float(total + section + number) if seen else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.12 万家", 11200),
        ("9.2 万次", 92000),
        ("4000万元", 40000000),
        ("98.1%", 98.1),
        ("超过十亿元", 10**9),
        ("超过一百万人", 10**6),
        ("上万个", 10**4),
        ("超百万", 10**6),
        ("两个", 2),
        ("1900 多万元", 19000000),
        ("3500余万元", 35000000),
    ],
)
def test_parse_figure(text, expected):
    assert parse_figure(text) == pytest.approx(expected)


# --- file-level checks ---------------------------------------------------------


def test_gold_file_exists():
    assert GOLD_PATH.is_file(), f"missing {GOLD_PATH}"


def test_seed_documents_present():
    assert len(SEEDS) == 5, sorted(SEEDS)


def test_minimum_question_count():
    assert len(GOLD) >= MIN_QUESTIONS, len(GOLD)


def test_ids_unique():
    dupes = [k for k, v in Counter(d.get("id") for d in EVERY).items() if v > 1]
    assert not dupes, dupes


def test_questions_unique():
    dupes = [k for k, v in Counter(d.get("question") for d in GOLD).items() if v > 1]
    assert not dupes, dupes


def test_dev_examples_included():
    ids = {d["id"] for d in GOLD}
    missing = [f"d{i:03d}" for i in range(1, 31) if f"d{i:03d}" not in ids]
    assert not missing, missing


def test_unanswerable_fraction():
    frac = len(UNANSWERABLE) / len(GOLD)
    assert frac >= MIN_UNANSWERABLE_FRACTION, f"{frac:.1%} unanswerable"


def test_all_documents_covered():
    covered = Counter(d["doc"] for d in ANSWERABLE)
    missing = sorted(set(SEEDS) - set(covered))
    assert not missing, missing


def test_all_types_covered():
    assert {d["type"] for d in GOLD} == ALLOWED_TYPES


# --- per-item checks -----------------------------------------------------------


@pytest.mark.parametrize("item", EVERY, ids=[d.get("id", "?") for d in EVERY])
def test_required_keys_and_type(item):
    missing = REQUIRED_KEYS - set(item)
    assert not missing, f"missing keys {missing}"
    assert item["type"] in ALLOWED_TYPES, item["type"]
    assert isinstance(item["question"], str) and item["question"].strip()


@pytest.mark.parametrize("item", ANSWERABLE, ids=[d["id"] for d in ANSWERABLE])
def test_answerable_item(item):
    doc = item["doc"]
    assert doc in SEEDS, f"unknown doc {doc!r}"
    evidence = item["evidence"]
    assert isinstance(evidence, str)
    assert evidence in SEEDS[doc], f"evidence not verbatim in {doc}: {evidence!r}"
    assert EVIDENCE_MIN_LEN <= len(evidence) <= EVIDENCE_MAX_LEN, len(evidence)
    assert isinstance(item["answer_text"], str) and item["answer_text"]
    assert item["answer_text"] in evidence, (item["answer_text"], evidence)
    assert _is_number(item["answer_value"]), item["answer_value"]
    assert isinstance(item["unit"], str) and item["unit"].strip()


@pytest.mark.parametrize("item", ANSWERABLE, ids=[d["id"] for d in ANSWERABLE])
def test_answer_value_matches_text(item):
    parsed = parse_figure(item["answer_text"])
    assert parsed is not None, item["answer_text"]
    assert parsed == pytest.approx(item["answer_value"]), (
        item["answer_text"],
        item["answer_value"],
    )


@pytest.mark.parametrize("item", UNANSWERABLE, ids=[d["id"] for d in UNANSWERABLE])
def test_unanswerable_item(item):
    for key in ("answer_value", "answer_text", "unit", "doc", "evidence"):
        assert item[key] is None, f"{key} should be null"


CROSS = [d for d in GOLD if d["type"] == "cross_doc"]
CHANGE = [d for d in GOLD if d["type"] == "change"]


@pytest.mark.parametrize("item", CROSS, ids=[d["id"] for d in CROSS])
def test_cross_doc_item(item):
    values = item.get("answer_doc_values")
    assert isinstance(values, dict) and len(values) >= 2, values
    unknown = sorted(set(values) - set(SEEDS))
    assert not unknown, f"answer_doc_values keys are not seed docs: {unknown}"
    assert all(_is_number(v) for v in values.values()), values
    assert item["doc"] in values
    assert values[item["doc"]] == pytest.approx(item["answer_value"])
    assert item["answer_value"] == pytest.approx(max(values.values()))
    for doc, evidence in (item.get("answer_doc_evidence") or {}).items():
        assert doc in SEEDS, doc
        assert evidence in SEEDS[doc], f"answer_doc_evidence not verbatim in {doc}: {evidence!r}"


@pytest.mark.parametrize("item", CHANGE, ids=[d["id"] for d in CHANGE])
def test_change_item(item):
    assert _is_number(item.get("answer_from")), item.get("answer_from")
    if item.get("answer_from_evidence"):
        from_doc = item.get("answer_from_doc", item["doc"])
        assert from_doc in SEEDS, from_doc
        assert item["answer_from_evidence"] in SEEDS[from_doc]
    else:
        # within one document: the earlier value must appear in the cited evidence
        assert str(item["answer_from"]) in item["evidence"].replace(" ", "")
