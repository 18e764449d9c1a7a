"""Quizzes from the articles themselves — no LLM needed, deterministic for a seed.

Each question blanks one key fact of one article sentence: a quantity (98天, 百分之二, 二十五人以上),
a responsible body, or the 应当/不得 a rule turns on. Multiple-choice options share the answer's form —
numerals, unit and qualifier (九十八天 / 十五天 / 三十天, never one odd 6次以上) — their values come from
other articles (else multiples of the answer), and none contradicts the rest of its sentence (no
二百万元以上 beside 30万元以下). Long authority names are chosen, never typed.
"""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from answer.provisions import sentence_spans
from index.store import SearchIndex
from ingest.records import book_title
from study.facts import QUALIFIERS, Fact, Quantity, find_facts, same_answer, unit_of

BLANK = "____"
KIND_PRIORITY = {"quantity": 0, "percentage": 0, "body": 1, "modal": 2}
TYPED_BODY_MAX = 6  # 人民法院, 职工代表大会 can be typed; 县级以上地方人民政府劳动行政部门 is chosen
MODAL_CLASSES = {"应当": "duty", "必须": "duty", "不得": "ban", "可以": "may"}  # 应当 and 必须 say the same
# After these the modal only points elsewhere (应当依照本法…): no rule turns on it.
_FORMULA_AFTER = re.compile(r"^(?:依照|依法|按照|根据|参照|遵守|符合|执行|予以|给予|由)")
_MULTIPLES = (2, 3, 0.5, 5, 1.5, 4, 10, 0.2)  # distractor values when other articles offer too few


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
                if fact.kind == "modal" and (len(modals) > 1 or not hinges_on(sentence, fact, facts)):
                    continue  # two modals would be ambiguous; a formulaic one asks nothing
                found.append(_Candidate(article, sentence, fact))
        return found

    def _usable(self, candidate: _Candidate) -> bool:
        """A long authority name is asked only as multiple choice, so it needs three distractors."""
        fact = candidate.fact
        return fact.kind != "body" or len(fact.text) <= TYPED_BODY_MAX or len(self._body_distractors(candidate)) >= 3

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
                if candidate in picked or (spread and key in used_articles) or not self._usable(candidate):
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

    def for_titles(self, titles: list[str], n: int, seed: int) -> list[QuizQuestion]:
        """Up to n questions shared out over the chosen documents' titles (every document when none is chosen)."""
        if not titles:
            return self.generate(n, seed)
        share = max(1, n // len(titles))
        return [q for title in titles for q in self.generate(share, seed, doc=title)][:n]

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
        if fact.kind == "modal":  # 应当 typed as 必须 would be marked wrong for no fault: always chosen
            distractors = [m for m in ("应当", "不得", "可以") if MODAL_CLASSES[m] != MODAL_CLASSES[fact.text]]
        elif fact.kind == "body":
            multiple_choice = multiple_choice or len(fact.text) > TYPED_BODY_MAX
            distractors = self._body_distractors(candidate, rng)[:3] if multiple_choice else []
        else:
            distractors = self._quantity_distractors(candidate, rng)[:3] if multiple_choice else []
        if fact.kind != "modal" and len(distractors) < 3:
            return QuizQuestion("fill_blank", prompt, fact.text, citation, fact_kind=fact.kind)
        options = [fact.text, *distractors]
        rng.shuffle(options)
        return QuizQuestion("multiple_choice", prompt, fact.text, citation, options, fact.kind)

    def _quantity_distractors(self, candidate: _Candidate, rng: random.Random) -> list[str]:
        """Other values written exactly as the answer is (numerals, 万, unit, qualifier), none that the
        sentence itself rules out, the ones nearest the answer's size first (then shuffled among them)."""
        fact, sentence = candidate.fact, candidate.sentence
        form = Quantity.parse(fact.text)
        if form is None or form.value <= 0:
            return []
        family = _family(fact)
        neighbours = [f for f in find_facts(sentence) if f != fact and _family(f) == family]
        lower, upper = 0.0, math.inf
        qualifier = _qualifier(fact.text)
        for other in neighbours:  # 5万元以上30万元以下: a lower bound stays under its upper bound
            bound, other_qualifier = Quantity.parse(other.text), _qualifier(other.text)
            if bound is None:
                continue
            if qualifier == "以上" and other_qualifier in ("以下", "以内"):
                upper = min(upper, bound.value)
            elif qualifier in ("以下", "以内") and other_qualifier == "以上":
                lower = max(lower, bound.value)
        taken = {form.value} | {q.value for f in neighbours if (q := Quantity.parse(f.text))}
        values = {q.value for c in self._pool if _family(c.fact) == family and (q := Quantity.parse(c.fact.text))}
        values |= {form.value * m for m in _MULTIPLES}
        if form.value < 20:  # 7个月 is better answered wrongly by 6 or 8 than by 70
            values |= {form.value + d for d in (-2, -1, 1, 2)}
        options: dict[str, float] = {}
        whole = "." not in form.number  # 7日 gets 14日, not 10.5日
        ceiling = min(upper, 100.0 + 1e-9) if family == "percentage" else upper
        for value in sorted(values, key=lambda v: (abs(math.log(v / form.value)) if v > 0 else math.inf, v)):
            fits = lower < value < ceiling and value not in taken and (value == int(value) or not whole)
            text = form.respell(value) if fits else None
            if text and text not in sentence and text not in options and not same_answer(fact.text, text):
                options[text] = value
        nearest = list(options)[:6]
        rng.shuffle(nearest)
        return nearest

    def _body_distractors(self, candidate: _Candidate, rng: random.Random | None = None) -> list[str]:
        """Other bodies named in the articles, of about the answer's length, neither inside the other."""
        fact = candidate.fact
        found: list[str] = []
        for c in self._pool:
            text = c.fact.text
            if c.fact.kind != "body" or text in found or text in candidate.sentence:
                continue
            if text in fact.text or fact.text in text:
                continue  # 人民政府 vs 县级以上人民政府: both could read as right
            found.append(text)
        found.sort(key=lambda t: (abs(len(t) - len(fact.text)), t))
        nearest = found[:6]
        if rng is not None:
            rng.shuffle(nearest)
        return nearest


def hinges_on(sentence: str, fact: Fact, facts: list[Fact]) -> bool:
    """An 应当/不得/可以 is worth a question only when the rule turns on it: the sentence has nothing
    else to ask (no number, no body) and the modal governs an act, not a pointer (应当依照本法…)."""
    return all(f.kind == "modal" for f in facts) and not _FORMULA_AFTER.match(sentence[fact.end :])


def _family(fact: Fact) -> str:
    """Facts whose values compare: same unit (万元 is counted in 元), or both percentages."""
    if fact.kind in ("percentage", "body", "modal"):
        return fact.kind
    unit = unit_of(fact.text)
    return "元" if unit == "万元" else unit


def _qualifier(text: str) -> str:
    return next((q for q in QUALIFIERS if text.endswith(q)), "")


def grade(questions: list[QuizQuestion], responses: list[str]) -> tuple[int, list[int]]:
    """(score, indexes of the questions answered wrongly): 15日 for 十五日 is right, 二十五人 for
    二十五人以上 is not (see study.facts.same_answer)."""
    pairs = zip(questions, responses, strict=True)
    wrong = [i for i, (q, r) in enumerate(pairs) if not same_answer(q.answer, r or "")]
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
        return generator.for_titles(list(titles or []), n, seed)
