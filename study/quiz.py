"""Quizzes from the articles themselves — no LLM needed, deterministic for a seed.

Each question blanks one key fact of one article sentence: a quantity (98天, 百分之二, 二十五人以上),
a responsible body, or the 应当/不得 of an obligation. Multiple-choice distractors are real values
of the same kind and unit taken from other articles, so exactly one option is right.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from answer.extractive import sentence_spans
from index.store import SearchIndex
from ingest.records import book_title
from study.facts import MODALS, Fact, find_facts

BLANK = "____"
KIND_PRIORITY = {"quantity": 0, "percentage": 0, "body": 1, "modal": 2}


@dataclass(frozen=True)
class StudyArticle:
    doc_id: str
    title: str
    article: str
    heading_path: tuple[str, ...]
    date: str
    text: str


@dataclass(frozen=True)
class QuizQuestion:
    type: str  # "fill_blank" or "multiple_choice"
    question: str
    answer: str  # the fact itself, not an option letter
    citation: dict  # title, article, text, doc_id, date
    options: list[str] = field(default_factory=list)
    fact_kind: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.type != "multiple_choice":
            del data["options"]
        return data


def articles_from_index(index: SearchIndex) -> list[StudyArticle]:
    """Whole articles (a split article's parts joined back), in document order."""
    merged: dict[tuple[str, str], list] = {}
    for chunk in index.chunks:
        if chunk.article:
            merged.setdefault((chunk.doc_id, chunk.article), []).append(chunk)
    articles = []
    for parts in merged.values():
        first = parts[0]
        text = "\n\n".join(p.text for p in sorted(parts, key=lambda p: p.start))
        articles.append(StudyArticle(first.doc_id, first.title, first.article, first.heading_path, first.date, text))
    return articles


def _bigram_overlap(a: str, b: str) -> float:
    x = {a[i : i + 2] for i in range(len(a) - 1)}
    y = {b[i : i + 2] for i in range(len(b) - 1)}
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


@dataclass(frozen=True)
class _Candidate:
    article: StudyArticle
    sentence: str
    fact: Fact

    @property
    def priority(self) -> int:
        return KIND_PRIORITY[self.fact.kind.split(":")[0]]


class QuizGenerator:
    def __init__(self, articles: list[StudyArticle], max_similarity: float = 0.6) -> None:
        if not 0 < max_similarity <= 1:
            raise ValueError("max_similarity must be within (0, 1]")
        self.articles = articles
        self.max_similarity = max_similarity
        self._pool = [c for article in articles for c in self._candidates(article)]

    @staticmethod
    def _candidates(article: StudyArticle) -> list[_Candidate]:
        found = []
        for start, end in sentence_spans(article.text):
            sentence = article.text[start:end].strip()
            if not 12 <= len(sentence) <= 160:
                continue
            facts = find_facts(sentence, article.title)
            modals = [f for f in facts if f.kind == "modal"]
            for fact in facts:
                if sentence.count(fact.text) > 1:
                    continue  # the blank would be answered by the rest of the sentence
                if fact.kind == "modal" and len(modals) > 1:
                    continue  # two modals in one sentence: which one is blanked would be ambiguous
                found.append(_Candidate(article, sentence, fact))
        return found

    def generate(
        self, n: int = 10, seed: int = 1, doc: str | None = None, chapter: str | None = None, choice_share: float = 0.5
    ) -> list[QuizQuestion]:
        """Up to n questions from the articles whose title contains `doc` (and heading path `chapter`)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        rng = random.Random(seed)
        exact = doc is not None and any(a.title == doc for a in self.articles)
        chosen_pool = [
            c
            for c in self._pool
            if (not doc or (c.article.title == doc if exact else doc in c.article.title))
            and (not chapter or any(chapter in h for h in c.article.heading_path))
        ]
        rng.shuffle(chosen_pool)
        chosen_pool.sort(key=lambda c: c.priority)  # stable: numbers first, then bodies, then 应当/不得
        picked: list[_Candidate] = []
        used_articles: set[tuple[str, str]] = set()
        for spread in (True, False):  # first one question per article; then allow more if still short
            for candidate in chosen_pool:
                if len(picked) >= n:
                    break
                key = (candidate.article.doc_id, candidate.article.article)
                if candidate in picked or (spread and key in used_articles):
                    continue
                if any(
                    _bigram_overlap(candidate.sentence, p.sentence) > self.max_similarity
                    or (candidate.fact.value == p.fact.value and candidate.fact.kind != "modal")
                    for p in picked
                ):
                    continue
                picked.append(candidate)
                used_articles.add(key)
        picked.sort(key=lambda c: (self.articles.index(c.article), c.sentence))
        return [self._question(c, rng, rng.random() < choice_share) for c in picked]

    def _question(self, candidate: _Candidate, rng: random.Random, multiple_choice: bool) -> QuizQuestion:
        fact, sentence, article = candidate.fact, candidate.sentence, candidate.article
        blanked = sentence[: fact.start] + BLANK + sentence[fact.end :]
        citation = {
            "title": article.title,
            "article": article.article,
            "text": article.text,
            "doc_id": article.doc_id,
            "date": article.date,
        }
        prompt = f"根据{book_title(article.title)}{article.article}，{blanked}"
        distractors = self._distractors(candidate, rng) if multiple_choice else []
        if len(distractors) < 3:
            return QuizQuestion("fill_blank", prompt, fact.text, citation, fact_kind=fact.kind)
        options = [fact.text, *distractors[:3]]
        rng.shuffle(options)
        return QuizQuestion("multiple_choice", prompt, fact.text, citation, options, fact.kind)

    def _distractors(self, candidate: _Candidate, rng: random.Random) -> list[str]:
        fact = candidate.fact
        if fact.kind == "modal":
            return [m for m in MODALS if m != fact.text]
        seen = {fact.value}
        tiers: list[list[str]] = [[], [], [], []]  # same document and qualifier first, then looser
        for c in sorted(self._pool, key=lambda c: (c.article.doc_id, c.article.article, c.fact.start)):
            if c.fact.kind != fact.kind or c.fact.value in seen or c.fact.text in candidate.sentence:
                continue
            if fact.kind == "body" and (c.fact.text in fact.text or fact.text in c.fact.text):
                continue  # 人民政府 vs 县级以上人民政府: both could read as right
            seen.add(c.fact.value)
            same_doc = c.article.doc_id == candidate.article.doc_id
            same_qualifier = c.fact.value[-1:] == fact.value[-1:]
            tiers[(not same_qualifier) * 2 + (not same_doc)].append(c.fact.text)
        for tier in tiers:
            rng.shuffle(tier)
        return [text for tier in tiers for text in tier]


def grade(questions: list[QuizQuestion], responses: list[str]) -> tuple[int, list[int]]:
    """(score, indexes of the questions answered wrongly); spaces and full-width forms ignored."""

    def norm(text: str) -> str:
        return re.sub(r"\s", "", text or "")

    wrong = [i for i, (q, r) in enumerate(zip(questions, responses, strict=True)) if norm(q.answer) != norm(r)]
    return len(questions) - len(wrong), wrong


class QuizMaker:
    """Quizzes from whichever index version is live. Finding the facts reads every article, so it is done
    once per index version and shared by everyone who asks (the study tab and the API alike)."""

    def __init__(self, current_index: Callable[[], SearchIndex]) -> None:
        self.current_index = current_index
        self._generators: dict[str, QuizGenerator] = {}
        self._lock = threading.Lock()

    def make(self, titles: list[str] | None, n: int, seed: int) -> list[QuizQuestion]:
        """Up to n questions spread over the documents titled `titles` (all documents when none)."""
        index = self.current_index()
        with self._lock:
            if index.version not in self._generators:
                self._generators = {index.version: QuizGenerator(articles_from_index(index))}
            generator = self._generators[index.version]
        scopes: list[str | None] = list(titles) if titles else [None]
        picked: list[QuizQuestion] = []
        for title in scopes:
            picked += generator.generate(max(1, n // len(scopes)), seed, doc=title)
        return picked[:n]
