"""Stage 3b, entities: agencies, mechanisms, activities, policy documents and places.

Names are found by three kinds of rule, all driven by data files:

* **patterns** (``data/patterns/*.jsonl``, spaCy EntityRuler format): known
  agency types and domain terms, one canonical ``id`` per entity with its
  variants (人民法院 / 法院). Agencies take a level prefix (县, 市县, a place).
* **heads** (``data/lexicon/entity-heads.json``): the last word of a phrase
  decides its type (…局 → Agency, …机制 → Mechanism, …活动 → Activity); the
  phrase is grown leftwards over words until a boundary word
  (``entity-boundaries.json``: verbs, function words, scope words, counts).
* **structure**: 《…》 titles are documents; quoted names are typed by the head
  that follows them (“…”活动) or by the verb before them (组织“…”); places by
  their suffix (…省 …县 …镇), and towns listed before a count (甲、乙、丙三个乡镇).

Surface forms are merged into one :class:`Entity` per canonical key (quotes
stripped, pattern variants, short forms such as 县人大 → 县人大常委会 where the
text says 人大及其常委会), each merge recorded. Relations: items ``mentions``
entities; an agency acting by a trigger verb (``entity-triggers.json``)
``organizes`` an activity, ``establishes`` a mechanism, ``issues`` a document
or ``appoints`` a body in the same clause, the report's own government being
the default actor; entities are ``locatedIn`` places.

The rules live in their own modules: :mod:`~kg.extraction.names` (the
lexicon, candidates, head phrases), :mod:`~kg.extraction.patterns`,
:mod:`~kg.extraction.phrases` (titles, heads, quotes, the longest name
wins), :mod:`~kg.extraction.places` and :mod:`~kg.extraction.relations`.
One pass of the shared jieba segmentation gives word boundaries; the patterns
are matched once over the whole text by a spaCy PhraseMatcher on a
character-level Doc, so they match wherever jieba cuts. A huge text is read
line by line, a very long line in pieces cut at sentence ends.
All offsets are character offsets into ``text``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from kg.extraction.names import MAX_LABEL, OPEN_QUOTE, Candidate, TextView, fold_key, name_lexicon
from kg.extraction.nlp import ONE_PASS_LIMIT, segment, word_spans
from kg.extraction.patterns import load_patterns, merge_short_forms, pattern_candidates, pattern_matches
from kg.extraction.phrases import coordinated, documents, headed, quoted, resolve, titles
from kg.extraction.places import find_places
from kg.extraction.relations import find_relations
from kg.extraction.text import pieces
from kg.model import Entity, Item, Merge, Mention, ReportMeta, Relation

__all__ = ["extract_entities", "load_patterns", "MAX_LABEL", "PIECE_LIMIT"]

# A line longer than this is read in pieces cut at sentence ends (a 20 MB line is not one name).
PIECE_LIMIT = 100_000


def _government(meta: ReportMeta, text: str, candidates: list[Candidate]) -> Candidate | None:
    """The default actor of a report's measures: the department that reports on itself
    (石门市市场监督管理局…报告), else the report's own government, 辖区 + 人民政府."""
    if meta.department and meta.title_span and meta.department in meta.title_span.text:
        start = meta.title_span.start + meta.title_span.text.index(meta.department)
        # the same agency found by the patterns or head rules keeps its canonical key
        key = next((c.key for c in candidates if c.type == "Agency" and c.label == meta.department), fold_key(meta.department))
        return Candidate(start, start + len(meta.department), "Agency", meta.department, key,
                          "report-author", surface=meta.department)
    if not meta.jurisdiction:
        return None
    level_char, words = meta.jurisdiction[-1], name_lexicon().government
    label = meta.jurisdiction + words["label"]
    key = meta.jurisdiction + words["key"]
    for candidate in candidates:
        # 县政府 / 县人民政府 in a county's own report is that county's government
        if candidate.type == "Agency" and candidate.key in (key, level_char + words["key"]):
            if candidate.key != key:
                candidate.rule = "own-government"
            candidate.key = key
    if meta.title_span and meta.jurisdiction in meta.title_span.text:
        start = meta.title_span.start + meta.title_span.text.index(meta.jurisdiction)
    else:
        match = re.search(re.escape(meta.jurisdiction), text)
        if match is None:
            return None
        start = match.start()
    return Candidate(start, start + len(meta.jurisdiction), "Agency", label, key, "jurisdiction",
                      surface=label)


def _entities(candidates: list[Candidate], text: str) -> list[Entity]:
    """One entity per candidate id, its preferred label, alternative labels and why each was merged."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.id, []).append(candidate)
    entities = []
    for entity_id, group in groups.items():
        first = group[0]
        labels = sorted({c.label for c in group if c.rule != "jurisdiction"} or {first.label},
                        key=lambda label: (-len(label), label))
        label = labels[0] if first.rule != "jurisdiction" else first.label
        if any(c.rule == "jurisdiction" and c.type == "Agency" for c in group):
            label = next(c.label for c in group if c.rule == "jurisdiction")
        alt, merges = [], []
        for candidate in sorted(group, key=lambda c: (c.start, c.end)):
            for form in (candidate.label, candidate.surface):
                if form and form != label and form not in alt and candidate.rule != "jurisdiction":
                    alt.append(form)
                    quoted = OPEN_QUOTE in form and candidate.rule != "quoted-modifier"
                    rule = "quotes" if quoted else candidate.rule
                    merges.append(Merge(form, rule))
        spans = sorted({(c.start, c.end) for c in group})
        mentions = [Mention(start, end, text[start:end]) for start, end in spans]
        entities.append(Entity(
            id=entity_id, type=first.type, label=label, mentions=mentions, alt_labels=alt, merges=merges,
            key=next((c.key for c in group if c.via_pattern), None),
            level=next((c.level for c in group if c.level), None),
        ))
    return sorted(entities, key=lambda e: (e.mentions[0].start, e.id))


# ------------------------------------------------------------------ main

_LINE_CACHE_SIZE = 4096


def _line_candidates(text: str, meta: ReportMeta):
    """(line start, candidates with offsets relative to the line) for every line of the text.

    Names never cross a line end, so each line is searched on its own; the word
    boundaries come from one segmentation of the whole text, or, for huge
    texts, from one per distinct line (repeated lines are searched once), a
    line longer than :data:`PIECE_LIMIT` being cut into pieces at sentence ends.
    """
    whole = len(text) <= ONE_PASS_LIMIT
    token_starts, token_ends = word_spans(text) if whole else ((), ())
    matches = pattern_matches(text) if whole else []  # patterns hold no line end
    match_starts = [start for start, _, _ in matches]
    cache: dict[str, list[Candidate]] = {}
    for line_start, line_end in pieces(text, len(text) if whole else PIECE_LIMIT):
        line = text[line_start:line_end]
        if line.strip():
            found = cache.get(line)
            if found is None:
                if whole:
                    low = bisect_right(token_starts, line_start - 1)
                    high = bisect_right(token_starts, line_end - 1)
                    starts = [s - line_start for s in token_starts[low:high]]
                    ends = [e - line_start for e in token_ends[low:high]]
                    low, high = bisect_left(match_starts, line_start), bisect_left(match_starts, line_end)
                    line_matches = [(s - line_start, e - line_start, t) for s, e, t in matches[low:high]]
                else:
                    starts, ends = map(list, segment(line))
                    line_matches = pattern_matches(line)
                found = _candidates_in_line(line, starts, ends, meta, line_matches)
                if len(cache) < _LINE_CACHE_SIZE:
                    cache[line] = found
            yield line_start, found


def _candidates_in_line(line: str, starts: list[int], ends: list[int], meta: ReportMeta,
                        line_matches: list[tuple[int, int, str]]) -> list[Candidate]:
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    tx = TextView(line, starts, frozenset(ends))
    tx.protected = titles(tx)
    places, all_places = find_places(tx, meta)
    named = pattern_candidates(tx, all_places, line_matches) + headed(tx)
    quotes = quoted(tx, named)
    in_quote = bytearray(len(line) + 1)  # names inside a quoted name are part of it
    for c in quotes:
        in_quote[c.start + 1:c.end] = b"\x01" * (c.end - c.start - 1)
    named = [c for c in named if not in_quote[c.start]]
    return resolve(coordinated(documents(tx) + places + named + quotes, line))


def extract_entities(text: str, items: list[Item], meta: ReportMeta) -> tuple[list[Entity], list[Relation]]:
    """Agencies, mechanisms, activities, documents and places of one report, and their relations.

    >>> from kg.model import ReportMeta
    >>> meta = ReportMeta(id="t", source="t.txt", encoding="utf-8", sha256="", jurisdiction="青禾县")
    >>> entities, relations = extract_entities("县司法局印发《青禾县法治宣传实施方案》;召开季度联席会议。", [], meta)
    >>> [(e.type, e.label) for e in entities]
    [('Agency', '县司法局'), ('Agency', '青禾县人民政府'), ('PolicyDocument', '青禾县法治宣传实施方案'), ('Activity', '季度联席会议')]
    >>> [(r.source, r.relation, r.target) for r in relations]
    [('agency/县司法局', 'issues', 'document/青禾县法治宣传实施方案'), ('agency/青禾县政府', 'organizes', 'activity/季度联席会议')]
    """
    candidates: list[Candidate] = []
    for line_start, found in _line_candidates(text, meta):
        for c in found:
            candidates.append(Candidate(c.start + line_start, c.end + line_start, c.type, c.label, c.key, c.rule,
                                         c.surface, c.level, c.via_pattern, c.parent, c.short_for))
    merge_short_forms(candidates, text)
    government = _government(meta, text, candidates)
    if government is not None:
        candidates.append(government)
    entities = _entities(candidates, text)
    relations = find_relations(text, items, entities, government.id if government else None, candidates)
    return entities, relations
