from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx

from index.store import open_index
from study.browse import catalogue, highlight, outline_html, search_html
from study.export import chat_docx, chat_markdown, quiz_docx, quiz_markdown
from study.quiz import QuizGenerator, articles_from_index

PROJECT = Path(__file__).resolve().parents[2]


def test_quiz_handout_round_trip_through_docx(tiny_index):
    questions = QuizGenerator(articles_from_index(open_index(tiny_index))).generate(n=6, seed=2)
    document = docx.Document(io.BytesIO(quiz_docx(questions)))
    text = "\n".join(p.text for p in document.paragraphs)
    for q in questions:
        assert q.question in text and q.answer in text
    assert text.index("答案与出处") > text.index(questions[-1].question)
    markdown = quiz_markdown(questions)
    assert markdown.count("____") == len(questions) and "## 答案与出处" in markdown


def test_chat_session_export(tiny_retriever):
    from answer.service import AnswerService

    answers = [AnswerService(tiny_retriever).ask(q).to_dict() for q in ("哺乳时间有多少?", "红烧肉怎么做?")]
    document = docx.Document(io.BytesIO(chat_docx(answers)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "哺乳时间有多少?" in text and "《女职工劳动保护特别规定》第九条" in text and "12351" in text
    assert "> [1] 《女职工劳动保护特别规定》第九条" in chat_markdown(answers)


def test_browse_groups_documents_and_links_articles(tiny_index):
    index = open_index(tiny_index)
    labels = [label for label, _ in catalogue(index)]
    assert labels[0].startswith("【地方性法规 · 北京市】《北京市集体合同条例》")
    union_law = next(doc_id for label, doc_id in catalogue(index) if "中华人民共和国工会法" in label)
    page = outline_html(index, union_law, focus="第十条")
    assert "<h4>第二章 工会组织</h4>" in page
    assert f"href='?doc={union_law}&art=%E7%AC%AC%E5%8D%81%E6%9D%A1'" in page
    assert "class='article focus' id='art-第十条'" in page


def test_search_highlights_hits_and_escapes_text(tiny_index):
    page = search_html(open_index(tiny_index), "哺乳时间")
    assert "<mark>哺乳时间</mark>" in page and "第九条" in page
    assert highlight("<b>工会主席</b>", ["工会", "工会主席"]) == "&lt;b&gt;<mark>工会主席</mark>&lt;/b&gt;"


def test_quiz_command_prints_json(tiny_index):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "study",
            "quiz",
            "--index",
            str(tiny_index),
            "--doc",
            "女职工劳动保护特别规定",
            "--n",
            "4",
            "--seed",
            "1",
            "--json",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    questions = json.loads(result.stdout)["questions"]
    assert len(questions) == 4
    for q in questions:
        assert {"type", "question", "answer", "citation"} <= set(q)
        assert set(q["citation"]) >= {"title", "article", "text"}
        assert ("options" in q) == (q["type"] == "multiple_choice")
