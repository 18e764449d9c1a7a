"""METEOR and BLEU of an answer against a reference answer, as LeCoQA's evaluation/calc.py computes them.

Both texts are cut with jieba (accurate mode, as calc.py does); METEOR is nltk's with its defaults
(alpha 0.9, beta 3, gamma 0.5) but with no synonym source — WordNet has no Chinese — so only exact
(and Porter-stemmed, a no-op for Chinese) matches count; BLEU is nltk's sentence BLEU with
smoothing method 4. The answer's [n] citation markers are markup, not words, and are removed first;
unlike calc.py, whitespace (an answer's line breaks) is no word either, so layout moves neither score —
METEOR and BLEU reported before 2026-11-27's sixth session counted line breaks (on the same answers
METEOR 0.2545 → 0.2546, BLEU 0.1156 → 0.1174).
"""

from __future__ import annotations

import functools
import logging
import re

_MARKER_RE = re.compile(r"\[\d+\]")


class _NoSynonyms:
    """Stands in for WordNet: no word has synonyms."""

    @staticmethod
    def synsets(word: str, *args, **kwargs) -> list:
        return []


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """jieba's words, less citation markers and whitespace: a line break between quoted items is no word."""
    return [token for token in _jieba().cut(_MARKER_RE.sub("", text)) if token.strip()]


def meteor(reference: str, hypothesis: str) -> float:
    from nltk.translate.meteor_score import meteor_score

    if not reference.strip() or not hypothesis.strip():
        return 0.0
    return float(meteor_score([tokens(reference)], tokens(hypothesis), wordnet=_NoSynonyms()))


def bleu(reference: str, hypothesis: str) -> float:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

    if not reference.strip() or not hypothesis.strip():
        return 0.0
    return float(sentence_bleu([tokens(reference)], tokens(hypothesis), smoothing_function=SmoothingFunction().method4))
