"""The answer step: question (+ history) → retrieve → refuse, or compose with citations."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator
from dataclasses import replace

from langchain_core.documents import Document

from answer.extractive import OUTCOME_HEADING, ExtractiveComposer
from answer.followup import merge_follow_up, needs_context
from answer.llm import LLMGenerator
from answer.questions import answer_form, asking_sentences, asks_outcome
from answer.records import Answer
from answer.tiers import stated
from index.keyword import STOPWORDS
from index.live import LiveIndex
from index.retriever import HybridRetriever
from ingest.records import CASE
from ingest.regions import places_in

log = logging.getLogger(__name__)

REFUSAL = (
    "抱歉，知识库里没有找到与这个问题相关的规定，无法据此回答。"
    "可以换个说法再问（例如写明地区、单位类型或具体事项），"
    "也可以拨打 12351 职工服务热线咨询。"
)
FALLBACK_NOTICE = "生成服务暂时不可用，以下为法规原文摘录。"
MERGE_MARGIN = 0.1  # how much stronger a merged follow-up's evidence must be than the question's own
OWN_WORDS_KEPT = 0.5  # share of a follow-up's own words (by rarity) the borrowed passage must still hold
# Passages the composer reads (relevance is judged on the first five whatever this is). The article that
# states the number a quantity question asks for can rank just below the fifth; from 5 to 8, LeCoQA
# answers citing a relevant article 522→524 (offline, same retrieval), the bundled sets gain or hold.
PASSAGES = 8
GENERATOR_PASSAGES = 5  # what the LLM prompt was written and checked for
# A question that states where the worker stands (上班4年了) is searched this deep: the composer reads a
# few of the deeper passages when their tier places the worker (`tiers.TIER_EXTRA`).
TIER_DEPTH = 30


class AnswerService:
    """Answers from the documents only. Refuses when the retriever's relevance signal is below `refuse_below`,
    by default the threshold calibrated for the index searched (`HybridRetriever.refuse_below`)."""

    def __init__(
        self,
        retriever: HybridRetriever | LiveIndex,
        generator: LLMGenerator | None = None,
        refuse_below: float | None = None,
        passages: int = PASSAGES,
    ) -> None:
        if refuse_below is not None and not 0.0 <= refuse_below <= 1.0:
            raise ValueError("refuse_below must be within [0, 1]")
        if passages < 1:
            raise ValueError("passages must be at least 1")
        self._source = retriever
        self.generator = generator
        self.refuse_below = refuse_below
        self.passages = passages

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the version live right now."""
        return self._source.retriever() if isinstance(self._source, LiveIndex) else self._source

    @property
    def index_problem(self) -> str:
        """Why the index serving is not the one CURRENT names (a broken version), or ""."""
        return self._source.problem if isinstance(self._source, LiveIndex) else self._source.index.warning

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        *_, final = self.stream(question, history)
        return final

    def stream(self, question: str, history: list[str] | None = None) -> Iterator[Answer]:
        """Partial answers while an LLM writes (text only), then the final answer with citations."""
        started = time.perf_counter()
        retriever = self.retriever  # one index version for the whole answer, even if a swap happens meanwhile
        search_query, found = self._retrieve(retriever, question.strip(), history or [])
        documents, deeper = found[: self.passages], found[self.passages :]
        retrieved = time.perf_counter()
        timings = {"retrieve_ms": (retrieved - started) * 1000}
        if _relevance(documents) < self._threshold(retriever):
            refusal = self._refusal(question, search_query, timings, started)
            refusal.index_version = retriever.index.version
            yield refusal
            return
        if documents and asks_outcome(question, documents[0].metadata.get("kind", "")):
            documents = _with_case_outcomes(retriever, documents)
        composer = ExtractiveComposer(tokenize=retriever.index.keyword.tokenizer)
        answer: Answer | None = None
        if self.generator is not None:
            answer = yield from self._generate(
                self.generator, question, search_query, documents[:GENERATOR_PASSAGES], timings, started
            )
        if answer is None:
            weights = retriever.wording_weights(search_query)
            asked = asked_words(retriever, question, weights)
            answer = composer.compose(question, search_query, weights, documents, deeper, asked)
            if self.generator is not None:
                answer.notice = FALLBACK_NOTICE
            if answer.refused:
                answer.text = REFUSAL
        answer.search_query = search_query
        answer.index_version = retriever.index.version
        _mark_superseded(answer, [*documents, *deeper], retriever.index)
        _note_places_without_rules(answer, retriever.index)
        _note_no_figure(answer)
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        yield answer

    @staticmethod
    def _generate(
        generator: LLMGenerator,
        question: str,
        search_query: str,
        documents: list[Document],
        timings: dict[str, float],
        started: float,
    ) -> Generator[Answer, None, Answer | None]:
        """Yields the growing text; returns the checked answer, or None when the extractive one must stand in."""
        text = ""
        try:
            for token in generator.stream(question, documents):
                if not text:
                    timings["first_token_ms"] = (time.perf_counter() - started) * 1000
                text += token
                yield Answer(question=question, text=text, generator=generator.config.model)
        except Exception as exc:  # any client, network or server failure: fall back, never fail the user
            log.warning("LLM generation failed, falling back to extractive answer: %s", exc)
            return None
        if not text.strip():
            return None
        return generator.finish(question, text, documents, search_query)

    def _retrieve(self, retriever: HybridRetriever, question: str, history: list[str]) -> tuple[str, list[Document]]:
        """(what was searched, what was found). A follow-up is merged with the previous question when it
        cannot stand alone, or when its own evidence is too weak and the merged question's clearly stronger."""

        # deeper for a question that states a number: the composer may read a tier found there
        depth = max(self.passages, TIER_DEPTH) if stated(question) else self.passages

        def search(query: str) -> list[Document]:
            return retriever.invoke(query, k=depth)

        if not history:
            return question, search(question)
        if self.generator is not None:
            try:
                condensed = self.generator.condense(question, history)
                return condensed, search(condensed)
            except Exception as exc:
                log.warning("LLM condense failed, using the rule-based merge: %s", exc)
        merged = merge_follow_up(question, history)
        if needs_context(question):
            return merged, search(merged)
        own = search(question)
        threshold = self._threshold(retriever)
        if _relevance(own) >= threshold or merged == question:
            return question, own
        borrowed = search(merged)
        stronger = _relevance(borrowed) >= max(threshold, _relevance(own) + MERGE_MARGIN)
        if stronger and _words_kept(retriever, question, borrowed) >= OWN_WORDS_KEPT:
            return merged, borrowed
        return question, own

    def _threshold(self, retriever: HybridRetriever) -> float:
        return retriever.refuse_below if self.refuse_below is None else self.refuse_below

    @staticmethod
    def _refusal(question: str, search_query: str, timings: dict[str, float], started: float) -> Answer:
        timings["total_ms"] = (time.perf_counter() - started) * 1000
        return Answer(
            question=question,
            text=REFUSAL,
            refused=True,
            search_query=search_query,
            timings={k: round(v, 2) for k, v in timings.items()},
        )


def _relevance(documents: list[Document]) -> float:
    return documents[0].metadata["relevance"] if documents else 0.0


def _words_kept(retriever: HybridRetriever, question: str, documents: list[Document]) -> float:
    """Share of the question's own words (`rarity_weights`) that the best passage holds.

    A merged search is strong on the previous question's words; it answers the follow-up only if its
    passage still speaks to what the follow-up asks (能休几天 → 产前可以休假; but 年终奖要交多少税 after
    加班费怎么算 would quote the overtime article again). By character, stop characters left out: jieba
    glues 能休 into one word, and 休 inside 休假 counts.
    """
    weights = retriever.rarity_weights(question)
    if not documents or not weights:
        return 0.0
    text = documents[0].page_content.lower()  # the tokenizer lowercases too
    held = 0.0
    for word, weight in weights.items():
        characters = [c for c in word if c not in STOPWORDS] or list(word)
        held += weight * sum(c in text for c in characters) / len(characters)
    return held / sum(weights.values())


def _with_case_outcomes(retriever: HybridRetriever, documents: list[Document]) -> list[Document]:
    """Each case passage followed by its case's outcome section (处理结果, 裁判结果), carrying that passage's
    scores: a question on how a case ended names the case by its facts, so the facts are what rank. An
    outcome the search found further down moves up too, or the answer would depend on whether the search
    happened to reach it at eighth place or not at all."""
    out: list[Document] = []
    placed: set[str | None] = set()
    for document in documents:
        if document.id in placed:
            continue
        out.append(document)
        placed.add(document.id)
        if document.metadata.get("kind") == CASE:
            outcomes = [s for s in retriever.sections(document, OUTCOME_HEADING) if s.id not in placed]
            placed.update(s.id for s in outcomes)
            out.extend(outcomes)
    return out


def _mark_superseded(answer: Answer, documents, index) -> None:
    """A citation of an older version of a law says that a newer one exists."""
    superseded = index.superseded
    doc_of = {d.id: d.metadata["doc_id"] for d in documents}
    notes = [answer.notice] if answer.notice else []
    for i, citation in enumerate(answer.citations):
        newer_id = superseded.get(doc_of.get(citation.chunk_id, ""))
        newer = index.document(newer_id) if newer_id else None
        if newer:
            label = f"《{newer['title']}》（{newer['date']}）"
            answer.citations[i] = replace(citation, newer_version=label)
            notes.append(f"[{citation.n}] 引用的是旧版本，已有新版本{label}")
    answer.notice = "；".join(notes)


def _note_places_without_rules(answer: Answer, index) -> None:
    """A question about a place none of whose rules the index holds (深圳, 广东的工会条例) is answered by national
    law only: the answer says so rather than let it pass for that place's own rule."""
    asked = places_in(answer.question + " " + answer.search_query)  # as the composer reads it
    if answer.refused or not asked or any(c.region for c in answer.citations):
        return
    missing = [place for place in asked if not any(rule.covers(place) for rule in index.rule_places)]
    if missing:
        note = f"知识库里没有{'、'.join(p.name for p in missing)}的地方性规定，所引均为全国适用的规定"
        answer.notice = "；".join(filter(None, [note, answer.notice]))


NO_FIGURE_NOTE = "所引条文没有写明所问的具体数字"


def _note_no_figure(answer: Answer) -> None:
    """A question asking for a figure (北京现在最低工资一个月多少钱) that no quoted sentence states is told so,
    rather than left to take a provision about the topic (最低工资的具体标准由省、自治区、直辖市人民政府规定) for it."""
    form = answer_form(answer.question)
    if answer.refused or form is None or not answer.citations:
        return
    # what the worker reads: the quotes, or a generator's own sentences (checked against the passages)
    said = [c.quote for c in answer.citations] if answer.generator == "extractive" else [answer.text]
    if not any(form.search(text) for text in said):
        answer.notice = "；".join(filter(None, [NO_FIGURE_NOTE, answer.notice]))


def asked_words(retriever: HybridRetriever, question: str, weights: dict[str, float]) -> frozenset[str]:
    """The search words (of `weights`) that the question's closing asking sentences hold, as the composer
    weighs them (`asking_sentences`); none for a question that only asks."""
    asking = asking_sentences(question)
    return frozenset(retriever.wording_weights(asking)) & set(weights) if asking else frozenset()


def build_service(settings, embedder=None, building=None) -> AnswerService:
    """The service the app, the CLI and eval use: live index, configured embedder, optional LLM.

    `building` (index.progress.BuildProgress): the first index is being built; questions meanwhile
    raise index.live.IndexBuilding instead of the service failing to start."""
    from answer.llm import LLMConfig
    from index.embedders import make_embedder

    generator = None
    if settings.llm_enabled:
        config = LLMConfig(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s)
        generator = LLMGenerator(config)
    from index.stores import make_store

    live = LiveIndex(make_store(settings), embedder or make_embedder(settings.embed_model), building)
    return AnswerService(live, generator, settings.refuse_below)
