"""Everyday words users type for the words reports use.

Users ask "图书室" where the report says "书屋", "孩子" where it says "子女", "花了多少钱"
where it says "资金". Each line is one group of interchangeable words; a question word
matches a sentence that has any word of its group. The groups are general vocabulary of
union work, not tied to any question or document.

Example::

    >>> sorted(variants("图书室"))
    ['书屋', '图书室', '图书馆', '阅览室']
"""

from __future__ import annotations

from functools import lru_cache

GROUPS = """
书屋 图书室 图书馆 阅览室
孩子 子女 小孩 儿女
钱 资金 经费 金额
花 投入 花费 支出 发放
纠纷 争议 矛盾
员工 职工 工人
打工仔 打工者 职工
劳模 劳动模范
企业 单位 公司
学生 学员
培训 培训班 教育
参加 参与 参赛
找到工作 就业 再就业
建了 建成 建立 新建 组建
看望 走访 慰问
帮扶 帮助 救助 援助
工资 薪酬 薪资
补交 补缴
社保 社会保险
摘掉 取消 撤销 摘牌
加班费 加班工资
案子 案件 官司
讨回 追回 要回 挽回
比例 比率 占比
女工 女职工
农民工 外来务工人员
律师 法律顾问
拿到 获得 得到 领到 领取
劳保 劳动保护
有证 持证 持证上岗
工代会 工会代表大会 代表大会
合约 合同
雇佣合约 雇佣合同 劳动合同
补办 补签
前线 一线
接受 采纳 采用
投票 票选
文体 文化体育
劳资关系 劳动关系
劳资纠纷 劳动争议 劳动纠纷
监测站点 监测点
疗养 疗休养 休养
获评 被评为 评为 荣获 获得 授予 被授予 命名为 被命名为 评选为 当选
"""


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for line in GROUPS.strip().splitlines():
        group = frozenset(line.split())
        for word in group:
            table[word] = table.get(word, frozenset()) | group
    return table


@lru_cache(maxsize=65536)
def variants(word: str) -> frozenset[str]:
    """The word and every word interchangeable with it; a qualifier in 性 (行业性) is also
    written without it (区域、行业签订195份)."""
    found = _index().get(word, frozenset((word,)))
    if len(word) >= 3 and word.endswith("性"):
        found = found | {word[:-1]}
    return found
