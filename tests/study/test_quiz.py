from __future__ import annotations

import itertools
import re

import pytest

from ingest.pipeline import read_document
from ingest.splitter import StatuteSplitter
from study.facts import find_facts, to_number
from study.quiz import BLANK, QuizGenerator, StudyArticle, _bigram_overlap, grade
from tests.conftest import CORPUS

DOCUMENTS = ["女职工劳动保护特别规定(2012-04-28).md", "工会法(2021-12-24).md", "北京市实施《工会法》办法.md"]
STOPWORDS = {"的", "了", "和", "与", "或者", "以及", "等", "本法", "本条例", "规定"}


def articles(names=DOCUMENTS):
    found = []
    for name in names:
        doc = read_document(CORPUS / name, name)
        for chunk in StatuteSplitter(article_cap=10_000).split(doc):
            if chunk.article:
                found.append(
                    StudyArticle(doc.doc_id, doc.title, chunk.article, chunk.heading_path, doc.date, chunk.text)
                )
    return found


@pytest.fixture(scope="module")
def generator():
    return QuizGenerator(articles())


def test_fact_kinds_and_values():
    facts = find_facts("女职工生育享受98天产假，用人单位有会员二十五人以上的，按工资总额的百分之二拨缴")
    assert [(f.kind, f.text) for f in facts] == [
        ("quantity:天", "98天"),
        ("quantity:人", "二十五人以上"),
        ("percentage", "百分之二"),
    ]
    assert find_facts("十五天")[0].value == find_facts("15日")[0].value  # one value, two spellings
    assert to_number("一百五十") == 150 and to_number("两") == 2 and to_number("5万") == 50000
    assert find_facts("本办法自2016年1月1日起施行。") == []  # dates are not quantities
    assert [f.text for f in find_facts("处5万元以上30万元以下的罚款")] == ["5万元以上", "30万元以下"]


@pytest.mark.parametrize(
    "title", ["女职工劳动保护特别规定", "中华人民共和国工会法", "北京市实施《中华人民共和国工会法》办法"]
)
def test_questions_are_answerable_from_their_cited_article(generator, title):
    questions = generator.generate(n=8, seed=3, doc=title)
    assert len(questions) >= 5
    for q in questions:
        assert q.citation["title"] == title and q.citation["article"].startswith(("第", "附录"))
        assert q.question.count(BLANK) == 1
        filled = q.question.split("，", 1)[1].replace(BLANK, q.answer)
        assert filled in re.sub(r"\s+", "", q.citation["text"]) or filled in q.citation["text"]
        assert q.answer not in STOPWORDS and q.answer not in title
        assert q.answer not in q.question  # the blank is not given away elsewhere in the sentence


def test_multiple_choice_has_exactly_one_right_option_of_the_same_kind(generator):
    questions = [q for seed in range(6) for q in generator.generate(n=10, seed=seed) if q.type == "multiple_choice"]
    assert len(questions) >= 10
    for q in questions:
        size = 3 if q.fact_kind == "modal" else 4  # 应当 and 必须 say the same: never both
        assert len(q.options) == size and len(set(q.options)) == size
        assert q.options.count(q.answer) == 1
        values = [find_facts(option)[0].value if find_facts(option) else (option,) for option in q.options]
        assert len(set(values)) == size, q.options  # 15天 and 十五日 never both appear
        if q.fact_kind.startswith("quantity:"):
            unit = q.fact_kind.split(":")[1]
            assert all(unit in option or (unit == "天" and "日" in option) for option in q.options), q.options


def test_no_near_duplicates_and_deterministic_for_a_seed(generator):
    first = generator.generate(n=10, seed=7)
    assert [q.to_dict() for q in first] == [q.to_dict() for q in generator.generate(n=10, seed=7)]
    assert [q.question for q in first] != [q.question for q in generator.generate(n=10, seed=8)]
    for a, b in itertools.combinations(first, 2):
        assert _bigram_overlap(a.question, b.question) <= 0.85


def test_chapter_filter(generator):
    paths = {(a.title, a.article): a.heading_path for a in generator.articles}
    questions = generator.generate(n=5, seed=1, doc="中华人民共和国工会法", chapter="第四章")
    assert questions
    for q in questions:
        assert paths[(q.citation["title"], q.citation["article"])][1].startswith("第四章")


def test_grade_ignores_spaces():
    generator = QuizGenerator(articles(["女职工劳动保护特别规定(2012-04-28).md"]))
    questions = generator.generate(n=3, seed=1)
    score, wrong = grade(questions, [questions[0].answer + " ", "错", ""])
    assert score == 1 and wrong == [1, 2]


def test_quiz_for_several_titles_shares_the_questions_out(generator):
    titles = ["女职工劳动保护特别规定", "中华人民共和国工会法"]
    questions = generator.for_titles(titles, n=6, seed=2)
    assert len(questions) == 6 and {q.citation["title"] for q in questions} == set(titles)
    assert [q.to_dict() for q in generator.for_titles([], 4, 2)] == [q.to_dict() for q in generator.generate(4, 2)]
