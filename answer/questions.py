"""What a question asks for, read from its words: a quantity in some unit, how a case ended (or, for a
question the search answers best with a case, what its ruling was), yes or no, who or where, when, which
ones, what happened in a case. The composer favours the passages' units that have that form."""

from __future__ import annotations

import re

from ingest.records import CASE

_NUMBER = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万两半]+)"
# 几 asking how many: not 那几天, 前几天, 才几天, 十几天 (which ask nothing), nor 哪几 (which ones: 哪几部法规)
_HOW_MANY_JI = r"(?<![哪那这前后好头过没才就十百千万])几"
# What a quantity question asks for, and the form of a sentence that answers it. A question that
# names its unit (几天, 多少元, 几个月) wants a number in that unit.
_ASKED_UNIT_RE = re.compile(rf"(?:{_HOW_MANY_JI}|多少)个?(工作日|日|天|周|月|年|小时|元|倍|人|名|次|届)")
_QUANTITY_KINDS = (
    (
        # 三年前 (两年半以前)…现在还管吗: whether a claim that old can still be pursued, answered by the time bar
        # (在2年内未被发现的…不再查处, 自劳动关系终止之日起一年内提出), not by any span
        # (每满一年支付一个月工资, 劳动合同期限) — and not 三个月前入职，还没签合同, 半年前入职，现在还在试用期吗,
        # 两年半以前签的竞业协议，现在还要遵守吗 or …还能申请年休假吗, which ask something else
        re.compile(
            rf"{_NUMBER}个?多?(?:年|月)[多半]?(?:前|之前|以前)[^？?]*还(?!没|在)(?:会|能|可以)?"
            r"(?:管|算|查|追究|要(?:回|钱|求|得回)|讨|告|投诉|举报|申请(?:劳动)?仲裁|仲裁|起诉|来得及)[^？?]*吗"
        ),
        re.compile(rf"{_NUMBER}\s*(?:个)?(?:工作日|日|天|月|年)(?:内|以内|之内)|时效"),
    ),
    (
        # …and 能管我这么久吗: whether a stated span is allowed, answered by the limit (不得超过二年)
        re.compile(r"多长|多久|(?<!固定)期限|时限|时效|最长|最短|何时|什么时候|[这那]么(?:久|长)"),
        # …but 十二个月金额, 六个月工资 measure money, not time
        re.compile(rf"{_NUMBER}\s*(?:个)?(?:工作日|日|天|月|年|周|小时)(?!金额|工资|的工资|数额|平均工资)"),
    ),
    (
        re.compile(r"多少钱|比例|百分之|倍|标准|怎么算|如何计算|怎么计算"),
        re.compile(rf"{_NUMBER}\s*(?:元|倍|%)|百分之|{_NUMBER}个月(?:的)?工资"),
    ),
    (
        re.compile(rf"多少|{_HOW_MANY_JI}|多大|多高|最低|最高|上限|下限"),
        re.compile(rf"\d|百分之|{_NUMBER}\s*(?:个)?(?:小时|[日天月年周时倍人次届元名])"),
    ),
)


_YES_NO_RE = re.compile(r"吗[?？。!！\s]*$|能否|可否|是否|能不能|可不可以|可以不|有没有|算不算|合法|违法")
_ASKS_WHEN_RE = re.compile(r"施行|生效|什么时候|何时|哪天|哪一?年|哪个月|日期")
# "Which ones" (有哪些情形, 哪几种, 什么情况下): the answer is a list — a lead-in with all its items, not the one
# item that shares the most words with the question.
# — asked, that is: not 无论哪种情况 (any), and not inside a yes/no sentence (公司没说哪些人要裁员，我会被裁吗).
_ASKS_WHICH_RE = re.compile(r"(?<!无论)(?<!不管)(?<!不论)(?:哪些|哪几|哪一?[种类]|什么(?:情形|情况下|条件|事项))")
_ASKS_FACTS_RE = re.compile(r"案情|(?:事情|案子|案件|事)的?经过|怎么回事|发生了什么")
# "Who pays / where do I turn" questions want the unit that names a party or an authority: 由…承担, 向…申请.
# Measured on LeCoQA's 41 such questions (offline, same retrieval): cites 20→22, METEOR 0.244→0.258.
_ASKS_WHO_RE = re.compile(
    r"找谁|向谁|由谁|归谁|告谁|谁来|谁(?:承担|负责|赔|出|收|提供|管)|起诉谁|(?:去|到|向|找)哪(?:里|儿)?"
    r"|哪(?:里|儿)(?:能|可以)?(?:申请|举报|投诉|起诉|告|办|查|领|交)|哪(?:个|一个|家)(?:部门|机构|法院|单位)|什么(?:部门|机构|法院)"
)

# …and the unit that answers one names that party or authority
NAMES_WHO_RE = re.compile(
    r"(?<![理自事缘])由[^，。；：]{1,24}?(?:承担|负责|清偿|支付|赔偿|收取|提供|管辖|处理|受理|补偿|偿还)"
    r"|向[^，。；：]{1,24}?(?:申请|起诉|举报|投诉|请求|提起|报告|申诉|追偿)"
    r"|(?:人民法院|仲裁委员会)管辖"
)
# Which court or arbitration commission (该去哪个法院, 向哪个人民法院起诉, 去哪个仲裁委) is answered by the rule of
# jurisdiction (由被申请人所在地的基层人民法院管辖): a unit that names one and says 管辖, not one that merely names a
# court (向人民法院申请支付令). Not 去哪告: that asks for the body (arbitration before a court); not 为什么法院….
_ASKS_JURISDICTION_RE = re.compile(
    r"哪(?:个|一个|家|里|儿|一?级)?(?:区|县|市|地方)?的?(?:人民|基层|中级)?(?:法院|仲裁委)"
    r"|管辖(?:法院|的?仲裁委)|(?<![为凭])什么(?:地方的)?(?:法院|仲裁委)"
)
_NAMES_JURISDICTION_RE = re.compile(rf"(?s)^(?=.*管辖).*?(?:{NAMES_WHO_RE.pattern})")

# A question on how a case ended (仲裁委最后怎么裁的, 二审法院怎么判的, 这个案子结果是什么) is answered by the
# case's 处理结果 / 裁判结果 section, not by its facts or the commentary on it. "Ended": a ruling asked in
# the past (怎么判的), or an outcome asked of a case the question names (这案子最后怎么处理的) — not 怎么裁员
# or 对仲裁结果不服怎么办.
_HOW = r"(?:怎么|如何|怎样|咋)"
_RULED_RE = re.compile(rf"{_HOW}(?:判|裁)(?:的|了)(?![我你他她])")  # not 公司咋裁了我们
_NAMES_CASE_RE = re.compile(r"案子|案例|案件|本案")
_OUTCOME_RE = re.compile(rf"结果|{_HOW}(?:判|裁)(?![断定别员减])|(?:判|裁)了|{_HOW}处理的")
# 有没有这种案子, 有类似的案例吗: a worker asking for a case like theirs wants how it was decided (not 我有这种案件，
# 去哪起诉; not 没有类似的案例)
_LIKE_CASE_RE = re.compile(
    r"(?:有没有|有无)(?:类似|这种|这样)的?(?:案子|案例|案件)|(?<!没)有(?:类似|这种|这样)的?(?:案子|案例|案件)吗"
)


# A worker's message often tells the situation first and asks last (…公司说只按最低工资发。养伤这段时间
# 工资到底该怎么算？): the asking sentences say what the answer must be about.
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
# A sentence asks when it has a question mark, ends in 吗, or holds a question word that does not occur in
# telling (几 does: 十几年, 这几个月; 哪 does: 哪怕; 呢 does: 我还在哺乳期呢).
_ASKING_RE = re.compile(
    r"[？?]|吗[。！!；;\s]*$|怎么|怎样|如何|多少|多久|多长|是否|能否|可否|能不能|可不可以|有没有|算不算|为什么"
    r"|什么时候|哪里|哪儿|找谁|向谁|由谁"
)


def asking_sentences(question: str) -> str:
    """The question's closing run of asking sentences when a telling sentence comes before them, else ""
    (a question that only asks is all asking)."""
    sentences = [s for s in _SENTENCE_RE.findall(question) if s.strip()]
    asking = 0
    while asking < len(sentences) and _ASKING_RE.search(sentences[len(sentences) - 1 - asking]):
        asking += 1
    return "".join(sentences[len(sentences) - asking :]).strip() if 0 < asking < len(sentences) else ""


def asks_outcome(question: str, best_kind: str = "") -> bool:
    """Whether the question asks how a case ended — also a yes/no question whose best passage (of kind
    `best_kind`) is a case: 签了放弃协议还能要加班费吗 is answered by what that case's ruling awarded."""
    return bool(
        _RULED_RE.search(question)
        or _LIKE_CASE_RE.search(question)
        or (_NAMES_CASE_RE.search(question) and _OUTCOME_RE.search(question))
        or (best_kind == CASE and _YES_NO_RE.search(question))
    )


def _asked(question: str) -> str:
    """What the question asks: its closing asking sentences when it tells a story first, since the telling asks
    nothing (拖着我们十几个人…请问这钱该找谁要 asks who, not how many; 公司违法辞退我…找谁 is no yes/no)."""
    return asking_sentences(question) or question


def answer_form(question: str) -> re.Pattern | None:
    """The pattern a sentence answering this quantity question matches; None for other questions. The unit and
    kind asked are read from what is asked (`_asked`), a time bar from the whole (三年前…现在去举报，还会管吗)."""
    asked = _asked(question)
    unit = _ASKED_UNIT_RE.search(asked)
    if unit:
        if unit.group(1) == "倍":  # a multiple is as often written as a percentage: 百分之三百, 300%
            return re.compile(rf"{_NUMBER}\s*倍|百分之{_NUMBER}|\d+(?:\.\d+)?\s*[%％]")
        # days are also counted in working days (每月不超过3个工作日)
        days = "工作日|日|天"
        wanted = {"日": days, "天": days, "人": "人|名", "名": "人|名"}.get(unit.group(1), unit.group(1))
        return re.compile(rf"{_NUMBER}\s*(?:个)?(?:{wanted})")
    (bar, bar_form), *kinds = _QUANTITY_KINDS
    if bar.search(question):
        return bar_form
    return next((form for asks, form in kinds if asks.search(asked)), None)


def asks_yes_no(question: str) -> bool:
    return bool(_YES_NO_RE.search(_asked(question)))


def who_form(question: str) -> re.Pattern | None:
    """The pattern a unit answering this who/where question matches (`NAMES_WHO_RE`, or for a question on which
    court or commission the rule of jurisdiction); None for other questions."""
    asked = _asked(question)
    if _ASKS_JURISDICTION_RE.search(asked):
        return _NAMES_JURISDICTION_RE
    return NAMES_WHO_RE if _ASKS_WHO_RE.search(asked) else None


def asks_which(question: str) -> bool:
    sentences = _SENTENCE_RE.findall(_asked(question))
    return any(_ASKS_WHICH_RE.search(s) and not _YES_NO_RE.search(s) for s in sentences)


def asks_when(question: str) -> bool:
    return bool(_ASKS_WHEN_RE.search(_asked(question)))


def asks_facts(question: str) -> bool:
    """Whether the question asks what happened in a case (案情, 怎么回事), not how it ended."""
    return bool(_ASKS_FACTS_RE.search(question))
