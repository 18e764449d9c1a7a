"""IBM Model 1 over (question words, article words) pairs → t(article word | question word)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from index.vocabulary import TranslationVocabulary

NULL = "<null>"  # absorbs statutory words no question word calls for (应当, 规定, 人民法院…)


def train_translation(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
    iterations: int = 8,
    min_source_count: int = 3,
    min_probability: float = 0.02,
    max_targets: int = 20,
    min_lift: float = 5.0,
) -> TranslationVocabulary:
    """Learn t(target | source) by EM; deterministic (words are visited in sorted order).

    Each pair is one question and one of its relevant articles, as token lists; a word counts once
    per side. Only question words seen in at least `min_source_count` questions get a row, so a
    row reflects how people phrase a topic rather than one question's wording.
    """
    if iterations < 1 or min_source_count < 1 or not 0 < min_probability < 1 or max_targets < 1:
        raise ValueError("iterations ≥ 1, min_source_count ≥ 1, 0 < min_probability < 1, max_targets ≥ 1")
    questions = {tuple(sorted(set(q))) for q, _ in pairs}
    seen = Counter(word for q in questions for word in q)
    sources = {word for word, count in seen.items() if count >= min_source_count}
    bags = [([w for w in sorted(set(q)) if w in sources] + [NULL], sorted(set(a))) for q, a in pairs if a]
    table: dict[str, dict[str, float]] = {}
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for source_words, target_words in bags:
            for target in target_words:
                # The first round starts from uniform t, so every source word shares the target equally.
                probs = [table.get(s, {}).get(target, 0.0) if table else 1.0 for s in source_words]
                z = sum(probs)
                if z <= 0:
                    continue
                for source, p in zip(source_words, probs, strict=True):
                    if p > 0:
                        counts[source][target] += p / z
        table = {s: {t: c / sum(row.values()) for t, c in row.items()} for s, row in counts.items()}
    # A target word every question calls for (应当, 规定…) says nothing about this question: keep a pair
    # only when the source word makes its target clearly likelier than the articles' base rate (lift).
    base = Counter(word for _, targets in bags for word in targets)
    total = sum(base.values())
    pruned = {}
    for source in sorted(table):
        if source == NULL:
            continue
        row = sorted(
            ((t, p) for t, p in table[source].items() if p >= min_probability and p > min_lift * base[t] / total),
            key=lambda x: (-x[1], x[0]),
        )
        if row:
            pruned[source] = {t: round(p, 4) for t, p in row[:max_targets]}
    return TranslationVocabulary(pruned)
