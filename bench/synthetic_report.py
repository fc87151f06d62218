"""A made-up trade-union work report of any size, for upload tests and benchmarks.

Nothing is copied from seeds/: the city, its districts, companies and people are
invented from syllables, and every paragraph is drawn from sentence templates with
random figures, so the text is one no index has seen. A few *facts* are planted once
each (a distinctive programme and its count); they are what a test asks after the
upload.

Example::

    >>> report = make_report(256 * 1024, seed=21)
    >>> len(report.text.encode()) >= 256 * 1024
    True
    >>> report.facts[0].question, report.facts[0].answer
    ('禾嵘建成了多少个溪嵘驿站', '554')
"""

from __future__ import annotations

import random
from typing import NamedTuple

_SYLLABLES = (
    "岚 溪 桐 汀 榆 禾 泽 渠 澄 璟 枫 濑 沅 嵘 棠 芷 峪 湄 垣 珂 崟 淇 邛 莘 槐 苇 霁 翎".split()
)
_SURNAMES = "乔 廖 晏 褚 郁 蔺 阙 柏 钮 宓 殷 滕 邝 卜 裴 甘".split()
_GIVEN = "启 岑 韫 朔 淼 骞 珩 昀 霈 翊 砚 璠 祎 濛 彧 歆".split()
_INDUSTRY = "精密机械 新能源 纺织印染 港口物流 智能装备 生物医药 电子信息 食品加工".split()
_TOPICS = [
    ("服务发展大局，团结动员职工建功立业", "competition"),
    ("加强组织建设，扩大工会工作覆盖面", "organising"),
    ("依法维护权益，构建和谐劳动关系", "rights"),
    ("深化帮扶服务，解决职工急难愁盼", "assistance"),
    ("建设职工之家，丰富职工精神文化生活", "culture"),
    ("提升职工素质，打造技能人才队伍", "skills"),
    ("关爱女职工，保障特殊权益", "women"),
    ("推进工会改革，增强基层工会活力", "reform"),
]
_SENTENCES = {
    "competition": [
        "{district}区工会围绕{industry}产业链开展劳动竞赛{n}项，参赛职工{m}人次。",
        "“{word}杯”劳动竞赛吸引{company}等{n}家企业参加，评出竞赛标兵{k}名。",
        "全年提出合理化建议{m}条，被采纳{n}条，创造经济效益{x}万元。",
        "{company}工会组织技术攻关小组{k}个，完成革新项目{n}项。",
    ],
    "organising": [
        "{district}区新建基层工会组织{n}个，新发展会员{m}人。",
        "在{industry}行业推行行业工会联合会，覆盖小微企业{n}家。",
        "新就业形态劳动者入会{m}人，其中快递员{n}人、网约车司机{k}人。",
        "{company}等{n}家非公企业完成工会规范化建设，建会率达到{p}%。",
    ],
    "rights": [
        "{district}区签订工资集体合同{n}份，覆盖职工{m}人。",
        "各级工会法律援助中心受理职工法律咨询{m}件次，代理劳动争议案件{n}件。",
        "劳动法律监督员队伍扩大到{n}人，开展专项检查{k}次。",
        "{company}职工代表大会审议通过涉及职工切身利益的事项{k}项。",
    ],
    "assistance": [
        "“两节”送温暖走访慰问困难职工{m}户，发放慰问金{x}万元。",
        "{district}区为{n}名困难职工子女发放助学金{x}万元。",
        "职工医疗互助参保{m}人，为{n}名患病职工发放互助金{x}万元。",
        "户外劳动者服务站点新增{n}个，累计服务{m}人次。",
    ],
    "culture": [
        "{district}区举办职工文化艺术节，开展文体活动{n}场，参与职工{m}人次。",
        "新建职工书屋{n}家，配送图书{m}册。",
        "{company}工会组建职工兴趣小组{k}个，举办读书分享会{n}场。",
        "疗休养活动组织一线职工{m}人参加，其中劳动模范{n}人。",
    ],
    "skills": [
        "{district}区举办职业技能竞赛{n}场，{k}名选手获得技术能手称号。",
        "职工技能培训{m}人次，取得职业资格证书{n}人。",
        "命名劳模和工匠人才创新工作室{n}个，其中{industry}领域{k}个。",
        "{company}推行“师带徒”，结成师徒对子{n}对。",
    ],
    "women": [
        "签订女职工权益保护专项集体合同{n}份，覆盖女职工{m}人。",
        "{district}区新建爱心妈咪小屋{n}个，累计达到{k}个。",
        "为{m}名女职工开展免费健康检查，组织心理咨询{n}场。",
        "{company}女职工委员会开展巾帼建功活动{k}次。",
    ],
    "reform": [
        "{district}区推进工会干部社会化招聘，新增社会化工会工作者{n}名。",
        "开展“会站家”一体化建设试点{n}个，覆盖会员{m}人。",
        "{company}工会实行会员评家，满意率达到{p}%。",
        "完成{k}个乡镇（街道）工会换届，选优配强工会主席{n}名。",
    ],
}


class Fact(NamedTuple):
    question: str
    answer: str  # what the answer must contain


class Report(NamedTuple):
    title: str
    city: str
    text: str
    facts: list[Fact]


def _word(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.sample(_SYLLABLES, n))


def make_report(size_bytes: int, seed: int = 0) -> Report:
    """A report of at least ``size_bytes`` bytes of UTF-8; the same seed gives the same text."""
    rng = random.Random(seed)
    city = _word(rng)
    year = rng.randint(2019, 2025)
    districts = sorted({_word(rng) for _ in range(12)})
    companies = [f"{_word(rng)}{rng.choice(_INDUSTRY)}有限公司" for _ in range(40)]
    chair = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN)
    programme, count = f"{_word(rng)}驿站", rng.randint(300, 900)
    title = f"{city}市总工会{year}年工作报告"
    facts = [Fact(f"{city}建成了多少个{programme}", str(count))]
    head = [
        title,
        f"——{year + 1}年1月在{city}市总工会十届{rng.randint(2, 6)}次全委会议上",
        f"市总工会主席 {chair}",
        "",
        f"{year}年，全市各级工会在市委和省总工会的领导下，团结动员广大职工"
        f"为{city}高质量发展贡献力量，各项工作取得新进展。",
    ]
    planted = (
        f"市总工会在全市推广“{programme}”建设，全年建成“{programme}”{count}个，"
        "为户外劳动者提供歇脚、饮水和充电服务。"
    )
    out = "\n".join(head) + "\n"
    numerals = "一二三四五六七八九十"
    section = 0
    planted_at = max(1, size_bytes // 3)
    while len(out.encode()) < size_bytes:
        name, kind = _TOPICS[section % len(_TOPICS)]
        number = numerals[section % 10] if section < 10 else f"{section + 1}"
        out += f"\n{number}、{name}\n"
        for _ in range(rng.randint(4, 7)):
            sentences = rng.choices(_SENTENCES[kind], k=rng.randint(3, 6))
            paragraph = "".join(_fill(s, rng, districts, companies) for s in sentences)
            if planted and len(out.encode()) >= planted_at:
                paragraph, planted = paragraph + planted, ""
            out += paragraph + "\n"
        section += 1
    if planted:
        out += planted + "\n"
    return Report(title, city, out, facts)


def _fill(template: str, rng: random.Random, districts: list[str], companies: list[str]) -> str:
    return template.format(
        district=rng.choice(districts),
        company=rng.choice(companies),
        industry=rng.choice(_INDUSTRY),
        word=_word(rng),
        n=rng.randint(3, 480),
        m=rng.randint(500, 98000),
        k=rng.randint(2, 60),
        x=round(rng.uniform(5, 4800), 1),
        p=round(rng.uniform(80, 99.9), 1),
    )
