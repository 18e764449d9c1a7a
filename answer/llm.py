"""The optional generator: any OpenAI-compatible chat endpoint (vLLM, Ollama, Qwen, DeepSeek…)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.documents import Document
from pydantic import SecretStr

from answer.citing import citation_for
from answer.provisions import SENTENCE_RE
from answer.records import Answer
from prompts import answer_prompt, condense_prompt

_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
NOT_FOUND = "知识库中没有找到相关规定"


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = field(default="", repr=False)  # never in logs or tracebacks
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"LLM_BASE_URL 必须以 http:// 或 https:// 开头：{self.base_url!r}")
        if not self.model:
            raise ValueError("LLM_MODEL 不能为空")
        if self.timeout_s <= 0:
            raise ValueError("LLM_TIMEOUT 必须大于 0")


_FENCE_RE = re.compile(r"<{2,}|>{2,}")


def numbered_passages(documents: list[Document], fence: str) -> str:
    """The passages, each between markers that carry `fence` — a random word the documents cannot know,
    so a passage cannot close its own block and pose as the prompt (angle-bracket runs are defused)."""
    blocks = []
    for n, document in enumerate(documents, 1):
        meta = document.metadata
        body = _FENCE_RE.sub(
            lambda m: "‹" * len(m.group()) if m.group()[0] == "<" else "›" * len(m.group()), document.page_content
        )
        blocks.append(
            f"<<<资料[{n}] {fence}>>> 《{meta['title']}》{meta.get('article', '')}\n{body}\n<<<资料[{n}]结束 {fence}>>>"
        )
    return "\n\n".join(blocks)


MIN_SUPPORT = 0.5  # share of a sentence's character bigrams that the passages it cites must hold


def support(sentence: str, passages: list[str]) -> float:
    """How much of a generated sentence the cited passages contain (CJK character bigrams)."""
    text = _MARKER_RE.sub("", sentence)
    grams = {text[i : i + 2] for i in range(len(text) - 1) if all("\u4e00" <= ch <= "\u9fff" for ch in text[i : i + 2])}
    if not grams:
        return 1.0
    return sum(1 for g in grams if any(g in p for p in passages)) / len(grams)


def drop_unsupported(text: str, documents: list[Document]) -> tuple[str, int]:
    """The text without cited sentences their passages do not support; and how many were dropped."""
    kept, dropped = [], 0
    for match in SENTENCE_RE.finditer(text):
        sentence = match.group()
        cited = [int(n) for n in _MARKER_RE.findall(sentence) if 1 <= int(n) <= len(documents)]
        if cited and support(sentence, [documents[n - 1].page_content for n in cited]) < MIN_SUPPORT:
            dropped += 1
            continue
        kept.append(sentence)
    return "".join(kept).strip(), dropped


def check_citations(text: str, documents: list[Document]) -> tuple[str, list[int], int]:
    """Strip markers that point at no passage. Returns (clean text, cited passage numbers, markers removed)."""
    valid = range(1, len(documents) + 1)
    removed = 0

    def keep_or_drop(match: re.Match) -> str:
        nonlocal removed
        if int(match.group(1)) in valid:
            return match.group(0)
        removed += 1
        return ""

    clean = _MARKER_RE.sub(keep_or_drop, text)
    cited = sorted({int(n) for n in _MARKER_RE.findall(clean)})
    return clean, cited, removed


class LLMGenerator:
    def __init__(self, config: LLMConfig) -> None:
        from langchain_openai import ChatOpenAI

        self.config = config
        self._chat = ChatOpenAI(
            base_url=config.base_url,
            model=config.model,
            api_key=SecretStr(config.api_key or "not-needed"),  # local servers accept any key
            timeout=config.timeout_s,
            max_retries=0,  # a failure falls back to the extractive answer at once
            temperature=0,
        )

    def stream(self, question: str, documents: list[Document]) -> Iterator[str]:
        """Tokens as they arrive. Raises whatever the client raises; the caller falls back."""
        fence = secrets.token_hex(6)
        messages = answer_prompt().format_messages(
            passages=numbered_passages(documents, fence), question=question, fence=fence
        )
        for chunk in self._chat.stream(messages):
            if chunk.content:
                yield str(chunk.content)

    def finish(self, question: str, text: str, documents: list[Document], search_query: str) -> Answer:
        """The full generated text checked against the passages it was given."""
        clean, cited, removed = check_citations(text.strip(), documents)
        if NOT_FOUND in clean and not cited:
            return Answer(question=question, text=clean, refused=True, generator=self.config.model)
        clean, unsupported = drop_unsupported(clean, documents)
        cited = sorted({int(n) for n in _MARKER_RE.findall(clean)})
        notice = f"已删除 {removed} 个指向不存在资料的引用标记。" if removed else ""
        if unsupported:
            notice += f"已删除 {unsupported} 句在所引资料中找不到依据的内容。"
        if not cited:
            notice = (notice + "生成的回答没有标注出处，请以下列原文为准。").strip()
            cited = list(range(1, len(documents) + 1))
        citations = [citation_for(documents[n - 1], n, "") for n in cited]
        return Answer(
            question=question,
            text=clean,
            citations=citations,
            generator=self.config.model,
            notice=notice,
            search_query=search_query,
        )

    def condense(self, question: str, history: list[str]) -> str:
        prompt = condense_prompt().format(history="\n".join(history[-4:]), question=question)
        return str(self._chat.invoke(prompt).content).strip() or question
