"""The offline answer: the provision that answers the question, quoted verbatim, with its source and scope.

The answer opens with one line naming what it quotes and how far that reaches — 《劳动合同法》
第三十八条（全国）, 《上海市工会条例》第四十六条（上海市地方性法规）. Then the best article's
relevant 款 or 项 (with its lead-in) — the whole article when it is short and not a list of items —
then at most two further articles that add to it (the compensation article after the resignation
article). Every quoted span is an exact span of the
passage it cites; spans of one passage that are not adjacent are joined by "……". Units are scored
by how much of the question's idf-weighted vocabulary they hold; quantity questions favour a unit
with the number, yes/no questions the unit that says 可以/应当/不得, who/where questions the unit that
names the party or authority (由…承担, 向…申请), and a question that states where the worker stands
(签了两年的合同) the unit whose tier holds it (一年以上不满三年的). A case answers with its ruling, not with
its facts. A "which ones" question (有哪些情形) gets the answering item's whole list, as far as it fits.
Amendment records, commencement clauses and other regions' rules are left out. Each 款 or item quoted
opens a line, as the statute sets it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from langchain_core.documents import Document

from answer.citing import citation_for, source_line
from answer.provisions import (
    ITEM_RE,
    Unit,
    is_history,
    list_goes_on,
    merged_spans,
    quoted_length,
    quoted_texts,
    repeats,
    runs,
    units,
    whole_article,
    with_list_items,
)
from answer.questions import (
    NAMES_WHO_RE,
    answer_form,
    asks_facts,
    asks_outcome,
    asks_when,
    asks_which,
    asks_yes_no,
    who_form,
)
from answer.records import Answer
from answer.tiers import Standing, closer_tiers, without_tiers
from ingest.records import CASE
from ingest.regions import applies_in, places_in
from ingest.splitter import same_law_references

__all__ = ["ExtractiveComposer"]

OUTCOME_HEADING = "结果"  # 处理结果, 裁判结果: how a case ended
# A case's facts and claims (基本案情, 申请人请求, 原告诉讼请求) restate a situation like the worker's, so they
# match the question best and answer nothing: they are quoted only when nothing else read answers, or
# when the question asks what happened in the case.
_FACTS_HEADING_RE = re.compile(r"案情|请求")
# A question word found only in the passage's headings, title or region counts for half: the quoted
# text itself must carry the answer (every article under 第五节 裁决 "has" 裁决).
CONTEXT_SHARE = 0.5
# When some unit has the form the question asks for (a number in the asked unit, a case's outcome
# section), the units that do not keep this share of their score: that one comes first unless much weaker.
FORM_MISS = 0.6
# what a provision may, must or must not do; a ruling says it as 应予支持 / 应认定…无效
_MODAL_RE = re.compile(r"可以|应当|不得|有权|无权|禁止|必须|不应|不能|应予|应认定|无效")
WHO_BONUS = 0.1
# A unit whose tier (一年以上不满三年, 一百人以下) holds a number the question states (签了两年的合同,
# 八十多个工人) is the rule for this worker, not the general one beside it (试用期最长不得超过六个月).
TIER_BONUS = 0.15
ELLIPSIS = "……"
# A search word from the asking sentence counts this many times its weight when units are compared: the
# situation before it (公司说只按最低工资发) matches provisions about the situation, not about what is asked.
ASKED_WEIGHT = 2.0


@dataclass(frozen=True)
class _Candidate:
    passage: int
    unit: Unit
    score: float  # idf share of the question the unit (with its lead-in) holds, plus form bonuses
    covered: frozenset[str]
    states_form: bool = False  # has the form the question asks for: a number, a case's outcome
    ruling: bool = False  # the outcome of the case an outcome question is answered by
    retold: bool = False  # a case's facts or claims: quoted only when nothing else answers
    refers: frozenset[str] = frozenset()  # for an item: the articles of its own document it names (本法第三十八条)
    settles: bool = False  # for a yes/no question: says what may, must or must not be (可以, 应当, 应认定无效)


@dataclass(frozen=True)
class ExtractiveComposer:
    tokenize: Callable[[str], list[str]]
    max_chars: int = 420  # quoted characters in all
    max_passages: int = 3  # the best article and at most two that add to it
    # A further article's unit must score this share of the best. From 0.6 to 0.2 (`make eval-laws`): answers
    # citing a relevant article 483→518 of 1,094, METEOR 0.203→0.216, dev unchanged. Shares from 0.3 down
    # to 0.01 measured within 2 citations and 0.002 METEOR of each other; 0.2 sits inside that plateau.
    min_relative_score: float = 0.2

    def __post_init__(self) -> None:
        if self.max_chars < 40 or self.max_passages < 1 or not 0 < self.min_relative_score <= 1:
            raise ValueError("max_chars ≥ 40, max_passages ≥ 1 and 0 < min_relative_score ≤ 1 required")

    def compose(
        self,
        question: str,
        search_query: str,
        weights: dict[str, float],
        documents: list[Document],
        deeper: Sequence[Document] = (),
        asked: frozenset[str] = frozenset(),
    ) -> Answer:
        """`weights`: each search token's weight (idf, less for colloquial-table guesses), as the retriever used,
        and the worker's own words the table stood in for (`HybridRetriever.wording_weights`).
        `deeper`: passages found below `documents`, read only for a tier that places the worker (`closer_tiers`).
        `asked`: the search tokens of the question's asking sentences (`asking_sentences`), weighed
        `ASKED_WEIGHT` times."""
        best = documents[0].page_content if documents else ""
        standing = Standing.of(question, self.tokenize, list(weights), best)
        documents = [*documents, *closer_tiers(standing, documents, deeper)]
        emphasised = {t: w * (ASKED_WEIGHT if t in asked else 1.0) for t, w in weights.items()}
        candidates = self._candidates(question, search_query, emphasised, documents, standing)
        chosen = self._choose(candidates, documents, whole_list=asks_which(question))
        if not chosen:
            return Answer(question=question, text="", refused=True, search_query=search_query)
        quoted = {(p, u) for p, units_ in chosen for u in units_}
        covered = set().union(*(c.covered for c in candidates if (c.passage, c.unit) in quoted))
        support = sum(weights[t] for t in covered) / (sum(weights.values()) or 1.0)
        numbers: dict[int, int] = {}
        lines: list[str] = []
        quotes: dict[int, list[str]] = {}
        for passage, passage_units in chosen:
            n = numbers.setdefault(passage, len(numbers) + 1)
            text = documents[passage].page_content
            spans = merged_spans(span for unit in passage_units for span in unit.spans())
            pieces = [text[s:e] for s, e in spans]
            joined = pieces[0]
            for (_, previous_end), (start, _), piece in zip(spans[:-1], spans[1:], pieces[1:], strict=True):
                adjacent = not text[previous_end:start].strip() and start - previous_end < 4
                # a 款 or an item of a list opens a line of its own, as the statute sets it
                opens = text[start - 1] == "\n"
                joined += ("\n" if opens else "") + ("" if adjacent else ELLIPSIS) + piece
            if list_goes_on(text, spans[-1]):
                joined += ELLIPSIS  # a list quoted in part does not look whole
            lines.append(f"{joined}[{n}]")
            quotes[passage] = pieces
        citations = [citation_for(documents[p], n, "\n".join(quotes[p])) for p, n in numbers.items()]
        text = source_line(citations) + "\n" + "\n".join(lines)
        answer = Answer(question=question, text=text, citations=citations, search_query=search_query)
        answer.support = round(support, 4)
        return answer

    def _candidates(
        self,
        question: str,
        search_query: str,
        weights: dict[str, float],
        documents: list[Document],
        standing: Standing,
    ) -> list[_Candidate]:
        total = sum(weights.values()) or 1.0
        wanted = answer_form(question)
        outcome = asks_outcome(question, documents[0].metadata.get("kind", "") if documents else "")
        facts_answer = asks_facts(question)
        # the case the retriever ranks best is the one whose ruling answers (有没有类似的案例 wants one case,
        # not the ruling of an unrelated one read further down)
        first_case = next((d.metadata.get("doc_id") for d in documents if d.metadata.get("kind") == CASE), None)
        wants_yes_no = asks_yes_no(question)
        who = who_form(question)
        wants_when = asks_when(question)
        named = places_in(question + " " + search_query)
        found = []
        scopes = [_rank_and_scope(i, d.metadata.get("region", ""), bool(named)) for i, d in enumerate(documents)]
        priors = _priors(documents, scopes)
        # an article's consequence may sit in another that names it (第四十六条's item 劳动者依照本法第三十八条规定
        # 解除劳动合同的 pays the compensation for 第三十八条): such an item is vouched for as the article it names
        vouching: dict[tuple[str, str], float] = {}
        for document, prior in zip(documents, priors, strict=True):
            key = _article_key(document)
            if all(key):  # a passage without a document or article label names nothing another can refer to
                vouching[key] = max(vouching.get(key, 0.0), prior)
        for passage, document in enumerate(documents):
            region = document.metadata.get("region", "")
            if region and named and not applies_in(region, named):
                continue  # another region's rule does not answer a question about this one
            prior, rank_and_scope = priors[passage], scopes[passage]
            doc_id, article = _article_key(document)
            text = document.page_content
            # A question's words may be satisfied by where the passage sits: its title and headings, its
            # region, the kind of document it is (文章, 案例…).
            headings = document.metadata.get("heading_path", ())
            is_case = document.metadata.get("kind") == CASE
            in_outcome = (
                outcome
                and is_case
                and document.metadata.get("doc_id") == first_case
                and any(OUTCOME_HEADING in heading for heading in headings[1:])
            )
            in_facts = (
                is_case and not facts_answer and any(_FACTS_HEADING_RE.search(heading) for heading in headings[1:])
            )
            where = [*headings, region, document.metadata.get("kind", "")]
            context = set(self.tokenize(" ".join(where)))
            for unit in units(text):
                own = text[unit.start : unit.end]
                if not wants_when and is_history(own):
                    continue
                lead_in = text[slice(*unit.lead_in)] if unit.lead_in else ""
                # A search word counts where the quoted text (an item with its lead-in) contains it, however
                # the tokenizer cut that text (社会保险 inside 社会保险费); single characters must be words.
                body = lead_in + own
                words = set(self.tokenize(body))
                present = {t for t in weights if t in words or (len(t) > 1 and t in body)}
                covered = frozenset(t for t in weights if t in present or t in context)
                score = sum(weights[t] * (1.0 if t in present else CONTEXT_SHARE) for t in covered) / total
                # a worker who says where they stand asks what the rule sets there, not a tier's bound (一百人以上的)
                setting = without_tiers(own) if standing.quantities else own
                states = in_outcome or (wanted is not None and bool(wanted.search(setting)))
                if states:
                    score += 0.15
                settles = wants_yes_no and bool(_MODAL_RE.search(body))
                if settles or (wants_yes_no and NAMES_WHO_RE.search(body)):
                    score += 0.1
                if who is not None and who.search(body):
                    score += WHO_BONUS
                # only an item names a case by its article (（一）劳动者依照本法第三十八条规定解除劳动合同的): elsewhere
                # a reference borrows a measure (依照本法第四十七条规定的经济补偿标准的二倍) and is no consequence
                refers = frozenset(same_law_references(own) - {article}) if ITEM_RE.match(own) else frozenset()
                vouched = max([prior, *(vouching.get((doc_id, label), 0.0) for label in refers)])
                tier = standing.tier(body)
                if tier is not None:
                    score += TIER_BONUS
                    # the ranker cannot see that this tier holds the worker's number more closely than the
                    # best passage does (已满1年不满10年 against 一年以上): its gap does not count then
                    if standing.closer(tier):
                        vouched = max(vouched, rank_and_scope)
                found.append(
                    _Candidate(passage, unit, score * vouched, covered, states, in_outcome, in_facts, refers, settles)
                )
        # a unit without the number cannot say how many, nor a case's reasoning how it ended
        if any(c.states_form for c in found):
            found = [c if c.states_form else replace(c, score=c.score * FORM_MISS) for c in found]
        return found

    def _choose(
        self, candidates: list[_Candidate], documents: list[Document], whole_list: bool = False
    ) -> list[tuple[int, list[Unit]]]:
        """The best unit (and a sibling item or 款 that scores nearly as well), then units of further
        passages that score well and cover question words the answer does not have yet. A short article
        that is not a list is quoted whole, around the units chosen (`whole_article`). `whole_list`: the
        question asks which ones (有哪些情形), so a best unit that is an item comes with its list's other items."""
        # Whether the passages answer at all is the retriever's calibrated relevance; here a unit answers
        # only if it (or where it sits: title, headings) holds some word of the question, however its form
        # bonuses score it. A fixed floor on the idf share (0.15) refused long everyday questions whose
        # unseen words (先问, 还要) weigh most: 15 answerable LeCoQA questions and two of the bundled sets',
        # against 6 of the 1,168 off-topic ones on the bundled index.
        candidates = [c for c in candidates if c.covered]
        candidates = [c for c in candidates if not c.retold] or candidates
        if not candidates:
            return []
        # how a case ended is its ruling, however much more of the question the reasoning repeats
        best = max([c for c in candidates if c.ruling] or candidates, key=lambda c: c.score)
        same = [c for c in candidates if c.passage == best.passage and c.unit != best.unit]
        best_text = documents[best.passage].page_content
        # The best unit is (part of) a 下列情形 lead-in: quote the lead-in with the item that answers. (A 款 that
        # applies the best one, 依前款规定…, joins only on its own merit, as a sibling below.)
        items = [
            c
            for c in same
            if c.unit.lead_in
            and c.unit.lead_in[0] < best.unit.end
            and best.unit.start < c.unit.lead_in[1]
            and ITEM_RE.match(best_text, c.unit.start)
        ]
        if items:
            best = max(items, key=lambda c: c.score)
            same = [c for c in same if c.unit != best.unit]
        main = [best.unit]
        covered = set(best.covered)
        if whole_list:
            main = with_list_items(best_text, main, self.max_chars)
            covered |= {t for c in same if c.unit in main for t in c.covered}
        length = quoted_length(best_text, main)
        for sibling in sorted(same, key=lambda c: -c.score):
            if sibling.score >= 0.8 * best.score and not sibling.covered <= covered:
                grown = quoted_length(best_text, [*main, sibling.unit])
                if grown <= self.max_chars:
                    main.append(sibling.unit)
                    covered |= sibling.covered
                    length = grown
                break
        whole = _whole(documents[best.passage])
        if whole and quoted_length(best_text, [*main, *whole]) <= self.max_chars:
            # Quoted for its context; what it answers is still the units chosen above (kept even when
            # the whole leaves them out: a commencement clause a question on 施行 asks for).
            main = list(dict.fromkeys([*main, *whole]))
            length = quoted_length(best_text, main)
        chosen = [(best.passage, sorted(main, key=lambda u: u.start))]
        # a yes/no answer that quotes no may/must yet (a case's ruling: 裁决…支付) is completed by a unit that
        # says one (约定放弃加班费的协议…应认定无效), though it repeats the question's words
        settled = any(c.settles for c in candidates if c.passage == best.passage and c.unit in main)
        quoted = {best_text[u.start : u.end] for u in main}
        said = runs(quoted_texts(best_text, main))  # for `repeats`, lead-ins included
        # An article that defers to another (依照本法第四十七条规定的经济补偿标准的二倍) is completed by it: that
        # one is read next, though it repeats the question's words rather than adding to them.
        deferred = _deferred_to(documents, best.passage, quoted)
        # An article that names one quoted (第四十六条's 依照本法第三十八条规定解除劳动合同的 after 第三十八条) is its
        # consequence: read before the others, when it adds to the answer.
        cited = {_article_key(documents[best.passage])}

        def completes(candidate: _Candidate) -> bool:
            doc_id = _article_key(documents[candidate.passage])[0]
            return bool(doc_id) and any((doc_id, label) in cited for label in candidate.refers)

        rest = sorted(candidates, key=lambda c: -c.score)
        while len(chosen) < self.max_passages:
            picked = None
            taken = {p for p, _ in chosen}
            for candidate in sorted(rest, key=lambda c: (c.passage not in deferred, not completes(c))):
                too_weak = candidate.score < self.min_relative_score * best.score
                if too_weak or candidate.passage in taken:
                    continue
                text = documents[candidate.passage].page_content
                adds = not candidate.covered <= covered or (candidate.settles and not settled)
                own = text[candidate.unit.start : candidate.unit.end]
                # a case or prose passage citing a provision already quoted restates it (a statute's parallel
                # article for another subject, 刑法 第一百六十七条 beside 第四百零六条, is a rule of its own)
                retells = not documents[candidate.passage].metadata.get("article") and repeats(own, said)
                if own in quoted or retells or (not adds and candidate.passage not in deferred):
                    continue
                quote = [candidate.unit]
                # whole, less what the answer already quotes word for word (a local rule restating the law)
                whole = [u for u in _whole(documents[candidate.passage]) or [] if text[u.start : u.end] not in quoted]
                if candidate.unit in whole and length + quoted_length(text, whole) <= self.max_chars:
                    quote = whole
                elif whole_list:
                    quote = with_list_items(text, quote, self.max_chars - length)
                if length + quoted_length(text, quote) <= self.max_chars:
                    picked = candidate, quote
                    break
            if picked is None:
                break
            candidate, quote = picked
            text = documents[candidate.passage].page_content
            chosen.append((candidate.passage, sorted(quote, key=lambda u: u.start)))
            quoted |= {text[u.start : u.end] for u in quote}
            said |= runs(quoted_texts(text, quote))
            covered |= candidate.covered
            settled |= candidate.settles
            length += quoted_length(text, quote)
            cited.add(_article_key(documents[candidate.passage]))
        return chosen


def _article_key(document: Document) -> tuple[str, str]:
    return document.metadata.get("doc_id", ""), document.metadata.get("article", "")


def _rank_and_scope(passage: int, region: str, names_a_region: bool) -> float:
    """A local rule answers a question that names no region only when nothing national does as well."""
    return (0.8 if region and not names_a_region else 1.0) / (1.0 + 0.05 * passage)


def _priors(documents: list[Document], scopes: list[float]) -> list[float]:
    """How far the retriever vouches for each passage: its score gap to the best passage, read as how much more
    likely it is the better one (the learned ranker's scores are log-odds-like), times its rank and scope."""
    best_score = float(documents[0].metadata.get("score", 0.0)) if documents else 0.0
    gaps = [float(d.metadata.get("score", best_score)) - best_score for d in documents]
    return [2.0 / (1.0 + math.exp(-gap)) * scope for gap, scope in zip(gaps, scopes, strict=True)]


def _deferred_to(documents: list[Document], passage: int, quoted: set[str]) -> set[int]:
    """The passages holding an article of the same document that the quoted text refers to (本法第X条)."""
    named = {label for text in quoted for label in same_law_references(text)}
    doc_id = documents[passage].metadata.get("doc_id")
    return {
        i
        for i, d in enumerate(documents)
        if i != passage and d.metadata.get("doc_id") == doc_id and d.metadata.get("article") in named
    }


def _whole(document: Document) -> list[Unit] | None:
    """An article quoted whole when short (`whole_article`); not a piece of a long article split on its 款,
    nor prose or a case (no article label)."""
    meta = document.metadata
    return whole_article(document.page_content) if meta.get("article") and not meta.get("part") else None
