"""Follow-up questions ("那上海呢?") searched with the conversation's context, without an LLM."""

from __future__ import annotations

import re

from ingest.metadata import PROVINCES

_FOLLOW_UP_START = re.compile(r"^(那么?|那如果|如果是|要是|还有|另外|同样|那要是)")
_TRAILING = re.compile(r"[呢吗啊呀?？。!！\s]+$")
_REGION_RE = re.compile("(" + "|".join(PROVINCES) + ")(?:市|省|自治区)?")


def is_follow_up(question: str) -> bool:
    core = _TRAILING.sub("", question.strip())
    return bool(_FOLLOW_UP_START.match(core)) or len(core) <= 6 or question.strip().endswith(("呢", "呢?", "呢？"))


def merge_follow_up(question: str, previous_questions: list[str]) -> str:
    """The question to search for: a follow-up borrows the previous question's subject.

    "北京工会要修改哪些法规?" then "那上海呢?" → "上海工会要修改哪些法规?" (the region swapped);
    otherwise the follow-up is appended to the previous question.
    """
    question = question.strip()
    if not previous_questions or not is_follow_up(question):
        return question
    previous = previous_questions[-1].strip()
    core = _TRAILING.sub("", _FOLLOW_UP_START.sub("", question)).strip()
    new_region = _REGION_RE.search(core)
    old_region = _REGION_RE.search(previous)
    if new_region and old_region and core == new_region.group(0):
        return previous[: old_region.start(1)] + new_region.group(1) + previous[old_region.end(1) :]
    return f"{previous} {core}" if core else previous
