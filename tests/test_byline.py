"""Bylines and the first person: who wrote a document, on texts written for the test."""

from __future__ import annotations

from rag.byline import ASKS_AUTHOR, FIRST_PERSON, bylines
from rag.spans import find_people

REPORT = "# 凝心聚力 再创佳绩\n\n——在临川市总工会八届二次全委会议上的工作报告\n\n林晓川\n\n（2020年1月8日）\n\n各位委员：\n现在，我受市总工会常委会的委托，向大家报告工作。\n我市新建职工之家12家。"


def test_a_name_alone_on_its_line_is_the_byline():
    (name,) = bylines(REPORT)
    assert name.name == "林晓川" and REPORT[name.start : name.end] == "林晓川"
    assert [b.name for b in bylines("导语一段。\n记者 欧阳明\n图片说明")] == ["欧阳明"]
    assert bylines("职工之家\n\n主席致辞\n") == ()  # lines that are not a person's name


def test_first_person_is_the_writer_not_the_city():
    assert FIRST_PERSON.search("我受市总工会常委会的委托，向大家报告工作")
    assert not FIRST_PERSON.search("我市新建职工之家12家，我们将继续努力")
    assert ASKS_AUTHOR.search("这篇报道的记者是谁") and ASKS_AUTHOR.search("工作报告是谁作的")
    assert not ASKS_AUTHOR.search("临川市总工会主席是谁")


def test_every_title_joined_by_commas_is_the_persons_post():
    (person,) = [
        p
        for p in find_people("临川市政协副主席,临川市总工会主席欧阳明看望职工。")
        if p.text == "欧阳明"
    ]
    assert person.posts == ("副主席", "主席")
    # a clause that ends in someone else's name stops the chain
    people = {p.text: p.posts for p in find_people("会长林晓川，主席欧阳明出席。")}
    assert people.get("欧阳明") == ("主席",)


def test_the_first_person_report_is_answered_with_its_byline(qa):
    from rag.pipeline import Pipeline  # noqa: F401  (the fixture's real pipeline)

    answer = qa.ask("苏州市总工会全委会上是谁受常委会委托向大家报告工作的")
    assert answer.status.value == "answered" and answer.answer.kind.value == "person"
    first = answer.citations[0]
    doc = qa.index.docs[first.doc_id].text
    assert doc[answer.answer.start : answer.answer.end] == answer.answer.text
    assert any("我" in c.quote for c in answer.citations)  # the sentence that says 我
