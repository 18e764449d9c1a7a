"""The numbers a question states and the tiers a provision draws, and whether one falls in the other.

Statutes set rules by tiers of a quantity: 劳动合同期限一年以上不满三年的，试用期不得超过二个月;
累计工作已满1年不满10年的，年休假5天; 企业职工一百人以下的建立职工大会制度. A worker states where
they stand (签了两年的合同, 上班4年了, 八十多个工人), and the provision that answers is the one whose
tier holds that number. A tier is a condition (以上, 以下, 满, 不满, 不足, 超过); a limit the rule sets
(不得超过六个月, 最长不超过…) is what the question asks about, not where the worker stands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import cn2an

if TYPE_CHECKING:
    from langchain_core.documents import Document

_CN_NUMERALS = "零〇一二两三四五六七八九十百千万"
_NUMERAL = rf"\d+(?:\.\d+)?|[{_CN_NUMERALS}]+"
# How each unit measures, in which base, and its one spelling. Years of service and ages are different
# quantities, and so are spans counted in months or years (service, a contract) and in days or weeks
# (leave, notice): three years of service is not "20 days or more" of leave.
_UNITS = {
    "周岁": ("age", 1.0, "岁"),
    "岁": ("age", 1.0, "岁"),
    "年": ("months", 12.0, "年"),
    "月": ("months", 1.0, "月"),
    "周": ("days", 7.0, "周"),
    "星期": ("days", 7.0, "周"),
    "工作日": ("days", 1.0, "天"),
    "日": ("days", 1.0, "天"),
    "天": ("days", 1.0, "天"),
    "小时": ("hours", 1.0, "小时"),
    "人": ("people", 1.0, "人"),
    "名": ("people", 1.0, "人"),
    "工人": ("people", 1.0, "人"),
    "员工": ("people", 1.0, "人"),
    "职工": ("people", 1.0, "人"),
}
_PEOPLE = ("工人", "员工", "职工")  # counted in a question (八十多个工人), never a provision's unit
_UNIT = "|".join(unit for unit in _UNITS if unit not in _PEOPLE)
# 八十多个工人, 三年多, 一年半, 两个半月, 半年; a numeral is read whole (not the 3 of 13年, nor after 第,
# 每, 同, 这 or 那); a month is 个月 (3月份, 十二月 are dates); a term's name (一年期贷款利率) states
# nothing. 不满一年, 超过三个月: just under or over it.
_UNDER = ("不满", "不到", "不足", "未满", "没满", "没到", "不够")
_OVER = ("超过", "多于")
_STATED_RE = re.compile(
    rf"(?P<side>{'|'.join(_UNDER + _OVER)})?"
    rf"(?<![第每同这那\d{_CN_NUMERALS}.])(?P<n>{_NUMERAL}|半)(?P<more>多|余)?"
    rf"(?:个(?P<half_before>半)?(?=月|小时|星期|工作日|工人|员工|职工|人)|(?!月))"
    rf"(?P<unit>{'|'.join(_UNITS)})(?P<half>半)?(?!期|份)"
)
# what follows a span that says how often something happens (两个月才结一次, 三个月发一回工资)
_INTERVAL_RE = re.compile(r"[^，。？！?!,]{0,4}?[一1](?:次|回)")
# 2年零8个月, 三年两个月: a span, whose months past the full years are what 六个月以上不满一年的 counts
_YEARS_MONTHS_RE = re.compile(rf"(?P<y>{_NUMERAL})年零?(?P<m>{_NUMERAL})个月")
# Dates state no quantity: 2019年12月, 二〇一五年, 19年入职, 3月5日, 十月一日
_DATE_RE = re.compile(
    r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?"
    r"|\d{2}年(?=\d{1,2}月|入职|进|底|初|年底|年初)"
    r"|[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}[日号]"
)
# A bound in a provision: the number, its unit, and which side it closes
_BOUND_RE = re.compile(
    rf"(?P<pre>已满|未满|不满|不足|超过|满)?(?P<n>{_NUMERAL})(?:个)?(?P<unit>{_UNIT})"
    r"(?P<post>以上|以下|以内)?"
)
# A range drawn with 至/到 (一百至二百人的企业, 三个月至一年的): a tier closed at both ends. A month is 个月 (6月至9月
# are dates), and a range of months' pay (一至三个月工资的赔偿金) measures money.
_RANGE_UNIT = rf"个月|个?(?:{'|'.join(unit for unit in _UNITS if unit not in (*_PEOPLE, '月'))})"
_RANGE_RE = re.compile(
    rf"(?<![第每同这那年\d{_CN_NUMERALS}.])(?P<low>{_NUMERAL})(?P<low_unit>{_RANGE_UNIT})?(?:至|到)"
    rf"(?P<high>{_NUMERAL})(?P<unit>{_RANGE_UNIT})(?!以上|以下|以内|的?工资|金额|份|底|初)"
)
# A tier is a condition, so its clause names who or what it applies to: …不满三年的, 一百人以下的.
# A penalty (处五日以上十日以下拘留), a deadline (在十五日以内答复) or a rate (每满一年支付) is not one.
_CLAUSE_END_RE = re.compile(r"[，。；：,;]")
_LIMIT_BEFORE = ("不得", "不", "最长", "最多", "至多", "最高", "最低", "至少", "不少于", "不低于")


@dataclass(frozen=True)
class Quantity:
    dimension: str  # months, days, hours, age (years), people
    value: float
    unit: str  # as stated, one spelling per unit (天 for 日, 人 for 名 or 工人)


@dataclass(frozen=True)
class Tier:
    dimension: str
    units: frozenset[str]  # the units its bounds are stated in
    low: float  # the tier holds values above low (or equal, when closed_low)
    high: float
    closed_low: bool = True
    closed_high: bool = False
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # where the text draws it

    def holds(self, quantity: Quantity) -> bool:
        # A worker's 4年 is compared with tiers drawn in years, not with 请病假累计4个月以上 beside them
        if quantity.dimension != self.dimension or quantity.unit not in self.units:
            return False
        v = quantity.value
        above = v >= self.low if self.closed_low else v > self.low
        below = v <= self.high if self.closed_high else v < self.high
        return above and below


_DIGITS = "一二三四五六七八九"


def _number(numeral: str) -> float | None:
    if numeral == "半":
        return 0.5
    if re.fullmatch(f"[{_DIGITS}两]{{2,}}", numeral):  # 五六年, 三四个人: about five or six, not 56
        digits = [_DIGITS.index(c) + 1 if c != "两" else 2 for c in numeral]
        return sum(digits) / len(digits) if len(digits) == 2 and abs(digits[0] - digits[1]) == 1 else None
    try:
        return float(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return None


def _measure(value: float, unit: str) -> Quantity:
    dimension, base, spelling = _UNITS[unit]
    return Quantity(dimension, value * base, spelling)


def stated(question: str) -> list[Quantity]:
    """The quantities a question states (两年的合同, 4年, 八十多个工人), not the ones it asks (几天)."""
    found = []
    text = _DATE_RE.sub("，", question)
    for m in _YEARS_MONTHS_RE.finditer(text):
        years, months = _number(m["y"]), _number(m["m"])
        if years is not None and months is not None:  # the span, and the months past the last full year
            found += [Quantity("months", years * 12 + months, "年"), Quantity("months", months, "月")]
    for m in _STATED_RE.finditer(_YEARS_MONTHS_RE.sub("，", text)):
        value = _number(m["n"])
        if value is None or (m["n"] == "半" and m["unit"] not in ("年", "月", "天", "日", "小时")):
            continue
        if m["more"]:  # 八十多: more than eighty, less than ninety
            value += _step(value) / 2
        if m["half"] or m["half_before"]:
            value += 0.5
        if m["side"]:  # 不满一年: just under a year; 超过三个月: just over
            value *= 0.99 if m["side"] in _UNDER else 1.01
        quantity = _measure(value, m["unit"])
        if quantity.dimension == "months" and quantity.value > 12 * 60:
            continue  # no one has worked sixty years: a year's name (二〇一五年) read as a number
        if _INTERVAL_RE.match(text, m.end()):
            continue  # 两个月才结一次: how often, not where the worker stands
        found.append(quantity)
    return found


def _step(value: float) -> float:
    step = 1.0
    while step * 10 <= value:
        step *= 10
    return step


@lru_cache(maxsize=8192)  # the same articles come back question after question
def tiers(text: str) -> tuple[Tier, ...]:
    """The tiers a provision draws: 一年以上不满三年 is one, 一百人以下 another, 已满20年 a third, 一百至二百人
    a fourth."""
    ranges = _ranges(text)
    out: list[Tier] = []
    pending: Tier | None = None  # a lower bound waiting for the upper bound that may follow it
    last_end = -1
    for m in _BOUND_RE.finditer(text):
        if any(r.span[0] < m.end() and m.start() < r.span[1] for r in ranges):
            continue  # the 满一年 of 满一年至三年的 is the range's lower bound, not a tier of its own
        value = _number(m["n"])
        if value is None or not _conditional(text, m.start(), m.end()):
            pending = None
            continue
        if not m["pre"] and _limits(text, m.start()):
            continue
        before = text[max(0, m.start() - 3) : m.start()]
        if m["pre"] == "超过" and any(before.endswith(word) for word in ("不", "不得", "最长")):
            continue
        q = _measure(value, m["unit"])
        pre, post = m["pre"] or "", m["post"] or ""
        if pre in ("不满", "未满", "不足") or post in ("以下", "以内"):
            closed = post in ("以下", "以内")
            if (
                pending is not None  # 一年以上 just before: one tier, 一年以上不满三年
                and pending.dimension == q.dimension
                and q.value > pending.low
                and m.start() - last_end <= 4
            ):
                span = (pending.span[0], m.end())
                out[-1] = Tier(
                    q.dimension, pending.units | {q.unit}, pending.low, q.value, pending.closed_low, closed, span
                )
            else:
                out.append(Tier(q.dimension, frozenset({q.unit}), float("-inf"), q.value, True, closed, m.span()))
            pending = None
        elif pre in ("满", "已满", "超过") or post == "以上":
            pending = Tier(q.dimension, frozenset({q.unit}), q.value, float("inf"), pre != "超过", False, m.span())
            out.append(pending)
        else:
            pending = None
        last_end = m.end()
    return (*out, *ranges)


def _ranges(text: str) -> tuple[Tier, ...]:
    """The tiers drawn as ranges (一百至二百人的企业): both bounds in the unit of the second, unless the first
    names its own (三个月至一年的). A condition, as a bound is (`_conditional`), and not a limit the rule sets
    (不少于十至二十人)."""
    out = []
    for m in _RANGE_RE.finditer(text):
        low, high = _number(m["low"]), _number(m["high"])
        if low is None or high is None or _limits(text, m.start()) or not _conditional(text, m.start(), m.end()):
            continue
        high_unit = m["unit"].removeprefix("个")
        low_q, high_q = _measure(low, (m["low_unit"] or high_unit).removeprefix("个")), _measure(high, high_unit)
        if low_q.dimension == high_q.dimension and low_q.value < high_q.value:
            units = frozenset({low_q.unit, high_q.unit})
            out.append(Tier(high_q.dimension, units, low_q.value, high_q.value, True, True, m.span()))
    return tuple(out)


def _limits(text: str, start: int) -> bool:
    """Whether the number at `start` is a limit the rule sets (不得超过, 最长, 不少于), not a condition."""
    before = text[max(0, start - 3) : start]
    return any(before.endswith(word) for word in _LIMIT_BEFORE)


def without_tiers(text: str) -> str:
    """The text with the bounds of its tiers blanked: what it sets, not where it applies (一百人以上的 says who
    must hold a congress, not how many delegates it has)."""
    for tier in tiers(text):
        start, end = tier.span
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _conditional(text: str, start: int, end: int) -> bool:
    """Whether the bound at text[start:end] is a condition: its clause goes on to say whom it is about
    (…的), and it is not a rate (每满一年)."""
    if text[max(0, start - 1) : start] == "每":
        return False
    clause_end = _CLAUSE_END_RE.search(text, end)
    return "的" in text[end : clause_end.start() if clause_end else len(text)]


def narrowest(
    quantities: Sequence[Quantity], text: str, about: frozenset[str] | None = None, ruling: bool = False
) -> float | None:
    """The width of the narrowest tier of the text that holds a stated quantity (一年以上 is infinitely
    wide, 已满1年不满10年 nine years); None when no tier holds one.

    `about`: what the question is about. A tier counts only in a sentence that names some of it, since
    a number fits many tiers that measure something else: 才过4个月 (since a layoff) is no 怀孕未满4个月流产的.
    `ruling`: only where the rule the tier conditions names some of it, too: 任期三年 (a union chair's, whose
    contract is extended) fits 三年以上固定期限…的劳动合同, but its rule is 试用期不得超过六个月.
    """
    if about:  # nothing known of the subject (a question of numbers alone): every sentence
        text = "。".join(s for s in text.split("。") if any(word in s for word in about))
        if ruling:
            text = "。".join(piece for piece in _PIECE_RE.split(text) if _rule_names(piece, about))
    widths = [t.high - t.low for t in tiers(text) for q in quantities if t.holds(q)]
    return min(widths) if widths else None


_PIECE_RE = re.compile(r"[。；;]")


def _rule_names(piece: str, words: frozenset[str]) -> bool:
    """Whether the rule a tier conditions names one of `words`: what follows the condition's clause
    (累计工作已满1年不满10年的，年休假5天), or the whole clause when the condition sits inside it
    (禁止招用未满十六周岁的未成年人)."""
    bound = _BOUND_RE.search(piece)
    if bound is None:
        return False
    comma = piece.find("，", bound.end())
    rule = piece[comma + 1 :] if comma >= 0 else piece
    return any(word in rule for word in words)


_NUMERAL_CHAR_RE = re.compile(rf"[\d{_CN_NUMERALS}半]")


def subject_words(own: list[str], searched: list[str]) -> frozenset[str]:
    """What a question is about, for `narrowest`: its own words (`own`, as tokenised) and the longer words
    searched for it (`searched`: 年假 → 年休假; not a two-character piece such as 劳动 of 劳动报酬), less
    the numbers it states and their units (三个 of 三个月, 小时 of 加班2小时: every hours tier has 小时)."""
    words = {w for w in own if len(w) > 1} | {w for w in searched if len(w) > 2}
    return frozenset(w for w in words if not _NUMERAL_CHAR_RE.search(w) and w not in _UNITS)


@dataclass(frozen=True)
class Standing:
    """Where the worker says they stand (上班4年了), what the question is about, and how closely the best
    passage already places them (`best`: the width of its narrowest tier holding the number; None: none)."""

    quantities: tuple[Quantity, ...] = ()
    about: frozenset[str] = frozenset()
    best: float | None = None

    @classmethod
    def of(cls, question: str, tokenize: Callable[[str], list[str]], searched: list[str], best: str) -> Standing:
        """`searched`: the words the question was searched with; `best`: the best passage's text."""
        quantities = tuple(stated(question))
        if not quantities:
            return cls()
        about = subject_words(tokenize(question), searched)
        return cls(quantities, about, narrowest(quantities, best, about))

    def tier(self, text: str) -> float | None:
        """The narrowest tier of `text` holding the worker's number whose rule is about the question."""
        return narrowest(self.quantities, text, self.about, ruling=True) if self.quantities else None

    def closer(self, tier: float | None) -> bool:
        """Whether a tier places the worker more closely than the best passage does."""
        return tier is not None and (self.best is None or tier < self.best)


# Neither ranker sees tiers (年休假条例 第三条's table ranks 21st for a four-year worker's annual leave), so
# this many passages found below those read are read too when their tier places the worker more closely.
TIER_EXTRA = 2


def closer_tiers(standing: Standing, read: list[Document], deeper: Sequence[Document]) -> list[Document]:
    """Up to TIER_EXTRA passages found below those read whose bounded tier places the worker more closely
    than the best passage does (已满1年不满10年 against 一年以上). That deep, most tiers measure something
    else (三个月工钱 is no 劳动合同期限三个月以上), so only a law the question names is reached into: its
    title holds one of the words the question is about (年假 → 年休假 in 职工带薪年休假条例). An open tier
    (不足十年的) fits too loosely to reach for."""
    if not standing.quantities:
        return []
    ids = {d.id for d in read}  # a case's outcome may have moved up already
    closer = []
    for document in deeper:
        if document.id in ids or not any(word in document.metadata.get("title", "") for word in standing.about):
            continue
        tier = standing.tier(document.page_content)
        if tier is not None and tier < math.inf and standing.closer(tier):
            closer.append(document)
    return closer[:TIER_EXTRA]
