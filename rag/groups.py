"""Which group of the asked thing a figure counts, against the question's
"qualifier + thing" pairs (女职工会员 → (女职工, 会员)): the same group, a broader or
narrower one, another kind of it, or the qualifier counted instead of the thing.
rag/counted.py calls these checks from :func:`rag.counted.judge`.

Example::

    >>> group_clash([("女职工", "会员")], "全市工会会员", "万人", "全市工会会员120万人。", "")
    True
"""

from __future__ import annotations

import re

from rag.matching import mentions
from rag.numbers import UNIT_PATTERN
from rag.synonyms import variants
from rag.tokenization import MEASURES, adjacent_words, is_thing_word, part_of_speech, tokenize

# Nouns that name the count or share rather than the thing: 件数, 人数, 数量, 总量, 比例.
_COUNT_NOUN = re.compile(r"[数量]$|比例|比率|占比|率$")


def joined_groups(before: str) -> bool:
    """Two groups joined before the figure: 慰问环卫工人、公交司机共, 劳模和一线职工."""
    return bool(re.search(r"[\u4e00-\u9fff]{2}(?:、|和|及|与)[\u4e00-\u9fff]{2}", before))


def head_swapped(compounds, before: str) -> bool:
    """The question's "qualifier + thing" word (困难职工) stands before the figure with
    another thing after the qualifier (结对困难学生183名): those are other people."""
    near = before[-8:]
    for modifier, head in compounds:
        at = near.rfind(modifier)
        if at < 0 or any(v in near for v in variants(modifier + head)):
            continue
        rest = tokenize(near[at + len(modifier) :])
        if rest and names_thing(rest[0]) and not any(v in rest[0] for v in variants(head)):
            return True
    return False


# Who does the work in every report: as a qualifier it names no kind of the thing.
ACTORS = frozenset({"工会", "总工会", "市总工会", "各级工会", "市总"})


def other_kind(modifiers, sentence: str, context: str) -> bool:
    """The sentence counts another kind of the asked thing: the question's 妈妈驿站
    against the report's 爱心驿站, 女职工委员会 against 调解委员会.

    It holds when the sentence has the qualified word, led by another thing-word, and
    neither it nor the sentence before (``context``) has the question's qualifier: a
    subject stated in the sentence before still governs this one.
    """
    for modifier, head in modifiers:
        if modifier in ACTORS:
            continue  # 工会奖励: the union gives it; 学历奖励 is no other kind of it
        if mentions(sentence, modifier, []) or not mentions(sentence, head, []):
            continue
        heads, own = variants(head), variants(modifier)
        if any(
            word in heads
            and before not in own
            and not _same_core(before, modifier)
            and is_thing_word(before)
            for before, word in adjacent_words(sentence)
        ) and not mentions(context, modifier, []):
            return True
    return False


def _same_core(word: str, modifier: str) -> bool:
    """深入基层 for 下基层: the same noun with a character more or less, not another
    qualifier of it (劳动合同 for 集体合同)."""
    core = word[-2:]
    return core in modifier and len(modifier.replace(core, "")) < 2


def group_clash(
    modifiers, before: str, after: str, sentence: str, context: str, clause: str = ""
) -> bool:
    """The figure's phrase names a broader or narrower group than the question's
    "qualifier + thing", or counts the qualifier instead of the thing.

    * 女职工会员 asked, "全市工会会员120万人": the thing without its qualifier, which
      is nowhere in the sentence or the one before — a broader group;
    * 女职工会员 asked, "女职工互助共济会员3.2万人": words between qualifier and thing
      name a narrower group;
    * 女职工会员 asked, "培训女职工5000人": the qualifier is counted, not the thing.

    ``clause`` is the figure's whole clause (its words on both sides, up to a comma) and
    the clause before it.
    """
    phrase = before + after
    for modifier, head in modifiers:
        if not names_thing(head):
            continue  # "服务卡发了", "服务件数": a verb or a count after the noun is no group of it
        own, heads = variants(modifier), variants(head)
        parts = [t for t in tokenize(modifier) if t != modifier]  # 工会干部: 工会, 干部
        has_head = any(h in phrase for h in heads)
        has_own = any(m in phrase for m in own)
        if has_head and has_own:
            if not any(m + h in phrase for m in own for h in heads) and _qualified_apart(
                phrase, own, heads
            ):
                return True
        elif has_head:
            # The qualifier governs the figure from the sentence's opening clause (its
            # topic), the figure's own clause or the one before (深化“安康杯”竞赛活动,
            # 全市参赛企业11707家); met further off in a long list (农民工入会集中行动, …,
            # 会员由179584名增加到283958名) it qualifies another clause.
            governing = _opening_clause(sentence) + "|" + (clause or sentence)
            if not mentions(governing, modifier, parts) and not mentions(context, modifier, parts):
                return True
        elif has_own and not any(h in sentence for h in heads):
            # The qualifier right beside the number ("培训女职工5000人") is what is counted.
            beside = before.rstrip().endswith(tuple(own))
            # The noun after the measure word is what is counted, up to two characters
            # in (近万名一线女职工接受了教育: 一线女职工, no kind of 会员).
            rest = after.lstrip("人名位个家次余多")
            lead = re.match(r"[^的之和与及、，,。；\s]{0,2}", rest).group()
            if beside or any(rest[k:].startswith(tuple(own)) for k in range(len(lead) + 1)):
                return True
    return False


# LAC tags of the words of a noun phrase: nouns, adjectives and distinguishing words, and
# verbal nouns inside it (职工服务中心); the phrase's head is its last noun.
_PHRASE_TAGS = frozenset({"n", "nz", "nw", "a", "an", "b", "vn"})
_HEAD_TAGS = frozenset({"n", "nz", "nw"})
# The question's counted noun stands right after 多少/几 and an optional measure word.
_ASKED_NOUN = re.compile(
    r"(?:多少|几)[个家名位项条场次件所座户处支人种]?(?P<noun>[\u4e00-\u9fff、]{2,16})"
)


def _head(text: str) -> str | None:
    """The head noun of the noun phrase ``text`` starts with: 区域性行业性职工服务中心 → 中心,
    困难职工子女发放 → 子女; None when it does not start with one."""
    from rag.entities import tag  # LAC, loaded on first use

    head = None
    for k, token in enumerate(tag(text)):
        # 的 and 、 join modifiers to the head (困难职工的孩子, 区域性、行业性职工服务中心)
        if token.word in ("的", "、") and head is not None:
            continue
        if k == 0 and token.tag == "LOC":
            continue  # 苏州市劳动模范: the place qualifies the honour
        if token.tag not in _PHRASE_TAGS:
            break
        head = token.word if token.tag in _HEAD_TAGS else head
    return head


# Nouns that count people or bodies in general: what they are comes after (301名同志
# 被评为无锡市劳动模范), so their head says nothing of the thing.
_GENERIC_HEADS = frozenset({"同志", "人员", "个人", "人", "人次", "对象", "人选", "者", "集体"})
# Before a figure, workers name whom a count is about more often than what it counts:
# 困难职工3000户 counts households, 入会职工 members, 劳模和一线职工 both.
_ANY_WORKER = frozenset({"职工", "员工", "工人", "会员"})
_NAMED_AS = re.compile(r"被评为|被授予|被命名为|荣获|获得|获评|成为|当选")


def counts_another_thing(question: str, after: str) -> bool:
    """The noun right after the figure (两个区域性行业性职工服务中心, 1.8万名困难职工子女)
    has another head than the noun the question counts (多少个职工服务点, 多少困难职工).

    ``after`` is the text from the figure's end to its clause's end."""
    asked = _ASKED_NOUN.search(question)
    if asked is None or not re.match(r"[\u4e00-\u9fff]", after):
        return False
    phrase = re.split(r"[，,；;。：:]", after, maxsplit=1)[0]
    want, found = _head(asked.group("noun")), _head(phrase)
    if want is None or found is None or found in _GENERIC_HEADS or _same_head(want, found):
        return False
    if _MONEY_HEAD.search(want) and _MONEY_HEAD.search(found):
        return False  # 多少钱助学款 asked, 1900多万元助学款: money either way
    if "、" in phrase and any(_same_head(want, _head(item) or "") for item in phrase.split("、")):
        return False  # 115名江苏省劳动模范、先进工作者: the asked one is in the list
    if _NAMED_AS.match(phrase[phrase.index(found) + len(found) :]):
        return False  # 301名同志被评为劳动模范: counted as what they became
    # 127项主题鲜明、内容丰富、健康向上的职工文化系列活动: the head after the last 的
    last = _head(phrase[phrase.rindex("的") + 1 :]) if "的" in phrase else None
    return not (last and _same_head(want, last))


# Words between a noun and its figure (参赛企业达11707家) or before the question word
# (班组一共有多少个): they link, they name nothing.
_LINK_TO_FIGURE = re.compile(
    r"(?:共计?|总计|累计|合计|已达|多达|达到?|为|有|约|近|超过?|逾|计|突破)+$"
)
_LINK_TO_ASK = re.compile(
    r"(?:一共|总共|共计?|总计|累计|合计)?(?:有|是|达到?|为)?(?:大概|大约|约)?$"
)
# Nouns that name where or when, not what: 全市1200家 counts no 全市.
_WHERE_WHEN = re.compile(r"^(?:全|各|本|当|今|去|明|上|下)|[市区县省镇乡村年月日底初末]$")


def _last_noun(text: str) -> str | None:
    """The noun ``text`` ends with, past a count noun (会员总数 → 会员) and a pronoun
    (基层工会本身 → 工会); None when it ends with a verb or a number."""
    from rag.entities import tag  # LAC, loaded on first use

    tokens = [t for t in tag(text) if t.word.strip()]
    while tokens and (
        tokens[-1].tag == "r" or tokens[-1].word in MEASURES or _COUNT_NOUN.search(tokens[-1].word)
    ):
        tokens.pop()
    if not tokens or tokens[-1].tag not in _HEAD_TAGS:
        return None
    word = tokens[-1].word
    if len(word) == 1 and len(tokens) > 1 and tokens[-2].tag in _HEAD_TAGS:
        word = tokens[-2].word + word  # 图书室 read as 图书 + 室
    return None if _WHERE_WHEN.search(word) or word in _GENERIC_HEADS else word


# The last question word with its measure word: 这几年…多少人次 asks 人次.
_ASK_MEASURE = re.compile(rf"(?:多少|几)(?:万|千|百)?(?:{UNIT_PATTERN})?")


def asked_head(question: str) -> str | None:
    """The head noun of what the question counts: after the question word (多少个职工服务点
    → 服务点), else the noun before it (参赛的班组有多少个 → 班组)."""
    asks = list(_ASK_MEASURE.finditer(question))
    if not asks:
        return None
    ask = asks[-1]
    # 多少家次企业的劳动关系矛盾隐患: the measure word counts the noun before 的
    after = re.match(r"[\u4e00-\u9fff、]{2,16}?(?=的|[^\u4e00-\u9fff、]|$)", question[ask.end() :])
    if after and not after.group().startswith(tuple(MEASURES)):
        head = _head(after.group())
        if head:
            return None if head in _GENERIC_HEADS else head
    return _last_noun(_LINK_TO_ASK.sub("", question[: ask.start()]))


# A sum asked (多少加班费, 补了多少社保费): what stands before a money figure names its
# purpose in too many ways (补发加班工资, 为职工补缴) to judge by its head.
_MONEY_HEAD = re.compile(r"[费金款钱资]$|收入|支出")


_DE_ASK = re.compile(r"的[\u4e00-\u9fff“”\"]{0,8}?(?:有|是|共|一共|总共)?(?:多少|几)")


def defining_verb(question: str) -> str | None:
    """The verb of the clause that defines what is counted: 要约覆盖的企业有多少家 → 覆盖."""
    from rag.entities import tag  # LAC, loaded on first use

    if not _DE_ASK.search(question):
        return None  # no "…的N有多少": no LAC pass
    tokens = [t for t in tag(question) if t.word.strip()]
    for k in range(len(tokens) - 2, 0, -1):  # the 的 nearest the question word
        if tokens[k].word != "的":
            continue
        rest = "".join(t.word for t in tokens[k + 1 :])
        if not re.match(r"[\u4e00-\u9fff]{1,8}?(?:有|是|共|一共|总共)?(?:多少|几)", rest):
            continue
        # The clause's last verb: 被摘掉“…”称号的企业 → 摘掉, 要约覆盖的企业 → 覆盖; LAC may
        # tag a verb's characters one by one (应 约): they are one verb.
        run = ""
        for j in range(k - 1, max(-1, k - 12), -1):
            if tokens[j].tag == "v" and len(tokens[j].word) == 1:
                run = tokens[j].word + run
                continue
            if len(run) >= 2:
                return run
            run = ""
            if tokens[j].word in "，,。；;" or tokens[j].tag == "f":
                break  # 覆盖的企业里，应约的有多少家: 覆盖 defines the whole, not the part
            if tokens[j].tag == "v" and len(tokens[j].word) >= 2:
                return tokens[j].word
        if len(run) >= 2:
            return run
    return None


def whole_head(premise: str) -> str | None:
    """The head noun of a question's premise (…涵盖的单位 → 单位)."""
    return _last_noun(premise) if premise else None


def names_the_whole(whole: str, before: str) -> bool:
    """The noun right before the figure is the premise's whole (涵盖单位9.19万家), not the
    part asked of it."""
    found = _last_noun(_LINK_TO_FIGURE.sub("", before.rstrip()))
    return found is not None and _same_head(whole, found)


_VERB_ASK = re.compile(r"[\u4e00-\u9fff]{2}了?(?:多少|几)")
_LINK_VERBS = frozenset({"有", "是", "为", "达", "达到", "共有", "计", "占"})


def asking_verb(question: str) -> str | None:
    """The verb right before the question word: 一共覆盖了多少家企业 → 覆盖."""
    from rag.entities import tag  # LAC, loaded on first use

    if not _VERB_ASK.search(question):
        return None
    tokens = [t for t in tag(question) if t.word.strip()]
    for k, token in enumerate(tokens):
        if token.word.startswith(("多少", "几")) and k:
            j = k - 1 if tokens[k - 1].word != "了" else k - 2
            if j >= 0 and tokens[j].tag == "v" and len(tokens[j].word) >= 2:
                return None if tokens[j].word in _LINK_VERBS else tokens[j].word
    return None


def acts_apart(clause: str) -> bool:
    """The clause has a verb of its own ("上级工会为1868家企业代行要约"), so a verb earlier
    in the sentence does not govern it ("录入特困职工938人，困难职工3040人" does)."""
    from rag.entities import tag  # LAC, loaded on first use

    return any(t.tag == "v" and len(t.word) >= 2 and t.word not in _LINK_VERBS for t in tag(clause))


def named_before_another(want: str | None, before: str, phrase: str) -> bool:
    """The noun right before the figure (全市参赛企业11707家) has another head than the one
    asked (班组), and the asked one is nowhere in the figure's words (``phrase``)."""
    if want is None or _MONEY_HEAD.search(want) or any(v in phrase for v in variants(want)):
        return False
    found = _last_noun(_LINK_TO_FIGURE.sub("", before.rstrip()))
    return not (found is None or found in _ANY_WORKER or _same_head(want, found))


def _same_head(a: str, b: str) -> bool:
    return bool(variants(a) & variants(b)) or a.endswith(b) or b.endswith(a)


def _opening_clause(sentence: str) -> str:
    return re.split(r"[，,；;：:]", sentence, maxsplit=1)[0]


_EVERY_KIND = re.compile(r"各类|各种|各式|所有")


def all_kinds(modifiers, before: str, question: str) -> bool:
    """The figure counts every kind of the thing (各类调解组织) and the question one kind
    of it (企业调解组织)."""
    if _EVERY_KIND.search(question):
        return False  # 各类劳动争议调解组织 asks every kind
    for modifier, head in modifiers:
        for h in variants(head):
            at = before.rfind(h)
            if at >= 0 and _EVERY_KIND.search(before[max(0, at - 6) : at]):
                return not any(m in before[max(0, at - 6) : at] for m in variants(modifier))
    return False


def narrowed_by_clause(modifiers, before: str, question: str) -> bool:
    """A clause the question does not have ends in 的 right before the asked thing: in
    "已注册并激活的工会会员达53万人" the members counted are those registered and
    activated, not all members."""
    for modifier, head in modifiers:
        # 工会会员 is written 会员 as often: the union itself qualifies nothing.
        own = variants(modifier) | ({""} if modifier in ACTORS else set())
        for m in own:
            for h in variants(head):
                at = before.rfind(m + h)
                if at < 0:
                    continue
                lead = re.split(r"[，,；;。：:、|]", before[:at])[-1]
                if not lead.endswith("的"):
                    continue
                words = [t for t in tokenize(lead[:-1]) if len(t) >= 2]
                said = any(v in question for t in words for v in variants(t))
                # 参加培训的家政服务员 asked as 培训的家政服务员 is the same group
                if not said and any(part_of_speech(t).startswith("v") for t in words):
                    return True
    return False


# Qualifiers by LAC's part of speech: adjectives (独立), nouns (活力, 星级), other
# proper nouns and distinguishing words. Verbs (建立), places and 其中 (f) are not.
_QUALIFIER_TAGS = frozenset({"a", "an", "b", "n", "nz"})
# A noun before the thing often says whom it serves (环卫职工爱心驿站: all of them); it
# names a kind only as a named programme in quotes (“活力基层工会”) or after 其中.
_NOUN_TAGS = frozenset({"n", "nz"})
# Words before a thing that say where or how many, not which kind: they have checks of
# their own (scope, level, tally) or name the whole.
_NO_KIND = re.compile(
    r"^(?:全市|全区|全县|全省|全国|各级|各类|市级|省级|区级|县级|国家级|累计|新增|总|现有|共有)$"
)


def qualified_unasked(modifiers, before: str, question: str) -> bool:
    """The asked thing stands in the figure's words with a qualifier of its own that the
    question does not say: 基层工会 asked, "其中独立基层工会组织4631家" or "“活力基层工会”100家"
    count some of them."""
    from rag.entities import tag  # LAC, loaded on first use

    for modifier, head in modifiers:
        things = variants(modifier + head)
        if modifier in ACTORS:
            things = things | variants(head)  # 工会会员 is written 会员 as often
        for thing in sorted(things, key=lambda t: before.rfind(t), reverse=True):
            at = before.rfind(thing)
            if at < 0:
                continue
            lead_start = max(0, at - 8)
            lead = before[lead_start:at].rstrip('“"')
            tokens = tag(lead) if lead else ()
            if not tokens:
                break
            word = tokens[-1]
            qualifier_at = lead_start + len(lead) - len(word.word)
            if (
                word.tag in _QUALIFIER_TAGS
                and (word.tag not in _NOUN_TAGS or _names_a_kind(before[:qualifier_at]))
                and len(word.word) >= 2
                and word.word not in ACTORS
                and not _NO_KIND.match(word.word)
                and not any(v in question for v in variants(word.word))
            ):
                return True
            break
    return False


def _names_a_kind(before_qualifier: str) -> bool:
    """A noun qualifier opens a quoted name (“活力基层工会”) or follows 其中."""
    return before_qualifier.endswith(("“", '"', "「")) or "其中" in before_qualifier[-4:]


def names_thing(word: str) -> bool:
    """A noun naming what is counted, not an activity (培训) or the count itself (件数)."""
    tag = part_of_speech(word)  # a noun proper: 培训 (vn) is done, not counted
    return tag.startswith("n") and tag not in ("nr", "ns", "nt") and not _COUNT_NOUN.search(word)


def _qualified_apart(phrase: str, own: frozenset[str], heads: frozenset[str]) -> bool:
    """Between the qualifier and the thing stand words of their own ("女职工互助共济会员"),
    not just a particle ("女职工的会员") or a list ("女职工和会员")."""
    for m in own:
        for h in heads:
            i = phrase.find(m)
            j = phrase.find(h, i + len(m)) if i >= 0 else -1
            if j < 0:
                continue
            between = phrase[i + len(m) : j]
            if len(between) >= 2 and not re.search(r"[和与及、，,|\s“”\"《》（）()]", between):
                return True
    return False


def thing_absent(modifiers, text: str) -> bool:
    """The question names a "qualifier + thing" (女职工会员) and the figure's sentence has
    neither word nor a synonym: the figure counts something else."""
    return any(
        names_thing(head)
        and not any(v in text for v in variants(head))
        and not any(v in text for v in variants(modifier))
        for modifier, head in modifiers
    )
