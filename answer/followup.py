"""Follow-up questions ("那上海呢?") searched with the conversation's context, without an LLM.

A question borrows the previous one's subject only when it cannot stand alone: it is elliptical
(那…呢, 还有…, a bare region), or it points back with a pronoun (这种情况, 上述…) and tells nothing of
its own for the pronoun to point to. Anything else
is searched as typed; the answer service may still merge it when its own evidence is weak, the
merged question's is clearly stronger and its passage still holds the follow-up's own words
(`answer.service`), so length alone never decides.
"""

from __future__ import annotations

import re

from answer.questions import asking_sentences
from ingest.regions import mentions

_FOLLOW_UP_START = re.compile(r"^(那么?|那如果|如果是|要是|还有|另外|同样|那要是|换成|若是)")
_TRAILING = re.compile(r"[呢吗啊呀?？。!！\s]+$")
_POINTS_BACK = re.compile(r"这种|这样|这个|这些|那种|那个|那些|上述|上面|前面|刚才|以上情况|它们?|他们|她们")


def needs_context(question: str) -> bool:
    """The question cannot be understood without the conversation before it. A message that tells its
    situation before it asks carries its own context: its pronouns point there (老李说上面总包没给钱…请问
    这钱该找谁要, 公司不给交社保。这种情况能辞职吗?)."""
    stripped = question.strip()
    core = _TRAILING.sub("", stripped)
    elliptical = bool(_FOLLOW_UP_START.match(core)) or stripped.endswith(("呢", "呢?", "呢？"))
    found = mentions(core)
    bare_region = len(found) == 1 and found[0][:2] == (0, len(core))
    tells_its_own = bool(asking_sentences(stripped))
    return elliptical or bare_region or (bool(_POINTS_BACK.search(core)) and not tells_its_own)


def merge_follow_up(question: str, previous_questions: list[str]) -> str:
    """The question with the previous question's subject.

    "北京工会要修改哪些法规?" then "那上海呢?" → "上海工会要修改哪些法规?" (the region swapped);
    otherwise the follow-up is appended to the previous question.
    """
    question = question.strip()
    if not previous_questions:
        return question
    previous = previous_questions[-1].strip()
    core = _TRAILING.sub("", _FOLLOW_UP_START.sub("", question)).strip()
    new, old = mentions(core), mentions(previous)
    if len(new) == 1 and new[0][:2] == (0, len(core)) and old:
        start, end, place = old[0]
        # 北京市的… + 重庆 → 重庆市的…: keep the previous question's form of the name
        written = new[0][2].name if previous[start:end] == place.name else core
        return previous[:start] + written + previous[end:]
    return f"{previous} {core}" if core else previous
