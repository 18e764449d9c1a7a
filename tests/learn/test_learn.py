"""Learning on real excerpts: the translation vocabulary, the ranker and the refusal threshold."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from eval.metrics import Question
from index.calibration import RelevanceModel, load_refusal
from index.live import LiveIndex
from index.ranking import FEATURES, FUSION, LinearRanker, TreeRanker
from index.retriever import HybridRetriever, default_options, open_retriever
from index.vocabulary import TranslationVocabulary
from ingest.records import Chunk
from learn.dataset import relevant_rows, translation_pairs
from learn.ranker import LabelledPool, train_ranker
from learn.refusal import Calibration, calibrate, calibrate_with_model, cross_validate_refusal, relevance_rows
from learn.train import (
    balanced_folds,
    cross_validate,
    fold_of,
    labelled_pools,
    law_keys,
    law_of,
    learn,
    leave_one_set_out,
    pool_scores,
    set_pools,
)
from learn.translation import train_translation


def row(qid: str, question: str, *evidences: str) -> Question:
    return Question(qid, question, ("",), evidences[0], (), True, evidences=evidences)


# Questions whose relevant articles are in the tiny corpus (工会法, 女职工劳动保护特别规定, 北京市集体合同条例).
QUESTIONS = [
    row("a", "哺乳期的女职工每天有多少哺乳时间?", "用人单位应当在每天的劳动时间内为哺乳期女职工安排1小时哺乳时间"),
    row("b", "女职工生育能休多少天产假?", "女职工生育享受98天产假"),
    row("c", "老板的亲戚能当工会委员吗?", "企业主要负责人的近亲属不得作为本企业基层工会委员会成员的人选"),
    row("d", "罢免工会主席需要什么程序?", "罢免工会主席、副主席必须召开会员大会"),
    row("e", "集体合同草案要经过职工代表大会讨论吗?", "经集体协商双方协商一致的，形成集体合同草案"),
    row("f", "怀孕七个月了单位还让我上夜班合法吗?", "女职工在孕期不能适应原劳动的"),
    row("g", "女职工流产能休产假吗?", "女职工生育享受98天产假"),
    row("h", "工会主席可以随便调走吗?", "工会主席、副主席任期未满时，不得随意调动其工作"),
]


def test_evidence_finds_its_chunks(tiny_retriever):
    relevant = relevant_rows(tiny_retriever.index, QUESTIONS)
    assert all(relevant[q.id] for q in QUESTIONS)
    chunk = tiny_retriever.index.chunks[min(relevant["b"])]
    assert chunk.article == "第七条" and "98天产假" in chunk.text


def test_translation_learns_statutory_words_and_round_trips(tiny_retriever):
    tokenize = tiny_retriever.index.keyword.tokenizer
    pairs = translation_pairs(tiny_retriever.index, QUESTIONS, relevant_rows(tiny_retriever.index, QUESTIONS), tokenize)
    vocabulary = train_translation(pairs, min_source_count=2, min_lift=1.0)
    again = train_translation(pairs, min_source_count=2, min_lift=1.0)
    assert vocabulary == again  # deterministic
    assert "女职工" in vocabulary.table  # asked about in four questions
    assert all(0 < p <= 1 for row in vocabulary.table.values() for p in row.values())
    assert TranslationVocabulary.from_json(vocabulary.to_json()) == vocabulary
    expansion = vocabulary.expand(["女职工", "流产"], lambda token: 1.0)
    assert expansion and "女职工" not in expansion  # words the question has are not added again
    with pytest.raises(ValueError):
        TranslationVocabulary({"词": {"别的": 1.5}})


def test_ranker_training_is_deterministic_and_its_json_round_trips(tiny_retriever, tmp_path):
    first = learn(tiny_retriever, QUESTIONS, ["ranker"]).ranker
    second = learn(tiny_retriever, QUESTIONS, ["ranker"]).ranker
    assert first is not None and first.model == second.model and first.names == FEATURES
    path = tmp_path / "ranker.json"
    first.save(path)
    assert (
        '"kind": "lightgbm"' in path.read_text("utf-8") and b"\x80" not in path.read_bytes()[:2]
    )  # JSON, not a pickle
    passages = len(tiny_retriever.index.chunks)
    loaded = TreeRanker.load(path, passages)
    assert loaded == first and loaded.trained_on["passages"] == passages
    pool = tiny_retriever.pool(QUESTIONS[0].question)
    scores = loaded.score(pool.features)
    assert np.isfinite(scores).all() and np.allclose(scores, first.score(pool.features)) and np.ptp(scores) > 0
    assert TreeRanker.load(path, passages // 10) is None  # a far smaller index is ranked by the fusion
    TreeRanker(first.model, first.names).save(path)  # trees that record no index rank any
    assert TreeRanker.load(path, 1) == TreeRanker(first.model, first.names)
    with pytest.raises(ValueError, match="unknown"):
        LinearRanker(("no_such_feature",), (1.0,))
    with pytest.raises(ValueError, match="unknown"):
        TreeRanker(first.model, (*FEATURES[:-1], "no_such_feature"))


def test_a_retriever_ranks_with_learned_trees_only_on_an_index_like_theirs(
    tiny_retriever, tiny_index, tmp_path, monkeypatch
):
    trees = learn(tiny_retriever, QUESTIONS, ["ranker"]).ranker
    assert trees is not None
    embedder = tiny_retriever.embedder
    passages = len(tiny_retriever.index.chunks)
    path = tmp_path / "ranker.json"
    monkeypatch.setattr("index.retriever.ranker_path", lambda _: path)
    learned_on_laws = TreeRanker(trees.model, trees.names, {"passages": 50 * passages})
    learned_on_laws.save(path)
    assert LiveIndex(tiny_index, embedder).retriever().ranker == FUSION
    assert TreeRanker.load(path, passages=passages) is None  # not even built
    assert TreeRanker.load(path, 50 * passages) == learned_on_laws
    trees.save(path)  # beside the laws' trees: one file keeps one per index scale
    assert LiveIndex(tiny_index, embedder).retriever().ranker == trees  # as served
    assert TreeRanker.load(path, passages=40 * passages) == learned_on_laws
    assert TreeRanker.load(path, 1000 * passages) is None  # nor do the laws' trees rank a far larger index
    retrained = TreeRanker(trees.model, trees.names, {**trees.trained_on, "questions": 1})
    retrained.save(path)  # replaces the trees of its own scale only
    assert [TreeRanker.load(path, n) for n in (passages, 50 * passages)] == [retrained, learned_on_laws]
    assert '"rankers"' in path.read_text("utf-8") and len(json.loads(path.read_text("utf-8"))["rankers"]) == 2
    path.write_text(json.dumps(learned_on_laws.to_dict()), "utf-8")  # the single object of the first format
    assert TreeRanker.load(path, 50 * passages) == learned_on_laws
    assert TreeRanker.load(path, passages) is None  # small-index trees are never the laws' stand-in either
    trees.save(path)  # kept beside it
    assert json.loads(path.read_text("utf-8")) == {"rankers": [trees.to_dict(), learned_on_laws.to_dict()]}
    with pytest.raises(ValueError, match="passage count"):
        TreeRanker(trees.model, trees.names, {"passages": "152,692"})


def test_scores_over_labelled_pools_and_leaving_one_set_out(tiny_retriever, monkeypatch):
    pools = [
        LabelledPool(np.array([[0.9], [0.1], [0.5]]), np.array([False, True, False])),  # relevant 3rd
        LabelledPool(np.array([[0.2], [0.8]]), np.array([False, True])),  # relevant 1st
        LabelledPool(np.array([[0.3]]), np.array([False])),  # its pool holds none: missed
    ]
    score = pool_scores(pools, lambda features: features[:, 0], questions=4)
    assert (score.hits_at_1, score.hits_at_5) == (1, 2) and score.mrr == pytest.approx((1 / 3 + 1) / 4)
    sets = {"first": QUESTIONS[:4], "second": QUESTIONS[4:]}
    trained_on: list[int] = []

    def recording_train(pools, *args, **kwargs):
        trained_on.append(len(pools))
        return train_ranker(pools, *args, **kwargs)

    monkeypatch.setattr("learn.train.train_ranker", recording_train)
    drawn = set_pools(tiny_retriever, sets)
    scores = leave_one_set_out(drawn)
    # each set is judged by trees learned from the other set's pools alone
    assert trained_on == [
        len(labelled_pools(tiny_retriever, sets[other], relevant_rows(tiny_retriever.index, sets[other])))
        for other in ("second", "first")
    ]
    assert set(scores) == {"first", "second"}
    for name, (fusion, trees) in scores.items():
        assert fusion.questions == trees.questions == len(sets[name])
        assert 0 <= trees.hits_at_1 <= trees.hits_at_5 <= len(sets[name])
    assert scores == leave_one_set_out(drawn)  # deterministic
    with pytest.raises(ValueError, match="two"):
        leave_one_set_out({"only": drawn["first"]})
    pools = [pool for drawn_pools, _ in drawn.values() for pool in drawn_pools]
    assert (
        learn(tiny_retriever, QUESTIONS, ["ranker"], pools=pools).ranker
        == learn(tiny_retriever, QUESTIONS, ["ranker"]).ranker
    )
    with pytest.raises(
        ValueError, match="vocabulary"
    ):  # pools drawn without one cannot serve a ranker searching with one
        learn(tiny_retriever, QUESTIONS, ["vocabulary", "ranker"], pools=pools)


def test_learned_ranker_orders_the_relevant_article_first_on_what_it_learned_from(tiny_retriever):
    relevant = relevant_rows(tiny_retriever.index, QUESTIONS)
    ranker = learn(tiny_retriever, QUESTIONS, ["ranker"], relevant).ranker
    pools = labelled_pools(tiny_retriever, QUESTIONS, relevant)

    def first_hits(score) -> int:
        return sum(bool(p.labels[np.argmax(score(p.features))]) for p in pools)

    assert first_hits(ranker.score) >= first_hits(FUSION.score)


def test_cross_validation_judges_each_question_once_by_components_learned_without_it(tiny_retriever):
    seen: list[str] = []

    def run(questions, retriever):
        assert retriever.ranker is not FUSION
        seen.extend(q.id for q in questions)
        return [{"id": q.id} for q in questions]

    rows = cross_validate(tiny_retriever, QUESTIONS, 2, run, ["ranker"])
    assert sorted(seen) == sorted(q.id for q in QUESTIONS)
    assert {r["fold"] for r in rows} == {fold_of(q.id, 2) for q in QUESTIONS}


def test_questions_learned_from_in_every_fold_are_never_judged(tiny_retriever, monkeypatch):
    import learn.train as train

    also, judged = [replace(q, id=f"labour/{q.id}") for q in QUESTIONS[:3]], QUESTIONS[3:]
    learned_from: list[set[str]] = []
    real_learn = train.learn

    def recording(retriever, questions, *args, **kwargs):
        learned_from.append({q.id for q in questions})
        return real_learn(retriever, questions, *args, **kwargs)

    monkeypatch.setattr(train, "learn", recording)
    seen: list[str] = []

    def run(questions, retriever):
        seen.extend(q.id for q in questions)
        return [{"id": q.id} for q in questions]

    cross_validate(tiny_retriever, judged, 2, run, ["ranker"], also=also)
    assert sorted(seen) == sorted(q.id for q in judged)
    assert len(learned_from) == 2 and all({q.id for q in also} <= ids for ids in learned_from)
    assert all(not ids & {q.id for q in judged if fold_of(q.id, 2) == f} for f, ids in enumerate(learned_from))
    with pytest.raises(ValueError, match="make them distinct"):
        cross_validate(tiny_retriever, judged, 2, run, ["ranker"], also=judged[:1])


def test_a_questions_law_counts_each_article_once_across_versions():
    def chunk(doc: str, article: str) -> Chunk:
        return Chunk(doc, f"{doc}.md", doc, "法律", "…", 0, 1, article=article)

    chunks = [
        chunk("a2009", "第五条"),
        chunk("a2015", "第五条"),
        chunk("b", "第七条"),
        chunk("b", "第八条"),
        chunk("c", ""),
    ]
    law_key = {"a2009": "A(2015).md", "a2015": "A(2015).md", "b": "B.md", "c": "C.md"}
    # one article of A in two versions against two articles of B: B, though A has as many rows
    assert law_of({0, 1, 2, 3}, chunks, law_key) == "B.md"
    assert law_of({0, 1, 2}, chunks, law_key) == "A(2015).md"  # a tie: the first key in order
    assert law_of({4}, chunks, law_key) == "C.md" and law_of(set(), chunks, law_key) == ""


def test_balanced_folds_keep_groups_whole_and_sizes_even():
    groups = {f"q{i}": "big" for i in range(6)} | {f"r{i}": f"law{i % 4}" for i in range(8)}
    folds = balanced_folds(groups, 3)
    assert len({folds[q] for q, g in groups.items() if g == "big"}) == 1
    assert all(len({folds[q] for q, g in groups.items() if g == law}) == 1 for law in set(groups.values()))
    assert sorted(list(folds.values()).count(f) for f in range(3)) == [4, 4, 6]


def test_folds_by_law_keep_every_question_about_one_law_together(tiny_retriever):
    index = tiny_retriever.index
    relevant = relevant_rows(index, QUESTIONS)
    law_key = law_keys(index)
    law = {q.id: law_of(relevant[q.id], index.chunks, law_key) for q in QUESTIONS}
    assert law["b"] == law["f"] == law["g"] != law["c"]  # 女职工劳动保护特别规定 versus 工会法
    folds: dict[str, set[int]] = {}

    def run(questions, retriever):
        return [{"id": q.id} for q in questions]

    for row_ in cross_validate(tiny_retriever, QUESTIONS, 2, run, ["ranker"], by_law=True):
        folds.setdefault(law[row_["id"]], set()).add(row_["fold"])
    assert all(len(found) == 1 for found in folds.values())  # folding by id splits b, f and g
    assert len({fold for found in folds.values() for fold in found}) == 2
    with pytest.raises(ValueError, match="fewer folds"):
        cross_validate(tiny_retriever, QUESTIONS, len(folds) + 1, run, ["ranker"], by_law=True)


def test_calibration_puts_the_threshold_between_the_two_sides():
    result = calibrate([0.7, 0.8, 0.9], [0.1, 0.2, 0.5], refusal_cost=3.0)
    assert 0.5 < result.refuse_below < 0.7 and result.false_refusals == 0 == result.answered_off_topic
    assert result.margin == pytest.approx(0.2)
    overlapping = calibrate([0.4, 0.8, 0.9], [0.1, 0.5, 0.6], refusal_cost=3.0)
    assert overlapping.refuse_below <= 0.4  # a wrong refusal costs more than one off-topic answer
    assert overlapping.margin < 0


def test_the_threshold_is_the_median_over_resamples_so_one_row_more_or_less_moves_it_less():
    # two overlapping sides whose expected cost is flat around its least point, as over union + laws
    rng = np.random.default_rng(5)
    on, off = list(np.round(rng.beta(5, 2, 120), 3)), list(np.round(rng.beta(2, 4, 120), 3))

    def largest_move(resamples: int) -> float:
        full = calibrate(on, off, resamples=resamples).refuse_below
        return max(
            abs(calibrate(on, off[:i] + off[i + 1 :], resamples=resamples).refuse_below - full)
            for i in range(0, len(off), 7)
        )

    assert largest_move(0) > 0.08 > 0.05 > largest_move(200)
    assert calibrate(on, off) == calibrate(on, off)  # a fixed seed: retraining gives the same threshold


OFF_TOPIC = [
    "如何做一道红烧肉?",
    "今天股市行情怎么样?",
    "明天北京会下雨吗?",
    "手机坏了商家不给退怎么办?",
    "怎么申请公租房?",
]


def test_the_relevance_model_is_learned_from_real_searches_and_saved_with_its_threshold(tiny_retriever, tmp_path):
    def signals(question: str):
        return tiny_retriever.relevance_signals(tiny_retriever.search(question), question)

    on = [signals(q.question) for q in QUESTIONS]
    off = [signals(q) for q in OFF_TOPIC]
    calibration = calibrate_with_model(on, off)
    model = RelevanceModel.from_dict(calibration.relevance)
    assert model.weights[0] > 0 and model.weights[1] > 0  # more coverage, closer cosine: more likely answered
    assert calibration.false_refusals <= 1 and calibration.answered_off_topic <= 1
    path = tmp_path / "refusal.json"
    calibration.save(path)
    assert load_refusal(path, len(tiny_retriever.index.chunks)) == (model, calibration.refuse_below)
    served = tiny_retriever.model_copy(update={"relevance_model": model})
    top = served.invoke(QUESTIONS[1].question)[0].metadata["relevance"]
    assert (
        top == served.relevance(served.search(QUESTIONS[1].question), QUESTIONS[1].question) >= calibration.refuse_below
    )
    rows = (
        [(q.id, r) for q, r in zip(QUESTIONS, on, strict=True)],
        [(q, r) for q, r in zip(OFF_TOPIC, off, strict=True)],
    )
    judged = cross_validate_refusal(*rows, folds=2)
    # these real searches part cleanly: fitted on one half, each side judges the other half without error
    assert judged["learned"] == {"false_refusals": 0, "answered_off_topic": 0, "cost": 0.0}
    assert set(judged) == {"hand-set", "learned"}


def test_calibrating_with_nothing_learned_judges_with_the_retriever_as_served(
    tiny_index, fake_embedder, tmp_path, monkeypatch
):
    import shutil

    import learn.__main__ as cli
    import learn.refusal

    monkeypatch.setattr("index.embedders.make_embedder", lambda _: fake_embedder)
    monkeypatch.setenv("EMBED_MODEL", "fake")
    union = tmp_path / "union"
    shutil.copytree(tiny_index, union)
    opened, judged = [], []
    monkeypatch.setattr(
        "index.retriever.open_retriever", lambda *a, **k: opened.append(open_retriever(*a, **k)) or opened[-1]
    )
    rows = ([(f"a{n}", (0.6, 0.9, 5 + n)) for n in range(4)], [(f"o{n}", (0.1, 0.5, 5 + n)) for n in range(4)])
    monkeypatch.setattr(learn.refusal, "relevance_rows", lambda laws, *rest: judged.append(laws) or rows)
    train = tmp_path / "train.jsonl"
    lines = [{"id": q.id, "question": q.question, "docs": [""], "evidence": q.evidence} for q in QUESTIONS]
    train.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), "utf-8")
    args = ["--index", str(tiny_index), "--model", "fake", "--learn", "", "--calibrate-on", str(union)]
    assert cli.main([str(train), *args, "--out", str(tmp_path / "out")]) == 0
    assert len(judged) == 1 and judged[0] is opened[0]  # not a copy without its ranker and adapter


def test_a_threshold_is_not_read_against_a_relevance_model_that_cannot_be_loaded(tmp_path):
    path = tmp_path / "refusal.json"
    path.write_text('{"refuse_below": 0.9, "relevance": {"weights": [1, 2], "bias": 0}}', "utf-8")
    with pytest.raises(ValueError):
        load_refusal(path, 1400)
    with pytest.raises(ValueError, match="unknown relevance inputs"):
        RelevanceModel.from_dict({"inputs": ["closeness", "mood"], "weights": [1, 2], "bias": 0})
    # the retriever keeps the hand blend and its default threshold, as before any calibration
    options = default_options("e", 1400, refusal_file=path)
    assert "relevance_model" not in options and "refuse_below" not in options
    assert HybridRetriever.model_fields["refuse_below"].default == 0.5
    with pytest.raises(ValueError, match="unreadable"):
        TreeRanker("not a model", FEATURES)


def test_each_index_is_refused_on_by_the_calibration_for_its_scale(tmp_path):
    path = tmp_path / "refusal.json"
    # the format before calibrations recorded their index: one object serves every index
    path.write_text('{"refuse_below": 0.66, "relevance": null}', "utf-8")
    assert load_refusal(path, 1354) == (None, 0.66) == load_refusal(path, 152692)
    bundled = Calibration(0.71, 129, 1224, 3, 124, -0.6, RelevanceModel((5.0, 10.0, 1.4, 0.1), -13.0).to_dict(), 1354)
    bundled.save(path)
    assert load_refusal(path, 1400) == (RelevanceModel((5.0, 10.0, 1.4, 0.1), -13.0), 0.71)
    assert load_refusal(path, 152692) == (None, 0.66)
    Calibration(0.68, 130, 1224, 2, 120, -0.5, None, 1500).save(path)  # the same scale: replaced
    assert load_refusal(path, 1354) == (None, 0.68) and load_refusal(path, 152692) == (None, 0.66)


def test_the_service_refuses_below_the_threshold_its_retriever_was_calibrated_with(tiny_retriever):
    from answer.service import AnswerService

    question = QUESTIONS[1].question
    assert not AnswerService(tiny_retriever.model_copy(update={"refuse_below": 0.0})).ask(question).refused
    assert AnswerService(tiny_retriever.model_copy(update={"refuse_below": 1.0})).ask(question).refused
    # a threshold set for the service (REFUSE_BELOW) overrides the calibrated one
    strict = tiny_retriever.model_copy(update={"refuse_below": 1.0})
    assert not AnswerService(strict, refuse_below=0.0).ask(question).refused


def test_a_consultation_the_bundled_documents_answer_is_not_an_off_topic_row(tiny_retriever):
    held = QUESTIONS[1]  # its article is in the tiny corpus
    elsewhere = row("z", "合伙必须要签订书面合同吗?", "合伙协议依法由全体合伙人协商一致、以书面形式订立。")
    marked = [Question("m", "如何做一道红烧肉?", (), "", (), False)]
    on_topic, off_topic = relevance_rows(tiny_retriever, tiny_retriever, [held, elsewhere], marked)
    assert [qid for qid, _ in on_topic] == ["b"]
    assert [qid for qid, _ in off_topic] == ["z", "m"]


def test_a_retriever_takes_the_model_and_threshold_calibrated_for_its_scale(tmp_path):
    path = tmp_path / "refusal.json"
    Calibration(0.71, 129, 1224, 3, 124, -0.6, RelevanceModel((5.0, 10.0, 1.4, 0.1), -13.0).to_dict(), 1354).save(path)
    # a model saved over the three inputs of before still reads, as the union + laws one is
    earlier = RelevanceModel((3.1, 11.5, -1.1), -6.7, ("rarity_coverage", "closeness", "log1p_words"))
    Calibration(0.66, 839, 1174, 43, 134, -0.9, earlier.to_dict(), 152692).save(path)
    bundled = default_options("e", 1400, refusal_file=path)
    laws = default_options("e", 150000, refusal_file=path)
    assert (bundled["refuse_below"], bundled["relevance_model"].weights[2]) == (0.71, 1.4)
    assert (laws["refuse_below"], laws["relevance_model"]) == (0.66, earlier)
    assert 0 < earlier(0.5, 0.9, 20) < 1
    path.write_text('[{"refuse_below": 0.9}]', "utf-8")  # another shape: the hand blend and its default
    assert "relevance_model" not in default_options("e", 1400, refusal_file=path)
    assert "refuse_below" not in default_options("e", 1400, refusal_file=path)


def test_calibrating_the_bundled_index_alone_trains_nothing_else(tmp_path, capsys):
    from learn.__main__ import main

    index = str(tmp_path)
    assert main(["questions.jsonl", "--index", index, "--calibrate-on", index, "--learn", "ranker"]) == 2
    assert "--learn ''" in capsys.readouterr().err


def test_learning_from_several_question_files_keeps_their_ids_apart(
    tiny_index, fake_embedder, tmp_path, monkeypatch, capsys
):
    from learn.__main__ import main

    monkeypatch.setattr("index.embedders.make_embedder", lambda _: fake_embedder)
    files = []
    for name, rows in (("first", QUESTIONS[:4]), ("second", QUESTIONS[4:])):
        path = tmp_path / f"{name}.jsonl"
        lines = [  # the same ids in both files, as c01 is in two bundled sets
            json.dumps({"id": str(n), "question": q.question, "docs": [""], "evidence": q.evidence, "answerable": True})
            for n, q in enumerate(rows)
        ]
        path.write_text("\n".join(lines), "utf-8")
        files.append(str(path))
    out = tmp_path / "learned"
    seen: list[str] = []

    def recording_learn(retriever, questions, *args, **kwargs):
        seen.extend(q.id for q in questions)
        return learn(retriever, questions, *args, **kwargs)

    monkeypatch.setattr("learn.train.learn", recording_learn)
    assert main([*files, "--index", str(tiny_index), "--model", "fake", "--out", str(out), "--folds", "2"]) == 0
    assert len(set(seen)) == len(QUESTIONS) and "first/0" in seen and "second/0" in seen
    printed = capsys.readouterr().out
    assert "first（4 题）" in printed and "second（4 题）" in printed
    saved = json.loads(next(out.glob("ranker-*.json")).read_text("utf-8"))["rankers"]
    assert [e["trained_on"]["question_files"] for e in saved] == [["first", "second"]]


def test_consultations_given_to_calibrate_also_join_the_refusal_rows_but_not_the_trees(
    tiny_index, fake_embedder, tmp_path, monkeypatch
):
    import shutil

    from learn.__main__ import main

    monkeypatch.setattr("index.embedders.make_embedder", lambda _: fake_embedder)
    monkeypatch.setenv("EMBED_MODEL", "fake")
    union = tmp_path / "union"
    shutil.copytree(tiny_index, union)  # another folder: the trees are learned, as over union + laws

    def write(name: str, questions) -> str:
        path = tmp_path / f"{name}.jsonl"
        rows = [{"id": q.id, "question": q.question, "docs": [""], "evidence": q.evidence} for q in questions]
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
        return str(path)

    train, longer = write("train", QUESTIONS[:4]), write("longer", QUESTIONS[4:])
    marked = tmp_path / "marked.jsonl"
    off_topic = [{"id": f"o{n}", "question": q, "answerable": False} for n, q in enumerate(OFF_TOPIC)]
    marked.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in off_topic), "utf-8")
    seen: list[str] = []

    def recording_learn(retriever, questions, *args, **kwargs):
        seen.extend(q.id for q in questions)
        return learn(retriever, questions, *args, **kwargs)

    monkeypatch.setattr("learn.train.learn", recording_learn)
    common = ["--index", str(tiny_index), "--model", "fake", "--calibrate-on", str(union), "--dev", str(marked)]
    answerable = []
    for also in ([], ["--calibrate-also", longer]):
        out = tmp_path / f"out{len(also)}"
        assert main([train, *common, "--out", str(out), *also]) == 0
        answerable.append(json.loads((out / "refusal.json").read_text("utf-8"))["calibrations"][0]["answerable"])
    assert set(seen) == {q.id for q in QUESTIONS[:4]}  # the trees learned from the training file alone, both times
    assert answerable[1] > answerable[0] > 0
    assert main([train, *common, "--out", str(tmp_path / "bad"), "--calibrate-also", train]) == 2
