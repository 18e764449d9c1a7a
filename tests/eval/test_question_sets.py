"""The bundled question sets are only evidence if every answerable row points at text that is really there."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.metrics import load_questions, squeeze

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "union"
SETS = sorted((ROOT / "eval").glob("*.jsonl"))


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_every_answerable_row_quotes_its_document_verbatim(path):
    documents = {p.relative_to(CORPUS).as_posix(): squeeze(p.read_text("utf-8")) for p in CORPUS.rglob("*.*")}
    questions = load_questions(path)
    assert len({q.id for q in questions}) == len(questions), "ids repeat"
    for question in questions:
        if not question.answerable:
            assert not question.evidence and not question.keywords, question.id
            continue
        named = [text for name, text in documents.items() if any(d in name for d in question.docs)]
        assert named, f"{question.id}: no bundled document name holds {question.docs}"
        assert any(squeeze(question.evidence) in text for text in named), f"{question.id}: evidence not in its document"
