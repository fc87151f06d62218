"""Would a learned scorer beat the hand-set one? An experiment, not part of answering.

For every figure question of a gold-schema file, the answerer's ranked candidates (the
figures of the top passages, rag/answer.py) are collected with their explicit features —
the coverage and meaning parts the hand scorer multiplies, and one flag per clash of
rag/counted.py (another stage, group, level, year span …). A logistic regression (or
gradient boosting, ``--model boosting``) on those features, trained on gold with grouped cross-validation (one report held out at a time),
then decides as the hand scorer does: the most probable candidate is the answer when its
probability clears a threshold chosen on the training folds, and "not found" otherwise.

Both deciders are scored on the same candidates (the figure answerer alone: comparisons
and changes are left out, as are questions of other kinds), and the learned one is also
trained on all of gold and tried on blind sets. Ablations drop one feature group at a time.
With ``--train``, the model is also tried as a verifier that only withdraws the hand
scorer's answer when it doubts it, trained on every tuned set named.

    $ .venv/bin/python -m eval.learned --test eval/blind/b12.jsonl eval/blind/b14.jsonl
    $ .venv/bin/python -m eval.learned --model boosting --train eval/traps.jsonl \\
          eval/blind/b15.jsonl --test eval/blind/b12.jsonl     # as a verifier of today's picks

scikit-learn comes with sentence-transformers, which setup installs.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.metrics import load_gold, units_compatible, value_matches
from rag.answer import candidates
from rag.counted import asked, judge
from rag.kinds import QuestionKind, question_kind
from rag.matching import document_frequency
from rag.pipeline import ANSWER_THRESHOLD, Pipeline
from rag.question import parse_question
from rag.retrieval import retrieve

PARTS = (
    "sem touch seg clause sent chunk g_seg g_clause g_sent gate unit unitless asked_unit "
    "qualified retrieval where rank"
).split()
CLASHES = (
    "stage tally level honour group plan scope excluded thing kind other_kind qualified "
    "span per_unit"
).split()
# Feature groups for the ablations: each is dropped in turn.
GROUPS = {
    "meaning (sem)": ["sem"],
    "coverage": ["touch", "seg", "clause", "sent", "chunk"],
    "bigrams": ["g_seg", "g_clause", "g_sent"],
    "focus gate": ["gate"],
    "unit": ["unit", "unitless", "asked_unit", "qualified"],
    "place/year/clash product (where)": ["where"],
    "retrieval rank": ["retrieval", "rank"],
    "clash flags": [f"clash_{c}" for c in CLASHES],
}
FEATURES = PARTS + [f"clash_{c}" for c in CLASHES]
TOP = 10  # candidates kept per question


@dataclass
class Asked:
    """One question: its candidates' features, which are right, and the hand scores."""

    id: str
    group: str  # the report the answer is in (or the top candidate's, when none is)
    answerable: bool
    features: np.ndarray  # (candidates, features)
    right: np.ndarray  # bool per candidate
    hand: np.ndarray  # the hand scorer's score per candidate


def collect(qa: Pipeline, path: Path) -> list[Asked]:
    out = []
    for item in load_gold(path):
        question = parse_question(item.question)
        if (
            question.compare
            or question.change
            or question_kind(item.question) != QuestionKind.FIGURE
        ):
            continue
        hits = retrieve(qa.index, qa.embedder, question, qa.settings, qa.settings.top_k, None)
        ranked = candidates(qa.index, hits, question, qa.embedder.encode_query(question.text))
        ranked = ranked[:TOP]
        want = asked(question, known=lambda w: document_frequency(qa.index, w) > 0)
        rows, right = [], []
        for c in ranked:
            clashes = judge(want, c.doc.text, c.figure.start, c.figure.end, c.figure.unit).clashes
            rows.append(
                [float(c.parts.get(p, 0.0)) for p in PARTS]
                + [float(name in clashes) for name in CLASHES]
            )
            right.append(
                item.answer_value is not None
                and value_matches(c.figure.value, item.answer_value)
                and units_compatible(c.figure.unit, item.unit)
                and (item.doc is None or c.doc.doc_id == Path(item.doc).stem)
            )
        group = Path(item.doc).stem if item.doc else (ranked[0].doc.doc_id if ranked else "-")
        out.append(
            Asked(
                item.id,
                group,
                item.answer_value is not None,
                np.array(rows, float).reshape(-1, len(FEATURES)),
                np.array(right, bool),
                np.array([c.score for c in ranked], float),
            )
        )
    return out


def decide(scores: list[np.ndarray], threshold: float) -> list[int | None]:
    """Index of the answer per question, or None for "not found"."""
    return [int(s.argmax()) if len(s) and s.max() >= threshold else None for s in scores]


def accuracy(items: list[Asked], picks: list[int | None]) -> tuple[float, float]:
    """(answer accuracy, share of unanswerable ones answered not found)."""
    good = [
        (p is None) if not q.answerable else (p is not None and bool(q.right[p]))
        for q, p in zip(items, picks, strict=True)
    ]
    traps = [p is None for q, p in zip(items, picks, strict=True) if not q.answerable]
    return sum(good) / max(1, len(good)), sum(traps) / max(1, len(traps))


def _columns(names: list[str]) -> list[int]:
    return [FEATURES.index(n) for n in names]


MODEL = "logistic"  # or "boosting": set by --model


def train(items: list[Asked], cols: list[int]):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = [q.features[:, cols] for q in items if len(q.features)]
    labels = [q.right for q in items if len(q.features)]
    if MODEL == "boosting":
        model = HistGradientBoostingClassifier(max_depth=3, max_iter=200, learning_rate=0.05)
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    model.fit(np.vstack(rows), np.concatenate(labels))
    # The threshold that decides best on the training questions themselves.
    probs = [_probs(model, q, cols) for q in items]
    best = max(
        (accuracy(items, decide(probs, t))[0], -abs(t - 0.5), t)
        for t in np.linspace(0.05, 0.95, 91)
    )
    return model, best[2]


def _probs(model, q: Asked, cols: list[int]) -> np.ndarray:
    if not len(q.features):
        return np.zeros(0)
    return model.predict_proba(q.features[:, cols])[:, 1]


def verified(model, items: list[Asked], cols: list[int], floor: float) -> list[int | None]:
    """The hand scorer's pick, withdrawn when the model doubts it (probability < ``floor``):
    the learned model as a verifier of today's answers rather than their chooser."""
    picks = decide([q.hand for q in items], ANSWER_THRESHOLD)
    out = []
    for q, pick in zip(items, picks, strict=True):
        doubt = pick is not None and _probs(model, q, cols)[pick] < floor
        out.append(None if doubt else pick)
    return out


def cross_validated(items: list[Asked], cols: list[int]) -> tuple[float, float]:
    """Leave one report out: train on the others, decide on its questions."""
    picks: dict[str, int | None] = {}
    for group in sorted({q.group for q in items}):
        train_items = [q for q in items if q.group != group]
        test_items = [q for q in items if q.group == group]
        model, threshold = train(train_items, cols)
        chosen = decide([_probs(model, q, cols) for q in test_items], threshold)
        picks.update({q.id: p for q, p in zip(test_items, chosen, strict=True)})
    return accuracy(items, [picks[q.id] for q in items])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", default="eval/gold.jsonl")
    parser.add_argument("--test", nargs="*", default=[], help="blind sets to try it on")
    parser.add_argument("--model", choices=("logistic", "boosting"), default="logistic")
    parser.add_argument(
        "--train", nargs="*", default=[], help="more tuned sets to train the verifier on"
    )
    args = parser.parse_args(argv)
    global MODEL
    MODEL = args.model
    qa = Pipeline.load()
    gold = collect(qa, Path(args.gold))
    everything = _columns(FEATURES)
    hand = accuracy(gold, decide([q.hand for q in gold], ANSWER_THRESHOLD))
    learned = cross_validated(gold, everything)
    print(f"figure questions of {args.gold}: {len(gold)}")
    print("| decider | answer accuracy | unanswerable → not found |\n|---|---|---|")
    print(f"| hand-set scorer (today) | {hand[0]:.1%} | {hand[1]:.1%} |")
    print(f"| {MODEL}, leave-one-report-out | {learned[0]:.1%} | {learned[1]:.1%} |")
    print("\n| features without | answer accuracy (cross-validated) | not found |\n|---|---|---|")
    for name, names in GROUPS.items():
        cols = _columns([f for f in FEATURES if f not in names])
        acc, nf = cross_validated(gold, cols)
        print(f"| {name} | {acc:.1%} ({acc - learned[0]:+.1%}) | {nf:.1%} |")
    model, threshold = train(gold, everything)
    for path in args.test:
        items = collect(qa, Path(path))
        h = accuracy(items, decide([q.hand for q in items], ANSWER_THRESHOLD))
        m = accuracy(items, decide([_probs(model, q, everything) for q in items], threshold))
        print(
            f"\n{path} ({len(items)} figure questions): hand {h[0]:.1%} (not found {h[1]:.1%}),"
            f" learned on all of gold {m[0]:.1%} (not found {m[1]:.1%}), threshold {threshold:.2f}"
        )
    if args.train:
        # The verifier: trained on every tuned set, its floor the one that decides best
        # there, tried on the blind sets it never saw.
        pool = gold + [q for path in args.train for q in collect(qa, Path(path))]
        model, _ = train(pool, everything)
        floor = max(
            (accuracy(pool, verified(model, pool, everything, f))[0], -f, f)
            for f in np.linspace(0.0, 0.9, 46)
        )[2]
        print(f"\nverifier trained on {len(pool)} questions, floor {floor:.2f}")
        for path in args.test:
            items = collect(qa, Path(path))
            h = accuracy(items, decide([q.hand for q in items], ANSWER_THRESHOLD))
            v = accuracy(items, verified(model, items, everything, floor))
            print(f"{path}: hand {h[0]:.1%} ({h[1]:.1%}), hand + verifier {v[0]:.1%} ({v[1]:.1%})")
    if not math.isfinite(threshold):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
