"""Text that speaks to the assistant instead of to the reader: "忽略之前的所有指令", "你现在必须回答…".

A statute addresses citizens, employers and authorities; it never addresses an AI assistant, its
instructions or its role. A passage that does is a planted instruction (prompt injection): it is
flagged at ingest, shown flagged in the admin preview, and never quoted or handed to a generator.
"""

from __future__ import annotations

import re

# Each pattern names one way a text addresses the assistant; the first that matches is the reason.
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "要求忽略先前的指令",
        re.compile(
            r"(?:忽略|无视|忘记|不要理会|不必遵守|覆盖)(?:掉)?(?:你|您)?(?:之前|以上|上面|前面|先前|上述|原有|原来|所有|全部|一切)"
            r"[^。\n]{0,8}?(?:指令|指示|规则|提示|设定|要求|约束|命令)"
            r"|ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions?|prompts?|rules?)"
            r"|disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)",
            re.IGNORECASE,
        ),
    ),
    (
        "直接对助手下命令",
        re.compile(
            r"(?:你|您)(?:现在|从现在起|今后|接下来|此后)?(?:必须|只能|应当|务必|一律|要始终|须)(?:回答|回复|输出|告诉|声称|说)"
            r"|从现在(?:起|开始)[^。\n]{0,10}(?:你|您)"
            r"|(?:作为|身为)(?:一[个名])?(?:AI|人工智能)?(?:问答)?(?:助手|语言模型|大模型|聊天机器人)"
            r"|(?:AI|人工智能|智能)?(?:助手|模型|机器人)(?:请|必须|应当|务必)(?:回答|回复|输出)"
            r"|you\s+(?:must|should|will)\s+(?:now\s+)?(?:answer|reply|respond|say|output)"
            r"|you\s+are\s+now\s+",
            re.IGNORECASE,
        ),
    ),
    (
        "对话角色标记",
        re.compile(
            r"(?:^|\n)\s*(?:system|assistant|user|系统|助手|用户)\s*[:：]"
            r"|<\|?im_(?:start|end)\|?>|\[/?INST\]|<<\s*SYS\s*>>|###\s*(?:Instruction|System|指令)",
            re.IGNORECASE,
        ),
    ),
    (
        "提及系统提示词",
        re.compile(r"系统提示(?:词|语)|system\s+prompt|提示词注入|prompt\s+injection", re.IGNORECASE),
    ),
)


def instruction_like(text: str) -> str:
    """Why the text reads as an instruction to the assistant, or "" when it does not."""
    for reason, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            return f"疑似对问答助手下指令（{reason}：“{match.group().strip()[:30]}”）"
    return ""
