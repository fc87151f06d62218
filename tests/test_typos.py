"""Typo correction from the corpus's own words (rag/typos.py), on a small made-up corpus."""

from __future__ import annotations

from collections import Counter

from rag.tokenization import cut, tokenize
from rag.typos import correct

CORPUS = (
    "全年新建职工书屋120家。职工书屋覆盖全部乡镇。"
    "工会会员发展到3万人，新增工会会员2000人。会员服务中心建成5个。"
    "区总工会主席走访困难职工。工会主席带头签订集体合同。"
)
# How many "passages" hold each word: here every sentence is one passage.
VOCAB = Counter(w for s in CORPUS.split("。") for w in set(cut(s)))


def test_one_wrong_character_is_corrected_to_the_word_written_beside_its_neighbour():
    fix = correct("职工数屋有多少家", CORPUS, VOCAB)
    assert fix is not None
    assert (fix.wrong, fix.right) == ("数屋", "书屋")
    assert fix.question == "职工书屋有多少家"


def test_the_rest_of_the_question_is_kept_as_asked():
    fix = correct("2016年工会会圆多少人？", CORPUS, VOCAB)
    assert fix is not None and fix.right == "会员"
    assert fix.question == "2016年工会会员多少人？"


def test_a_word_the_corpus_writes_is_not_touched():
    assert correct("职工书屋有多少家", CORPUS, VOCAB) is None
    assert correct("工会主席是谁", CORPUS, VOCAB) is None


def test_a_place_the_corpus_does_not_cover_is_not_turned_into_one_it_does():
    # 深圳 is unknown, but nothing in the corpus is one character from it beside 的
    assert correct("深圳的职工书屋有多少家", CORPUS, VOCAB) is None


def test_traditional_script_is_read_as_simplified_not_as_a_typo():
    assert correct("職工書屋有多少家", CORPUS, VOCAB) is None


def test_a_candidate_seen_beside_the_neighbour_only_once_is_not_offered():
    corpus = "新建书屋一家。职工书屋建成。"
    vocab = Counter(w for s in corpus.split("。") for w in set(cut(s)))
    assert correct("职工数屋有多少家", corpus, vocab) is None


def test_a_real_word_the_corpus_lacks_is_what_was_asked_not_a_typo():
    # 徐州 is one character from 苏州, and 多少 from 多万: both are words, so asked as typed
    corpus = CORPUS + "苏州市总工会发放补贴。苏州市总工会走访职工。补贴多万元，补贴多万元。"
    vocab = Counter(w for s in corpus.split("。") for w in set(cut(s)))
    assert correct("徐州市总工会发放补贴多少元", corpus, vocab) is None


def test_grammar_joined_to_a_word_is_not_taken_for_a_slip():
    # jieba joins 建了 into one unknown word; 建设 is one character away and written
    # beside 书屋 twice, but 了 is grammar
    corpus = CORPUS + "职工书屋建设加快。职工书屋建设完成。"
    vocab = Counter(w for s in corpus.split("。") for w in set(cut(s)))
    assert correct("职工书屋建了多少家", corpus, vocab) is None


def test_a_place_one_character_off_is_the_place_the_documents_cover():
    places = {"苏州", "昆山", "江都"}
    assert correct("苏洲2016年职工书屋多少家", CORPUS, VOCAB, places).question == (
        "苏州2016年职工书屋多少家"
    )
    assert correct("江督区工会主席是谁", CORPUS, VOCAB, places).right == "江都区"
    # a real place is asked as typed: 徐州 is one character from 苏州 but is no typo
    assert correct("徐州2016年职工书屋多少家", CORPUS, VOCAB, places) is None


def test_abbreviations_verbs_and_dates_are_not_taken_for_typos():
    places = {"苏州", "昆山", "江都"}
    # 苏大 (a university) after 和 is not 苏州; a place typo stands first or carries 市/区
    assert correct("苏州和苏大联办的班有多少学员", CORPUS, VOCAB, places) is None
    # 总聘 before 了 is 区总 + 聘: a verb, not a mistyped 总工 (the index's vocabulary has
    # the parts of compounds, as tokenize gives them)
    corpus = CORPUS + "区总工会走访。区总工会慰问。区总工会表彰。"
    vocab = Counter(w for s in corpus.split("。") for w in set(tokenize(s)))
    assert correct("江都区总聘了几名律师", corpus, vocab, places) is None
    # 2012年市劳模: the date's 年 joined to 市 is no typo of 州市
    corpus = CORPUS + "苏州市劳模表彰。苏州市劳模休养。"
    vocab = Counter(w for s in corpus.split("。") for w in set(tokenize(s)))
    assert correct("苏州2012年市劳模每人发多少", corpus, vocab, places) is None
