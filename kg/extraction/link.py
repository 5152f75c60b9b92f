"""Stage 3c, link: which plans answer which problems, which measures already work on them, and the gaps.

Every (plan, problem) and (measure group, problem) pair of one report is scored
by a weighted mean of three components, each in [0, 1]:

``terms``
    How much of the problem's key vocabulary the candidate uses: the
    idf-weighted share of the problem's terms found in the candidate's text.
    Terms are jieba's words (domain dictionary loaded) that name a topic —
    adverbs, adjectives, idioms, numerals … and the generic report verbs of
    ``data/lexicon/link_stopwords.txt`` dropped — plus the two-letter parts of
    compounds (``综合行政执法`` → ``执法``). The idf is BM25's
    (``rank_bm25.BM25Okapi``) over all items of the report, so words the
    report uses everywhere count for little.
``theme``
    Whether the headings agree: the idf-weighted cosine between the problem's
    heading terms (its area heading and its own title) and the candidate's
    (a plan's title; a measure group's heading).
``entities``
    The idf-weighted share of the entities the problem mentions (``mentions``
    relations) that the candidate mentions too — an entity named all over the
    report (the government itself) counts for little; left out of the mean
    when the problem mentions none.

``addresses`` (plan → problem): kept when the score reaches
:data:`ADDRESSES_THRESHOLD`, or when the two are each other's best match (the
problem's best plan, or the plan's best problem) and the score clears
:data:`BEST_MATCH_FLOOR`.

``works_on`` (measure → problem): a measure is one sentence, too short to
judge alone, so the measures of a group are pooled. A group works on a
problem when the pooled score reaches :data:`WORKS_ON_THRESHOLD` and at least
:data:`RELATIVE_TO_BEST` of the best group's score for that problem; each
measure of the group that shares key terms with the problem then gets a link,
scored by its own score (its group's score is kept as the ``group`` component).
Measures outside any group are judged alone against the same threshold.

A plan *continues* a measure group when plan and pooled group, compared
either way round, score at least :data:`CONTINUES_THRESHOLD`; groups that no
plan continues are gaps.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat

from kg.extraction.rules import compiled, word_list
from kg.model import Extraction, Gaps, Item, Link, Span

__all__ = ["link_items", "score_pair", "item_terms", "WEIGHTS", "ADDRESSES_THRESHOLD", "BEST_MATCH_FLOOR",
           "WORKS_ON_THRESHOLD", "RELATIVE_TO_BEST", "CONTINUES_THRESHOLD", "METHOD", "EXACT_PAIRS", "SHORTLIST"]

# Weights and thresholds were chosen on the synthetic fixtures
# (tests/fixtures/links-*.txt, five house styles), never on the bundled report:
# - terms carry half the weight because the body of a plan restates the
#   problem's concrete nouns (执法证件 → 执法资格考试, 调解员 → 调解员) far more
#   reliably than its heading does;
# - theme gets 0.3: headings are short and sometimes generic (加强执法监督),
#   but when a plan's title and a problem's heading share a content word they
#   almost always belong together;
# - entities get 0.2, and only when the problem names one, because entity
#   recognition is the least complete of the three signals.
WEIGHTS = {"terms": 0.5, "theme": 0.3, "entities": 0.2}
# On the fixtures the (plan, problem) pairs a person links score 0.27-0.75 and
# all other pairs 0-0.07: 0.18 keeps every clear pair on its own.
ADDRESSES_THRESHOLD = 0.18
# Absolute scores shrink as a report grows (more items share each word, plans
# get longer), so a mutual best match is kept above a floor. On the fixtures
# the best match of a problem or plan that has none scores at most 0.06; 0.10
# stays clear of that and well under the weakest genuine pair.
BEST_MATCH_FLOOR = 0.10
# Pooled groups: linked pairs score 0.17-0.42 on the fixtures, the others
# 0-0.11; 0.15 lies between.
WORKS_ON_THRESHOLD = 0.15
# Shared incidental words (能力, 基层) give distant groups a fair score too; a
# group scoring under half of the closest group's score is not counted.
RELATIVE_TO_BEST = 0.5
# Plan and group are compared both ways (each as the "problem") and the better
# score counts: on the fixtures a plan and the group it carries on score
# 0.09-0.35, unrelated ones 0-0.05.
CONTINUES_THRESHOLD = 0.08
# Linking is linear in the text (issue 17): up to EXACT_PAIRS pairs of one kind (a long
# report has a few thousand) every pair is scored; above, a problem is scored against
# the SHORTLIST candidates that share most of its RARE_WORDS rarest words, found among
# the NEAREST such candidates on either side of it in the text.
EXACT_PAIRS = 40_000
RARE_WORDS = 12
NEAREST = 6
SHORTLIST = 24
METHOD = ("weighted mean (terms 0.5, theme 0.3, entities 0.2) of idf-weighted term coverage "
          "(jieba words, BM25 idf over the report's items), heading-theme cosine and shared entities")

_POOLED_METHOD = METHOD + "; measures pooled by group"
_ENTITY = "entity:"
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]{2,}")
# jieba part-of-speech flags (ICTCLAS) of words that say how, how much or how
# bad rather than what about: adverbs, adjectives, idioms, conjunctions,
# prepositions, particles, numerals, measure words, pronouns, punctuation.
# Nominal adjectives (an, 矛盾) and verbal nouns (vn) stay.
_NOT_TOPICAL = frozenset({"d", "a", "ad", "ag", "dg", "i", "c", "p", "m", "mq", "q", "x", "y", "e", "o",
                          "zg", "f", "t", "tg", "z", "h", "k"})
_NOT_TOPICAL_PREFIXES = ("u", "r")


@compiled
def _stopwords() -> frozenset[str]:
    return frozenset(word_list("link_stopwords.txt"))


def item_terms(text: str) -> list[str]:
    """Content words of a text, with the dictionary words that long compounds are made of.

    jieba (precise mode) segments the text and its dictionary tags the words;
    adverbs, adjectives, idioms, conjunctions, numerals and the like describe
    how bad or how much rather than what about, and are dropped with the stop
    words. A compound of three or more letters also yields its leading
    two-letter head and, from four letters on, its two-letter parts, when
    jieba knows them as words (行政执法人员 → 行政, 执法, 人员), so that
    ``执法人员`` and ``执法队伍`` share ``执法``.

    >>> item_terms("基层执法人员业务能力普遍不足")
    ['基层', '执法人员', '执法', '人员', '业务', '能力']
    """
    import jieba

    from kg.extraction.nlp import load_domain_dictionary

    load_domain_dictionary()
    return _content_terms(jieba.cut(text))


def _content_terms(words: Iterable[str], seen: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The terms of ``words``; ``seen`` remembers each word's, for the words a report repeats."""
    import jieba

    from kg.extraction.nlp import word_tags

    seen = {} if seen is None else seen
    # Tags come from the dictionary: jieba.posseg's own cut runs an HMM over every
    # sentence and costs ten times the segmentation. Words the dictionary lacks
    # (new compounds found by jieba's HMM) are content words.
    tags, known, stop = word_tags(), jieba.dt.FREQ, _stopwords()
    out: list[str] = []
    for word in words:
        terms = seen.get(word)
        if terms is None:
            flag = tags.get(word, "n")
            if (not _WORD.fullmatch(word) or word in stop or flag in _NOT_TOPICAL
                    or flag.startswith(_NOT_TOPICAL_PREFIXES)):
                terms = ()
            else:
                terms = (word, *(part for part in _parts(word) if part != word and known.get(part) and part not in stop))
            seen[word] = terms
        out.extend(terms)
    return out


_PIECE_CACHE = 65_536


class _SpanTerms:
    """Content words of any span of the report, from its one segmentation (shared with entities).

    Items and headings are spans of the text: slicing the report's words costs
    nothing, where segmenting each piece again would cost as much as the report.
    """

    def __init__(self, text: str) -> None:
        from kg.extraction.nlp import ONE_PASS_LIMIT, word_spans

        self.text = text
        self.whole = len(text) <= ONE_PASS_LIMIT
        self.starts, self.ends = word_spans(text) if self.whole else ((), ())
        self.seen: dict[str, tuple[str, ...]] = {}
        self.pieces: dict[str, list[str]] = {}  # a huge text's items, by their text: pasted texts repeat

    def __call__(self, span: Span) -> list[str]:
        if self.whole:
            return _content_terms(self.words(span), self.seen)
        terms = self.pieces.get(span.text)
        if terms is None:
            import jieba

            terms = _content_terms(jieba.cut(span.text), self.seen)
            if len(self.pieces) < _PIECE_CACHE:
                self.pieces[span.text] = terms
        return list(terms)

    def words(self, span: Span) -> list[str]:
        """The report's words within ``span``; a word cut by a span end is cut there too."""
        low, high = bisect_left(self.starts, span.start), bisect_left(self.starts, span.end)
        text = self.text
        words = [text[s:e] for s, e in zip(self.starts[low:high], self.ends[low:high])]
        if words and self.ends[high - 1] > span.end:  # only the last word can run past the span
            words[-1] = text[self.starts[high - 1]:span.end]
        if low and self.ends[low - 1] > span.start:  # and only one word can run into it from before
            words.insert(0, text[span.start:min(self.ends[low - 1], span.end)])
        return words


def _parts(word: str) -> list[str]:
    """Two-letter heads and parts of a compound: 负责人 → 负责; 综合行政执法 → 综合, 行政, 执法."""
    if len(word) == 3:
        return [word[:2]]
    if len(word) % 2 == 0:
        return [word[i:i + 2] for i in range(0, len(word), 2)]
    return [word[i:i + 2] for i in range(0, len(word) - 3, 2)] + [word[-3:]]


@dataclass
class _Profile:
    """What one item (or measure group) is compared by."""

    id: str
    terms: frozenset[str]
    heading: frozenset[str]
    entities: frozenset[str]
    position: int = 0  # where it starts in the text


def _weight(terms: Iterable[str], idf: dict[str, float]) -> float:
    return sum(map(idf.get, terms, repeat(0.0)))  # idf.get(term, 0.0) for each, without a Python loop


class _Idf(dict):
    """An idf table that remembers the weight of whole term sets: every pair reuses them."""

    def __init__(self, table: dict[str, float]) -> None:
        super().__init__(table)
        self.sums: dict[frozenset[str], float] = {}

    def total(self, terms: frozenset[str]) -> float:
        total = self.sums.get(terms)
        if total is None:
            total = self.sums[terms] = _weight(terms, self)
        return total


def score_pair(problem: _Profile, candidate: _Profile, idf: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The score of ``candidate`` (plan, measure or group) answering ``problem``, with its components."""
    totals = idf.total if isinstance(idf, _Idf) else (lambda terms: _weight(terms, idf))
    components: dict[str, float] = {}
    total = totals(problem.terms)
    components["terms"] = _weight(problem.terms & candidate.terms, idf) / total if total else 0.0
    norm = math.sqrt(totals(problem.heading) * totals(candidate.heading))
    components["theme"] = _weight(problem.heading & candidate.heading, idf) / norm if norm else 0.0
    total = totals(problem.entities)
    if total:
        components["entities"] = _weight(problem.entities & candidate.entities, idf) / total
    weight = sum(WEIGHTS[name] for name in components)
    score = sum(WEIGHTS[name] * value for name, value in components.items()) / weight
    return min(1.0, max(0.0, score)), components


def link_items(extraction: Extraction) -> tuple[list[Link], Gaps]:
    """Score plans and measures against problems; keep the links; name the gaps.

    >>> from kg.pipeline import extract_text
    >>> x = extract_text("一、工作情况\\n(一)化解纠纷。调解矛盾纠纷120件。\\n二、存在问题\\n一是人民调解员数量偏少,矛盾纠纷调解不及时;"
    ...                  "二是政务公开不及时。\\n三、下步安排\\n一是充实人民调解员队伍。\\n二是建设法治文化公园。")
    >>> [(l.source, l.relation, l.target) for l in x.links]
    [('plan-1', 'addresses', 'problem-1'), ('measure-1', 'works_on', 'problem-1')]
    >>> x.gaps.problems_without_plan, x.gaps.plans_without_problem
    (['problem-2'], ['plan-2'])
    """
    problems, plans, measures = extraction.problems, extraction.plans, extraction.measures
    span_terms = _SpanTerms(extraction.text)
    for item in extraction.items:  # kept on the items: comparisons across reports use them too
        item.terms = span_terms(item.span)
    terms = {item.id: item.terms for item in extraction.items}
    if not problems and not plans:
        # Nothing to link: every measure group lacks a plan.
        return [], Gaps(groups_without_plan=list(dict.fromkeys(m.group_id for m in measures if m.group_id)))
    mentions: dict[str, set[str]] = {}
    for relation in extraction.relations:
        if relation.relation == "mentions":
            # Prefixed so that an entity id never meets a word in the shared idf table.
            mentions.setdefault(relation.source, set()).add(_ENTITY + relation.target)
    headings = {section.id: section.heading for section in extraction.sections}
    idf = _idf([terms[item.id] for item in extraction.items])
    idf.update(_idf([sorted(mentions.get(item.id, ())) for item in extraction.items]))
    idf = _Idf(idf)
    heading_terms: dict[Span, frozenset[str]] = {}  # headings repeat: a group's, a problem area's

    def profile(item: Item, heading_spans: list[Span | None]) -> _Profile:
        heading: set[str] = set()
        for span in heading_spans:
            if span:
                if span not in heading_terms:
                    heading_terms[span] = frozenset(span_terms(span))
                heading |= heading_terms[span]
        return _Profile(item.id, frozenset(terms[item.id]), frozenset(heading), frozenset(mentions.get(item.id, ())),
                        item.span.start)

    problem_profiles = [profile(p, [headings.get(p.group_id), _title(p)]) for p in problems]
    plan_profiles = [profile(p, [_title(p)]) for p in plans]
    measure_profiles = [profile(m, [headings.get(m.group_id)]) for m in measures]
    groups = _pool_groups(measures, measure_profiles)

    links = _addresses(plan_profiles, problem_profiles, idf)
    links += _works_on(measures, measure_profiles, groups, problem_profiles, idf)
    answered = {link.target for link in links if link.relation == "addresses"}
    answering = {link.source for link in links if link.relation == "addresses"}
    continued = _continued(groups, plan_profiles, idf)
    gaps = Gaps(
        problems_without_plan=[p.id for p in problems if p.id not in answered],
        plans_without_problem=[p.id for p in plans if p.id not in answering],
        groups_without_plan=[group.id for group in groups if group.id not in continued],
    )
    return links, gaps


class _Shortlist:
    """Which candidates are scored against a problem (or a group, or a plan).

    In a report of ordinary size every one is (at most :data:`EXACT_PAIRS`
    pairs). In a huge text (a corpus pasted into one file) the candidates are
    those that share one of the problem's rarest words, the
    :data:`NEAREST` such candidates on either side of it in the text, and of
    those the :data:`SHORTLIST` sharing the most weight — so the pairs
    scored, the time and the memory grow linearly with the text.
    """

    def __init__(self, candidates: list[_Profile], subjects: int, idf: _Idf) -> None:
        self.candidates = candidates
        self.everything = list(range(len(candidates)))
        self.exact = subjects * len(candidates) <= EXACT_PAIRS
        self.idf = idf
        if not self.exact:
            self.positions = [c.position for c in candidates]
            self.postings: dict[str, list[int]] = {}
            for index, candidate in enumerate(candidates):
                for key in candidate.terms | candidate.heading | candidate.entities:
                    self.postings.setdefault(key, []).append(index)

    def __call__(self, subject: _Profile) -> list[int]:
        """Indices (in text order) of the candidates to score against ``subject``."""
        if self.exact:
            return self.everything
        idf, shared = self.idf, {}
        keys = sorted(subject.terms | subject.heading | subject.entities, key=lambda k: (-idf.get(k, 0.0), k))
        pivot = bisect_left(self.positions, subject.position)
        for key in keys[:RARE_WORDS]:
            posting = self.postings.get(key, ())
            at = bisect_left(posting, pivot)
            for index in posting[max(0, at - NEAREST):at + NEAREST]:
                shared[index] = shared.get(index, 0.0) + idf.get(key, 0.0)
        best = sorted(shared, key=lambda index: (-shared[index], abs(index - pivot), index))[:SHORTLIST]
        return sorted(best)


def _addresses(plans: list[_Profile], problems: list[_Profile], idf: _Idf) -> list[Link]:
    shortlist = _Shortlist(plans, len(problems), idf)
    scored: dict[int, dict[int, tuple[float, dict[str, float]]]] = {}  # plan index → problem index → score
    best_plan: dict[int, int] = {}
    for q, problem in enumerate(problems):
        best = None
        for p in shortlist(problem):
            result = scored.setdefault(p, {})[q] = score_pair(problem, plans[p], idf)
            if best is None or result[0] > scored[best][q][0]:
                best = p
        if best is not None:
            best_plan[q] = best
    links = []
    for p in sorted(scored):
        by_problem = scored[p]
        best_problem = max(sorted(by_problem), key=lambda q: by_problem[q][0])
        for q in sorted(by_problem):
            score, components = by_problem[q]
            best = best_plan.get(q) == p or best_problem == q
            if score >= ADDRESSES_THRESHOLD or (best and score >= BEST_MATCH_FLOOR):
                links.append(Link(plans[p].id, problems[q].id, "addresses", score, METHOD, components))
    return links


def _works_on(measures: list[Item], profiles: list[_Profile], groups: list[_Profile],
              problems: list[_Profile], idf: _Idf) -> list[Link]:
    group_list, measure_list = _Shortlist(groups, len(problems), idf), _Shortlist(profiles, len(problems), idf)
    links = []
    for problem in problems:
        group_scores = {groups[g].id: score_pair(problem, groups[g], idf)[0] for g in group_list(problem)}
        best = max(group_scores.values(), default=0.0)
        working = {g for g, s in group_scores.items() if s >= WORKS_ON_THRESHOLD and s >= RELATIVE_TO_BEST * best}
        for index in measure_list(problem):
            measure = measures[index]
            if measure.group_id is not None and measure.group_id not in working:
                continue  # only the measures of a group that works on the problem can be linked
            score, components = score_pair(problem, profiles[index], idf)
            if measure.group_id is None:
                keep = score >= WORKS_ON_THRESHOLD
            else:
                keep = components["terms"] > 0
                components["group"] = group_scores[measure.group_id]
            if keep:
                links.append(Link(measure.id, problem.id, "works_on", score, _POOLED_METHOD,
                                  components))
    links.sort(key=lambda link: (_number(link.source), _number(link.target)))
    return links


def _continued(groups: list[_Profile], plans: list[_Profile], idf: _Idf) -> set[str]:
    """The measure groups that some plan carries on (compared either way round)."""
    shortlist = _Shortlist(plans, len(groups), idf)
    return {
        group.id for group in groups
        if any(max(score_pair(plans[p], group, idf)[0], score_pair(group, plans[p], idf)[0]) >= CONTINUES_THRESHOLD
               for p in shortlist(group))
    }


def _number(item_id: str) -> tuple[str, int]:
    kind, _, number = item_id.rpartition("-")
    return (kind, int(number)) if number.isdigit() else (item_id, 0)


def _pool_groups(measures: list[Item], profiles: list[_Profile]) -> list[_Profile]:
    """One profile per measure group (section id): its measures' terms and entities, its heading."""
    pooled: dict[str, tuple[set[str], frozenset[str], set[str], int]] = {}
    for measure, mine in zip(measures, profiles):
        if measure.group_id is None:
            continue
        group = pooled.get(measure.group_id)
        if group is None:
            pooled[measure.group_id] = (set(mine.terms), mine.heading, set(mine.entities), mine.position)
        else:
            group[0].update(mine.terms)
            group[2].update(mine.entities)
    return [_Profile(group_id, frozenset(terms), heading, frozenset(entities), position)
            for group_id, (terms, heading, entities, position) in pooled.items()]


def _title(item: Item) -> Span:
    return item.title or item.span


def _idf(documents: list[list[str]]) -> dict[str, float]:
    """BM25 (Okapi) idf of every term over the report's items."""
    if not any(documents):
        return {}
    from rank_bm25 import BM25Okapi

    # rank_bm25 divides by the mean length: give empty items a placeholder word.
    return dict(BM25Okapi([doc or ["\0"] for doc in documents]).idf)
