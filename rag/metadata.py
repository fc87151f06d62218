"""Infer document metadata (title, issuer, region, date, period) from its text.

Everything is read from the document itself; nothing is keyed on file names or
titles. A sidecar ``<stem>.meta.json`` (or ``<file name>.meta.json``) next to a
document may override any inferred field.

Rules
-----
title
    The first non-empty line, stripped of Markdown '#'. Following heading lines
    and a "——subtitle" line are joined to it; a short first line ending in a
    colon ("无锡市总工会:") is joined to the next line, as in news headlines.
issuer
    The "<place>总工会" / "<place>工会" organisation the title names; else the
    one of a place in the title; else the one mentioned most often (photo
    captions may name a higher union first, appendices another city's union).
    Written as "<full place name>总工会" when the text uses that form anywhere.
region
    The issuer's place; failing that, the first place of the title, else the
    place mentioned most often in the opening text. ``region_path`` runs from
    the province down, e.g. ["江苏", "苏州", "昆山"]. ``places`` lists the
    region and the other places the document speaks for: those of its title
    and of unions signing a part of it (an appendix issued by another city's
    union); a question about any of them finds the document.
date
    A full date (2017年1月10日, 2012.12.07, 二〇一七年一月十日) standing on a line
    of its own, else one in the first lines (under the title) or last lines (a
    source note) of the text.
period, first rule that applies
    1. a year or year range in the title;
    2. a review phrase: "2016年工作回顾", "回顾总结2016年…", "过去的2016年";
    3. a multi-year review ("五年来", "过去的五年", "近三年", "…代表大会以来",
       the latter because union congresses sit every five years) that appears
       in the title or outnumbers single-year cues: N years ending at the
       report year (see below), else at the latest year referenced;
    4. single-year cues with a date dated in year Y: "今年(以来)" votes Y,
       "去年" votes Y-1, "过去的一年/一年来" vote the report year;
    5. the year mentioned most often (latest on ties);
    6. otherwise None.
    The report year of a date is Y-1 if it falls in the first half of Y (the
    annual work report reviews the year just ended), else Y. "Years referenced"
    skip numbers that are counts ("2081人次", "1900 多万元") and years inside
    《》 (plan titles such as 《规划(2015—2019年)》 look ahead); a party congress
    (十八大, 十九大) counts as its year since texts often date themselves only so.

Example:
    >>> meta = infer_metadata("# 苏州市总工会工作报告\\n（2017年1月10日）\\n## 2016年工作回顾\\n", "x.txt")
    >>> meta.issuer, meta.region, meta.date, meta.period
    ('苏州市总工会', '苏州', '2017-01-10', '2016')
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from rag.numbers import SMALL_COUNTS
from rag.regions import Place, ancestors, find_places, lookup
from rag.script import to_simplified

__all__ = [
    "DocMeta",
    "infer_metadata",
    "load_metadata",
    "period_covers",
    "find_years",
    "parse_period",
]


@dataclass
class DocMeta:
    doc_id: str
    title: str
    issuer: str | None = None
    region: str | None = None
    region_path: list[str] = field(default_factory=list)
    # The region first, then other places the document speaks for (see _places).
    places: list[str] = field(default_factory=list)
    date: str | None = None
    period: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    source: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- years


_YEAR = r"(?:19[5-9]\d|20\d\d)"
_YEAR_RE = re.compile(rf"(?<![\d.．]){_YEAR}(?!\d)")
_RANGE_RE = re.compile(rf"(?<![\d.．])({_YEAR})\s*年?\s*[—–\-－~～至到]+\s*({_YEAR})(?!\d)")
# A year-like number followed by one of these is a count, not a year.
_COUNT_UNITS = set(
    "多余人个家名万亿千百元条次项户所座件份台辆米吨位套篇场期批股%％平公亩间本册张支只部处起例天岁双对块种类笔"
)
_BOOK_TITLE_RE = re.compile(r"《[^《》]*》")
_CONGRESS_RE = re.compile(r"(?<![一二三四五六七八九十])(十[五六七八九]|二十)大")
_CONGRESS_YEAR = {
    "十五": 1997,
    "十六": 2002,
    "十七": 2007,
    "十八": 2012,
    "十九": 2017,
    "二十": 2022,
}


def find_years(text: str) -> list[int]:
    """Years written as digits in ``text``, in order, skipping counts.

    Useful for questions too.

    >>> find_years("苏州2016年职工书屋多少家？发放1900 多万元，2081人次")
    [2016]
    """
    years = []
    for match in _YEAR_RE.finditer(text):
        following = text[match.end() :].lstrip()[:1]
        if following not in _COUNT_UNITS:
            years.append(int(match.group()))
    return years


def _referenced_years(text: str) -> list[int]:
    """Years the text refers to, outside 《》 titles, plus party congresses."""
    body = _BOOK_TITLE_RE.sub("", text)
    congresses = [_CONGRESS_YEAR[m.group(1)] for m in _CONGRESS_RE.finditer(body)]
    return find_years(body) + congresses


def parse_period(period: str) -> tuple[int, int]:
    """Parse "2016" or "2013-2017" into (start, end); ValueError otherwise.

    >>> parse_period("2013-2017")
    (2013, 2017)
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-—–~～]\s*(\d{4}))?\s*", period)
    if not match:
        raise ValueError(f"period must look like '2016' or '2013-2017', got {period!r}")
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if end < start:
        raise ValueError(f"period {period!r} ends before it starts")
    return start, end


def _format_period(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}-{end}"


# ---------------------------------------------------------------- dates


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
}
_NUM = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}"
_DATE_RE = re.compile(
    rf"(?P<y>(?:19|20)\d\d|[〇零○Ｏ一二三四五六七八九]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日"
    r"|(?<![\d.])(?P<y2>(?:19|20)\d\d)[.\-/](?P<m2>\d{1,2})[.\-/](?P<d2>\d{1,2})(?![\d.])"
)


def _cn_int(text: str) -> int:
    """'2017', '二〇一七', '十', '二十一' -> int."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _parse_date(match: re.Match) -> str | None:
    year, month, day = (match.group(k) or match.group(k + "2") for k in ("y", "m", "d"))
    y, m, d = _cn_int(year), _cn_int(month), _cn_int(day)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _issue_date(lines: list[str]) -> str | None:
    """A stand-alone date line wins; else a date near the top, then the bottom."""
    head, tail = lines[:8], lines[-3:]
    fallback = None
    for position, line in enumerate(lines):
        for match in _DATE_RE.finditer(line):
            date = _parse_date(match)
            if date is None:
                continue
            rest = line[: match.start()] + line[match.end() :]
            if not re.sub(r"[\s()（）\[\]【】,，。.:：]", "", rest):
                return date
            if fallback is None and (position < len(head) or position >= len(lines) - len(tail)):
                fallback = date
    return fallback


def _report_year(date: str) -> int:
    year, month = int(date[:4]), int(date[5:7])
    return year - 1 if month <= 6 else year


# ---------------------------------------------------------------- title, issuer, region


def _nonempty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _title(lines: list[str]) -> str:
    if not lines:
        return ""
    parts = [lines[0].lstrip("#").strip()]
    for line in lines[1:]:
        is_heading = line.startswith("#")
        stripped = line.lstrip("#").strip()
        if stripped.startswith("——") or is_heading:
            parts.append(stripped)
        elif len(parts) == 1 and len(parts[0]) <= 20 and parts[0].endswith((":", "：")):
            parts[0] += stripped  # "无锡市总工会:" + headline
            break
        else:
            break
        if len(" ".join(parts)) > 80:
            break
    return " ".join(parts)[:120]


_UNION_SUFFIX = re.compile(r"总?工会")


def _union_mentions(text: str) -> list[tuple[Place, str]]:
    """(place, "总工会" or "工会") for every "<place>(总)工会" in the text."""
    mentions = []
    for place in find_places(text):
        suffix = _UNION_SUFFIX.match(text, place.end)
        if suffix:
            mentions.append((place, suffix.group()))
    return mentions


def _issuer(text: str, title: str) -> tuple[str | None, str | None]:
    """Return (issuer name, its canonical place).

    A union the title names is the issuer, however often appendices or signatures
    further down name another; then a place of the title that has a union in the
    text; only failing both, the union mentioned most often.
    """
    mentions = _union_mentions(text)
    if not mentions:
        return None, None
    in_title = _union_mentions(title)
    title_places = [p.name for p in find_places(title)]
    scores: Counter[str] = Counter()
    for place, _ in mentions:
        scores[place.name] += 1
    if in_title:
        name = in_title[0][0].name
    elif named := [n for n in title_places if n in scores]:
        name = named[0]
    else:
        # Counter.most_common keeps first-seen order on ties: earliest mention wins.
        name = scores.most_common(1)[0][0]
    suffixes = {suffix for place, suffix in mentions if place.name == name}
    place = lookup(name)
    return place.full + ("总工会" if "总工会" in suffixes else "工会"), name


def _region(text: str, title: str, issuer_place: str | None) -> str | None:
    if issuer_place:
        return issuer_place
    if title_places := find_places(title):
        return title_places[0].name  # the title's place wins over the body's
    scores: Counter[str] = Counter()
    for place in find_places(title):
        scores[place.name] += 3
    for place in find_places(text[:2000]):
        scores[place.name] += 1
    return scores.most_common(1)[0][0] if scores else None


# A union's name standing on a line of its own (optionally with a date): the signature
# under a report or under one of its appendices.
_SIGNATURE_RE = re.compile(r"^\s*(\S{2,12}?总?工会)\s*(?:[（(]?\s*\S*年\S*月\S*日?\s*[）)]?)?\s*$")


def _places(text: str, title: str, region: str | None) -> list[str]:
    """Every place the document speaks for: its region first, then places named in
    the title and places whose union signs a part of it (an appendix issued by
    another city's union), in order of appearance."""
    out = [region] if region else []
    found = [p.name for p in find_places(title)]
    for line in text.splitlines():
        if (match := _SIGNATURE_RE.match(line)) and (union := _union_mentions(match.group(1))):
            found.append(union[0][0].name)
    for name in found:
        if name not in out:
            out.append(name)
    return out


def _region_path(region: str | None) -> list[str]:
    if region is None:
        return []
    return [*reversed(ancestors(region)), region]


# ---------------------------------------------------------------- period


_REVIEW_RES = (
    re.compile(rf"({_YEAR})\s*年[^，。；\n]{{0,6}}?(?:回顾|总结)"),
    re.compile(rf"(?:回顾|总结)[^，。；\n]{{0,4}}?({_YEAR})\s*年"),
    re.compile(rf"过去的\s*({_YEAR})\s*年"),
)
# The lookbehinds keep "二〇一六年" and "二十年" from reading as "六年" / "十年".
_CN_NUMERAL_BEFORE = r"(?<![〇零一二三四五六七八九十])"
_MULTI_YEAR_RE = re.compile(
    rf"(?:过去的?|近)([两二三四五六七八九十])年|{_CN_NUMERAL_BEFORE}([两二三四五六七八九十])年来"
)
_TITLE_SPAN_RE = re.compile(rf"{_CN_NUMERAL_BEFORE}([两二三四五六七八九十])年")
_CONGRESS_SINCE_RE = re.compile(r"代表大会以来")
_THIS_YEAR_RE = re.compile(r"今年")
_LAST_YEAR_RE = re.compile(r"去年")
_PAST_YEAR_RE = re.compile(r"过去的?一年|一年来")


def _title_period(title: str) -> tuple[int, int] | None:
    body = _BOOK_TITLE_RE.sub("", title)
    if match := _RANGE_RE.search(body):
        return int(match.group(1)), int(match.group(2))
    years = find_years(body)
    return (years[0], years[0]) if years else None


def _review_period(text: str) -> tuple[int, int] | None:
    for pattern in _REVIEW_RES:
        if match := pattern.search(text):
            year = int(match.group(1))
            return year, year
    return None


def _multi_year_span(text: str, title: str) -> tuple[int, int, bool]:
    """(span in years, number of cues, announced in the title); span 0 if none."""
    spans = [SMALL_COUNTS[a or b] for a, b in _MULTI_YEAR_RE.findall(text)]
    spans += [5] * len(_CONGRESS_SINCE_RE.findall(text))
    in_title = _TITLE_SPAN_RE.search(title)
    if in_title:
        spans.append(SMALL_COUNTS[in_title.group(1)])
    if not spans:
        return 0, 0, False
    return Counter(spans).most_common(1)[0][0], len(spans), bool(in_title)


def _single_year_cues(text: str) -> tuple[int, int, int]:
    """Counts of (今年, 去年, 过去的一年) cues."""
    return tuple(
        len(pattern.findall(text)) for pattern in (_THIS_YEAR_RE, _LAST_YEAR_RE, _PAST_YEAR_RE)
    )


def _single_year_votes(cues: tuple[int, int, int], date: str) -> Counter[int]:
    this_year, last_year, past_year = cues
    year = int(date[:4])
    votes: Counter[int] = Counter()
    votes[year] += this_year
    votes[year - 1] += last_year
    votes[_report_year(date)] += past_year
    return +votes  # drop zero counts


def _most_common_year(years: list[int]) -> int | None:
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], y)) if counts else None


def _period(text: str, title: str, date: str | None) -> tuple[int, int] | None:
    if found := _title_period(title) or _review_period(text):
        return found
    span, span_cues, span_in_title = _multi_year_span(text, title)
    cues = _single_year_cues(text)
    if span and (span_in_title or span_cues > sum(cues)):
        end = _report_year(date) if date else max(_referenced_years(text), default=None)
        if end is not None:
            return end - span + 1, end
    if date and (votes := _single_year_votes(cues, date)):
        year = _most_common_year(list(votes.elements()))
        return year, year
    if (year := _most_common_year(find_years(_BOOK_TITLE_RE.sub("", text)))) is not None:
        return year, year
    return None


# ---------------------------------------------------------------- public API


def infer_metadata(text: str, filename: str) -> DocMeta:
    """Infer a document's metadata from its own text.

    >>> infer_metadata("无锡市总工会:\\n做贴心的娘家人\\n过去的一年……2015年……", "d.txt").period
    '2015'
    """
    title = _title(_nonempty_lines(text))
    # Read in simplified characters (a Big5 report's 總工會, 回顧, 過去的一年); the title
    # is kept as written.
    text, plain_title = to_simplified(text), to_simplified(title)
    lines = _nonempty_lines(text)
    issuer, issuer_place = _issuer(text, plain_title)
    region = _region(text, plain_title, issuer_place)
    date = _issue_date(lines)
    period = _period(text, plain_title, date)
    return DocMeta(
        doc_id=Path(filename).stem,
        title=title,
        issuer=issuer,
        region=region,
        region_path=_region_path(region),
        places=_places(text, plain_title, region),
        date=date,
        period=_format_period(*period) if period else None,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        source=Path(filename).name,
    )


def _sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_suffix(".meta.json"), path.with_name(path.name + ".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def _validated_overrides(raw: object, sidecar: Path) -> dict:
    """Check a sidecar's content against DocMeta's fields; ValueError names the file."""

    def fail(problem: str) -> ValueError:
        return ValueError(f"invalid metadata sidecar {sidecar}: {problem}")

    if not isinstance(raw, dict):
        raise fail("expected a JSON object")
    known = {f.name for f in fields(DocMeta)}
    if unknown := sorted(set(raw) - known):
        raise fail(f"unknown field(s) {unknown}; allowed: {sorted(known)}")
    for key, value in raw.items():
        if key in ("region_path", "places"):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif key in ("period_start", "period_end"):
            ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
        elif key in ("doc_id", "title", "source"):
            ok = isinstance(value, str)
        else:
            ok = value is None or isinstance(value, str)
        if not ok:
            raise fail(f"field {key!r} has the wrong type: {value!r}")
    if raw.get("period") is not None:
        try:
            parse_period(raw["period"])
        except ValueError as error:
            raise fail(str(error)) from None
    if raw.get("date") is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["date"]):
        raise fail(f"date must be ISO YYYY-MM-DD, got {raw['date']!r}")
    return raw


def _apply_overrides(meta: DocMeta, overrides: dict) -> DocMeta:
    data = meta.to_dict() | overrides
    # Keep derived fields consistent with an overridden source field.
    if "region" in overrides and "region_path" not in overrides:
        data["region_path"] = _region_path(data["region"])
    if "region" in overrides and "places" not in overrides:
        data["places"] = _with_region(data["places"], data["region"])
    if "period" in overrides:
        start, end = parse_period(data["period"]) if data["period"] else (None, None)
        if "period_start" not in overrides:
            data["period_start"] = start
        if "period_end" not in overrides:
            data["period_end"] = end
    return DocMeta(**data)


def _with_region(places: list[str], region: str | None) -> list[str]:
    """``places`` with ``region`` (now the document's own) first."""
    return ([region] if region else []) + [p for p in places if p != region]


def load_metadata(path: Path, text: str) -> DocMeta:
    """Infer metadata, then apply ``<stem>.meta.json`` next to ``path`` if any.

    >>> load_metadata(Path("seeds/none.txt"), "苏州市总工会").region
    '苏州'
    """
    path = Path(path)
    meta = infer_metadata(text, path.name)
    sidecar = _sidecar_path(path)
    if sidecar is None:
        return meta
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"invalid metadata sidecar {sidecar}: not valid JSON ({error})") from None
    return _apply_overrides(meta, _validated_overrides(raw, sidecar))


def inside_span(meta: DocMeta, year: int) -> bool:
    """``year`` falls in a report of several years before its last (2013–2017: 2013 to
    2016): its undated figures are sums over the span or stocks at its end, none of them
    that year's.

    >>> inside_span(DocMeta("d", "t", period="2013-2017", period_start=2013, period_end=2017), 2016)
    True
    """
    start, end = meta.period_start, meta.period_end
    return start is not None and end is not None and start <= year < end


def period_covers(meta: DocMeta, year: int) -> bool:
    """True if the document's figures describe ``year``; False when unknown.

    >>> period_covers(DocMeta("d", "t", period="2013-2017", period_start=2013, period_end=2017), 2015)
    True
    """
    if meta.period_start is None or meta.period_end is None:
        return False
    return meta.period_start <= year <= meta.period_end
