"""Key facts in an article: quantities (98天, 百分之二, 二十五人以上), responsible bodies, 应当/不得.

A fact is a span of the article's text with a kind; quiz questions blank it out and draw
distractors from facts of the same kind (and unit) elsewhere. Answers are compared by what they
say, not how they are written: 十五日 = 15日 = １５天, but 二十五人 is not 二十五人以上.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# A number starts with a digit (so 万元 alone is no number); 5万 and 二十五 are numbers.
_NUM = r"(?:\d+(?:\.\d+)?万?|[零〇一二三四五六七八九十两][零〇一二三四五六七八九十百千万两]*)"
_UNIT = r"(?:个工作日|个月|周岁|小时|工作日|万元|日|天|月|年|周|倍|人|名|元|次|届|岁)"
_DATE_PART = re.compile(r"(?:\d{4}|[〇零一二三四五六七八九]{4})年$|[年]$|\d+月$|[一二三四五六七八九十]+月$")
QUANTITY_RE = re.compile(rf"百分之{_NUM}|{_NUM}%|{_NUM}{_UNIT}(?:以上|以下|以内)?")
BODY_RE = re.compile(
    r"(?:县级以上|省级|市级|区、县|国务院)?(?:地方)?(?:各级)?人民政府(?:[^，。；、\s]{0,10}?部门)?"
    r"|劳动(?:保障)?行政部门|人力资源社会保障行政部门|劳动争议仲裁委员会|劳动人事争议仲裁委员会|人民法院"
    r"|(?:上一级|地方|基层|企业|全国|市|区、县)?总?工会(?:委员会)?|职工代表大会|安全生产监督管理部门"
)
MODAL_RE = re.compile(r"应当|不得|可以|必须")
QUALIFIERS = ("以上", "以下", "以内")
_PUNCTUATION = "，。、；：！？,.;:!?\"'“”‘’（）()《》〈〉【】[]…—-_ \u3000"
# 两 before a measure word reads right (两年, 两个月); before 日 and in 百分之 it is 二
_LIANG_UNITS = ("个", "年", "倍", "次", "人", "名", "小时", "周", "天", "届", "岁")


@dataclass(frozen=True)
class Fact:
    kind: str  # "quantity:<unit>" | "percentage" | "body" | "modal"
    text: str
    start: int  # offsets in the sentence the fact was found in
    end: int

    @property
    def value(self) -> tuple:
        """What makes two facts the same answer: 15天 and 十五天 are one value."""
        if self.kind in ("modal", "body"):
            return (self.text,)
        bare = self.text.removeprefix("百分之")
        number = re.match(_NUM, bare)
        qualifier = re.search("以上|以下|以内", bare)
        return (
            to_number(number.group()) if number else bare,
            unit_of(self.text),
            qualifier.group() if qualifier else "",
        )


def to_number(text: str) -> float:
    """'98' → 98, '二十五' → 25, '一百五十' → 150, '两' → 2, '5万' → 50000."""
    if re.fullmatch(r"\d+(?:\.\d+)?万?", text):
        return float(text.removesuffix("万")) * (10000 if text.endswith("万") else 1)
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            unit = _CN_UNITS[char]
            if unit == 10000:
                total += (section + digit) * unit
                section, digit = 0, 0
            else:
                section += (digit or 1) * unit
                digit = 0
    return float(total + section + digit)


def to_chinese(n: int) -> str:
    """25 → 二十五, 15 → 十五, 1050 → 一千零五十, 2000000 → 二百万 (for 0 < n < 10^8)."""
    if not 0 < n < 10**8:
        raise ValueError(f"cannot write {n} in Chinese numerals here")
    digits = "零一二三四五六七八九"

    def below_10000(m: int) -> str:
        out, gap = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = m // value % 10
            if digit:
                out += ("零" if gap else "") + digits[digit] + unit
                gap = False
            else:
                gap = bool(out)
        return out

    def written(m: int) -> str:
        text = below_10000(m)
        return text[1:] if 10 <= m < 20 else text  # 十五, not 一十五

    high, low = divmod(n, 10000)
    if not high:
        return written(low)
    return written(high) + "万" + ("零" if 0 < low < 1000 else "") + (below_10000(low) if low else "")


def unit_of(text: str) -> str:
    if text.startswith("百分之") or text.endswith("%"):
        return "percentage"
    match = re.search(rf"{_UNIT}(?:以上|以下|以内)?$", text)
    unit = match.group() if match else ""
    unit = re.sub("以上|以下|以内", "", unit)
    return {"日": "天", "名": "人", "周岁": "岁", "个工作日": "工作日"}.get(unit, unit)


def find_facts(sentence: str, title: str = "") -> list[Fact]:
    """The blankable facts of one sentence, left to right; none inside the law's own title."""
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match) -> None:
        start, end = match.span()
        if any(start < e and s < end for s, e in taken) or (title and match.group() in title):
            return
        facts.append(Fact(kind, match.group(), start, end))
        taken.append((start, end))

    for match in QUANTITY_RE.finditer(sentence):
        unit = unit_of(match.group())
        if unit == "年" and re.fullmatch(r"\d{4}年", match.group()):
            continue  # a calendar year (2008年) is a date, not a duration
        if unit in ("月", "天") and _DATE_PART.search(sentence[: match.start()]):
            continue  # the month or day of a date (1950年6月29日)
        add("percentage" if unit == "percentage" else f"quantity:{unit}", match)
    for match in BODY_RE.finditer(sentence):
        if len(match.group()) >= 4:  # "工会" alone is everywhere; a body worth asking about is more specific
            add("body", match)
    for match in MODAL_RE.finditer(sentence):
        add("modal", match)
    return sorted(facts, key=lambda f: f.start)


@dataclass(frozen=True)
class Quantity:
    """A quantity's text in three parts: 百分之 | 二十五 | 人以上, so another number can take its form."""

    prefix: str
    number: str
    suffix: str  # unit and qualifier as written: 日, 个月, 元以上, %

    @classmethod
    def parse(cls, text: str) -> Quantity | None:
        prefix = "百分之" if text.startswith("百分之") else ""
        match = re.match(_NUM, text[len(prefix) :])
        return cls(prefix, match.group(), text[len(prefix) + match.end() :]) if match else None

    @property
    def value(self) -> float:
        return to_number(self.number)

    def respell(self, value: float) -> str | None:
        """`value` written the way this quantity is written (numerals, 万, unit, qualifier); None if it can't be."""
        wan = self.number.endswith("万") and len(self.number) > 1
        amount = value / 10000 if wan else value
        if amount <= 0:
            return None
        if re.match(r"\d", self.number):
            if wan and (amount < 1 or amount * 10 != int(amount * 10)):
                return None  # 0.0002万元 is no way to write 2元
            digits = f"{amount:g}"
            if "e" in digits or len(digits) > 9:
                return None
        else:
            if amount != int(amount) or amount >= 10**8:
                return None
            digits = to_chinese(int(amount))
            if digits == "二" and not wan and not self.prefix and self.suffix.startswith(_LIANG_UNITS):
                digits = "两"
        return self.prefix + digits + ("万" if wan else "") + self.suffix


def normalise(text: str) -> str:
    """Full-width forms to half-width, no spaces, no punctuation around it."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return text.strip(_PUNCTUATION)


def _measure(text: str) -> tuple[float, str, str] | None:
    """(amount, unit, qualifier) when `text` is one quantity and nothing else; 万元 counts in 元."""
    facts = find_facts(text)
    if len(facts) != 1 or facts[0].kind == "body" or facts[0].kind == "modal":
        return None
    fact = facts[0]
    if (fact.start, fact.end) != (0, len(text)):
        return None
    quantity = Quantity.parse(text)
    if quantity is None:
        return None
    unit = unit_of(text)
    qualifier = next((q for q in QUALIFIERS if text.endswith(q)), "")
    return quantity.value, "元" if unit == "万元" else unit, qualifier


def same_answer(expected: str, response: str) -> bool:
    """Tolerant of form, not of fact: 十五日 = 15日 = １５天 = “15日”，but 二十五人 ≠ 二十五人以上."""
    want, got = normalise(expected), normalise(response)
    if not got:
        return False
    if want == got:
        return True
    measured = _measure(want)
    if measured is None:
        return False
    if re.fullmatch(_NUM, got):  # the number alone: the unit was left out, which is no error of fact
        return not measured[2] and to_number(got) == measured[0]
    return measured == _measure(got)
