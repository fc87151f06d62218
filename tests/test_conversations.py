"""The follow-up conversation set (eval/conversations.jsonl) and its checker
(eval/conversations.py): the file is well formed and grounded in the reports, and the
checker is strict — a right figure for a wrongly resolved question is wrong.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval import conversations as conv
from eval.metrics import GoldError, parse_floor
from rag.followup import RESTATE

ROOT = Path(__file__).parent.parent
PATH = ROOT / "eval" / "conversations.jsonl"
SEEDS = ROOT / "seeds"
CONVERSATIONS = conv.load_conversations(PATH)


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_enough_conversations_of_every_kind():
    assert len(CONVERSATIONS) >= 40
    assert all(2 <= len(c.turns) <= 3 for c in CONVERSATIONS)
    kinds = Counter(k for c in CONVERSATIONS for k in c.type.split("+"))
    for kind in (
        "place",
        "year",
        "subject",
        "change",
        "person",
        "compare",
        "restate",
        "standalone",
    ):
        assert kinds[kind] >= 1, kind
    assert kinds["place"] >= 8 and kinds["year"] >= 6 and kinds["subject"] >= 10


def test_at_least_eight_end_unanswerable():
    last = [c.turns[-1] for c in CONVERSATIONS]
    unanswerable = [
        t for t in last if not t.restate and t.item is not None and not t.item.answerable
    ]
    assert len(unanswerable) >= 8


def test_answered_turns_cite_verbatim_evidence_holding_the_figure():
    for c in CONVERSATIONS:
        for n, t in enumerate(c.turns, 1):
            if t.item is None or not t.item.answerable:
                continue
            where = f"{c.id}.{n}"
            assert t.item.doc and t.item.evidence, where
            text = (SEEDS / t.item.doc).read_text(encoding="utf-8")
            assert t.item.evidence in text, where
            number = (
                re.sub(r"\.0$", "", f"{t.item.answer_value:g}")
                if t.item.answer_value < 1e4
                else None
            )
            # small figures are written out in the evidence; a difference (增加了多少,
            # "derived": "change") is computed from the two it names
            if number and t.item.extra.get("derived") != "change":
                assert number in compact(t.item.evidence), where


def test_same_question_ignores_whitespace_punctuation_and_width():
    assert conv.same_question("苏州 2012年职工书屋多少家？", "苏州2012年职工书屋多少家")
    assert conv.same_question("苏州２０１２年职工书屋多少家", "苏州2012年职工书屋多少家")
    assert not conv.same_question("苏州2012年职工书屋有多少家", "苏州2012年职工书屋多少家")
    assert not conv.same_question(None, "苏州2012年职工书屋多少家")


# ------------------------------------------------------------------ checker


def answer(status="answered", value=None, unit="家", resolved=None, message=None):
    got = (
        SimpleNamespace(text=f"{value}{unit}", value=value, unit=unit, from_=None)
        if value
        else None
    )
    return SimpleNamespace(
        status=status, answer=got, resolved_question=resolved, message=message, citations=[]
    )


class Scripted:
    """A pipeline that replies from a script and records the history it was given."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.histories = []

    def ask(self, question, mode=None, history=None):
        if history is None:  # the standalone check of a follow-up
            return answer(value=127)
        self.histories.append(list(history))
        return self.replies.pop(0)


def conversation(*turns) -> conv.Conversation:
    line = json.dumps({"id": "t1", "type": "place", "turns": list(turns)}, ensure_ascii=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        return conv.load_conversations(path)[0]


FIRST = {"question": "苏州2016年职工书屋多少家", "answer_value": 918, "unit": "家"}
SECOND = {
    "question": "昆山呢",
    "resolved": ["昆山2016年职工书屋多少家"],
    "answer_value": 127,
    "unit": "家",
}


def test_right_figure_for_a_wrongly_resolved_question_is_wrong():
    c = conversation(FIRST, SECOND)
    pipeline = Scripted([answer(value=918), answer(value=127, resolved="昆山职工书屋多少家")])
    _, second = conv.run_conversation(pipeline, c)
    assert second.answer_correct and not second.resolution_correct and not second.correct


def test_resolved_and_answered_right_counts_and_history_is_what_a_client_sends():
    c = conversation(FIRST, SECOND)
    pipeline = Scripted(
        [answer(value=918), answer(value=127, resolved="昆山2016年职工书屋多少家。")]
    )
    first, second = conv.run_conversation(pipeline, c)
    assert second.correct and first.answer_correct
    assert pipeline.histories == [[], [("苏州2016年职工书屋多少家", "918家")]]
    summary = conv.summarise_conversations([first, second])
    assert summary.followup_accuracy == 1.0 and summary.followups == 1


def test_standalone_follow_up_must_not_be_rewritten_and_restate_must_say_so():
    c = conversation(
        FIRST, {"question": "江都职工书屋多少家", "resolved": None, "answer_value": 127}
    )
    pipeline = Scripted([answer(value=918), answer(value=127, resolved="江都2016年职工书屋多少家")])
    assert not conv.run_conversation(pipeline, c)[1].correct
    c = conversation(FIRST, {"question": "那个呢", "restate": True, "answer_value": None})
    guessed = Scripted([answer(value=918), answer(status="not_found", message="未找到")])
    assert not conv.run_conversation(guessed, c)[1].correct
    asked = Scripted([answer(value=918), answer(status="not_found", message=RESTATE)])
    assert conv.run_conversation(asked, c)[1].correct


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": "x", "turns": [{"question": "a"}]}', "at least two turns"),
        ('{"id": "x", "turns": [{"question": "a"}, {"question": "b"}]}', "answer_value"),
        (
            '{"id": "x", "turns": [{"question": "a"}, {"question": "b", "resolved": "c", "answer_value": 1}]}',
            "resolved",
        ),
        ('{"turns": []}', "id"),
        ("{oops", "not valid JSON"),
    ],
)
def test_malformed_conversations_are_reported_with_their_line(tmp_path, line, says):
    path = tmp_path / "c.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match=says) as info:
        conv.load_conversations(path)
    assert "c.jsonl:1" in str(info.value)


def test_floor_covers_the_follow_up_metrics():
    floor = parse_floor(json.loads((ROOT / "eval" / "floor.json").read_text(encoding="utf-8")))
    assert set(conv.METRICS) <= set(floor)
    low = conv.ConversationSummary(47, 62, 0.5, 1.0, 0.5, 0.9, 0.5, 0.5, 0.9)
    failures = conv.check_conversation_floor(low, floor)
    assert any("followup_accuracy" in f for f in failures)
