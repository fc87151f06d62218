"""Candidate scoring pieces of rag.answer that do not need an index."""

from __future__ import annotations

import pytest

from rag.answer import unit_agreement


@pytest.mark.parametrize(
    ("asked", "exact", "weaker"),
    [
        ("人次", "人次", "人"),  # people counted once or per visit: close
        ("件", "件", "起"),  # cases: the everyday word for the report's word
        ("家", "家", "个"),
        ("元", "元", None),  # a figure without unit is weak evidence
    ],
)
def test_the_asked_unit_beats_a_compatible_one(asked, exact, weaker):
    assert unit_agreement(asked, exact) == 1.0
    assert 0.0 < unit_agreement(asked, weaker) < 1.0


@pytest.mark.parametrize(
    ("asked", "unit"), [("人次", "次"), ("人次", "场次"), ("元", "人"), ("%", "家")]
)
def test_a_different_quantity_is_a_clash(asked, unit):
    # "培训了多少人次" must not take "送教上门148次" — events, not people.
    assert (
        unit_agreement(asked, unit)
        < 0.1
        < unit_agreement(asked, "人次" if asked == "人次" else asked)
    )


def test_no_asked_unit_prefers_figures_that_have_one():
    assert unit_agreement(None, "家") > unit_agreement(None, None)
