"""Who wrote a document: its byline, a line that holds a person's name and nothing else
(温祥华 under a report's title, 朱鲸润 after a news story's lead), or 记者/作者 and a name.

A report speaks in the first person (我受常委会的委托，向大家报告工作): the 我 is the
byline's name, so "谁代表常委会报告工作" and "这篇报道的记者是谁" are answered from it.

Example::

    >>> [b.name for b in bylines("# 工作报告\\n\\n林晓川\\n\\n（2020年1月8日）\\n各位委员：")]
    ['林晓川']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_PREFIX = re.compile(r"^(?:记者|作者|文|撰稿|执笔|通讯员|报告人)[\s:：/|]*")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
# 我 that is the writer, not 我市/我区/我国/我们 (the city, the country, all of us).
FIRST_PERSON = re.compile(r"(?<![自])我(?![市区县省国们党会委局厅校院])")
ASKS_AUTHOR = re.compile(
    r"作者|记者|署名|撰稿|执笔|谁写|谁撰写|报告人|(?:谁|哪位).{0,16}(?:作|做)的?(?:工作)?报告"
    r"|(?:报告|讲话|文章|报道).{0,6}(?:是)?(?:谁|哪位)(?:作|做|写|讲)"
)


class Byline(NamedTuple):
    name: str
    start: int  # the name's place in the document
    end: int


@lru_cache(maxsize=256)
def bylines(text: str) -> tuple[Byline, ...]:
    """Lines of ``text`` that are a name alone (LAC tags it a person), in order."""
    from rag.entities import tag

    out, at = [], 0
    for line in text.split("\n"):
        core = line.strip()
        lead = _PREFIX.match(core)
        name = core[lead.end() :] if lead else core
        if _NAME.match(name):
            tokens = tag(name)
            if len(tokens) == 1 and tokens[0].tag == "PER":
                start = at + line.index(name)
                out.append(Byline(name, start, start + len(name)))
        at += len(line) + 1
    return tuple(out)
