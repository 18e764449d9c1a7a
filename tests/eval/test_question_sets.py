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


LAWS = ROOT.parent / "shared" / "corpus" / "laws"
LAWS_SETS = sorted((ROOT / "eval" / "laws").glob("*.jsonl"))


@pytest.mark.skipif(not LAWS.is_dir(), reason="the laws corpus (../shared/corpus/laws) is not here")
@pytest.mark.parametrize("path", LAWS_SETS, ids=[p.name for p in LAWS_SETS])
def test_every_relevant_article_of_a_set_over_the_laws_is_in_union_or_laws(path):
    texts = [squeeze(p.read_text("utf-8")) for root in (CORPUS, LAWS) for p in root.rglob("*.md")]
    questions = load_questions(path)
    assert len({q.id for q in questions}) == len(questions), "ids repeat"
    for question in questions:
        assert question.relevant, question.id
        for opening in question.relevant:
            assert any(opening in text for text in texts), f"{question.id}: {opening[:20]} is in no document"


def test_the_refusal_calibration_rows_name_a_bundled_document_when_answerable():
    names = [p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.*")]
    rows = load_questions(ROOT / "learn" / "calibration.jsonl")
    answerable = sum(q.answerable for q in rows)
    assert len({q.id for q in rows}) == len(rows) and answerable >= 50 and len(rows) - answerable >= 25
    for row in rows:
        assert bool(row.docs) == row.answerable, row.id
        assert all(any(d in name for name in names) for d in row.docs), f"{row.id}: {row.docs}"
